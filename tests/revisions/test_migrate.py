"""Moving cases under way to a revised version (engine/revisions/migrate.py), through real diagrams.

Version 2 of the sample bundle (built in tmp_path): 初审 is renamed 形式审查, a new user
task 复核 follows it, 补正材料 (resubmit) is removed (a send-back loops to review), and the
event subprocess task 落实整改 is renamed."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import func, select

from engine.db import db
from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.models import AuditEntry, CaseMigration, Instance
from engine.regulations.bundles import from_folders
from engine.revisions import migrate
from engine.revisions.deploy import deploy
from engine.users import actor_of, find_user

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
START = "2026-03-02T09:00:00+08:00"  # a Monday
LATER = "2026-03-04T10:00:00+08:00"
APPLY = {"project_name": "社保卡应用升级", "budget_yuan": 800000, "category": "software"}
RECHECK = ('<bpmn:userTask id="recheck" name="复核"><bpmn:documentation>第三条之一：复核。</bpmn:documentation>'
           '<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property '
           'name="formJsonSchemaFilename" value="accept.schema.json" /></spiffworkflow:properties>'
           '</bpmn:extensionElements></bpmn:userTask>\n    ')


def _edit_sample(text: str) -> str:
    text = text.replace('<bpmn:userTask id="review" name="初审">', '<bpmn:userTask id="review" name="形式审查">')
    text = re.sub(r'<bpmn:userTask id="resubmit".*?</bpmn:userTask>', "", text, flags=re.S)
    text = text.replace("<bpmn:flowNodeRef>resubmit</bpmn:flowNodeRef>", "")
    text = text.replace('sourceRef="gw_review" targetRef="resubmit"', 'sourceRef="gw_review" targetRef="review"')
    text = re.sub(r'<bpmn:sequenceFlow id="f_resubmitted"[^>]*/>', "", text)
    text = re.sub(r'<bpmndi:BPMNShape[^>]*bpmnElement="resubmit".*?</bpmndi:BPMNShape>', "", text, flags=re.S)
    text = re.sub(r'<bpmndi:BPMNEdge[^>]*bpmnElement="f_resubmitted".*?</bpmndi:BPMNEdge>', "", text, flags=re.S)
    text = text.replace('<bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="gw_review" />',
                        '<bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="recheck" />'
                        '<bpmn:sequenceFlow id="f3b" sourceRef="recheck" targetRef="gw_review" />')
    text = text.replace('<bpmn:exclusiveGateway id="gw_review"', RECHECK + '<bpmn:exclusiveGateway id="gw_review"')
    return text.replace("<bpmn:flowNodeRef>review_late</bpmn:flowNodeRef>",
                        "<bpmn:flowNodeRef>review_late</bpmn:flowNodeRef><bpmn:flowNodeRef>recheck</bpmn:flowNodeRef>")


def _write_v2(root: Path) -> tuple[Path, Path]:
    bpmn, forms = root / "bpmn" / "sample", root / "forms" / "sample"
    shutil.copytree(FIXTURES / "bpmn" / "sample", bpmn)
    shutil.copytree(FIXTURES / "forms" / "sample", forms)
    manifest = json.loads((bpmn / "manifest.json").read_text(encoding="utf-8"))
    manifest["regulation"]["effective_from"] = "2026-06-01"  # cases started before stay on v1
    (bpmn / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    sample = bpmn / "sample.bpmn"
    sample.write_text(_edit_sample(sample.read_text(encoding="utf-8")), encoding="utf-8")
    review = bpmn / "review.bpmn"
    review.write_text(review.read_text(encoding="utf-8").replace(
        '<bpmn:userTask id="r_rectify" name="落实整改">', '<bpmn:userTask id="r_rectify" name="整改并报告">'),
        encoding="utf-8")
    return bpmn, forms


@pytest.fixture
def v2(app, tmp_path) -> None:
    with app.app_context():
        result = deploy(from_folders(*_write_v2(tmp_path)))
    assert ("sample_project", 2) in result.created and ("sample_timers", 2) in result.created


@pytest.fixture
def engine_as(app):
    """Call the engine as a user, inside the app context (as the API would)."""
    def call(username: str, fn, *args, **kwargs):
        with app.app_context():
            try:
                return fn(actor_of(find_user(username)), *args, **kwargs)
            finally:
                db.session.remove()
    return call


def start(http, process_key: str = "sample_project", data: dict | None = None, when: str = START) -> dict:
    with time_machine.travel(when, tick=False):
        reply = http.as_("s_unit_a").post("/api/v1/instances", {"process_key": process_key, "data": data or APPLY})
    assert reply.status == 201, reply.body
    return reply.body


def case(http, case_id: int) -> dict:
    return http.as_("admin").get(f"/api/v1/instances/{case_id}").body


def task(body: dict, bpmn_id: str) -> dict:
    found = [t for t in body["open_tasks"] if t["bpmn_id"] == bpmn_id]
    assert len(found) == 1, body["open_tasks"]
    return found[0]


def complete(http, user: str, task_id: str, data: dict) -> dict:
    reply = http.as_(user).post(f"/api/v1/tasks/{task_id}/complete", {"data": data})
    assert reply.status == 200, reply.body
    return reply.body


def send_back(http, body: dict) -> dict:
    return complete(http, "s_reviewer", task(body, "review")["id"],
                    {"review_result": "send_back", "review_opinion": "请补充材料"})


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(CaseMigration)),
                db.session.scalar(select(func.count()).select_from(AuditEntry)))


def move(engine_as, ids: list[int], mapping: dict | None = None, key: str = "sample_project",
         when: str = LATER) -> dict:
    with time_machine.travel(when, tick=False):
        return engine_as("admin", migrate.apply, key, 1, 2, ids, mapping)


def test_case_at_a_kept_task_moves_keeps_its_deadline_and_runs_the_new_flow(http, v2, engine_as):
    body = start(http)
    before = task(body, "review")
    report = engine_as("admin", migrate.dry_run, "sample_project", 1, 2)
    (only,) = report["cases"]
    assert only["instance_id"] == body["id"] and only["can_migrate"] and only["reasons"] == []
    assert only["title"] == "社保卡应用升级" and only["open_tasks"] == ["review", "review_late"]
    assert "recheck" in only["changes"]["added"] and "resubmit" in only["changes"]["removed"]
    assert "bpmn_name" in only["changes"]["changed"]["review"]

    result = move(engine_as, [body["id"]])
    assert result["cases"][0]["migrated"] and result["cases"][0]["migration_id"]
    moved = case(http, body["id"])
    assert moved["version"] == 2 and moved["next_due_at"] == body["next_due_at"]
    review = task(moved, "review")
    # same task, new name and form from v2; the deadline counts from the start, not the move
    assert (review["id"], review["name"], review["form"]) == (before["id"], "形式审查", "review.schema.json")
    assert review["due_at"] == before["due_at"] is not None

    done = complete(http, "s_reviewer", review["id"], {"review_result": "reject", "review_opinion": "不符合规划"})
    recheck = task(done, "recheck")                                      # the task v2 added
    assert recheck["name"] == "复核" and recheck["form"] == "accept.schema.json"
    end = complete(http, "s_reviewer", recheck["id"], {"acceptance_passed": True})
    assert (end["status"], end["outcome"]) == ("completed", "未予立项")


def test_case_at_a_removed_task_moves_only_with_a_mapping(app, http, v2, engine_as):
    body = send_back(http, start(http))
    assert [t["bpmn_id"] for t in body["open_tasks"]] == ["resubmit"]
    (report,) = engine_as("admin", migrate.dry_run, "sample_project", 1, 2)["cases"]
    assert not report["can_migrate"] and any("resubmit" in r and "补正材料" in r for r in report["reasons"])
    (skipped,) = move(engine_as, [body["id"]])["cases"]
    assert not skipped["migrated"] and skipped["migration_id"] is None
    assert any("resubmit" in r for r in skipped["reasons"])
    assert case(http, body["id"])["version"] == 1 and counts(app)[0] == 0   # untouched

    mapping = {"resubmit": "review"}
    (report,) = engine_as("admin", migrate.dry_run, "sample_project", 1, 2, mapping)["cases"]
    assert report["can_migrate"], report["reasons"]
    (moved,) = move(engine_as, [body["id"]], mapping)["cases"]
    assert moved["migrated"], moved["reasons"]
    after = case(http, body["id"])
    review = task(after, "review")                                      # back at review, with its deadline
    assert after["version"] == 2 and review["name"] == "形式审查" and review["due_at"] is not None
    done = complete(http, "s_reviewer", review["id"], {"review_result": "reject", "review_opinion": "仍不符合"})
    task(done, "recheck")


def test_dry_run_writes_nothing(app, http, v2, engine_as):
    body = start(http)
    with app.app_context():
        state, revision = (lambda i: (i.state, i.revision))(db.session.get(Instance, body["id"]))
    written = counts(app)
    engine_as("admin", migrate.dry_run, "sample_project", 1, 2, None, [body["id"]])
    assert counts(app) == written
    with app.app_context():
        inst = db.session.get(Instance, body["id"])
        assert (inst.state, inst.revision, inst.version.version) == (state, revision, 1)


def test_apply_records_the_move_and_revert_restores_the_old_version(app, http, v2, engine_as):
    body = start(http)
    with app.app_context():
        old_state = db.session.get(Instance, body["id"]).state
    (moved,) = move(engine_as, [body["id"]])["cases"]
    with app.app_context():
        row = db.session.get(CaseMigration, moved["migration_id"])
        assert (row.instance_id, row.actor, row.reverted_at) == (body["id"], "admin", None)
        assert row.previous_state == old_state
        assert row.from_version_id != row.to_version_id
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "migrate"))
        detail = json.loads(entry.detail_json)
        assert (entry.instance_id, detail["from_version"], detail["to_version"]) == (body["id"], 1, 2)
        assert detail["migration_id"] == row.id and detail["task_mapping"] == {}

    reverted = engine_as("admin", migrate.revert, moved["migration_id"])
    assert reverted["reverted"] and reverted["version"] == 1
    back = case(http, body["id"])
    review = task(back, "review")
    assert back["version"] == 1 and review["name"] == "初审" and review["id"] == task(body, "review")["id"]
    assert review["due_at"] == task(body, "review")["due_at"]
    with app.app_context():
        row = db.session.get(CaseMigration, moved["migration_id"])
        assert row.reverted_by == "admin" and row.reverted_at is not None
        assert db.session.scalar(select(func.count()).where(AuditEntry.action == "migrate_revert")) == 1
    with pytest.raises(Conflict):                                       # only once
        engine_as("admin", migrate.revert, moved["migration_id"])
    done = complete(http, "s_reviewer", review["id"], {"review_result": "reject", "review_opinion": "不符合"})
    assert (done["status"], done["outcome"]) == ("completed", "未予立项")  # v1: no 复核


def test_revert_after_the_case_moved_on_is_refused(http, v2, engine_as):
    body = start(http)
    (moved,) = move(engine_as, [body["id"]])["cases"]
    complete(http, "s_reviewer", task(case(http, body["id"]), "review")["id"],
             {"review_result": "approve", "review_opinion": "同意"})
    with pytest.raises(Conflict, match="不能撤销"):
        engine_as("admin", migrate.revert, moved["migration_id"])
    assert case(http, body["id"])["version"] == 2


def test_only_administrators_may_migrate_and_arguments_are_checked(http, v2, engine_as):
    body = start(http)
    with pytest.raises(Forbidden):
        engine_as("s_reviewer", migrate.dry_run, "sample_project", 1, 2)
    with pytest.raises(Forbidden):
        engine_as("s_reviewer", migrate.apply, "sample_project", 1, 2, [body["id"]])
    (moved,) = move(engine_as, [body["id"]])["cases"]
    with pytest.raises(Forbidden):
        engine_as("s_reviewer", migrate.revert, moved["migration_id"])
    with pytest.raises(InvalidInput):
        engine_as("admin", migrate.dry_run, "sample_project", 2, 2)
    with pytest.raises(NotFound):
        engine_as("admin", migrate.dry_run, "sample_project", 1, 9)
    with pytest.raises(NotFound):
        engine_as("admin", migrate.revert, 999)
    with pytest.raises(InvalidInput, match="nope"):
        engine_as("admin", migrate.dry_run, "sample_project", 1, 2, {"resubmit": "nope"})


def test_pending_timers_keep_their_due_times(http, v2, engine_as, fire_timers):
    reporting = start(http, "sample_timers", {})
    with time_machine.travel("2026-03-04T09:00:01+08:00", tick=False):
        assert fire_timers() == 1
    at_report = task(case(http, reporting["id"]), "t_report")
    assert at_report["due_at"] == "2026-03-14T09:00:01+08:00"
    waiting = start(http, "sample_timers", {}, when="2026-03-04T09:30:00+08:00")   # at the P2D timer
    assert waiting["next_due_at"] == "2026-03-06T09:30:00+08:00"
    result = move(engine_as, [waiting["id"], reporting["id"]], key="sample_timers", when="2026-03-05T10:00:00+08:00")
    assert [c["migrated"] for c in result["cases"]] == [True, True], result
    assert case(http, waiting["id"])["next_due_at"] == "2026-03-06T09:30:00+08:00"
    moved = case(http, reporting["id"])
    assert moved["version"] == 2 and moved["next_due_at"] == "2026-03-07T09:00:01+08:00"   # first reminder
    assert task(moved, "t_report")["due_at"] == "2026-03-14T09:00:01+08:00"
    with time_machine.travel("2026-03-07T09:01:00+08:00", tick=False):
        assert fire_timers() == 2                                       # the reminder and the wait


def test_case_inside_a_subprocess_and_a_multi_instance_task_moves(http, v2, engine_as):
    body = start(http, "sample_review")
    experts = sorted((t["id"], t["assignee"]) for t in body["open_tasks"] if t["bpmn_id"] == "r_review")
    assert len(experts) == 2 and all(user for _, user in experts)
    order = {"name": "rectification_ordered",
             "data": {"rectification_deadline": "2026-06-30", "rectification_items": "补齐等保测评"}}
    assert http.as_("s_reviewer").post(f"/api/v1/instances/{body['id']}/messages", order).status == 200
    (report,) = engine_as("admin", migrate.dry_run, "sample_review", 1, 2)["cases"]
    assert report["can_migrate"], report["reasons"]
    assert "r_rectify" in report["open_tasks"] and "r_esp" in report["changes"]["subprocesses"]
    assert "bpmn_name" in report["changes"]["subprocesses"]["r_esp"]["changed"]["r_rectify"]
    (moved,) = move(engine_as, [body["id"]], key="sample_review")["cases"]
    assert moved["migrated"], moved["reasons"]
    after = case(http, body["id"])
    rectify = task(after, "r_rectify")
    assert after["version"] == 2 and rectify["name"] == "整改并报告" and rectify["unit"] == "甲单位"
    # each expert keeps the review drawn for them (the reset would have lost the item)
    assert sorted((t["id"], t["assignee"]) for t in after["open_tasks"] if t["bpmn_id"] == "r_review") == experts
    complete(http, "s_unit_a", rectify["id"], {"resubmit_note": "已整改"})
    for task_id, user in experts:
        done = complete(http, user, task_id, {"verdict": "pass"})
    end = complete(http, "s_reviewer", task(done, "r_accept")["id"], {"acceptance_passed": True})
    assert (end["status"], end["outcome"]) == ("completed", "已验收")


def test_a_suspended_case_moves_and_stays_suspended(app, http, v2, engine_as):
    body = start(http)
    assert http.as_("s_reviewer").post(f"/api/v1/instances/{body['id']}/suspend", {"reason": "核查"}).status == 200
    (moved,) = move(engine_as, [body["id"]])["cases"]
    assert moved["migrated"], moved["reasons"]
    after = case(http, body["id"])
    assert (after["status"], after["version"]) == ("suspended", 2)
    assert http.as_("s_reviewer").get("/api/v1/tasks").body["total"] == 0          # still blocked
    assert http.as_("s_reviewer").post(f"/api/v1/instances/{body['id']}/resume", {"reason": "x"}).status == 200
    assert task(case(http, body["id"]), "review")["name"] == "形式审查"


def test_only_cases_of_the_source_version_are_listed_or_moved(http, v2, engine_as):
    old = start(http)
    new = start(http, when="2026-06-02T09:00:00+08:00")                 # v2 is in force by then
    assert case(http, new["id"])["version"] == 2
    report = engine_as("admin", migrate.dry_run, "sample_project", 1, 2)
    assert [c["instance_id"] for c in report["cases"]] == [old["id"]]
    (skipped,) = move(engine_as, [new["id"]])["cases"]
    assert not skipped["migrated"] and "v1" in skipped["reasons"][0]
