"""The audit trail is complete and tamper-evident; administration works through `flask`."""

from __future__ import annotations

from click.testing import Result
from sqlalchemy import text

from engine.db import db

from ..cases.test_api_cases import complete, only_task, start


def run(app, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=list(args))


def test_audit_records_who_did_what_with_data(http):
    case = start(http)
    task_id = only_task(case, "review")["id"]
    http.as_("s_reviewer").post(f"/api/v1/tasks/{task_id}/claim")
    complete(http, "s_reviewer", task_id, {"review_result": "reject", "review_opinion": "重复建设"})
    audit = http.as_("s_unit_a").get(f"/api/v1/instances/{case['id']}/audit").body
    assert [(a["action"], a["actor"]) for a in audit] == [
        ("start", "s_unit_a"), ("claim", "s_reviewer"), ("complete", "s_reviewer")]
    assert audit[2]["detail"]["data"] == {"review_result": "reject", "review_opinion": "重复建设"}
    assert audit[0]["detail"]["data"]["project_name"] == "社保卡应用升级"


def test_verify_chain_passes_then_detects_edit_and_deletion(app, http):
    case = start(http)
    complete(http, "s_reviewer", only_task(case, "review")["id"],
             {"review_result": "reject", "review_opinion": "否"})
    ok = run(app, "audit", "verify")
    assert ok.exit_code == 0 and '"ok": true' in ok.output
    with app.app_context():
        db.session.execute(text("UPDATE audit_entry SET actor = 'mallory' WHERE action = 'complete'"))
        db.session.commit()
    bad = run(app, "audit", "verify")
    assert bad.exit_code == 1 and '"ok": false' in bad.output
    with app.app_context():
        db.session.execute(text("UPDATE audit_entry SET actor = 's_reviewer' WHERE action = 'complete'"))
        last = db.session.scalar(text("SELECT max(id) FROM audit_entry"))
        db.session.execute(text("DELETE FROM audit_entry WHERE id = :i"), {"i": last})
        db.session.commit()
    assert run(app, "audit", "verify").exit_code == 1


def test_cli_validate_reports_problems_with_file_and_line(app, tmp_path):
    from ..regulations.test_bundles import BROKEN, SAMPLE, sample_files

    assert run(app, "bundles", "validate", str(SAMPLE[0])).exit_code == 0
    files = sample_files()
    BROKEN["dangling flow target"][0](files)
    folder = tmp_path / "sample"
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    result = run(app, "bundles", "validate", str(folder))
    assert result.exit_code == 1
    assert "sample.bpmn:" in result.output and "[f_done]" in result.output


def test_cli_deploy_is_idempotent_and_users_create(app):
    result = run(app, "bundles", "deploy")
    assert result.exit_code == 0 and "无变化" in result.output
    made = run(app, "users", "create", "li_si", "--name", "李四", "--unit", "甲单位",
               "--role", "sample:unit", "--password", "pass-word-1")
    assert made.exit_code == 0, made.output
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "li_si", "password": "pass-word-1"}).json
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token['token']}"}).json
    assert me["unit"] == "甲单位" and me["roles"] == [{"jurisdiction": "sample", "role": "unit"}]


def test_cli_timers_once(app):
    assert "fired 0 timer(s)" in run(app, "timers", "run", "--once").output


def test_openapi_document_and_health(http):
    spec = http.anonymous.get("/api/v1/openapi.json").body
    paths = spec["paths"]
    for path in ("/api/v1/auth/token", "/api/v1/instances", "/api/v1/instances/{instance_id}",
                 "/api/v1/tasks/{task_id}/complete", "/api/v1/tasks/{task_id}/assign",
                 "/api/v1/jurisdictions", "/api/v1/processes/{key}/bpmn", "/healthz"):
        assert path in paths, path
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    health = http.anonymous.get("/healthz").body
    assert health["status"] == "ok" and health["jurisdictions"] == 1


def test_catalog_lists_jurisdictions_processes_and_diagram(http):
    user = http.as_("s_unit_a")
    jurisdictions = user.get("/api/v1/jurisdictions").body
    assert jurisdictions[0]["id"] == "sample"
    assert jurisdictions[0]["processes"][0]["versions"][0]["version"] == 1
    xml = user.get("/api/v1/processes/sample_project/bpmn")
    assert xml.content_type.startswith("application/xml") and "<bpmn:definitions" in xml.body
