from __future__ import annotations

from flask_smorest import Blueprint
from sqlalchemy import func, select

from engine.db import db
from engine.models import Jurisdiction

from ..auth import public
from ..schemas import HealthOut

blp = Blueprint("health", __name__, url_prefix="", description="健康检查")


@blp.route("/healthz")
@blp.response(200, HealthOut)
@blp.doc(security=[])
@public
def healthz() -> dict:
    """服务与数据库是否可用"""
    count = db.session.scalar(select(func.count()).select_from(Jurisdiction))
    return {"status": "ok", "database": db.engine.dialect.name, "jurisdictions": count}
