"""The form a process starts with and its text fields, read from a bundle's files: where a case
takes its title from (the manifest's `title_field`, one text field of that form). A title field
that is no longer on the start form is a problem at deploy, or every case would be untitled."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from lxml import etree

from .. import safe_xml
from ..regulations.bundles import FORMS_PREFIX, Bundle, Problem
from .lint import FORM_PROPERTY, properties

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
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
            if form := properties(start).get(FORM_PROPERTY):
                return form
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


def title_problems(bundle: Bundle) -> list[Problem]:
    """A process whose title field is not a text field of its start form."""
    found = []
    for process in bundle.manifest.get("processes", []):
        key, field = process.get("key"), process.get("title_field")
        if not isinstance(key, str) or not field:
            continue
        if field not in {f["field"] for f in text_fields(bundle.files, bundle.manifest, key)}:
            name = process.get("name") or key
            found.append(Problem("manifest.json", f"流程「{name}」的案件标题字段已不是开始表单中的文字字段："
                                 "请在「机构与单位」页重新选择案件标题取自哪个字段", element=key))
    return found
