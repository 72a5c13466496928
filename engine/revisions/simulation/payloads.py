"""Form data for simulated submissions, generated from the form's JSON Schema.

A base payload fills every field of the form with a valid value (optional ones too, so that
conditional `required` rules are met); variants change one decision field at a time. Every
payload is validated against the form: a generator mistake must never feed the engine data a
person could not submit.
"""

from __future__ import annotations

import json
import math
import re._parser as sre_parse
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice, product
from typing import Any

from jsonschema import Draft202012Validator

from ... import language
from ...clock import now_local
from ...language.forms import FORMAT_CHECKER
from ...language.helpers import HELPERS
from ...regulations import attachment_marker
from .analysis import Decisions

TEXT = "模拟数据"
SIMULATED_ATTACHMENT = "0" * 32
COMBINATIONS = 2000  # input combinations tried per decision table and form
ABSENT = object()
_CELLS = language.Vocabulary(HELPERS)  # DMN cells read as SpiffWorkflow reads them, guarded


@dataclass(frozen=True)
class Payload:
    label: str  # "" for the base payload, "field=value" for a variant
    data: dict[str, Any]
    fields: tuple[str, ...] = ()  # the decision fields this variant changes


def _regex_sample(pattern: str) -> str:
    """The shortest string of a simple regular expression (first branch, first class member,
    minimal repeats); validation catches the patterns this does not understand."""
    return _sample_tokens(sre_parse.parse(pattern))


def _sample_tokens(tokens: Any) -> str:
    out = []
    for op, arg in tokens:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, _high, sub = arg
            out.append(_sample_tokens(sub) * max(low, 0))
        elif name == "SUBPATTERN":
            out.append(_sample_tokens(arg[-1]))
        elif name == "BRANCH":
            out.append(_sample_tokens(arg[1][0]))
        elif name == "IN":
            out.append(_sample_tokens(arg[:1]))
        elif name == "RANGE":
            out.append(chr(arg[0]))
        elif name == "CATEGORY":
            out.append({"CATEGORY_DIGIT": "0", "CATEGORY_SPACE": " "}.get(str(arg), "a"))
        elif name in ("ANY", "NOT_LITERAL"):
            out.append("a" if name == "ANY" or arg != ord("a") else "b")
    return "".join(out)


def _string(schema: dict[str, Any]) -> str:
    fmt = schema.get("format")
    if fmt == "date":
        return now_local().date().isoformat()
    if fmt == "date-time":
        return now_local().replace(microsecond=0).isoformat()
    if fmt == "email":
        return "simulation@example.com"
    if fmt == attachment_marker.FORMAT:
        # Looks like an upload's id; simulated cases never reach the attachment table.
        return SIMULATED_ATTACHMENT
    if "pattern" in schema:
        return _regex_sample(schema["pattern"])
    low, high = schema.get("minLength", 1), schema.get("maxLength")
    text = TEXT * max(1, math.ceil(low / len(TEXT)))
    return text[:high] if high is not None else text


def _number(schema: dict[str, Any]) -> int | float:
    value: float = 1
    if "minimum" in schema and "maximum" in schema:
        # A bounded field (a plan year 2000–2100) is typed mid-range, not at its edge: a year at
        # the floor would put every deadline counted from it in the past.
        value = (schema["minimum"] + schema["maximum"]) / 2
    elif "minimum" in schema:
        value = schema["minimum"]
    elif "exclusiveMinimum" in schema:
        value = schema["exclusiveMinimum"] + 1
    if "maximum" in schema:
        value = min(value, schema["maximum"])
    if "exclusiveMaximum" in schema:
        value = min(value, schema["exclusiveMaximum"] - 1)
    return int(value) if schema.get("type") == "integer" else value


def options(schema: dict[str, Any]) -> list[Any]:
    """The values a choice field offers: enum entries or oneOf/anyOf constants."""
    if "enum" in schema:
        return list(schema["enum"])
    if "const" in schema:
        return [schema["const"]]
    alternatives = schema.get("oneOf") or schema.get("anyOf") or []
    return [o["const"] for o in alternatives if isinstance(o, dict) and "const" in o]


