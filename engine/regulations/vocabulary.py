"""What a bundle calls its variables and their values, for putting a rule in words.

A decision table reads and writes variables by their program names (`category`, `budget_yuan`)
and compares them with codes (`"software"`). Their Chinese names are declared in three places of
the bundle: the forms (a field's title, its options' titles), the manifest's data dictionary
(values a diagram derives, with a name per code) and the decision tables (a result column's
heading and type; a code's name in its companion column, `route` → `route_label`, or the code
itself when it is Chinese). A variable is named by a form's title, else the dictionary's label;
a code by the dictionary, else a form's option. A table names only what neither does: a result
column added in the table editor, which no form asks for and no dictionary lists.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from .. import safe_xml
from .amounts import is_amount
from .bundles import FORMS_PREFIX, Bundle

CJK = re.compile(r"[\u4e00-\u9fff]")
QUOTED = re.compile(r'^\s*"([^"]*)"\s*$')  # a string literal as tables write a code: "pass"
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
NUMBER_TYPES = ("integer", "long", "double", "number", "int", "float")


def _field_schemas(node: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every (name, schema) a form declares, however deep (objects, array items, conditions)."""
    if isinstance(node, dict):
        for name, sub in (node.get("properties") or {}).items():
            if isinstance(sub, dict):
                yield name, sub
        for value in node.values():
            yield from _field_schemas(value)
    elif isinstance(node, list):
        for value in node:
            yield from _field_schemas(value)


def _options(schema: dict[str, Any]) -> Iterator[tuple[Any, str]]:
    items = schema.get("items") if isinstance(schema.get("items"), dict) else {}
    for option in schema.get("oneOf", []) + schema.get("anyOf", []) + items.get("oneOf", []) + items.get("anyOf", []):
        if isinstance(option, dict) and "const" in option and option.get("title"):
            yield option["const"], option["title"]


@dataclass
class Output:
    """A value a decision table yields (a result column): its heading, DMN type, the codes its
    rules yield or its `outputValues` list with their Chinese names, and the decision's name."""

    label: str
    type_ref: str
    named: dict[str, str] = field(default_factory=dict)
    decision: str = ""
    says: str = ""  # the column whose code this one says in words (`route_label` says `route`)


def _outputs(bundle: Bundle) -> dict[str, Output]:
    """Every result column of the bundle's tables with a Chinese heading, by the variable it
    writes; the first table that yields a variable gives its heading and type."""
    found: dict[str, Output] = {}
    said_by: dict[str, str] = {}
    for file in bundle.manifest.get("dmn_files", []):
        try:
            root = safe_xml.parse(bundle.files[file])
        except (KeyError, etree.XMLSyntaxError):
            continue  # the deploy check names it
        for table in root.iter("{*}decisionTable"):
            decision = table.getparent().get("name") or ""
            columns = table.findall("{*}output")
            names = [c.get("name") or "" for c in columns]
            rows = [[e.findtext("{*}text") or "" for e in rule.findall("{*}outputEntry")]
                    for rule in table.findall("{*}rule")]
            for i, column in enumerate(columns):
                if not IDENTIFIER.match(names[i]) or not CJK.search(column.get("label") or ""):
                    continue
                output = found.setdefault(names[i], Output(column.get("label"), (column.get("typeRef") or "").lower(),
                                                           decision=decision if CJK.search(decision) else ""))
                listed = (column.findtext("{*}outputValues/{*}text") or "").split(",")
                companion = _companion(names, i)
                if companion is not None:
                    said_by[names[companion]] = names[i]
                yielded = [row[i] for row in rows if len(row) == len(names)]
                for text, listed_here in [(t, True) for t in listed] + [(t, False) for t in yielded]:
                    if said := _code_name(text, rows, i, companion, listed_here):
                        output.named.setdefault(*said)
    for name, code in said_by.items():
        if name in found:
            found[name].says = code
    return found


def _companion(names: list[str], i: int) -> int | None:
    """The column that says column i's code in words: `route` → `route_label` or `route_name`."""
    stem = names[i].rsplit("_", 1)[0]
    for candidate in (f"{names[i]}_label", f"{names[i]}_name", f"{stem}_label", f"{stem}_name"):
        if candidate in names and names.index(candidate) != i:
            return names.index(candidate)
    return None


