"""Changing a deployed version: rescheduling its dates, its kept simulation report, and the
diff between two versions (reading versions is `regulations.store`)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from .. import audit
from ..db import db, unit_of_work
from ..errors import InvalidInput
from ..models import Bundle as BundleRow
from ..regulations.store import get_version, stored_bundle, version_list
from ..users import Actor
from .access import require_admin
from .diff import diff_bundles


def reschedule(actor: Actor, process_key: str, number: int, effective_from: date | None,
               effective_until: date | None) -> dict[str, Any]:
    """Move a version's dates (e.g. postpone a revision). Cases already started keep their
    version; only which version new cases start on changes."""
    require_admin(actor)
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
    old, new = get_version(process_key, a), get_version(process_key, b)
    out = diff_bundles(stored_bundle(old.bundle_hash), stored_bundle(new.bundle_hash), process_key)
    return {"process_key": process_key, "from_version": a, "to_version": b, **out}
