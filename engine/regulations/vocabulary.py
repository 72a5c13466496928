"""What a bundle calls its variables and their values, for putting a rule in words.

A decision table reads and writes variables by their program names (`category`, `budget_yuan`)
and compares them with codes (`"software"`). Their Chinese names are declared in two places of
the bundle: the manifest's data dictionary (values a diagram derives, with a name per code) and
the forms (a field's title, its options' titles). The dictionary speaks first, since it is where
a bundle names what no form asks for.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .bundles import FORMS_PREFIX, Bundle

CJK = re.compile(r"[\u4e00-\u9fff]")


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
class Vocabulary:
    """What the bundle calls its variables and their values: the data dictionary, then the forms;
    and which variables are amounts the manifest declares (`amounts`, each in yuan, with a label)."""

    dictionary: dict[str, dict[str, Any]]
    fields: dict[str, list[dict[str, Any]]]
    amounts: dict[str, dict[str, Any]] = field(default_factory=dict)

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
        return cls(manifest.get("data_dictionary", {}), fields, manifest.get("amounts", {}))

    def title(self, name: str | None) -> str | None:
        """The form field's title, else the dictionary's label, else the declared amount's."""
        titles = [s["title"] for s in self.fields.get(name or "", []) if CJK.search(s.get("title") or "")]
        labels = [self.dictionary.get(name or "", {}).get("label"), self.amounts.get(name or "", {}).get("label")]
        return next((t for t in titles + labels if t and CJK.search(t)), None)

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
        return None

    def options(self, name: str | None) -> list[tuple[Any, str]]:
        """The values a variable may take with their Chinese names (dictionary first, then the
        forms' options), each value once."""
        found: dict[str, tuple[Any, str]] = {}
        for value, title in (self.dictionary.get(name or "", {}).get("values") or {}).items():
            if title and CJK.search(title):
                found.setdefault(repr(value), (value, title))
        for schema in self.fields.get(name or "", []):
            for const, title in _options(schema):
                if CJK.search(title):
                    found.setdefault(repr(const), (const, title))
        return list(found.values())