def _code_name(text: str, rows: list[list[str]], i: int, companion: int | None,
               listed: bool) -> tuple[str, str] | None:
    """(code, its Chinese name) for a quoted code: what the companion column says in the first
    rule that yields it, else, for a code the column lists as its values, the code itself when it
    is Chinese; None when it has no name. A Chinese text a rule merely yields (a companion
    column's sentence) is no code: its column stays text for the table editor."""
    code = QUOTED.match(text)
    if not code:
        return None
    for row in rows if companion is not None else []:
        if len(row) > max(i, companion) and QUOTED.match(row[i]) and QUOTED.match(row[i])[1] == code[1] and (
                title := QUOTED.match(row[companion])) and CJK.search(title[1]):
            return code[1], title[1]
    return (code[1], code[1]) if listed and CJK.search(code[1]) else None


@dataclass
class Vocabulary:
    """What the bundle calls its variables and their values: the data dictionary, the forms and
    the decision tables' result columns (`outputs`); and which variables are amounts the manifest
    declares (`amounts`, each in yuan, with a label)."""

    dictionary: dict[str, dict[str, Any]]
    fields: dict[str, list[dict[str, Any]]]
    amounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, Output] = field(default_factory=dict)

    @classmethod
    def of(cls, bundle: Bundle) -> Vocabulary:
        fields: dict[str, list[dict[str, Any]]] = {}
        for name in bundle.form_names():
            try:
                schema = json.loads(bundle.files[FORMS_PREFIX + name])
            except (UnicodeDecodeError, json.JSONDecodeError):
                continue  # the deploy check names it; a table is still shown without its words
            for name_in_form, sub in _field_schemas(schema):
                fields.setdefault(name_in_form, []).append(sub)
        manifest = bundle.manifest
        return cls(manifest.get("data_dictionary", {}), fields, manifest.get("amounts", {}), _outputs(bundle))

    def title(self, name: str | None) -> str | None:
        """The form field's title, else the dictionary's label, else the declared amount's, else
        the heading of the table column that yields it."""
        titles = [s["title"] for s in self.fields.get(name or "", []) if CJK.search(s.get("title") or "")]
        output = self.outputs.get(name or "")
        labels = [self.dictionary.get(name or "", {}).get("label"), self.amounts.get(name or "", {}).get("label"),
                  output.label if output else None]
        return next((t for t in titles + labels if t and CJK.search(t)), None)

    def output_kind(self, name: str | None) -> str | None:
        """What a value a table yields is, by its column's DMN type: boolean, date, amount (a number
        in yuan), number, choice (codes with Chinese names) or text; None when no table yields it."""
        output = self.outputs.get(name or "")
        if output is None:
            return None
        if output.type_ref in ("boolean", "date"):
            return output.type_ref
        if output.type_ref in NUMBER_TYPES:
            return "amount" if is_amount(name, output.label) or self.declares_amount(name) else "number"
        return "choice" if self.options(name) else "text"

    def declares_amount(self, name: str | None) -> bool:
        return bool(name) and name in self.amounts

    def value_title(self, name: str | None, value: Any) -> str | None:
        values = self.dictionary.get(name or "", {}).get("values", {})
        if isinstance(value, str) and values.get(value):
            return values[value]
        for schema in self.fields.get(name or "", []):
            for const, title in _options(schema):
                if const == value and type(const) is type(value):
                    return title
        output = self.outputs.get(name or "")
        return output.named.get(value) if output and isinstance(value, str) else None

    def options(self, name: str | None) -> list[tuple[Any, str]]:
        """The values a variable may take with their Chinese names (dictionary first, then the
        forms' options, then the codes a table yields), each value once."""
        found: dict[str, tuple[Any, str]] = {}
        for value, title in (self.dictionary.get(name or "", {}).get("values") or {}).items():
            if title and CJK.search(title):
                found.setdefault(repr(value), (value, title))
        for schema in self.fields.get(name or "", []):
            for const, title in _options(schema):
                if CJK.search(title):
                    found.setdefault(repr(const), (const, title))
        output = self.outputs.get(name or "")
        for code, title in (output.named if output else {}).items():
            found.setdefault(repr(code), (code, title))
        return list(found.values())
