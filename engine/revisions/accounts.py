"""Staff accounts as administrators keep them: login name, name, unit, password, the offices
each holds in each jurisdiction, active or not. Offices are those of the deployed
jurisdictions and of jurisdictions still being drafted from nothing, so that a new
jurisdiction's people exist before it is deployed and can start cases the day it is."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..db import db, unit_of_work
from ..errors import FormInvalid, NotFound
from ..models import Jurisdiction, User
from ..regulations.store import stored_bundle
from ..users import Actor, account, all_users, create_user, update_user
from .access import require_admin
from .drafts import pending_jurisdictions


def _entry(manifest: dict[str, Any], pending: bool) -> dict[str, Any]:
    return {"jurisdiction": manifest["id"], "jurisdiction_name": manifest.get("name") or "", "pending": pending,
            "units": [u for u in manifest.get("units", []) if isinstance(u, str)],
            "offices": [{"role": r["id"], "name": r["name"]} for r in manifest.get("roles", [])
                        if isinstance(r, dict) and r.get("id") and r.get("name")]}


def office_directory(actor: Actor) -> list[dict[str, Any]]:
    """Every jurisdiction (deployed, then drafted) with its offices and units, by name."""
    require_admin(actor)
    deployed = db.session.scalars(select(Jurisdiction).order_by(Jurisdiction.name))
    return ([_entry(stored_bundle(j.current_bundle_hash).manifest, False) for j in deployed]
            + [_entry(m, True) for m in pending_jurisdictions()])


def _offices() -> dict[tuple[str, str], tuple[str, str]]:
    """(jurisdiction, role) → (jurisdiction name, office name)."""
    deployed = db.session.scalars(select(Jurisdiction))
    entries = ([_entry(stored_bundle(j.current_bundle_hash).manifest, False) for j in deployed]
               + [_entry(m, True) for m in pending_jurisdictions()])
    return {(e["jurisdiction"], o["role"]): (e["jurisdiction_name"], o["name"]) for e in entries for o in e["offices"]}


def _shown(user: User, offices: dict[tuple[str, str], tuple[str, str]]) -> dict[str, Any]:
    view = account(user)
    view["roles"] = [{"jurisdiction": j, "role": r,
                      "jurisdiction_name": offices.get((j, r), ("（已撤销的辖区）", ""))[0],
                      "office": offices.get((j, r), ("", "（已撤销的机构）"))[1]} for j, r in view["roles"]]
    return view


def _roles(roles: list[dict[str, str]], offices: dict[tuple[str, str], tuple[str, str]]) -> list[tuple[str, str]]:
    pairs = [(r["jurisdiction"], r["role"]) for r in roles]
    errors = [{"field": f"roles/{i}", "message": "所选机构不存在，请刷新后重新选择"}
              for i, pair in enumerate(pairs) if pair not in offices]
    if errors:
        raise FormInvalid("所选机构有误", errors=errors)
    return pairs


def _text(spec: dict[str, Any], key: str, label: str) -> str | None:
    value = spec.get(key)
    if value is None:
        return None
    if not value.strip():
        raise FormInvalid(f"请填写{label}", errors=[{"field": key, "message": f"请填写{label}"}])
    return value.strip()


def list_accounts(actor: Actor) -> list[dict[str, Any]]:
    require_admin(actor)
    offices = _offices()
    return [_shown(u, offices) for u in all_users()]


def create_account(actor: Actor, spec: dict[str, Any]) -> dict[str, Any]:
    """A new account; `spec` has username, name, unit, password, roles [{jurisdiction, role}], active."""
    require_admin(actor)
    with unit_of_work():
        offices = _offices()
        user = create_user(spec["username"], spec["password"], _text(spec, "name", "姓名"),
                           (spec.get("unit") or "").strip() or None, _roles(spec.get("roles", []), offices),
                           active=spec.get("active", True))
        db.session.flush()
        return _shown(user, offices)


def update_account(actor: Actor, username: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Only the keys present change. An administrator cannot deactivate their own account."""
    require_admin(actor)
    with unit_of_work():
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound("用户不存在")
        if username == actor.username and changes.get("active") is False:
            raise FormInvalid("不能停用自己的账号", errors=[{"field": "active", "message": "不能停用自己的账号"}])
        offices = _offices()
        roles = _roles(changes["roles"], offices) if "roles" in changes else None
        unit = (changes["unit"] or "").strip() if "unit" in changes else None
        update_user(user, display_name=_text(changes, "name", "姓名"), unit=unit, password=changes.get("password"),
                    roles=roles, active=changes.get("active"))
        db.session.flush()
        return _shown(user, offices)