def _type(schema: dict[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    return kind


def value_for(schema: dict[str, Any]) -> Any:
    choices = options(schema)
    if choices:
        return choices[0]
    kind = _type(schema)
    if kind == "object" or "properties" in schema:
        return {name: value_for(sub) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return _array(schema)
    if kind in ("integer", "number"):
        return _number(schema)
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return _string(schema)


def _array(schema: dict[str, Any]) -> list[Any]:
    # At least one item: an empty list would give a multi-instance task no instance at all.
    count = max(schema.get("minItems", 1), 1)
    items = schema.get("items", {}) if isinstance(schema.get("items"), dict) else {}
    choices = options(items)
    if choices and schema.get("uniqueItems"):
        return choices[:count]
    return [value_for(items) for _ in range(count)]


def _numeric_candidates(schema: dict[str, Any], thresholds: set[Any]) -> list[Any]:
    """Just below, at and just above every threshold the diagrams compare the field with."""
    out: list[Any] = []
    for t in sorted(v for v in thresholds if isinstance(v, int | float) and not isinstance(v, bool)):
        if _type(schema) == "integer":
            out += sorted({math.ceil(t) - 1, math.floor(t), math.ceil(t), math.floor(t) + 1})
        else:
            out += [t - 1, t, t + 1]
    return out


def candidates(name: str, schema: dict[str, Any], found: Decisions, required: bool) -> list[Any]:
    """Values a decision field is tried with besides its base value."""
    compared = found.constants.get(name, set())
    kind = _type(schema)
    values: list[Any] = list(options(schema))
    if kind == "boolean":
        values += [True, False]
    elif kind in ("integer", "number"):
        values += _numeric_candidates(schema, compared)
    elif kind == "string" and not values:
        values += sorted(v for v in compared if isinstance(v, str))
    if not required:
        values.append(ABSENT)
    return values


@lru_cache(maxsize=256)
def _validator(schema_text: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads(schema_text), format_checker=FORMAT_CHECKER)


def payloads(schema_text: str, found: Decisions) -> tuple[list[Payload], list[str]]:
    """(valid payloads, problems): the base payload first, then one per decision value."""
    schema = json.loads(schema_text)
    validator = _validator(schema_text)
    props = schema.get("properties", {})
    base = {name: value_for(sub) for name, sub in props.items()}
    errors = [e.message for e in validator.iter_errors(base)]
    if errors:
        return [], errors
    out, seen = [Payload("", base)], {_key(base)}
    required = set(schema.get("required", []))
    for name in sorted(props):
        if name not in found.names:
            continue
        for value in candidates(name, props[name], found, name in required):
            data = {k: v for k, v in base.items() if k != name}
            if value is not ABSENT:
                data[name] = value
                data = _with_required(data, props, validator)
            if _key(data) in seen or not validator.is_valid(data):
                continue
            seen.add(_key(data))
            shown = "∅" if value is ABSENT else json.dumps(value, ensure_ascii=False)
            out.append(Payload(f"{name}={shown}", data, (name,)))
    out += _rule_payloads(schema, base, found, validator, seen)
    return out, []


def _with_required(data: dict[str, Any], props: dict[str, Any], validator: Draft202012Validator) -> dict[str, Any]:
    """The variant with the fields its value makes required filled in (「不通过」 needs its
    reasons): without them the one answer that leads down that path would never be tried."""
    missing = {m for e in validator.iter_errors(data) if e.validator == "required"
               for m in e.validator_value if m not in data and m in props}
    return {**data, **{m: value_for(props[m]) for m in missing}} if missing else data


def _rule_payloads(schema: dict[str, Any], base: dict[str, Any], found: Decisions,
                   validator: Draft202012Validator, seen: set[str]) -> list[Payload]:
    """For each decision table whose inputs this form sets, one payload per rule reachable
    only by changing two fields or more (the first rule hit counts, as in SpiffWorkflow; the
    combination with the fewest changes wins). One-field changes are variants already."""
    props, required = schema.get("properties", {}), set(schema.get("required", []))
    out = []
    for table in found.tables:
        names = [n for n in dict.fromkeys(k for rule in table for k in rule) if n in props]
        if len(names) < 2:
            continue
        options = [[base[n], *(v for v in candidates(n, props[n], found, n in required)
                               if v is not ABSENT and v != base[n])] for n in names]
        best: dict[int, tuple[int, tuple[Any, ...]]] = {}
        for combo in islice(product(*options), COMBINATIONS):
            hit = _first_rule(table, dict(zip(names, combo, strict=True)))
            changes = sum(v != base[n] for n, v in zip(names, combo, strict=True))
            if hit is not None and (hit not in best or changes < best[hit][0]):
                best[hit] = (changes, combo)
        for changes, combo in best.values():
            data = {**base, **dict(zip(names, combo, strict=True))}
            if changes > 1 and _key(data) not in seen and validator.is_valid(data):
                seen.add(_key(data))
                changed = tuple(n for n in names if data[n] != base[n])
                out.append(Payload(",".join(f"{n}={json.dumps(data[n], ensure_ascii=False)}" for n in changed),
                                   data, changed))
    return out


def _first_rule(table: list[dict[str, str]], values: dict[str, Any]) -> int | None:
    for index, rule in enumerate(table):
        if all(_satisfies(json.dumps(values[n]), cell) for n, cell in rule.items() if n in values):
            return index
    return None


@lru_cache(maxsize=8192)
def _satisfies(value_json: str, cell: str) -> bool:
    """Whether a DMN input cell accepts the value (SpiffWorkflow's reading of the cell)."""
    try:
        return bool(_CELLS.evaluate(language.dmn_input_entry("v", cell), {"v": json.loads(value_json)}))
    except Exception:
        return False


def _key(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False)
