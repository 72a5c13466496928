"""What is deployed, read back: a bundle by its hash, a process's versions and the one in
force on a date, a version's compiled spec."""

from __future__ import annotations

import base64
import json
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import func, or_, select

from ..clock import today_local
from ..db import as_utc, db
from ..errors import NotFound
from ..models import Bundle as BundleRow
from ..models import Instance, ProcessVersion
from .bundles import Bundle, from_files

STATUS_LABELS = {"scheduled": "待生效", "in_force": "现行", "superseded": "已被取代", "expired": "已失效"}
LIVE = ("running", "suspended", "error")


def encode_files(bundle: Bundle) -> str:
    """A bundle's files as stored with it (`Bundle.files_json`); `stored_bundle` reads them."""
    return json.dumps({k: base64.b64encode(v).decode() for k, v in sorted(bundle.files.items())})


@lru_cache(maxsize=64)
def stored_bundle(bundle_hash: str) -> Bundle:
    """The bundle of a deployed version (immutable by hash, so caching is safe)."""
    row = db.session.get(BundleRow, bundle_hash)
    if row is None:
        raise NotFound(f"流程包不存在：{bundle_hash}")
    files = {k: base64.b64decode(v) for k, v in json.loads(row.files_json).items()}
    return from_files(files)


@lru_cache(maxsize=256)
def spec_text(bundle_hash: str, process_key: str) -> str:
    """A process's compiled spec is a function of its bundle's content, so each worker reads it
    from the database once, not on every request."""
    return db.session.scalar(select(ProcessVersion.spec_json).where(
        ProcessVersion.bundle_hash == bundle_hash, ProcessVersion.process_key == process_key))


def version_in_force(process_key: str, on: date | None = None) -> ProcessVersion:
    """The newest version whose effective date has come and whose end (if any) has not
    passed: new cases start on it."""
    on = on or today_local()
    version = db.session.scalar(
        select(ProcessVersion)
        .where(ProcessVersion.process_key == process_key, ProcessVersion.effective_from <= on,
               or_(ProcessVersion.effective_until.is_(None), ProcessVersion.effective_until >= on))
        .order_by(ProcessVersion.version.desc()).limit(1))
    if version is None:
        raise NotFound(f"流程不存在或尚未生效：{process_key}")
    return version


def get_version(process_key: str, number: int) -> ProcessVersion:
    pv = db.session.scalar(select(ProcessVersion).where(
        ProcessVersion.process_key == process_key, ProcessVersion.version == number))
    if pv is None:
        raise NotFound(f"流程版本不存在：{process_key} v{number}")
    return pv


def status(pv: ProcessVersion, in_force_id: int | None, today: date) -> str:
    if pv.effective_from > today:
        return "scheduled"
    if pv.id == in_force_id:
        return "in_force"
    if pv.effective_until is not None and pv.effective_until < today:
        return "expired"
    return "superseded"


def _in_force_id(process_key: str, today: date) -> int | None:
    try:
        return version_in_force(process_key, today).id
    except NotFound:
        return None


def version_list(process_key: str) -> list[dict[str, Any]]:
    """Every version with its status today and how many cases run on it."""
    versions = db.session.scalars(select(ProcessVersion).where(ProcessVersion.process_key == process_key)
                                  .order_by(ProcessVersion.version)).all()
    if not versions:
        raise NotFound(f"流程不存在：{process_key}")
    today = today_local()
    in_force = _in_force_id(process_key, today)
    counts: dict[int, dict[str, int]] = {}
    for version_id, state, n in db.session.execute(
            select(Instance.version_id, Instance.status, func.count())
            .where(Instance.process_key == process_key).group_by(Instance.version_id, Instance.status)):
        counts.setdefault(version_id, {})[state] = n
    return [_version_dict(v, status(v, in_force, today), counts.get(v.id, {})) for v in versions]


def _version_dict(pv: ProcessVersion, state: str, counts: dict[str, int]) -> dict[str, Any]:
    bundle = db.session.get(BundleRow, pv.bundle_hash)
    return {"version": pv.version, "status": state, "status_label": STATUS_LABELS[state],
            "effective_from": pv.effective_from, "effective_until": pv.effective_until,
            "deployed_at": as_utc(pv.deployed_at), "deployed_by": bundle.deployed_by if bundle else None,
            "bundle_hash": pv.bundle_hash, "forced": bool(bundle and bundle.forced),
            "cases": sum(counts.values()), "cases_running": sum(counts.get(s, 0) for s in LIVE)}
