"""Where a draft's cases take their title from: each process's manifest `title_field`, one text
field of the form its start event names. Administrators pick the field by its Chinese label;
a case of a process without one is listed as 「（未命名案件）」."""

from __future__ import annotations

from typing import Any

from ..errors import FormInvalid, NotFound
from ..regulations.bundles import MANIFEST, manifest_bytes
from ..users import Actor
from . import drafts, organisation
from .start_forms import start_form_name, text_fields


def _view(files: dict[str, bytes], manifest: dict[str, Any], process: dict[str, Any]) -> dict[str, Any]:
    key = process.get("key") if isinstance(process.get("key"), str) else ""
    fields = text_fields(files, manifest, key)
    chosen = next((f for f in fields if f["field"] == process.get("title_field")), None)
    return {"key": key, "name": process.get("name") or "",
            "start_form": start_form_name(files, manifest, key) is not None,
            "title_field": chosen["field"] if chosen else None, "title_label": chosen["label"] if chosen else None,
            "fields": fields}


def read(actor: Actor, draft_id: int) -> dict[str, Any]:
    """Each process of the draft with its start form's text fields and the one chosen as title."""
    bundle, revision = drafts.draft_bundle(actor, draft_id)
    manifest = organisation.manifest_of(bundle.files)
    return {"processes": [_view(bundle.files, manifest, p) for p in manifest.get("processes", [])],
            "revision": revision}


def _refused(fields: list[dict[str, str]]) -> FormInvalid:
    offered = "、".join(f["label"] for f in fields)
    message = (f"案件标题应取自开始表单中的一个文字字段：{offered}" if offered
               else "开始事件的表单中还没有文字字段：请先为开始事件设计申请表单并加入「项目名称」之类的文字字段")
    return FormInvalid("案件标题字段有误", errors=[{"field": "title_field", "message": message}])


def choose(actor: Actor, draft_id: int, key: str, field: str | None, revision: int | None) -> dict[str, Any]:
    """Save the process's title field into the draft's manifest (None clears it); a field that
    is not a text field of its start form is a 422 naming `title_field`."""
    def change(files: dict[str, bytes]) -> tuple[str, dict[str, Any]]:
        manifest = organisation.manifest_of(files)
        process = next((p for p in manifest.get("processes", []) if p.get("key") == key), None)
        if process is None:
            raise NotFound("草稿中没有该流程，请刷新后重试")
        fields = text_fields(files, manifest, key)
        if field is None:
            process.pop("title_field", None)
        elif field in {f["field"] for f in fields}:
            process["title_field"] = field
        else:
            raise _refused(fields)
        files[MANIFEST] = manifest_bytes(manifest)
        label = next((f["label"] for f in fields if f["field"] == field), None)
        return "draft_case_title_saved", {"process": key, "title_field": field, "label": label}

    drafts.edit_files(actor, draft_id, MANIFEST, revision, change)
    return read(actor, draft_id)
