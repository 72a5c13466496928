"""Who a task may be handed over to (转办): the users `instances.assign` would accept."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..db import db
from ..models import User, UserRole
from ..users import Actor, actor_of
from .access import can_act, require_act
from .lookups import task_row


def candidates(actor: Actor, task_id: str) -> list[dict[str, Any]]:
    """Users holding the task's role in its jurisdiction (of its unit, or the drawn user, when
    the task is bound), other than whoever holds it now and the caller. Asked by someone who
    may reassign it: an administrator, or a user who may act on the task."""
    row = task_row(task_id)
    if not actor.is_admin:
        require_act(actor, row)
    query = (select(User).join(UserRole, UserRole.user_id == User.id)
             .where(UserRole.jurisdiction_id == row.jurisdiction_id, UserRole.role == row.role)
             .order_by(User.username))
    if row.unit is not None:
        query = query.where(User.unit == row.unit)
    holder = row.claimed_by or actor.username
    out = []
    for user in db.session.scalars(query).unique():
        if user.username in (holder, actor.username) or not can_act(actor_of(user), row):
            continue
        out.append({"username": user.username, "display_name": user.display_name, "unit": user.unit})
    return out
