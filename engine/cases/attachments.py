"""Documents uploaded for form fields: upload, access, integrity, and binding to a case.

An upload is for one attachment field of one task's form or one process's start form; only
someone who may act on that task (start that process) may upload. The bytes go to the
attachment store with their SHA-256; the row and its audit entry are one transaction. Until
the form is submitted only the uploader sees the document; submitting binds it to the case
(same transaction as the step), after which the case's visibility applies. Every download
recomputes the SHA-256 and refuses (and audits) a file that no longer matches.
"""

from __future__ import annotations

import contextlib
import hashlib
import mimetypes
import re
import secrets
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

import puremagic
from sqlalchemy import select, update

from .. import audit
from ..clock import now_utc
from ..db import db, unit_of_work
from ..errors import AttachmentTampered, Forbidden, FormInvalid, InvalidInput, NotFound, StoreUnavailable
from ..models import Attachment, Instance
from ..regulations.attachment_marker import AttachmentField, form_fields, is_attachment_id, values
from ..regulations.store import stored_bundle
from ..users import Actor, people
from . import lookups
from .attachment_store import CHUNK, AttachmentStore, key_for

SPOOL_IN_MEMORY = 1024 * 1024  # larger uploads spill to a temporary file while being checked
SNIFF_BYTES = 256 * 1024
# Container families: sniffing sees "a ZIP" / "an OLE2 compound file" and cannot tell their
# members apart (.ofd, the national e-document format, is a ZIP; WPS Office files are OLE2).
CONTAINERS = ({".zip", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".ofd", ".epub"},
              {".doc", ".xls", ".ppt", ".wps", ".et", ".dps", ".vsd", ".msg"})
# Formats without a signature: their content cannot be sniffed, only their extension checked.
TEXTUAL = ("text/", "application/json", "application/xml", "application/csv")


@dataclass(frozen=True)
class Target:
    """What an upload is for: a field of a task's form or of a process's start form."""

    jurisdiction_id: str
    process_key: str
    task_id: str | None
    instance_id: int | None  # the task's case (for the audit trail); None for a start form
    field: AttachmentField


def _refuse(field: str, text: str) -> FormInvalid:
    return FormInvalid(text, errors=[{"field": field, "message": text}])


def _human(size: int) -> str:
    return f"{size / 1048576:.1f} MB" if size >= 1048576 else f"{max(size // 1024, 1)} KB"


def _field_of(schema_text: str | None, field: str) -> AttachmentField:
    found = form_fields(schema_text).get(field) if schema_text else None
    if found is None:
        raise _refuse("field", f"该表单没有附件字段「{field}」")
    return found


def target(actor: Actor, field: str, task_id: str | None, process_key: str | None) -> Target:
    """Resolve and authorise what an upload is for (before any byte is read)."""
    if bool(task_id) == bool(process_key):
        raise InvalidInput("请指定 task_id（任务表单）或 process_key（发起表单）之一",
                           errors=[{"field": "task_id", "message": "task_id 与 process_key 须且只须提供一个"}])
    if task_id:
        row = lookups.actionable_row(actor, task_id)
        inst = db.session.get(Instance, row.instance_id)
        schema = lookups.form_schema(stored_bundle(inst.version.bundle_hash), row.form)
        return Target(row.jurisdiction_id, inst.process_key, task_id, inst.id, _field_of(schema, field))
    form = lookups.start_form(actor, str(process_key))
    return Target(form.version.jurisdiction_id, form.version.process_key, None, None,
                  _field_of(form.schema, field))


