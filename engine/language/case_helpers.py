"""Helpers that reach beyond one case's data: milestones, cross-case rules, expert draws
and 抄送. Diagrams call them from scripts with their own `case_id` (set at start), e.g.

    mark_milestone(case_id, "completion_acceptance")
    blocked = count_unit_cases(case_id, has=["approval"], lacks=["completion_acceptance"]) > 0
    panel = draw_experts(case_id, "non_classified", 3)
    copy_to(case_id, "finance", "项目已立项，请知悉")

They run inside the transaction of the step that calls them, so what they write commits or
rolls back with the case. A case's diagram gets them bound to that case (`bound_to`): a bundle
cannot read or write another case — of another unit or jurisdiction — by passing its id.
See docs/helpers.md.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from sqlalchemy import and_, exists, func, select

from .. import audit
from ..clock import now_utc
from ..db import db
from ..models import CaseMilestone, Instance, Notice
from ..regulations.store import stored_bundle

_random = random.SystemRandom()


class CaseHelperError(ValueError):
    """Raised to the diagram (and so to the caller as a ProcessError naming the element)."""


def _case(case_id: Any) -> Instance:
    inst = db.session.get(Instance, int(case_id)) if str(case_id).isdigit() else None
    if inst is None:
        raise CaseHelperError(f"案件不存在 / no such case: {case_id!r}")
    return inst


def _bundle_manifest(inst: Instance) -> dict[str, Any]:
    return stored_bundle(inst.version.bundle_hash).manifest


def mark_milestone(case_id: Any, name: str) -> str:
    """Record that the case reached milestone `name` (first time only); returns when."""
    inst = _case(case_id)
    row = db.session.get(CaseMilestone, (inst.id, name))
    if row is None:
        row = CaseMilestone(instance_id=inst.id, name=str(name), at=now_utc())
        db.session.add(row)
        db.session.flush()
    return row.at.isoformat()


def _unit_cases_query(case_id: Any, has: Any, lacks: Any, older_than_days: Any, process: Any):
    inst = _case(case_id)
    query = select(Instance).where(Instance.jurisdiction_id == inst.jurisdiction_id,
                                   Instance.applicant_unit == inst.applicant_unit,
                                   Instance.id != inst.id, Instance.status != "terminated")
    if process:
        query = query.where(Instance.process_key == process)
    for name in list(has or []):
        query = query.where(exists(select(CaseMilestone.instance_id).where(
            CaseMilestone.instance_id == Instance.id, CaseMilestone.name == name)))
    for name in list(lacks or []):
        query = query.where(~exists(select(CaseMilestone.instance_id).where(
            CaseMilestone.instance_id == Instance.id, CaseMilestone.name == name)))
    if older_than_days is not None and has:
        cutoff = now_utc() - timedelta(days=int(older_than_days))
        first = next(iter(has))
        query = query.where(exists(select(CaseMilestone.instance_id).where(and_(
            CaseMilestone.instance_id == Instance.id, CaseMilestone.name == first, CaseMilestone.at < cutoff))))
    return query


def count_unit_cases(case_id: Any, has: Any = (), lacks: Any = (), older_than_days: Any = None,
                     process: Any = None) -> int:
    """How many OTHER cases of this case's applying unit (same jurisdiction) have reached
    every milestone in `has` and none in `lacks`; with `older_than_days`, the first `has`
    milestone was reached more than that many days ago. Terminated cases do not count."""
    query = _unit_cases_query(case_id, has, lacks, older_than_days, process)
    return int(db.session.scalar(select(func.count()).select_from(query.subquery())))


def unit_cases(case_id: Any, has: Any = (), lacks: Any = (), older_than_days: Any = None,
               process: Any = None) -> list[dict[str, Any]]:
    """The same cases as `count_unit_cases`, as [{"id", "title"}] to show in a form."""
    query = _unit_cases_query(case_id, has, lacks, older_than_days, process).order_by(Instance.id)
    return [{"id": i.id, "title": i.title} for i in db.session.scalars(query.limit(50))]


def draw_experts(case_id: Any, pool: str, count: Any, exclude: Any = ()) -> list[str]:
    """Draw `count` experts at random from the bundle's expert pool `pool` (usernames), never
    one in `exclude`; the draw (pool, candidates, result) is written to the audit trail."""
    inst = _case(case_id)
    pools = _bundle_manifest(inst).get("expert_pools", {})
    if pool not in pools:
        raise CaseHelperError(f"专家库不存在 / no expert pool: {pool!r}")
    candidates = [u for u in pools[pool] if u not in set(exclude or [])]
    if int(count) > len(candidates):
        raise CaseHelperError(f"专家库 {pool} 可抽取人数不足：需要 {count}，仅有 {len(candidates)}")
    drawn = _random.sample(candidates, int(count))
    audit.record("system:draw", "expert_draw", instance_id=inst.id,
                 detail={"pool": pool, "candidates": candidates, "drawn": drawn})
    return drawn


def copy_to(case_id: Any, role: str, message: str, unit: Any = None) -> bool:
    """抄送: give every holder of `role` (optionally only in `unit`) read-only access to the
    case and a notice in their list, with no task to complete. Audited."""
    inst = _case(case_id)
    roles = {r["id"] for r in _bundle_manifest(inst).get("roles", [])}
    if role not in roles:
        raise CaseHelperError(f"抄送的角色不存在 / no such role: {role!r}")
    db.session.add(Notice(instance_id=inst.id, jurisdiction_id=inst.jurisdiction_id, role=role,
                          unit=unit or None, message=str(message)))
    audit.record("system:copy", "copy_to", instance_id=inst.id,
                 detail={"role": role, "unit": unit, "message": str(message)})
    return True


CASE_HELPERS = {
    "mark_milestone": mark_milestone,
    "count_unit_cases": count_unit_cases,
    "unit_cases": unit_cases,
    "draw_experts": draw_experts,
    "copy_to": copy_to,
}


def bound_to(case_id: int | None) -> dict[str, Callable[..., Any]]:
    """The case helpers as the diagram of case `case_id` sees them: each refuses any other case
    id (None: no case is running, every call is refused)."""
    def bind(helper: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(helper)
        def for_this_case(given: Any, *args: Any, **kwargs: Any) -> Any:
            if case_id is None:
                raise CaseHelperError(f"{helper.__name__} 只能在办理案件时调用")
            if type(given) not in (int, str) or str(given) != str(case_id):
                raise CaseHelperError(f"{helper.__name__} 只能用于本案件（传入 case_id），不能用于其他案件")
            return helper(case_id, *args, **kwargs)
        return for_this_case
    return {name: bind(helper) for name, helper in CASE_HELPERS.items()}
