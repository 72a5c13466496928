"""Bearer-token authentication: resolves the caller once per request, before anything else of
the request is looked at."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import current_app, g, request

from engine.errors import Forbidden, Unauthorized
from engine.users import Actor, actor_for_token

View = TypeVar("View", bound=Callable)
# Whole blueprints anyone may fetch: the browser app's files, Flask's static folder, and the
# OpenAPI document with its Swagger UI (they describe the API, they hold no data).
PUBLIC_BLUEPRINTS = {"web", "api-docs"}
PUBLIC_ENDPOINTS = {"static"}


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


def public(view: View) -> View:
    """Marks a view that answers without a token (document it with `@blp.doc(security=[])` too:
    tests/service/test_security_http.py checks that the two agree)."""
    view.public = True  # type: ignore[attr-defined]
    return view


def is_public(endpoint: str | None) -> bool:
    if endpoint is None:  # no route matched: a 404 or 405 follows, and reveals no data
        return True
    view = current_app.view_functions.get(endpoint)
    blueprint = endpoint.rpartition(".")[0]
    return endpoint in PUBLIC_ENDPOINTS or blueprint in PUBLIC_BLUEPRINTS or getattr(view, "public", False)


def require_token() -> None:
    """before_request, registered first: every endpoint not marked public needs a valid bearer
    token, checked before its path, query or body is parsed or validated — a request without
    one is a 401 whatever else is wrong with it, never a 422 or 400."""
    if request.method == "OPTIONS" and request.url_rule is not None and request.url_rule.provide_automatic_options:
        return  # Flask answers it with the Allow header alone; no view runs
    if not is_public(request.endpoint):
        current_actor()
