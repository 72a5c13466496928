"""Bundle drafts through HTTP (docs/dev/web-api-contract.md «Bundle drafts»): an administrator
edits gongshu's tender threshold in a draft, validates it (the diff names the rule), deploys
it with an effective date; broken edits, stale saves, other users and unsafe paths are refused."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

import pytest

from ..conftest import Reply

RULE = "<inputEntry id=\"pc_r1_in0\"><text>&gt;= 500000</text></inputEntry>"
RAISED = "<inputEntry id=\"pc_r1_in0\"><text>&gt;= 1000000</text></inputEntry>"


@pytest.fixture
def bundle_set() -> str:
    return "bundled"


def call(http, method: str, path: str, body: Any = None, user: str = "admin", **query: Any) -> Reply:
    return http.as_(user)._call(method, f"/api/v1/drafts{path}", json=body, query_string=query)


def new_draft(http, title: str = "2027年修订") -> dict:
    reply = call(http, "POST", "", {"jurisdiction": "gongshu", "title": title})
    assert reply.status == 201, reply.body
    return reply.body


def save(http, draft: dict, path: str, content: str, status: int = 200) -> dict:
    reply = call(http, "PUT", f"/{draft['id']}/files/{path}", {"content": content, "revision": draft["revision"]})
    assert reply.status == status, reply.body
    return reply.body


def test_a_threshold_edited_in_a_draft_is_validated_diffed_and_deployed_with_its_date(http):
    draft = new_draft(http)
    assert draft["status"] == "editing" and draft["title"] == "2027年修订" and draft["created_by"] == "admin"
    assert {"manifest.json", "procurement.bpmn", "procurement_control.dmn"} <= set(draft["files"])
    assert any(p.startswith("forms/") for p in draft["files"])
    dmn = draft["files"]["procurement_control.dmn"]
    assert RULE in dmn
    edited = save(http, draft, "procurement_control.dmn", dmn.replace(RULE, RAISED))
    assert edited["revision"] == draft["revision"] + 1
    assert [d["id"] for d in call(http, "GET", "").body] == [draft["id"]]

    report = call(http, "POST", f"/{draft['id']}/validate")
    assert report.status == 200, report.body
    report = report.body
    assert report["ok"] is True and report["problems"] == [] and report["revision"] == edited["revision"]
    assert report["simulation"]["ok"] is True
    rule = [c for c in report["diff"]["changes"] if c["file"] == "procurement_control.dmn"]
    assert len(rule) == 1 and "规则 1" in rule[0]["summary"] and "100万" in rule[0]["summary"], rule
    stored = call(http, "GET", f"/{draft['id']}").body
    assert stored["validation"]["diff"] == report["diff"] and stored["revision"] == edited["revision"]

    deployed = call(http, "POST", f"/{draft['id']}/deploy", {"effective_from": "2027-01-01"})
    assert deployed.status == 201, deployed.body
    assert deployed.body["created"] == [{"process_key": "gongshu_project", "version": 2}]
    versions = {v["version"]: v for v in http.as_("admin").get("/api/v1/processes/gongshu_project/versions").body}
    assert versions[2]["effective_from"] == "2027-01-01" and versions[2]["status"] == "scheduled"
    assert versions[2]["bundle_hash"] == deployed.body["bundle_hash"]
    assert call(http, "GET", f"/{draft['id']}").body["status"] == "deployed"
    assert call(http, "POST", f"/{draft['id']}/deploy", {"effective_from": "2027-01-01"}).status == 409
    after = save(http, {**stored, "revision": stored["revision"]}, "procurement_control.dmn", dmn, status=409)
    assert after["title"] == "操作冲突，请刷新后重试"
    audit = http.as_("admin").get("/api/v1/processes/gongshu_project/files", version=2).body
    assert RAISED in audit["files"]["procurement_control.dmn"]


def test_a_broken_diagram_lists_its_problems_and_is_not_deployed(http):
    draft = new_draft(http)
    bpmn = draft["files"]["procurement.bpmn"]
    start = '<bpmn:sequenceFlow id="f_pr_start" sourceRef="pr_start" targetRef="'
    assert start in bpmn
    broken = bpmn.replace(start, start + "no_such_step_", 1)
    draft = save(http, draft, "procurement.bpmn", broken)
    report = call(http, "POST", f"/{draft['id']}/validate").body
    assert report["ok"] is False and report["simulation"] is None
    mine = [p for p in report["problems"] if p["file"] == "procurement.bpmn"]
    assert mine and all(isinstance(p["line"], int) for p in mine), report["problems"]
    assert any(p["element"] == "f_pr_start" for p in mine), mine
    refused = call(http, "POST", f"/{draft['id']}/deploy", {"effective_from": "2027-01-01"})
    assert refused.status == 422 and refused.body["type"] == "/problems/bundle-invalid"
    assert any(e["element"] == "f_pr_start" for e in refused.body["errors"])
    assert [v["version"] for v in http.as_("admin").get("/api/v1/processes/gongshu_project/versions").body] == [1]


def test_a_stale_save_is_a_conflict_and_files_can_be_removed(http):
    draft = new_draft(http)
    first = save(http, draft, "regulation_notes.md", "第一稿")
    stale = save(http, draft, "regulation_notes.md", "另一人的稿", status=409)
    assert stale["type"] == "/problems/conflict" and "修订号" in stale["detail"]
    assert stale["revision"] == first["revision"]
    removed = call(http, "DELETE", f"/{draft['id']}/files/regulation_notes.md", revision=first["revision"])
    assert removed.status == 200 and "regulation_notes.md" not in removed.body["files"]
    assert call(http, "DELETE", f"/{draft['id']}/files/regulation_notes.md").status == 404
    manifest = json.loads(removed.body["files"]["manifest.json"])
    moved = save(http, removed.body, "manifest.json", json.dumps({**manifest, "id": "gongshu-copy"}))
    report = call(http, "POST", f"/{draft['id']}/validate").body
    assert report["ok"] is False and report["problems"][0]["file"] == "manifest.json", report
    assert "gongshu-copy" in report["problems"][0]["message"] and report["revision"] == moved["revision"]
    refused = call(http, "POST", f"/{draft['id']}/deploy", {})
    assert refused.status == 422 and refused.body["errors"][0]["element"] == "id"
    assert call(http, "DELETE", f"/{draft['id']}").status == 204
    assert call(http, "GET", f"/{draft['id']}").status == 404
    assert call(http, "GET", "").body == []


def test_only_administrators_edit_drafts(http):
    draft = new_draft(http)
    for method, path, body in (("POST", "", {"jurisdiction": "gongshu"}), ("GET", "", None),
                               ("GET", f"/{draft['id']}", None), ("POST", f"/{draft['id']}/validate", None),
                               ("PUT", f"/{draft['id']}/files/manifest.json", {"content": "{}", "revision": 1}),
                               ("POST", f"/{draft['id']}/deploy", {})):
        reply = call(http, method, path, body, user="gs_office")
        assert reply.status == 403, (method, path, reply.body)
    assert call(http, "POST", "", {"jurisdiction": "nowhere"}).status == 404
    assert call(http, "POST", "", {}).status == 422


UNSAFE = ["../evil.bpmn", "forms/../../etc/passwd", "%2Fetc%2Fpasswd.bpmn", "/etc/passwd.bpmn", "scripts/run.py",
          "forms/sub/x.json", "evil.py", "forms/..%2F..%2Fx.json", "forms/x.py", "./manifest.json",
          "a%ED%A0%80.txt", "a%01.txt"]


def test_unsafe_or_unknown_paths_are_refused_naming_the_path(http):
    draft = new_draft(http)
    for path in UNSAFE:
        for method, body in (("PUT", {"content": "x", "revision": draft["revision"]}), ("DELETE", None)):
            reply = call(http, method, f"/{draft['id']}/files/{path}", body)
            assert reply.status == 422, (method, path, reply.body)
            assert reply.body["errors"][0]["file"] == unquote(path) and "文件路径不允许" in reply.body["detail"]
    odd = http.client.put(f"/api/v1/drafts/{draft['id']}/files/notes.txt", content_type="application/json",
                          data='{"content": "甲\\ud800", "revision": ' + str(draft["revision"]) + "}",
                          headers={"Authorization": f"Bearer {http.as_('admin').token}"})  # a lone surrogate
    assert odd.status_code == 422 and odd.get_json()["errors"][0]["file"] == "notes.txt"
    assert call(http, "GET", f"/{draft['id']}").body == {**draft, "validation": None}


def test_every_change_to_a_draft_is_in_the_audit_trail(http, app):
    from sqlalchemy import select

    from engine.audit import verify_chain
    from engine.db import db
    from engine.models import AuditEntry

    draft = new_draft(http, "审计")
    saved = save(http, draft, "regulation.txt", "修订稿")
    assert call(http, "DELETE", f"/{draft['id']}/files/regulation.txt", revision=saved["revision"]).status == 200
    assert call(http, "DELETE", f"/{draft['id']}").status == 204
    with app.app_context():
        rows = db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("draft_%"))
                                  .order_by(AuditEntry.id)).all()
        assert [(r.action, r.actor) for r in rows] == [
            ("draft_created", "admin"), ("draft_file_saved", "admin"),
            ("draft_file_deleted", "admin"), ("draft_discarded", "admin")]
        details = [json.loads(r.detail_json) for r in rows]
        assert {d["draft"] for d in details} == {draft["id"]}
        assert details[1]["path"] == "regulation.txt" and len(details[1]["sha256"]) == 64
        assert verify_chain().ok
