"""Where a draft's cases take their title from: each process's manifest `title_field`, one text
field of the form its start event names. Administrators pick the field by its Chinese label;
a case of a process without one is listed as 「（未命名案件）」."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from lxml import etree

from .. import safe_xml
from ..errors import FormInvalid, NotFound
from ..regulations.bundles import FORMS_PREFIX, MANIFEST
from ..users import Actor
from . import drafts, organisation

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
FORM_PROPERTY = "formJsonSchemaFilename"
# A string property with any of these is a date, a document, a choice or a directory pick: not a title.
NOT_TEXT = ("format", "enum", "oneOf", "const", "x-directory")


def _process_elements(files: dict[str, bytes], manifest: dict[str, Any]) -> Iterator[etree._Element]:
    """Every <bpmn:process> of the draft's diagrams that parse (a broken one offers no fields:
    validating the draft names its error)."""
    for name in manifest.get("bpmn_files", []):
        if isinstance(name, str) and name in files:
            try:
                yield from safe_xml.parse(files[name]).iter(f"{BPMN}process")
            except etree.XMLSyntaxError:
                continue


def start_form_name(files: dict[str, bytes], manifest: dict[str, Any], key: str) -> str | None:
    """The form file the process's top-level start event names, if it names one."""
    for process in _process_elements(files, manifest):
        if process.get("id") != key:
            continue
        for start in process.findall(f"{BPMN}startEvent"):
            for prop in start.iter(f"{SPIFF}property"):
                if prop.get("name") == FORM_PROPERTY and prop.get("value"):
                    return prop.get("value")
    return None


def _is_text(prop: Any) -> bool:
    return (isinstance(prop, dict) and prop.get("type") == "string" and isinstance(prop.get("title"), str)
            and bool(prop["title"].strip()) and not any(k in prop for k in NOT_TEXT))


def text_fields(files: dict[str, bytes], manifest: dict[str, Any], key: str) -> list[dict[str, str]]:
    """The start form's one-line and long text fields, in form order: {field, label}."""
    form = start_form_name(files, manifest, key)
    try:
        schema = json.loads(files[FORMS_PREFIX + form]) if form else {}
    except (KeyError, ValueError):
        return []
    properties = schema.get("properties") if isinstance(schema, dict) else None
    if not isinstance(properties, dict):
        return []
    return [{"field": name, "label": prop["title"].strip()} for name, prop in properties.items() if _is_text(prop)]


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
        files[MANIFEST] = json.dumps(manifest, ensure_ascii=False, indent=2).encode() + b"\n"
        label = next((f["label"] for f in fields if f["field"] == field), None)
        return "draft_case_title_saved", {"process": key, "title_field": field, "label": label}

    drafts.edit_files(actor, draft_id, MANIFEST, revision, change)
    return read(actor, draft_id)
