"""Documents for form fields through HTTP on the sample bundle: upload checked against the
field's marker, stored with its SHA-256, verified on every download, bound to the case when the
form is submitted, visible by the case's rules; a bad marker refused at deploy."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
import time_machine

from engine.language import forms
from engine.regulations.attachment_marker import MAX_ATTACHMENT_BYTES, is_attachment_id
from engine.revisions.simulation import payloads

from ..base.test_audit_and_cli import run
from ..conftest import FIXTURES
from ..revisions.test_revisions import upload as deploy_zip
from ..revisions.test_revisions import zip_bundle
from .test_api_cases import APPLY, complete, only_task, start

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def upload(http, user: str, field: str, body: bytes, filename: str = "报告.pdf", **target: str):
    token = http.as_(user).token
    resp = http.client.post("/api/v1/attachments", headers={"Authorization": f"Bearer {token}"},
                            data={"file": (io.BytesIO(body), filename), "field": field, **target},
                            content_type="multipart/form-data")
    return resp.status_code, resp.get_json()


def download(http, user: str, attachment_id: str):
    token = http.as_(user).token
    return http.client.get(f"/api/v1/attachments/{attachment_id}/content",
                           headers={"Authorization": f"Bearer {token}"})


def review_task(http, user: str = "s_unit_a") -> tuple[dict, str]:
    case = start(http, user)
    return case, only_task(case, "review")["id"]


def uploaded(http, task_id: str, body: bytes = PDF, filename: str = "初审意见书.pdf") -> dict:
    status, body_ = upload(http, "s_reviewer", "review_documents", body, filename, task_id=task_id)
    assert status == 201, body_
    return body_


REVIEW = {"review_result": "reject", "review_opinion": "重复建设"}


def test_an_upload_records_its_checksum_and_the_bound_document_follows_the_case(http):
    case, task_id = review_task(http)
    meta = uploaded(http, task_id)
    assert meta["sha256"] == hashlib.sha256(PDF).hexdigest() and meta["size"] == len(PDF)
    assert (meta["media_type"], meta["field"], meta["task_id"]) == ("application/pdf", "review_documents", task_id)
    assert meta["uploaded_by"] == "s_reviewer" and meta["instance_id"] is None
    assert meta["uploaded_at"].endswith("+08:00") and meta["content_url"] == f"/api/v1/attachments/{meta['id']}/content"
    # before the form is submitted only the uploader sees it
    assert http.as_("s_reviewer").get(f"/api/v1/attachments/{meta['id']}").body == meta
    assert http.as_("s_reviewer2").get(f"/api/v1/attachments/{meta['id']}").status == 403
    assert download(http, "s_unit_a", meta["id"]).status_code == 403

    resp = download(http, "s_reviewer", meta["id"])
    assert resp.status_code == 200 and resp.data == PDF and resp.mimetype == "application/pdf"
    assert "filename*=UTF-8''%E5%88%9D%E5%AE%A1" in resp.headers["Content-Disposition"]

    done = complete(http, "s_reviewer", task_id, {**REVIEW, "review_documents": [meta["id"]]})
    assert done["data"]["review_documents"] == [meta["id"]]
    bound = http.as_("s_unit_a").get(f"/api/v1/attachments/{meta['id']}").body  # the applicant's unit sees the case
    assert bound["instance_id"] == case["id"] and bound["bound_at"]
    assert download(http, "s_unit_a2", meta["id"]).data == PDF
    assert download(http, "s_unit_b", meta["id"]).status_code == 403
    listed = http.as_("s_unit_a").get(f"/api/v1/instances/{case['id']}/attachments")
    assert [a["id"] for a in listed.body] == [meta["id"]]
    assert http.as_("s_unit_b").get(f"/api/v1/instances/{case['id']}/attachments").status == 404
    audit = http.as_("s_unit_a").get(f"/api/v1/instances/{case['id']}/audit").body
    entry = next(a for a in audit if a["action"] == "attachment_uploaded")
    assert entry["actor"] == "s_reviewer" and entry["detail"]["sha256"] == meta["sha256"]


def _stored(app, meta: dict) -> Path:
    return Path(app.config["ATTACHMENT_STORE"]) / meta["id"][:2] / meta["id"]


def test_a_tampered_file_is_refused_on_download_and_audited(app, http):
    case, task_id = review_task(http)
    meta = uploaded(http, task_id)
    complete(http, "s_reviewer", task_id, {**REVIEW, "review_documents": [meta["id"]]})
    path = _stored(app, meta)
    assert path.read_bytes() == PDF
    path.write_bytes(PDF.replace(b"Catalog", b"Catalug"))           # same size, other bytes
    resp = download(http, "s_unit_a", meta["id"])
    problem = resp.get_json()
    assert resp.status_code == 409 and problem["type"] == "/problems/attachment-tampered"
    assert problem["title"] == "附件已被篡改或损坏" and "初审意见书.pdf" in problem["detail"]
    assert b"Catalug" not in resp.data
    path.unlink()                                                   # a missing file too
    assert download(http, "s_unit_a", meta["id"]).status_code == 409
    audit = http.as_("s_unit_a").get(f"/api/v1/instances/{case['id']}/audit").body
    tampered = [a for a in audit if a["action"] == "attachment_tampered"]
    assert len(tampered) == 2 and tampered[0]["detail"]["expected"] == meta["sha256"]
    assert run(app, "audit", "verify").exit_code == 0


def test_only_who_may_act_on_the_task_or_start_the_process_may_upload(http):
    _case, task_id = review_task(http)
    status, body = upload(http, "s_unit_b", "review_documents", PDF, task_id=task_id)
    assert status == 403 and body["type"] == "/problems/forbidden"
    status, body = upload(http, "s_reviewer", "feasibility_report", PDF, process_key="sample_project")
    assert status == 403 and "申报单位" in body["detail"]
    http.as_("s_reviewer").post(f"/api/v1/tasks/{task_id}/claim")
    status, _ = upload(http, "s_reviewer2", "review_documents", PDF, task_id=task_id)
    assert status == 409                                            # claimed by a colleague


@pytest.mark.parametrize(("field", "body", "filename", "expected"), [
    ("review_documents", PDF + bytes(70000), "大报告.pdf", "超过大小上限 64 KB"),
    ("review_documents", b"just some text", "说明.txt", "只接受 .pdf、image/* 类型的文件"),
    ("review_documents", b"just some text", "伪装.pdf", "内容与其类型（application/pdf）不符"),
    ("review_documents", PNG, "照片.pdf", "内容与其类型（application/pdf）不符"),
    ("review_documents", b"", "空.pdf", "文件是空的"),
])
def test_oversize_and_wrong_type_are_422_naming_the_field(http, field, body, filename, expected):
    _case, task_id = review_task(http)
    status, problem = upload(http, "s_reviewer", field, body, filename, task_id=task_id)
    assert status == 422 and problem["type"] == "/problems/form-invalid", problem
    assert problem["errors"][0]["field"] == "review_documents"
    message = problem["errors"][0]["message"]
    assert message.startswith("「审核材料」") and expected in message, message


def test_an_image_is_accepted_by_media_type_and_the_target_must_be_a_document_field(http):
    _case, task_id = review_task(http)
    assert uploaded(http, task_id, PNG, "现场照片.png")["media_type"] == "image/png"
    status, problem = upload(http, "s_reviewer", "review_opinion", PDF, task_id=task_id)
    assert status == 422
    assert problem["errors"] == [{"field": "field", "message": "该表单没有附件字段「review_opinion」"}]
    status, problem = upload(http, "s_reviewer", "review_documents", PDF)
    assert status == 400 and problem["errors"][0]["field"] == "task_id"
    status, problem = upload(http, "s_reviewer", "review_documents", PDF, task_id=task_id,
                             process_key="sample_project")
    assert status == 400
    assert upload(http, "s_reviewer", "review_documents", PDF, task_id="no-such-task")[0] == 404


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)          # a .doc / .wps compound file


@pytest.mark.parametrize(("body", "filename", "status"), [
    (OLE2, "可研报告.doc", 201), (docx(), "可研报告.docx", 201), (PDF, "可研报告.PDF", 201),
    (PDF, "可研报告.docx", 422), (docx(), "可研报告.doc", 422), (OLE2, "可研报告.pdf", 422),
    (PDF, "可研报告.exe", 422),
])
def test_the_content_must_be_what_its_name_says(http, body, filename, status):
    got, reply = upload(http, "s_unit_a", "feasibility_report", body, filename, process_key="sample_project")
    assert got == status, reply
    if status == 422:
        assert reply["errors"][0]["field"] == "feasibility_report"


def test_free_text_in_a_document_field_is_a_422(http):
    reply = http.as_("s_unit_a").post("/api/v1/instances", {"process_key": "sample_project", "data": {
        **APPLY, "feasibility_report": "见附件"}})
    assert reply.status == 422
    assert reply.body["errors"] == [{"field": "feasibility_report", "message": "「可行性研究报告」应为上传的附件"}]
    _case, task_id = review_task(http)
    made_up = "ab" * 16                                             # looks like an id, was never uploaded
    body = complete(http, "s_reviewer", task_id, {**REVIEW, "review_documents": [made_up]}, status=422)
    assert body["errors"] == [{"field": "review_documents", "message": "「审核材料」的附件不存在，请重新上传"}]


def test_a_start_form_upload_is_bound_when_the_case_starts(http):
    status, meta = upload(http, "s_unit_a", "feasibility_report", docx(), "可研报告.docx",
                          process_key="sample_project")
    assert status == 201, meta
    assert meta["media_type"].endswith("wordprocessingml.document") and meta["task_id"] is None
    # a colleague may not submit someone else's pending upload
    reply = http.as_("s_unit_a2").post("/api/v1/instances", {"process_key": "sample_project", "data": {
        **APPLY, "feasibility_report": meta["id"]}})
    assert reply.status == 422 and "不是您上传的" in reply.body["errors"][0]["message"]
    case = start(http, "s_unit_a", {**APPLY, "feasibility_report": meta["id"]})
    assert case["data"]["feasibility_report"] == meta["id"]
    bound = http.as_("s_unit_a2").get(f"/api/v1/attachments/{meta['id']}").body
    assert bound["instance_id"] == case["id"]
    # bound to that case, it cannot start another
    reply = http.as_("s_unit_a").post("/api/v1/instances", {"process_key": "sample_project", "data": {
        **APPLY, "feasibility_report": meta["id"]}})
    assert reply.status == 422 and "已用于其他案件" in reply.body["errors"][0]["message"]
    assert http.as_("s_unit_a").get("/api/v1/instances").body["total"] == 1   # nothing half-written


def test_a_message_form_may_name_only_documents_of_its_case(http):
    from .test_case_features import pass_panel

    status, meta = upload(http, "s_unit_a", "feasibility_report", PDF, process_key="sample_review")
    assert status == 201, meta
    reply = http.as_("s_unit_a").post("/api/v1/instances", {"process_key": "sample_review", "data": {
        **APPLY, "feasibility_report": meta["id"]}})
    assert reply.status == 201, reply.body
    case = pass_panel(http, reply.body)
    path = f"/api/v1/instances/{case['id']}/messages"
    order = {"rectification_deadline": "2026-06-30", "rectification_items": "补齐等保测评"}
    _, pending = upload(http, "s_unit_a", "feasibility_report", PDF, process_key="sample_review")
    refused = http.as_("s_reviewer").post(path, {"name": "rectification_ordered",
                                                 "data": {**order, "evidence": pending["id"]}})
    assert refused.status == 422 and refused.body["errors"][0]["field"] == "evidence"
    done = http.as_("s_reviewer").post(path, {"name": "rectification_ordered",
                                              "data": {**order, "evidence": meta["id"]}})
    assert done.status == 200, done.body
    assert done.body["data"]["rectification_order"]["evidence"] == meta["id"]


def test_an_upload_for_another_case_or_another_field_is_refused(http):
    _a, task_a = review_task(http)
    _b, task_b = review_task(http, "s_unit_b")
    for_a = uploaded(http, task_a)
    body = complete(http, "s_reviewer", task_b, {**REVIEW, "review_documents": [for_a["id"]]}, status=422)
    assert "为其他表单上传的" in body["errors"][0]["message"]
    status, for_start = upload(http, "s_unit_a", "feasibility_report", PDF, process_key="sample_project")
    assert status == 201
    reply = http.as_("s_unit_a").post("/api/v1/instances", {"process_key": "sample_project", "data": {
        **APPLY, "feasibility_report": for_a["id"]}})
    assert reply.status == 422 and "不是您上传的" in reply.body["errors"][0]["message"]
    complete(http, "s_reviewer", task_a, {**REVIEW, "review_documents": [for_a["id"]]})
    assert http.as_("s_reviewer").get(f"/api/v1/attachments/{for_a['id']}").body["instance_id"] == _a["id"]
    # the task of case B is still open and the refused submission bound nothing
    assert http.as_("s_reviewer").get(f"/api/v1/tasks/{task_b}").status == 200
    assert http.as_("s_unit_a").get(f"/api/v1/attachments/{for_start['id']}").body["instance_id"] is None


def test_a_request_over_the_size_limit_is_a_chinese_413(app, http):
    app.config["MAX_CONTENT_LENGTH"] = 4096
    _case, task_id = review_task(http)
    status, problem = upload(http, "s_reviewer", "review_documents", PDF + bytes(8192), task_id=task_id)
    assert status == 413 and problem["title"] == "请求内容过大" and "请求内容超过上限" in problem["detail"]


def _apply_form(change):
    def edit(name: str, text: str) -> str:
        if not name.endswith("apply.schema.json"):
            return text
        schema = json.loads(text)
        change(schema["properties"]["feasibility_report"])
        return json.dumps(schema, ensure_ascii=False)
    return edit


BAD_MARKERS = {
    "not a string": (lambda f: f.update(type="integer"), "字段类型应为 \"string\""),
    "no marker": (lambda f: f.pop("x-attachment"), "缺少 x-attachment"),
    "marker not an object": (lambda f: f.update({"x-attachment": [".pdf"]}), "缺少 x-attachment"),
    "unknown key": (lambda f: f["x-attachment"].update(maxSize=1), "未知的键：maxSize"),
    "empty accept": (lambda f: f["x-attachment"].update(accept=[]), "accept 应为非空列表"),
    "malformed accept": (lambda f: f["x-attachment"].update(accept=["pdf", 7]), "accept 中的取值无效"),
    "zero maxBytes": (lambda f: f["x-attachment"].update(maxBytes=0), "maxBytes 应为正整数"),
    "maxBytes over the cap": (lambda f: f["x-attachment"].update(maxBytes=MAX_ATTACHMENT_BYTES + 1),
                              "超过本服务的上限"),
    "marker without format": (lambda f: f.pop("format"), "只能用于"),
}


@pytest.mark.parametrize("case", list(BAD_MARKERS))
def test_a_deploy_with_a_bad_attachment_marker_is_refused_naming_file_and_field(http, case):
    change, expected = BAD_MARKERS[case]
    status, body = deploy_zip(http, "admin", zip_bundle(FIXTURES, "sample", edit=_apply_form(change)), dry_run=True)
    assert status == 422 and body["type"] == "/problems/bundle-invalid", body
    [error] = [e for e in body["errors"] if "附件标记" in e["message"]]
    assert error["file"] == "forms/apply.schema.json"
    assert "「可行性研究报告」（feasibility_report）" in error["message"] and expected in error["message"], error


def test_good_markers_pass_validation(http):
    status, body = deploy_zip(http, "admin", zip_bundle(FIXTURES, "sample"), dry_run=True, simulate=False)
    assert status == 200 and body["dry_run"] is True, body


@pytest.mark.no_database
def test_the_simulator_fills_document_fields_with_ids_a_submission_could_carry():
    for name, field in (("apply", "feasibility_report"), ("review", "review_documents")):
        text = (FIXTURES / "forms" / "sample" / f"{name}.schema.json").read_text("utf-8")
        data = payloads.value_for(json.loads(text))
        value = data[field][0] if isinstance(data[field], list) else data[field]
        assert is_attachment_id(value), data
        forms.validate(text, data)                                  # the same check a person's form meets


def test_nothing_is_left_behind_when_recording_an_upload_fails(app, http, monkeypatch):
    _case, task_id = review_task(http)

    def broken(*_args, **_kwargs):
        raise RuntimeError("audit trail unavailable")

    monkeypatch.setattr("engine.audit.record", broken)
    status, _ = upload(http, "s_reviewer", "review_documents", PDF, task_id=task_id)
    assert status == 500
    store = Path(app.config["ATTACHMENT_STORE"])
    assert not [p for p in store.rglob("*") if p.is_file()]         # the stored file was removed again
    with app.app_context():
        from engine.db import db
        from engine.models import Attachment
        assert db.session.query(Attachment).count() == 0


def test_the_s3_store_keeps_and_verifies_documents(app, http, monkeypatch):
    """Against moto's in-process S3 (no network): the same upload, download and tamper check."""
    moto = pytest.importorskip("moto")
    import boto3

    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    with moto.mock_aws():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="govit-docs")
        app.config["ATTACHMENT_STORE"] = "s3://govit-docs/cases"
        _case, task_id = review_task(http)
        meta = uploaded(http, task_id)
        key = f"cases/{meta['id'][:2]}/{meta['id']}"
        assert s3.get_object(Bucket="govit-docs", Key=key)["Body"].read() == PDF
        assert download(http, "s_reviewer", meta["id"]).data == PDF
        s3.put_object(Bucket="govit-docs", Key=key, Body=PDF.replace(b"Catalog", b"Catalug"))
        assert download(http, "s_reviewer", meta["id"]).status_code == 409
        s3.delete_object(Bucket="govit-docs", Key=key)
        assert download(http, "s_reviewer", meta["id"]).status_code == 409