def _safe_name(filename: str | None) -> str:
    """The original name without any path, control characters or excess length."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().strip(".") or "附件"
    if len(name) > 300:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 299 - len(ext)] + dot + ext) if dot and len(ext) < 20 else name[:300]
    return name


def _extension(filename: str) -> str:
    _stem, dot, ext = filename.rpartition(".")
    return f".{ext.lower()}" if dot and _stem else ""


# Types a browser would run a script in (SVG is an image that may hold <script>): a wildcard
# such as "image/*" or "text/*" never admits them; a form that wants one must name it (".svg",
# "image/svg+xml"). Downloads are never shown inline anyway (api/routes/attachments.py).
ACTIVE_TYPES = {"image/svg+xml", "text/html", "application/xhtml+xml", "text/xml", "application/xml",
                "text/javascript", "application/javascript", "application/ecmascript", "text/ecmascript"}


def _media_matches(media_type: str, pattern: str) -> bool:
    pattern = pattern.lower()
    if pattern.endswith("/*"):
        return media_type.startswith(pattern[:-1]) and media_type not in ACTIVE_TYPES
    return media_type == pattern


def accepts(field: AttachmentField, filename: str, media_type: str) -> bool:
    ext = _extension(filename)
    return any(a.lower() == ext if a.startswith(".") else _media_matches(media_type, a) for a in field.accept)


def _sniffed(head: bytes) -> list[tuple[str, str]]:
    """(extension, media type) candidates for the content, most likely first."""
    try:
        return [(m.extension.lower(), (m.mime_type or "").lower()) for m in puremagic.magic_string(head)]
    except (puremagic.PureError, ValueError):
        return []


def _media_types() -> mimetypes.MimeTypes:
    """Python's own table plus the office formats used here, never the host's /etc/mime.types:
    the media type recorded (and matched against `accept`) must not depend on the machine."""
    table = mimetypes.MimeTypes(filenames=())
    for ext, media_type in EXTRA_MEDIA_TYPES.items():
        table.add_type(media_type, ext)
    return table


EXTRA_MEDIA_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".ofd": "application/ofd", ".wps": "application/wps-office.wps", ".et": "application/wps-office.et",
    ".dps": "application/wps-office.dps", ".rar": "application/vnd.rar", ".7z": "application/x-7z-compressed",
    ".odt": "application/vnd.oasis.opendocument.text", ".ods": "application/vnd.oasis.opendocument.spreadsheet",
}
MEDIA_TYPES = _media_types()


def _media_type(filename: str, sniffed: list[tuple[str, str]], declared: str | None) -> str:
    guessed = MEDIA_TYPES.guess_type(filename, strict=False)[0]
    for candidate in (guessed, *(m for _e, m in sniffed), declared):
        if candidate and "/" in candidate:
            return candidate.lower()
    return "application/octet-stream"


def _is_text(head: bytes) -> bool:
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # not merely a character cut at the end of the sample
                continue
        return b"\x00" not in head
    return False


def _content_matches(filename: str, media_type: str, head: bytes, sniffed: list[tuple[str, str]]) -> bool:
    """Whether the bytes are what the name says: a `.pdf` that is not a PDF is refused."""
    if media_type.startswith(TEXTUAL):
        return _is_text(head)  # text has no signature; a chance match of one means nothing
    ext = _extension(filename)
    exts, mimes = {e for e, _m in sniffed}, {m for _e, m in sniffed}
    if ext in exts or media_type in mimes:
        return True
    return any(ext in family and exts & family for family in CONTAINERS)


@dataclass
class _Spooled:
    file: IO[bytes]
    size: int
    sha256: str
    head: bytes


def _spool(chunks: Iterable[bytes], limit: int) -> _Spooled | None:
    """Copy a stream aside while hashing it; None as soon as it exceeds `limit` bytes."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 (the caller closes it)
    digest, size, head = hashlib.sha256(), 0, bytearray()
    for chunk in chunks:
        size += len(chunk)
        if size > limit:
            spool.close()
            return None
        digest.update(chunk)
        if len(head) < SNIFF_BYTES:
            head += chunk[: SNIFF_BYTES - len(head)]
        spool.write(chunk)
    spool.seek(0)
    return _Spooled(spool, size, digest.hexdigest(), bytes(head))


def _chunks(stream: IO[bytes]) -> Iterable[bytes]:
    while chunk := stream.read(CHUNK):
        yield chunk


