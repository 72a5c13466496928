"""Fill a form of the web app (rjsf, web/src/components/FormView.jsx) as a person would, from
data keyed by field name, field by field according to the field's JSON Schema:

- text / textarea, integer / number: typed into `#root_<field>`; a date: picked in the Chinese date
  picker (month and year arrows, then the day), as a person would;
- a choice (`enum`, or `oneOf` of `const`s, booleans included): a radio group `#root_<field>`
  (four choices or fewer, or `ui:widget: radio`) clicked by the choice's title, else a
  `<select>` picked by that title; a boolean without choices is a checkbox;
- a set of choices (array of choices, `uniqueItems`): the checkboxes of `#root_<field>`;
- an object: its properties, ids `root_<field>_<property>`;
- a document (`format: attachment`, alone or in an array): a generated file of the named type
  (`{"$attachment": "x.pdf"}`, tests/scenario_runner.py's markers) set on the field's hidden
  file input, then waiting for the uploaded card with the file's name and checksum.

`fill_form` returns what was uploaded, for checks after the step.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Locator, expect

from ..scenario_runner import attachment_bytes

MIME = {
    ".pdf": "application/pdf",
    ".ofd": "application/ofd",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".zip": "application/zip",
}


@dataclass(frozen=True)
class Upload:
    field: str
    filename: str
    sha256: str
    size: int


def is_marker(value: Any) -> bool:
    return isinstance(value, dict) and set(value) <= {"$attachment", "bytes"} and "$attachment" in value


def _is_attachment(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "string" and schema.get("format") == "attachment"


def _choices(schema: dict[str, Any]) -> list[tuple[Any, str]]:
    """(value, label) of a choice field as rjsf labels it."""
    if isinstance(schema.get("enum"), list):
        return [(v, str(v)) for v in schema["enum"]]
    alternatives = schema.get("oneOf") or schema.get("anyOf") or []
    if alternatives and all(isinstance(a, dict) and "const" in a for a in alternatives):
        return [(a["const"], a.get("title", str(a["const"]))) for a in alternatives]
    return []


def _label(schema: dict[str, Any], value: Any, path: str) -> str:
    for choice, label in _choices(schema):
        if choice == value and type(choice) is type(value):
            return label
    raise AssertionError(f"{path}: {value!r} is not one of the choices {_choices(schema)}")


def _file(filename: str, size: int | None = None) -> dict[str, Any]:
    ext = "." + filename.rpartition(".")[2].lower()
    return {"name": filename, "mimeType": MIME.get(ext) or mimetypes.guess_type(filename)[0]
            or "application/octet-stream", "buffer": attachment_bytes(filename, size)}


class FormFiller:
    """Fills one rendered form (`form`: the locator of FormView's wrapper)."""

    def __init__(self, form: Locator, schema: dict[str, Any], ui_schema: dict[str, Any] | None = None) -> None:
        self.form = form
        self.schema = schema
        self.ui = ui_schema or {}
        self.uploads: list[Upload] = []

    def fill(self, data: dict[str, Any]) -> list[Upload]:
        self._object(self.schema, self.ui, data, "root", "")
        return self.uploads

    # -- one field -------------------------------------------------------------------------
    def _object(self, schema: dict[str, Any], ui: dict[str, Any], data: dict[str, Any], dom: str, path: str) -> None:
        properties = schema.get("properties", {})
        unknown = sorted(set(data) - set(properties))
        assert not unknown, f"{path or 'form'}: no such fields in the form: {unknown}"
        order = [k for k in ui.get("ui:order", []) if k in data] + [k for k in data if k not in ui.get("ui:order", [])]
        for name in order:
            self._field(properties[name], ui.get(name) or {}, data[name], f"{dom}_{name}",
                        f"{path}/{name}" if path else name)

    def _field(self, schema: dict[str, Any], ui: dict[str, Any], value: Any, dom: str, path: str) -> None:
        kind = schema.get("type")
        widget = ui.get("ui:widget")
        target = self.form.locator(f"#{dom}")
        if _is_attachment(schema):
            self._attach(dom, path, [value], many=False)
        elif kind == "array" and isinstance(schema.get("items"), dict) and _is_attachment(schema["items"]):
            self._attach(dom, path, list(value), many=True)
        elif kind == "array" and isinstance(schema.get("items"), dict) and _choices(schema["items"]):
            wanted = {_label(schema["items"], v, path) for v in value}
            for _choice, label in _choices(schema["items"]):
                target.get_by_label(label, exact=True).set_checked(label in wanted)
        elif kind == "object":
            self._object(schema, ui, value, dom, path)
        elif _choices(schema):
            label = _label(schema, value, path)
            if widget == "radio" or (widget is None and len(_choices(schema)) <= 4):
                target.get_by_label(label, exact=True).check()
            else:
                target.select_option(label=label)
        elif kind == "boolean":
            target.set_checked(bool(value))
        elif schema.get("format") == "date":
            self._pick_date(target, str(value))
        elif kind in ("integer", "number", "string"):
            target.fill(str(value))
        else:
            raise NotImplementedError(f"{path}: no way to fill a {kind} field with {value!r}")

    def _pick_date(self, target: Locator, value: str) -> None:
        year, month, day = (int(part) for part in value.split("-"))
        target.click()
        panel = target.locator("xpath=..").locator(".cn-date-panel")
        for _ in range(600):
            shown = re.match(r"(\d+)年(\d+)月", panel.locator(".cn-date-head strong").inner_text())
            steps = (year * 12 + month) - (int(shown.group(1)) * 12 + int(shown.group(2)))
            if steps == 0:
                break
            name = ("下一年" if steps > 0 else "上一年") if abs(steps) >= 12 else ("下个月" if steps > 0 else "上个月")
            panel.get_by_role("button", name=name, exact=True).click()
        panel.get_by_role("button", name=f"{year}年{month}月{day}日", exact=True).click()
        expect(target).to_have_value(f"{year}年{month}月{day}日")

    def _attach(self, dom: str, path: str, markers: list[Any], many: bool) -> None:
        assert markers and all(is_marker(m) for m in markers), f"{path}: not {{'$attachment': name}}: {markers}"
        files = [_file(m["$attachment"], m.get("bytes")) for m in markers]
        # the field's box: its label is inside (a list of documents) or just before it (one document)
        widget = self.form.locator(f"[data-testid=attachment-widget]:has(label[for='{dom}']), "
                                   f"label[for='{dom}'] ~ [data-testid=attachment-widget]").first
        expect(widget).to_have_count(1)
        widget.locator(f"#{dom}").set_input_files(files if many else files[0])
        for file in files:
            sha = hashlib.sha256(file["buffer"]).hexdigest()
            card = widget.get_by_test_id("attachment").filter(has_text=file["name"])
            expect(card).to_contain_text(sha[:12])  # uploaded: the card shows the stored checksum
            self.uploads.append(Upload(path, file["name"], sha, len(file["buffer"])))
        expect(widget.get_by_test_id("field-error")).to_have_count(0)


def fill_form(form: Locator, schema: dict[str, Any], ui_schema: dict[str, Any] | None,
              data: dict[str, Any]) -> list[Upload]:
    return FormFiller(form, schema, ui_schema).fill(data)
