from __future__ import annotations

from flask_smorest import Blueprint

from engine.db import unit_of_work
from engine.users import TOKEN_LIFETIME, issue_token

from ..auth import current_actor
from ..schemas import Me, TokenRequest, TokenResponse

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="登录与当前用户")


@blp.route("/auth/token", methods=["POST"])
@blp.arguments(TokenRequest)
@blp.response(200, TokenResponse)
@blp.doc(security=[])
def token(args: dict) -> dict:
    """登录：用户名和密码换取访问令牌"""
    with unit_of_work():
        value = issue_token(args["username"], args["password"])
    return {"token": value, "token_type": "Bearer", "expires_in": int(TOKEN_LIFETIME.total_seconds())}


@blp.route("/me")
@blp.response(200, Me)
def me() -> dict:
    """当前用户：单位、角色"""
    actor = current_actor()
    return {"username": actor.username, "display_name": actor.display_name, "unit": actor.unit,
            "is_admin": actor.is_admin,
            "roles": [{"jurisdiction": j, "role": r} for j, r in sorted(actor.roles)]}
