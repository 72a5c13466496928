"""Who may change what is in force: drafts, deployments, versions, case migrations and staff
accounts are all the administrators' work, refused to anyone else with one message."""

from __future__ import annotations

from ..errors import Forbidden
from ..users import Actor


def require_admin(actor: Actor) -> None:
    """Refuse (403) an actor who is not an administrator."""
    if not actor.is_admin:
        raise Forbidden("只有管理员可以进行此项操作")