def test_the_cli_verifies_every_document_and_prunes_abandoned_uploads(app, http):
    case, task_id = review_task(http)
    kept = uploaded(http, task_id)
    complete(http, "s_reviewer", task_id, {**REVIEW, "review_documents": [kept["id"]]})
    abandoned = uploaded(http, review_task(http)[1])
    ok = run(app, "attachments", "verify")
    assert ok.exit_code == 0 and json.loads(ok.output) == {"ok": True, "checked": 2, "bad": []}
    _stored(app, kept).write_bytes(b"%PDF-1.4 replaced")
    bad = run(app, "attachments", "verify")
    assert bad.exit_code == 1 and [b["attachment"] for b in json.loads(bad.output)["bad"]] == [kept["id"]]
    audit = http.as_("s_unit_a").get(f"/api/v1/instances/{case['id']}/audit").body
    assert audit[-1]["action"] == "attachment_tampered" and audit[-1]["actor"] == "system:verify"
    assert json.loads(run(app, "attachments", "prune", "--days", "30").output) == {"removed": 0}
    with time_machine.travel("2099-01-01T00:00:00+08:00", tick=False):
        assert json.loads(run(app, "attachments", "prune", "--days", "30").output) == {"removed": 1}
    assert not _stored(app, abandoned).exists() and _stored(app, kept).exists()
    assert http.as_("s_reviewer").get(f"/api/v1/attachments/{abandoned['id']}").status == 404
    assert run(app, "audit", "verify").exit_code == 0
