"""Process versions as administrators see them: status by effective dates, cases per
version, rescheduling, and the diff between two versions."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import func, select

from . import audit
from .clock import today_local
from .db import as_utc, db, unit_of_work
from .deploy import stored_bundle, version_in_force
from .errors import Forbidden, InvalidInput, NotFound
from .models import Bundle as BundleRow
from .models import Instance, ProcessVersion
from .users import Actor

STATUS_LABELS = {"scheduled": "待生效", "in_force": "现行", "superseded": "已被取代", "expired": "已失效"}
LIVE = ("running", "suspended", "error")


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


def reschedule(actor: Actor, process_key: str, number: int, effective_from: date | None,
               effective_until: date | None) -> dict[str, Any]:
    """Move a version's dates (e.g. postpone a revision). Cases already started keep their
    version; only which version new cases start on changes."""
    if not actor.is_admin:
        raise Forbidden("只有管理员可以调整版本生效日期")
    with unit_of_work():
        pv = get_version(process_key, number)
        start = effective_from or pv.effective_from
        if effective_until is not None and effective_until < start:
            raise InvalidInput("失效日期不能早于生效日期", errors=[
                {"field": "effective_until", "message": f"「effective_until」不能早于生效日期 {start.isoformat()}"}])
        before = {"effective_from": pv.effective_from.isoformat(),
                  "effective_until": pv.effective_until and pv.effective_until.isoformat()}
        pv.effective_from, pv.effective_until = start, effective_until
        audit.record(actor.username, "reschedule", detail={
            "process_key": process_key, "version": number, "before": before,
            "after": {"effective_from": start.isoformat(),
                      "effective_until": effective_until and effective_until.isoformat()}})
    return next(v for v in version_list(process_key) if v["version"] == number)


def simulation_report(process_key: str, number: int) -> dict[str, Any]:
    """The simulation report kept with the version's bundle (None when deployed unsimulated)."""
    row = db.session.get(BundleRow, get_version(process_key, number).bundle_hash)
    return {"version": number, "forced": bool(row.forced),
            "report": json.loads(row.simulation_json) if row.simulation_json else None}


def diff(process_key: str, a: int, b: int) -> dict[str, Any]:
    from .diff import diff_bundles

    old, new = get_version(process_key, a), get_version(process_key, b)
    out = diff_bundles(stored_bundle(old.bundle_hash), stored_bundle(new.bundle_hash), process_key)
    return {"process_key": process_key, "from_version": a, "to_version": b, **out}