def upload(actor: Actor, store: AttachmentStore, target: Target, stream: IO[bytes], filename: str | None,
           declared_type: str | None = None) -> Attachment:
    """Check, store and record one document. The stream is read with a hard cap: an oversize
    upload is refused without ever being held whole."""
    field, name = target.field, _safe_name(filename)
    spooled = _spool(_chunks(stream), field.max_bytes)
    if spooled is None:
        raise _refuse(field.path, f"「{field.title}」的文件超过大小上限 {_human(field.max_bytes)}")
    with spooled.file:
        if spooled.size == 0:
            raise _refuse(field.path, f"「{field.title}」的文件是空的")
        sniffed = _sniffed(spooled.head)
        media_type = _media_type(name, sniffed, declared_type)
        if not accepts(field, name, media_type):
            raise _refuse(field.path, f"「{field.title}」只接受 {'、'.join(field.accept)} 类型的文件，"
                                      f"「{name}」不符合")
        if not _content_matches(name, media_type, spooled.head, sniffed):
            raise _refuse(field.path, f"「{field.title}」：文件「{name}」的内容与其类型（{media_type}）不符")
        attachment_id = secrets.token_hex(16)
        key = key_for(attachment_id)
        try:
            store.put(key, spooled.file)
        except OSError as exc:
            raise StoreUnavailable(f"附件无法保存：{exc.strerror or exc}") from exc
    try:
        with unit_of_work():
            row = Attachment(id=attachment_id, jurisdiction_id=target.jurisdiction_id,
                             process_key=target.process_key, task_id=target.task_id, field=field.path,
                             filename=name, media_type=media_type, size=spooled.size, sha256=spooled.sha256,
                             storage_key=key, uploaded_by=actor.username, uploaded_at=now_utc())
            db.session.add(row)
            audit.record(actor.username, "attachment_uploaded", instance_id=target.instance_id,
                         task_id=target.task_id, detail={
                             "attachment": attachment_id, "field": field.path, "filename": name,
                             "media_type": media_type, "size": spooled.size, "sha256": spooled.sha256,
                             "process_key": target.process_key})
    except BaseException:
        # No row, no file: nothing half-written stays behind (a store that fails here too
        # leaves an unreferenced file, never a row without its bytes).
        with contextlib.suppress(StoreUnavailable, OSError):
            store.delete(key)
        raise
    return row


def get(actor: Actor, attachment_id: str) -> Attachment:
    """The attachment if the actor may see it: a bound one with its case, an unbound one only
    by its uploader (it is part of a form not yet submitted)."""
    row = db.session.get(Attachment, attachment_id) if is_attachment_id(attachment_id) else None
    if row is None:
        raise NotFound(f"附件不存在：{attachment_id}")
    if row.instance_id is not None:
        try:
            lookups.get_visible(actor, row.instance_id)
        except NotFound as exc:
            raise Forbidden("您无权查看该附件：它属于您不能查看的案件") from exc
    elif row.uploaded_by != actor.username:
        raise Forbidden("该附件所在的表单尚未提交，只有上传人可以查看")
    return row


def content(actor: Actor, store: AttachmentStore, attachment_id: str) -> tuple[Attachment, IO[bytes]]:
    """The attachment and its bytes, verified against the recorded SHA-256 before any byte is
    handed out (copied aside first, so what is verified is what is served)."""
    row = get(actor, attachment_id)
    spooled, found = _stored_digest(store, row)
    if spooled is None or not _intact(row, spooled):
        if spooled is not None:
            spooled.file.close()
        with unit_of_work():
            audit.record(actor.username, "attachment_tampered", instance_id=row.instance_id, task_id=row.task_id,
                         detail={"attachment": row.id, "filename": row.filename, "expected": row.sha256,
                                 "found": found})
        raise AttachmentTampered(f"附件「{row.filename}」与上传时的校验值不一致（应为 {row.sha256}，{found}），"
                                 "已拒绝下载并记入审计日志", attachment=row.id)
    return row, spooled.file


def _stored_digest(store: AttachmentStore, row: Attachment) -> tuple[_Spooled | None, str]:
    """What is stored for a row, copied aside and hashed; (None, why) when it is gone or too long."""
    try:
        with store.open(row.storage_key) as stream:
            spooled = _spool(_chunks(stream), row.size)
    except FileNotFoundError:
        return None, "文件缺失"
    except OSError as exc:
        raise StoreUnavailable(f"附件无法读取：{exc.strerror or exc}") from exc
    return spooled, "超出原大小" if spooled is None else f"SHA-256 为 {spooled.sha256}"


def _intact(row: Attachment, spooled: _Spooled | None) -> bool:
    return spooled is not None and spooled.sha256 == row.sha256 and spooled.size == row.size


def verify_all(store: AttachmentStore, actor: str = "system:verify") -> tuple[int, list[dict[str, Any]]]:
    """Recompute every stored document's SHA-256 (`flask attachments verify`): (checked, bad),
    each bad one audited like a refused download."""
    checked, bad = 0, []
    for row in db.session.scalars(select(Attachment).order_by(Attachment.uploaded_at, Attachment.id)):
        spooled, found = _stored_digest(store, row)
        checked += 1
        if spooled is not None:
            spooled.file.close()
        if not _intact(row, spooled):
            bad.append({"attachment": row.id, "filename": row.filename, "instance_id": row.instance_id,
                        "expected": row.sha256, "found": found})
    if bad:
        with unit_of_work():
            for item in bad:
                audit.record(actor, "attachment_tampered", instance_id=item["instance_id"], detail=item)
    return checked, bad


