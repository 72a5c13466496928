"""The browser app: web/dist (built by `make web`) served at /, every non-API path falling back
to index.html so that the app's own routes survive a reload. Without a build the API still
works and / says, in Chinese, how to build the app."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, send_from_directory
from werkzeug.routing import PathConverter

blp = Blueprint("web", __name__)


class AppPath(PathConverter):
    """A path of the app's own, never one under /api/: an API path no API route matches is a 404
    from routing, and one that an API route matches for other methods a 405 with its Allow
    header — not swallowed by the catch-all below as a GET."""

    regex = r"(?!api/)[^/].*?"


@blp.record_once
def _register_converter(state) -> None:  # before the rules below are bound to the app's map
    state.app.url_map.converters["app_path"] = AppPath

NOT_BUILT = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>尚未构建网页端</title>
<body style="font-family:sans-serif;max-width:40em;margin:3em auto;line-height:1.6">
<h1>网页端尚未构建</h1>
<p>服务与接口（<a href="/api/v1/docs">/api/v1</a>）已在运行，但浏览器端的页面还没有构建。</p>
<p>在项目目录中执行 <code>make web</code>（需要 Node.js 与 npm，使用已提交的 package-lock.json），
或直接执行 <code>make run</code>，它会先构建网页端再启动服务。</p>
<p>The web app is not built: run <code>make web</code> (or <code>make run</code>).</p>
</body></html>"""


def _dist() -> Path:
    return Path(current_app.config["WEB_DIST"])


@blp.route("/", defaults={"path": ""})
@blp.route("/<app_path:path>")
def app_page(path: str) -> Response:
    dist = _dist()
    if path.startswith(("healthz", "assets/", "swagger-ui/")) and not (dist / path).is_file():
        from werkzeug.exceptions import NotFound

        raise NotFound()
    if path and (dist / path).is_file():
        response = send_from_directory(dist, path)
        if path.startswith("assets/"):  # content-hashed names: cache for good
            response.cache_control.max_age = 31536000
            response.cache_control.immutable = True
        return response
    if not (dist / "index.html").is_file():
        return Response(NOT_BUILT, status=503, mimetype="text/html")
    response = send_from_directory(dist, "index.html")
    response.cache_control.no_cache = True
    return response
