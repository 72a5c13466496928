"""Who may see and act on what. Task lists are queries on the task index, never scans."""

from __future__ import annotations

from sqlalchemy import Select, and_, exists, false, or_, select

from .errors import Forbidden
from .models import AuditEntry, Instance, TaskIndex
from .users import Actor


def _role_clause(actor: Actor):
    pairs = [and_(TaskIndex.jurisdiction_id == j, TaskIndex.role == r) for j, r in sorted(actor.roles)]
    return or_(*pairs) if pairs else false()


def actionable(actor: Actor):
    """Rows of the task index this actor may claim and complete: a role they hold in that
    jurisdiction, and, for unit-bound tasks, membership of that unit."""
    return and_(_role_clause(actor), or_(TaskIndex.unit.is_(None), TaskIndex.unit == actor.unit))


def can_act(actor: Actor, row: TaskIndex) -> bool:
    return actor.holds(row.jurisdiction_id, row.role) and (row.unit is None or row.unit == actor.unit)


def require_act(actor: Actor, row: TaskIndex) -> None:
    if not can_act(actor, row):
        raise Forbidden(f"您不能办理「{row.name}」：该任务属于{row.lane}" +
                        (f"（{row.unit}）" if row.unit else ""))


def visible_instances(actor: Actor, query: Select) -> Select:
    """Admins see every case; others the cases their unit applied for, the cases with a
    task they may act on, and the cases they have acted on."""
    if actor.is_admin:
        return query
    may_act = exists(select(TaskIndex.task_id).where(TaskIndex.instance_id == Instance.id, actionable(actor)))
    acted = exists(select(AuditEntry.id).where(AuditEntry.instance_id == Instance.id,
                                               AuditEntry.actor == actor.username))
    own_unit = Instance.applicant_unit == actor.unit if actor.unit else false()
    return query.where(or_(own_unit, may_act, acted))
