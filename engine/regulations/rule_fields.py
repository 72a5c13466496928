"""The values a bundle's rules may read, as the rule editors offer them: each form's fields with a
Chinese title, then what the data dictionary names, the amounts the manifest declares and what the
decision tables yield under a Chinese heading, each with its kind (choice, boolean, date, amount,
number, text). The draft's editors (draft_words, draft_conditions) and the version diff (diff_words)
name a condition's fields from this one list."""

from __future__ import annotations

import json
from typing import Any

from .amounts import is_amount
from .bundles import FORMS_PREFIX, Bundle
from .condition_words import ConditionField, condition_fields
from .vocabulary import CJK, Vocabulary

DATE_FORMATS = ("date", "date-time")


def form_schemas(bundle: Bundle) -> dict[str, dict[str, Any]]:
    """Each form of the bundle (by its name) whose JSON reads as an object."""
    found = {}
    for name in bundle.form_names():
        try:
            schema = json.loads(bundle.files[FORMS_PREFIX + name])
        except (KeyError, UnicodeDecodeError, ValueError):
            continue
        if isinstance(schema, dict):
            found[name] = schema
    return found


def field_kind(name: str, schema: dict[str, Any], vocab: Vocabulary) -> str:
    """A field's kind as a decision table reads it: a form's field by its schema, a value no form
    asks for by the table column that yields it (the dictionary states no kind)."""
    if not schema and (kind := vocab.output_kind(name)):
        return kind
    if vocab.options(name):
        return "choice"
    if schema.get("type") == "boolean":
        return "boolean"
    if schema.get("format") in DATE_FORMATS:
        return "date"
    if is_amount(name, schema.get("title")) or vocab.declares_amount(name):
        return "amount"
    return "number" if schema.get("type") in ("integer", "number") else "text"


def _fields(schemas: dict[str, dict[str, Any]], vocab: Vocabulary) -> list[dict[str, Any]]:
    """Every value a rule can read: the forms' fields, then what the dictionary names, then what
    the decision tables yield under a Chinese heading; a column that only says another's code in
    words (`route_label` for `route`) is read through that code, so it is not offered twice."""
    found: dict[str, dict[str, str]] = {}
    for schema in schemas.values():
        for name, sub in (schema.get("properties") or {}).items():
            if isinstance(sub, dict) and CJK.search(sub.get("title") or "") and sub.get("type") != "array":
                found.setdefault(name, {"name": name, "label": sub["title"], "type": field_kind(name, sub, vocab)})
    derived = [n for n in dict.fromkeys([*vocab.dictionary, *vocab.amounts, *vocab.outputs])
               if not (n in vocab.outputs and vocab.title(vocab.outputs[n].says))]
    for name in derived:
        if name not in found and (label := vocab.title(name)):
            found[name] = {"name": name, "label": label, "type": field_kind(name, {}, vocab)}
    for entry in found.values():  # a threshold reads a declared amount, not a form's money field
        if entry["type"] == "amount":
            entry["declared"] = entry["name"] in vocab.amounts
    return list(found.values())


def bundle_fields(bundle: Bundle) -> list[dict[str, Any]]:
    """Every field of the bundle's forms and dictionary a rule may test, with its label and kind."""
    return _fields(form_schemas(bundle), Vocabulary.of(bundle))


def bundle_condition_fields(bundles: list[Bundle]) -> dict[str, ConditionField]:
    """Every value the bundles' conditions may test, with its Chinese name and kind."""
    return condition_fields(bundles, [f for b in bundles for f in bundle_fields(b)])
