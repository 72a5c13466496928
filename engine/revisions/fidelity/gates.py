"""A check that cannot gate is a defect: a yes/no field, or a form's decision, that nothing
reads lets a reviewer answer 「否」 and the case move on as if 「是」 (a security-design check,
an expert panel's verdict). A field gates when a gateway, script,
decision table or routing property reads it, when its own schema pins it (`const`), or when a
rule of its form (`if`) tests it. A field kept only for the record says so with
`"x-informational"` and the reason, so the choice is the owner's and visible.
"""

from __future__ import annotations

from typing import Any

from ...regulations.bundles import Problem
from .facts import Facts, Field


def _is_check(f: Field) -> bool:
    schema = f.schema
    if schema.get("type") == "boolean":
        return True
    return schema.get("x-role") == "decision" and ("enum" in schema or "oneOf" in schema)


def _tested_in_rules(node: Any, name: str) -> bool:
    """Whether an `if` anywhere in the form tests the field."""
    if isinstance(node, dict):
        condition = node.get("if")
        if isinstance(condition, dict) and (name in (condition.get("properties") or {})
                                            or name in condition.get("required", [])):
            return True
        return any(_tested_in_rules(v, name) for k, v in node.items() if k != "properties")
    if isinstance(node, list):
        return any(_tested_in_rules(v, name) for v in node)
    return False


def _pinned_by_rules(node: Any, name: str) -> bool:
    """Whether a `then`/`else` of the form pins the field (e.g. 「通过时必须为是」)."""
    if isinstance(node, dict):
        for key in ("then", "else"):
            branch = node.get(key)
            if isinstance(branch, dict) and "const" in ((branch.get("properties") or {}).get(name) or {}):
                return True
        return any(_pinned_by_rules(v, name) for k, v in node.items() if k != "properties")
    if isinstance(node, list):
        return any(_pinned_by_rules(v, name) for v in node)
    return False


def problems(facts: Facts) -> list[Problem]:
    read = set().union(*(e.keys for e in facts.expressions)) if facts.expressions else set()
    found = []
    for name, fields in sorted(facts.fields.items()):
        for f in fields:
            if not _is_check(f) or name in read or "const" in f.schema or f.schema.get("x-informational"):
                continue
            schema = facts.schemas[f.form]
            if _tested_in_rules(schema, name) or _pinned_by_rules(schema, name):
                continue
            form_title = schema.get("title") or f.form
            found.append(Problem(
                "forms/" + f.form,
                f"表单「{form_title}」的「{f.title}」不把关：没有网关、脚本、决策表或表单规则读取它，"
                f"填「否」案件照样向下走。请让它起作用（例如通过时必须为「是」），"
                f"或标注 \"x-informational\" 并写明为何仅作记录", element=name))
    return found
