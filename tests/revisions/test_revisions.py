"""A revised regulation put in force without code: gongshu's 2027 revision (tender confirmation
from 50万 to 100万, contract filing within 7 working days, a new review step) deployed over
HTTP and the CLI, scheduled by effective date, compared, and cases moved to it."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
import time_machine

from ..conftest import FIXTURES

V2 = FIXTURES / "revisions" / "gongshu-v2"
KEY = "gongshu_project"
START = {"project_name": "智慧卫健业务协同系统", "plan_year": 2027, "project_category": "new",
         "budget_yuan": 800000, "fiscal_funding": True, "classified": False, "emergency": False,
         "technically_complex": False,
         "construction_content": "业务协同系统及移动端", "business_requirements": "深化“最多跑一次”改革",
         "security_plan": "等保二级，同步建设", "data_sharing_plan": "接入区数据中枢，共享人口库",
         "contact_person": "王晓燕", "contact_phone": "0571-88000001"}


@pytest.fixture
def bundle_set() -> str:
    return "bundled"


def zip_bundle(root: Path, jurisdiction: str = "gongshu", edit=None) -> bytes:
    """The repository layout (bpmn/<id>/…, forms/<id>/…) as an administrator would zip it;
    `edit(name, text) -> text` changes files on the way in."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for top in ("bpmn", "forms"):
            folder = root / top / jurisdiction
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    name = f"{top}/{jurisdiction}/{path.relative_to(folder).as_posix()}"
                    body = path.read_bytes()
                    if edit is not None:
                        body = edit(name, body.decode("utf-8")).encode("utf-8")
                    archive.writestr(name, body)
    return buffer.getvalue()


def upload(http, user: str, data: bytes, **form):
    token = http.as_(user).token
    resp = http.client.post("/api/v1/deployments", headers={"Authorization": f"Bearer {token}"},
                            data={"file": (io.BytesIO(data), "gongshu.zip"), **{k: str(v).lower() if
                                  isinstance(v, bool) else str(v) for k, v in form.items()}},
                            content_type="multipart/form-data")
    return resp.status_code, resp.get_json()


def versions(http) -> dict[int, dict]:
    reply = http.as_("admin").get(f"/api/v1/processes/{KEY}/versions")
    assert reply.status == 200, reply.body
    return {v["version"]: v for v in reply.body}


def start_case(http, when: str) -> dict:
    with time_machine.travel(when, tick=False):
        reply = http.as_("gs_unit_a").post("/api/v1/instances", {"process_key": KEY, "data": START})
    assert reply.status == 201, reply.body
    return reply.body


def test_only_administrators_deploy(http):
    status, body = upload(http, "gs_office", zip_bundle(V2), simulate=False)
    assert status == 403 and body["type"] == "/problems/forbidden"
    assert set(versions(http)) == {1}


def _break(name: str, text: str) -> str:
    if name.endswith("procurement.bpmn"):                       # a flow to nowhere
        text = text.replace('targetRef="review_contract_filing"', 'targetRef="no_such_step"', 1)
    if name.endswith("contract_filing_review.schema.json"):     # not a JSON Schema
        text = text.replace('"type": "object"', '"type": "objekt"', 1)
    if name.endswith("declaration.bpmn"):                       # a script that imports
        text = text.replace("<bpmn:script>", "<bpmn:script>import os\n", 1)
    return text


def test_a_broken_revision_is_refused_whole_with_every_problem(http):
    status, body = upload(http, "admin", zip_bundle(V2, edit=_break), simulate=False)
    assert status == 422 and body["type"] == "/problems/bundle-invalid"
    files = {e["file"] for e in body["errors"]}
    assert {"procurement.bpmn", "forms/contract_filing_review.schema.json", "declaration.bpmn"} <= files, body
    assert any(e["element"] == "no_such_step" or "no_such_step" in e["message"] for e in body["errors"])
    assert all(e["line"] for e in body["errors"] if e["file"].endswith(".bpmn"))
    assert set(versions(http)) == {1}                            # nothing of it was stored


@pytest.mark.parametrize("payload", [b"not a zip", b""])
def test_an_upload_that_is_not_a_bundle_is_a_422_not_a_500(http, payload):
    status, body = upload(http, "admin", payload, simulate=False)
    assert status == 422 and body["errors"][0]["message"]


@pytest.fixture
def applying_admin(app) -> str:
    """An administrator who is also staff of an applying unit: only administrators pick a version."""
    made = app.test_cli_runner().invoke(args=[
        "users", "create", "gs_admin_unit", "--name", "区卫健局管理员", "--unit", "区卫生健康局",
        "--role", "gongshu:unit", "--admin", "--password", "test-pass-2026"])
    assert made.exit_code == 0, made.output
    return "gs_admin_unit"


