"""Documents for form fields: upload, metadata, verified download, a case's documents."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from flask import Response, current_app, send_file
from flask_smorest import Blueprint

from engine import cases
from engine.models import Attachment

from ..auth import current_actor
from ..headers import download
from ..schemas import ID_PATH, AttachmentFileIn, AttachmentFormIn, AttachmentOut

blp = Blueprint("attachments", __name__, url_prefix="/api/v1", description="附件：表单中上传的文件")


def store() -> cases.AttachmentStore:
    """The configured store, built once per setting (tests point each app at its own folder)."""
    setting = current_app.config.get("ATTACHMENT_STORE") or str(Path(current_app.instance_path) / "attachments")
    endpoint = current_app.config.get("S3_ENDPOINT_URL")
    cache = current_app.extensions.setdefault("attachment_stores", {})
    if (setting, endpoint) not in cache:
        cache[(setting, endpoint)] = cases.attachment_store_from_setting(setting, endpoint)
    return cache[(setting, endpoint)]


def _out(rows: list[Attachment]) -> list[dict[str, Any]]:
    return [{**shown, "content_url": f"/api/v1/attachments/{shown['id']}/content"}
            for shown in cases.attachment_dicts(rows)]


@blp.route("/attachments", methods=["POST"])
@blp.arguments(AttachmentFileIn, location="files")
@blp.arguments(AttachmentFormIn, location="form")
@blp.response(201, AttachmentOut)
def upload(files: dict, form: dict) -> tuple[dict, int]:
    """上传附件（multipart：file、field，以及 task_id 或 process_key 之一）：按字段允许的类型和大小校验，记录 SHA-256"""
    actor = current_actor()
    target = cases.attachment_target(actor, form["field"], form.get("task_id"), form.get("process_key"))
    file = files["file"]
    row = cases.upload_attachment(actor, store(), target, file.stream, file.filename, file.mimetype)
    return _out([row])[0], 201


@blp.route("/attachments/<string:attachment_id>")
@blp.response(200, AttachmentOut)
def metadata(attachment_id: str) -> dict:
    """附件信息（表单提交前仅上传人可见，之后与案件的查看权限相同）"""
    return _out([cases.get_attachment(current_actor(), attachment_id)])[0]


@blp.route("/attachments/<string:attachment_id>/content")
@download  # Content-Security-Policy: sandbox; default-src 'none' (api/headers.py)
@blp.response(200, description="文件内容，媒体类型为上传时识别的类型（下载前重新校验 SHA-256）")
@blp.doc(responses={200: {"content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}}})
def content(attachment_id: str) -> Response:
    """下载附件：校验 SHA-256，不一致则拒绝（409）并记入审计日志"""
    row, data = cases.attachment_content(current_actor(), store(), attachment_id)
    # Always a download, never shown inline (an SVG or HTML document could carry a script),
    # whatever its type; the sandbox CSP of @download covers a browser that renders it anyway.
    resp = send_file(data, mimetype=row.media_type, as_attachment=True, download_name=row.filename,
                     etag=row.sha256, conditional=False)
    resp.content_length = row.size
    resp.headers["X-Content-Type-Options"] = "nosniff"  # never let a browser render it as something else
    resp.headers["Repr-Digest"] = f"sha-256=:{base64.b64encode(bytes.fromhex(row.sha256)).decode()}:"  # RFC 9530
    return resp


@blp.route(f"/instances/<{ID_PATH}:instance_id>/attachments")
@blp.response(200, AttachmentOut(many=True))
def of_instance(instance_id: int) -> list:
    """案件的附件"""
    return _out(cases.attachments_of_case(current_actor(), instance_id))
