"""Bearer-token authentication: resolves the caller once per request."""

from __future__ import annotations

from flask import g, request

from engine.errors import Forbidden, Unauthorized
from engine.users import Actor, actor_for_token


def presented_token() -> str:
    """The bearer token of this request (401 if there is none)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("请先登录：请求头需携带 Authorization: Bearer <token>")
    return token.strip()


def current_actor() -> Actor:
    if "actor" not in g:
        g.actor = actor_for_token(presented_token())
    return g.actor


def require_admin() -> Actor:
    actor = current_actor()
    if not actor.is_admin:
        raise Forbidden("仅管理员可以执行此操作")
    return actor