def test_the_revision_takes_effect_on_its_date_and_cases_under_way_stay(http, applying_admin):
    with time_machine.travel("2026-12-01T09:00:00+08:00", tick=False):
        status, body = upload(http, "admin", zip_bundle(V2), simulate=False)
    assert status == 201, body
    assert body["created"] == [{"process_key": KEY, "version": 2}] and body["effective_from"] == "2027-01-01"
    before = start_case(http, "2026-12-15T09:00:00+08:00")
    after = start_case(http, "2027-01-05T09:00:00+08:00")
    assert (before["version"], after["version"]) == (1, 2)
    with time_machine.travel("2026-12-20T09:00:00+08:00", tick=False):
        listed = versions(http)
        assert (listed[1]["status"], listed[2]["status"]) == ("in_force", "scheduled")
    with time_machine.travel("2027-01-05T09:00:00+08:00", tick=False):
        listed = versions(http)
        assert (listed[1]["status"], listed[2]["status"]) == ("superseded", "in_force")
        assert (listed[1]["cases_running"], listed[2]["cases_running"]) == (1, 1)
        explicit = http.as_(applying_admin).post("/api/v1/instances",
                                                 {"process_key": KEY, "data": START, "version": 1})
        assert explicit.status == 201 and explicit.body["version"] == 1
        refused = http.as_("gs_unit_a").post("/api/v1/instances", {"process_key": KEY, "data": START, "version": 1})
        assert refused.status == 403
    case = http.as_("admin").get(f"/api/v1/instances/{before['id']}").body
    assert case["version"] == 1                                  # untouched by the deployment


def test_rescheduling_a_version_moves_where_new_cases_start(http):
    upload(http, "admin", zip_bundle(V2), simulate=False)
    path = f"/api/v1/processes/{KEY}/versions/2"
    assert http.as_("gs_office").patch(path, {"effective_from": "2027-03-01"}).status == 403
    bad = http.as_("admin").patch(path, {"effective_from": "2027-03-01", "effective_until": "2027-02-01"})
    assert bad.status == 400 and bad.body["errors"][0]["field"] == "effective_until"
    moved = http.as_("admin").patch(path, {"effective_from": "2027-03-01"})
    assert moved.status == 200 and moved.body["effective_from"] == "2027-03-01"
    assert start_case(http, "2027-01-05T09:00:00+08:00")["version"] == 1
    assert start_case(http, "2027-03-02T09:00:00+08:00")["version"] == 2


def test_the_diff_names_exactly_the_revision(http):
    upload(http, "admin", zip_bundle(V2), simulate=False)
    reply = http.as_("gs_office").get(f"/api/v1/processes/{KEY}/versions/1/diff/2")
    assert reply.status == 200, reply.body
    kinds = {(c["kind"], c["change"], c["element"]) for c in reply.body["changes"]}
    assert ("rule", "changed", "procurement_control_rule_1") in kinds or any(
        k == "rule" and ch == "changed" for k, ch, _ in kinds)
    assert ("task", "added", "review_contract_filing") in kinds
    assert any(k == "timer" and ch == "changed" for k, ch, _ in kinds)
    text = " ".join(reply.body["summary"])
    assert "由 ≥50万 改为 ≥100万" in text
    assert "期限由 自合同签订日期起 5 个工作日 改为 自合同签订日期起 7 个工作日" in text
    readable = http.as_("gs_office").get(f"/api/v1/processes/{KEY}/versions/1/diff/2", format="text")
    assert readable.status == 200 and readable.content_type.startswith("text/plain") and "100万" in readable.body
    assert http.as_("gs_office").get(f"/api/v1/processes/{KEY}/versions/1/diff/9").status == 404


def _at_pre_review(http) -> dict:
    return start_case(http, "2026-12-15T09:00:00+08:00")