def prune_unbound(store: AttachmentStore, uploaded_before: datetime) -> int:
    """Delete uploads never submitted with a form (abandoned drafts) uploaded before a time."""
    rows = list(db.session.scalars(select(Attachment).where(
        Attachment.instance_id.is_(None), Attachment.bound_at.is_(None), Attachment.uploaded_at < uploaded_before)))
    keys = [row.storage_key for row in rows]
    with unit_of_work():
        for row in rows:
            db.session.delete(row)
    for key in keys:  # after the commit: a failed transaction must not have lost the bytes
        with contextlib.suppress(StoreUnavailable, OSError):
            store.delete(key)
    return len(keys)


def for_instance(actor: Actor, instance_id: int) -> list[Attachment]:
    lookups.get_visible(actor, instance_id)
    return list(db.session.scalars(select(Attachment).where(Attachment.instance_id == instance_id)
                                   .order_by(Attachment.uploaded_at, Attachment.id)))


def _problem(actor: Actor, field: AttachmentField, row: Attachment | None, *, instance_id: int | None,
             task_id: str | None, process_key: str | None) -> str | None:
    """Why this attachment cannot be the value of this field here (None if it can)."""
    title = field.title
    if row is None:
        return f"「{title}」的附件不存在，请重新上传"
    if instance_id is not None and row.instance_id == instance_id:
        return None  # already part of this case (e.g. a document carried over by prefill)
    if row.instance_id is not None:
        return f"「{title}」的附件已用于其他案件，请重新上传"
    if row.uploaded_by != actor.username:
        return f"「{title}」的附件不是您上传的，请重新上传"
    if row.field != field.path:
        return f"「{title}」的附件是为「{row.field}」上传的，请重新上传"
    same_form = row.task_id == task_id if task_id else (row.task_id is None and row.process_key == process_key)
    if not same_form:
        return f"「{title}」的附件是为其他表单上传的，请重新上传"
    if row.size > field.max_bytes or not accepts(field, row.filename, row.media_type):
        return f"「{title}」的附件不符合该字段的类型或大小要求，请重新上传"
    return None


def check(actor: Actor, schema_text: str | None, data: dict[str, Any], *, instance_id: int | None = None,
          task_id: str | None = None, process_key: str | None = None) -> list[tuple[AttachmentField, Attachment]]:
    """Every attachment value of a submission may be used here, else FormInvalid naming each
    field; returns (field, row) for binding."""
    if not schema_text:
        return []
    found = values(form_fields(schema_text), data)
    if not found:
        return []
    rows = {r.id: r for r in db.session.scalars(
        select(Attachment).where(Attachment.id.in_({value for _f, value in found})))}
    out, errors = [], []
    for field, value in found:
        reason = _problem(actor, field, rows.get(value), instance_id=instance_id, task_id=task_id,
                          process_key=process_key)
        if reason:
            errors.append({"field": field.path, "message": reason})
        else:
            out.append((field, rows[value]))
    if errors:
        raise FormInvalid("；".join(e["message"] for e in errors), errors=errors)
    return out


def bind(actor: Actor, schema_text: str | None, data: dict[str, Any], *, instance_id: int,
         task_id: str | None = None, process_key: str | None = None) -> None:
    """Check again (inside the step's transaction) and bind each attachment to the case. The
    conditional UPDATE makes two submissions racing for one upload bind it once."""
    now = now_utc()
    for field, row in check(actor, schema_text, data, instance_id=instance_id, task_id=task_id,
                            process_key=process_key):
        if row.instance_id == instance_id:
            continue
        done = db.session.execute(update(Attachment).where(Attachment.id == row.id, Attachment.instance_id.is_(None))
                                  .values(instance_id=instance_id, bound_at=now)
                                  .execution_options(synchronize_session="fetch"))
        if done.rowcount != 1:
            raise _refuse(field.path, f"「{field.title}」的附件已用于其他案件，请重新上传")


def as_dicts(rows: list[Attachment]) -> list[dict[str, Any]]:
    """Attachments as the API shows them, uploaders by name（unit） (one query for the list)."""
    who = people({row.uploaded_by for row in rows})
    return [{"id": row.id, "filename": row.filename, "media_type": row.media_type, "size": row.size,
             "sha256": row.sha256, "field": row.field, "task_id": row.task_id, "instance_id": row.instance_id,
             "process_key": row.process_key, "uploaded_by": row.uploaded_by,
             "uploaded_by_name": who[row.uploaded_by]["label"], "uploaded_at": row.uploaded_at,
             "bound_at": row.bound_at} for row in rows]
