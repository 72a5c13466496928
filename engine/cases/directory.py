"""Choices from the directory for a form field that names an office, a unit or a person
(`"x-directory": "office" | "unit" | "user"`, optionally narrowed by `"x-directory-role"`).
Routing reads what is chosen here, so a unit or a person is never typed: a typo would strand
the task it routes. The choices are written into the schema as `oneOf` before the form is
shown and before it validates, so the form shows names and the server refuses anything else.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from ..db import db
from ..models import User, UserRole
from ..regulations.bundles import Bundle

KINDS = ("office", "unit", "user")


def _roles(node: dict[str, Any]) -> list[str] | None:
    wanted = node.get("x-directory-role")
    return [wanted] if isinstance(wanted, str) else wanted


def _people(jurisdiction: str, roles: list[str] | None) -> list[tuple[str, str, str | None]]:
    query = (select(User.username, User.display_name, User.unit).join(UserRole, UserRole.user_id == User.id)
             .where(UserRole.jurisdiction_id == jurisdiction).distinct().order_by(User.unit, User.display_name))
    if roles:
        query = query.where(UserRole.role.in_(roles))
    return list(db.session.execute(query))


def choices(bundle: Bundle, kind: str, roles: list[str] | None = None) -> list[dict[str, str]]:
    """The `oneOf` entries for one kind of directory field."""
    if kind == "office":
        return [{"const": r["id"], "title": r["name"]} for r in bundle.manifest.get("roles", [])
                if not roles or r["id"] in roles]
    people = _people(bundle.id, roles)
    if kind == "unit":
        units = dict.fromkeys(unit for _, _, unit in people if unit)
        return [{"const": unit, "title": unit} for unit in units]
    return [{"const": username, "title": f"{name}（{unit}）" if unit else name} for username, name, unit in people]


def _directory_nodes(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if node.get("x-directory") in KINDS:
            yield node
        for value in node.values():
            yield from _directory_nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _directory_nodes(value)


def resolved(bundle: Bundle, schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with every directory field's choices filled in (a copy; unchanged if it has none)."""
    if not any(True for _ in _directory_nodes(schema)):
        return schema
    schema = copy.deepcopy(schema)
    for node in _directory_nodes(schema):
        target = node["items"] if node.get("type") == "array" and isinstance(node.get("items"), dict) else node
        target["oneOf"] = choices(bundle, node["x-directory"], _roles(node))
        target.setdefault("type", "string")
    return schema


def form(bundle: Bundle, name: str | None) -> dict[str, Any] | None:
    """A form of the bundle as staff get it: parsed, with its directory choices filled in."""
    raw = bundle.form_bytes(name) if name else None
    if raw is None:
        return None
    schema = json.loads(raw)
    return resolved(bundle, schema) if b"x-directory" in raw and isinstance(schema, dict) else schema


def form_text(bundle: Bundle, name: str | None) -> str | None:
    """The same, as the text the validator takes."""
    raw = bundle.form_bytes(name) if name else None
    if raw is None or b"x-directory" not in raw:
        return raw.decode("utf-8") if raw is not None else None
    return json.dumps(form(bundle, name), ensure_ascii=False)
