from __future__ import annotations

from flask import request
from flask_smorest import Blueprint

from engine.db import unit_of_work
from engine.users import TOKEN_LIFETIME, login, revoke_all_tokens, revoke_token

from ..auth import current_actor, presented_token, public
from ..schemas import Me, TokenRequest, TokenResponse

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="登录与当前用户")


@blp.route("/auth/token", methods=["POST"])
@blp.arguments(TokenRequest)
@blp.response(200, TokenResponse)
@blp.doc(security=[])
@public
def token(args: dict) -> dict:
    """登录：用户名和密码换取访问令牌（同一用户名连续失败后须等待递增的时间，同一来源地址失败极多时亦然：429，Retry-After）"""
    value = login(args["username"], args["password"], request.remote_addr or "")
    return {"token": value, "token_type": "Bearer", "expires_in": int(TOKEN_LIFETIME.total_seconds())}


@blp.route("/me")
@blp.response(200, Me)
def me() -> dict:
    """当前用户：单位、角色"""
    actor = current_actor()
    return {"username": actor.username, "display_name": actor.display_name, "unit": actor.unit,
            "is_admin": actor.is_admin,
            "roles": [{"jurisdiction": j, "role": r} for j, r in sorted(actor.roles)]}


@blp.route("/auth/logout", methods=["POST"])
@blp.response(204)
def logout() -> None:
    """退出登录：吊销本次请求所用的令牌"""
    current_actor()  # only a valid token can be revoked (401 otherwise)
    with unit_of_work():
        revoke_token(presented_token())


@blp.route("/auth/tokens", methods=["DELETE"])
@blp.response(204)
def revoke_all() -> None:
    """吊销当前用户的全部令牌（所有设备上的登录）"""
    actor = current_actor()
    with unit_of_work():
        revoke_all_tokens(actor.username)
