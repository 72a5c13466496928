"""The browser app's static serving (api/web.py), without a browser: a missing build says how to
build it, the SPA fallback serves index.html for the app's own routes, and neither a missing
asset nor an unknown API path falls back to it."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from api import create_app

pytestmark = pytest.mark.no_database

INDEX = '<!doctype html><html lang="zh-CN"><head><script type="module" src="/assets/app-1a2b3c.js"></script>' \
        '</head><body><div id="root"></div></body></html>'


def make_app(dist: Path) -> Flask:
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "AUTO_SETUP": False,
                       "SCHEDULER_ENABLED": False, "WEB_DIST": str(dist)})


@pytest.fixture
def built(tmp_path: Path) -> Flask:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(INDEX, "utf-8")
    (dist / "assets" / "app-1a2b3c.js").write_text("console.log('govit')", "utf-8")
    (dist / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", "utf-8")
    return make_app(dist)


def test_without_a_build_the_root_says_in_chinese_how_to_build(tmp_path: Path) -> None:
    empty = tmp_path / "dist"
    empty.mkdir()
    client = make_app(empty).test_client()
    for path in ("/", "/tasks/17"):
        reply = client.get(path)
        assert reply.status_code == 503, path
        assert reply.mimetype == "text/html"
        page = reply.get_data(as_text=True)
        assert "网页端尚未构建" in page and "make web" in page and "make run" in page
    # the API still works without the build
    health = client.get("/api/v1/openapi.json")
    assert health.status_code == 200 and health.is_json


def test_app_routes_fall_back_to_index_html(built: Flask) -> None:
    client = built.test_client()
    for path in ("/", "/tasks/x", "/cases/12", "/drafts/3", "/diff/hunan_hrss_project/1/2"):
        reply = client.get(path)
        assert reply.status_code == 200, path
        assert reply.mimetype == "text/html"
        assert reply.get_data(as_text=True) == INDEX, path
        assert reply.cache_control.no_cache, path  # a new build is picked up on reload


def test_built_files_are_served_and_hashed_assets_cached_for_good(built: Flask) -> None:
    client = built.test_client()
    asset = client.get("/assets/app-1a2b3c.js")
    assert asset.status_code == 200 and asset.get_data(as_text=True) == "console.log('govit')"
    assert asset.cache_control.max_age == 31536000 and asset.cache_control.immutable
    icon = client.get("/favicon.svg")
    assert icon.status_code == 200 and "svg" in icon.mimetype


def test_a_missing_asset_is_a_404_not_the_app(built: Flask) -> None:
    reply = built.test_client().get("/assets/missing.js")
    assert reply.status_code == 404
    assert INDEX not in reply.get_data(as_text=True)


def test_an_unknown_api_path_is_a_problem_not_the_app(built: Flask) -> None:
    reply = built.test_client().get("/api/v1/nope")
    assert reply.status_code == 404
    assert reply.mimetype == "application/problem+json"
    body = reply.get_json()
    assert body["status"] == 404 and body["title"]  # a Chinese title, as every problem has
    assert INDEX not in reply.get_data(as_text=True)
