"""Who may see and act on what. Task lists are queries on the task index, never scans."""

from __future__ import annotations

from sqlalchemy import Select, and_, exists, false, or_, select

from ..db import db
from ..errors import Conflict, Forbidden
from ..models import AuditEntry, Instance, Jurisdiction, Notice, TaskIndex
from ..regulations.store import stored_bundle
from ..users import Actor


def _role_clause(actor: Actor):
    pairs = [and_(TaskIndex.jurisdiction_id == j, TaskIndex.role == r) for j, r in sorted(actor.roles)]
    return or_(*pairs) if pairs else false()


def actionable(actor: Actor):
    """Rows of the task index this actor may claim and complete: a role they hold in that
    jurisdiction; for unit-bound tasks, membership of that unit; for user-bound tasks (e.g.
    a drawn expert), being that user; never a task of a suspended case."""
    return and_(_role_clause(actor), or_(TaskIndex.unit.is_(None), TaskIndex.unit == actor.unit),
                or_(TaskIndex.assignee.is_(None), TaskIndex.assignee == actor.username),
                TaskIndex.suspended.is_(False))


def can_act(actor: Actor, row: TaskIndex) -> bool:
    return (actor.holds(row.jurisdiction_id, row.role) and (row.unit is None or row.unit == actor.unit)
            and (row.assignee is None or row.assignee == actor.username))


def require_act(actor: Actor, row: TaskIndex) -> None:
    if row.suspended:
        raise Conflict("案件已暂停，暂不能办理")
    if not can_act(actor, row):
        owner = row.assignee or row.unit
        raise Forbidden(f"您不能办理「{row.name}」：该任务属于{row.lane}" + (f"（{owner}）" if owner else ""))


def _notified(actor: Actor):
    pairs = [and_(Notice.jurisdiction_id == j, Notice.role == r) for j, r in sorted(actor.roles)]
    return and_(or_(*pairs) if pairs else false(), or_(Notice.unit.is_(None), Notice.unit == actor.unit))


def notices_for(actor: Actor, query: Select) -> Select:
    return query.where(_notified(actor))


def supervised_jurisdictions(actor: Actor) -> list[str]:
    """Jurisdictions where the actor holds a role the regulation lets control cases (the
    manifest's `case_control_roles`, e.g. the office that may suspend or terminate any case):
    such an office oversees, so it sees every case there."""
    held: dict[str, set[str]] = {}
    for jurisdiction, role in actor.roles:
        held.setdefault(jurisdiction, set()).add(role)
    rows = db.session.execute(select(Jurisdiction.id, Jurisdiction.current_bundle_hash)
                              .where(Jurisdiction.id.in_(sorted(held)))).all()
    return sorted(j for j, bundle_hash in rows
                  if held[j] & set(stored_bundle(bundle_hash).manifest.get("case_control_roles", [])))


def visible_instances(actor: Actor, query: Select) -> Select:
    """Admins see every case; supervising offices every case of their jurisdiction; others
    the cases their unit applied for, the cases with a task they may act on, the cases they
    have acted on and the cases copied (抄送) to them."""
    if actor.is_admin:
        return query
    supervised = Instance.jurisdiction_id.in_(supervised_jurisdictions(actor))
    may_act = exists(select(TaskIndex.task_id).where(TaskIndex.instance_id == Instance.id, actionable(actor)))
    acted = exists(select(AuditEntry.id).where(AuditEntry.instance_id == Instance.id,
                                               AuditEntry.actor == actor.username))
    copied = exists(select(Notice.id).where(Notice.instance_id == Instance.id, _notified(actor)))
    own_unit = Instance.applicant_unit == actor.unit if actor.unit else false()
    return query.where(or_(own_unit, may_act, acted, copied, supervised))