def test_cases_under_way_move_after_a_dry_run_and_the_move_can_be_reverted(http):
    first, second = _at_pre_review(http), _at_pre_review(http)
    upload(http, "admin", zip_bundle(V2), simulate=False)
    path = f"/api/v1/processes/{KEY}/versions/1/migrations"
    assert http.as_("gs_office").post(path, {"to_version": 2}).status == 403
    dry = http.as_("admin").post(path, {"to_version": 2})
    assert dry.status == 200, dry.body
    report = {c["instance_id"]: c for c in dry.body["cases"]}
    assert set(report) == {first["id"], second["id"]} and all(c["can_migrate"] for c in report.values())
    assert http.as_("admin").get(f"/api/v1/instances/{first['id']}").body["version"] == 1   # dry run wrote nothing
    applied = http.as_("admin").post(path, {"to_version": 2, "instance_ids": [first["id"]], "apply": True})
    assert applied.status == 200 and applied.body["migrated"] == 1, applied.body
    moved = http.as_("admin").get(f"/api/v1/instances/{first['id']}").body
    assert moved["version"] == 2 and moved["open_tasks"]
    assert http.as_("admin").get(f"/api/v1/instances/{second['id']}").body["version"] == 1
    migration_id = applied.body["cases"][0]["migration_id"]
    back = http.as_("admin").post(f"/api/v1/migrations/{migration_id}/revert")
    assert back.status == 200 and back.body["version"] == 1
    assert http.as_("admin").post(f"/api/v1/migrations/{migration_id}/revert").status == 409
    actions = [a["action"] for a in http.as_("admin").get(f"/api/v1/instances/{first['id']}/audit").body]
    assert "migrate" in actions and "migrate_revert" in actions


def test_the_cli_deploys_lists_diffs_and_migrates(app, http):
    runner = app.test_cli_runner()
    case = _at_pre_review(http)
    folder = str(V2 / "bpmn" / "gongshu")
    dry = runner.invoke(args=["bundles", "deploy", folder, "--dry-run", "--no-simulate"])
    assert dry.exit_code == 0 and "试运行" in dry.output, dry.output
    done = runner.invoke(args=["bundles", "deploy", folder, "--no-simulate", "--effective-from", "2026-12-01"])
    assert done.exit_code == 0 and f"{KEY} v2" in done.output, done.output
    listed = runner.invoke(args=["processes", "versions", KEY])
    assert "v2" in listed.output and "生效 2026-12-01" in listed.output, listed.output
    diff = runner.invoke(args=["processes", "diff", KEY, "1", "2"])
    assert diff.exit_code == 0 and "100万" in diff.output
    as_json = json.loads(runner.invoke(args=["processes", "diff", KEY, "1", "2", "--json"]).output)
    assert as_json["counts"]["added"] >= 1
    plan = runner.invoke(args=["processes", "migrate", KEY, "1", "2"])
    assert plan.exit_code == 0 and f"案件 {case['id']}" in plan.output and "可迁移" in plan.output, plan.output
    moved = runner.invoke(args=["processes", "migrate", KEY, "1", "2", "--apply", "--case", str(case["id"])])
    assert "已迁移" in moved.output, moved.output
    assert http.as_("admin").get(f"/api/v1/instances/{case['id']}").body["version"] == 2


def _typo_in_a_condition(name: str, text: str) -> str:
    """Valid XML, compiles, but a gateway reads a variable nobody sets: only running it shows."""
    if name.endswith("procurement.bpmn"):
        text = text.replace("tender_confirmed == True", "tender_confirmd == True", 1)
    return text


def test_simulation_before_deploying_refuses_a_revision_that_would_fail_unless_forced(http):
    dry = upload(http, "admin", zip_bundle(V2), dry_run=True)
    assert dry[0] == 200, dry[1]
    assert dry[1]["dry_run"] and dry[1]["simulation"]["ok"] and dry[1]["created"] == []
    assert set(versions(http)) == {1}                            # a dry run deploys nothing
    broken = zip_bundle(V2, edit=_typo_in_a_condition)
    status, body = upload(http, "admin", broken)
    assert status == 422 and body["type"] == "/problems/simulation-findings", body
    assert any("tender_confirmd" in e["message"] for e in body["errors"]), body["errors"]
    assert set(versions(http)) == {1}
    status, body = upload(http, "admin", broken, force=True)
    assert status == 201 and body["forced"] is True
    kept = http.as_("admin").get(f"/api/v1/processes/{KEY}/versions/2/simulation").body
    assert kept["forced"] is True and kept["report"]["ok"] is False
    assert versions(http)[2]["forced"] is True


def test_the_cli_simulation_names_the_element_a_case_would_fail_at(app):
    """The sample bundle lets a reviewer approve a small project without naming the units
    that must countersign; the simulator finds the case would then fail at 会签."""
    result = app.test_cli_runner().invoke(args=["bundles", "simulate", str(FIXTURES / "bpmn" / "sample")])
    assert result.exit_code == 1, result.output
    assert "sample_project#countersign" in result.output and "模拟运行：发现问题" in result.output
