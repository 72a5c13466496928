from __future__ import annotations

from flask_smorest import Blueprint

from engine import cases
from engine.db import unit_of_work

from ..auth import current_actor
from ..schemas import ID_PATH, NoticeOut, NoticeQuery

blp = Blueprint("notices", __name__, url_prefix="/api/v1/notices", description="抄送通知")


@blp.route("")
@blp.arguments(NoticeQuery, location="query")
@blp.response(200, NoticeOut(many=True))
def list_(args: dict) -> list:
    """抄送给我（我的角色、单位）的案件通知"""
    return cases.list_notices(current_actor(), args["unread"])


@blp.route(f"/<{ID_PATH}:notice_id>/read", methods=["POST"])
@blp.response(204)
def read(notice_id: int) -> None:
    """标记为已读"""
    actor = current_actor()
    with unit_of_work():
        cases.mark_notice_read(actor, notice_id)
