"""Shared fixtures: an app on a fresh database per test, and HTTP clients per demo user."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update
from werkzeug.security import generate_password_hash

from api import create_app, setup
from engine.db import db
from engine.models import User

from .browser import artifacts as browser_artifacts
from .databases import databases

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PASSWORD = "test-pass-2026"
TEMPLATE_HASH = generate_password_hash(PASSWORD, "pbkdf2:sha256:1000")
BUNDLE_SETS = {
    "sample": (FIXTURES / "bpmn", FIXTURES / "forms"),
    "bundled": (ROOT / "bpmn", ROOT / "forms"),
}


def app_config(url: str, bundle_set: str) -> dict[str, Any]:
    bpmn_root, forms_root = BUNDLE_SETS[bundle_set]
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "BUNDLE_ROOT": str(bpmn_root),
            "FORMS_ROOT": str(forms_root), "AUTO_SETUP": False, "SCHEDULER_ENABLED": False,
            "DEMO_PASSWORD": PASSWORD, "DEMO_USERS": True}


def pytest_configure(config: pytest.Config) -> None:
    browser_artifacts.configure(config)  # the screenshot folder, chosen before xdist's workers start


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test that asks for no database (no `dbs` in its fixture closure) behaves the same on
    every backend, so the PostgreSQL phase (`-m "not no_database"`) leaves it to the SQLite one."""
    for item in items:
        if "dbs" not in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.no_database)


def pytest_terminal_summary(terminalreporter) -> None:
    browser_artifacts.terminal_summary(terminalreporter)  # "browser screenshots: <folder>"


@pytest.fixture(scope="session")
def dbs(tmp_path_factory: pytest.TempPathFactory):
    factory = databases(tmp_path_factory.mktemp("db"))
    yield factory
    if hasattr(factory, "drop_all"):
        factory.drop_all()


def _bootstrap(bundle_set: str) -> Any:
    def build(url: str) -> None:
        app = create_app(app_config(url, bundle_set))
        setup.bootstrap(app)
        with app.app_context():
            # The template's demo accounts get a cheap hash: every test logs its users in afresh,
            # and scrypt (the product's default, kept for accounts made in a test) took two thirds
            # of a scenario's time in a profile. Which hash a login checks is not what they test.
            db.session.execute(update(User).values(password_hash=TEMPLATE_HASH))
            db.session.commit()
            db.engine.dispose()
    return build


@pytest.fixture
def bundle_set() -> str:
    """Which bundles the app is bootstrapped with; override in a module to use the real ones."""
    return "sample"


def _app_on_a_copy(dbs, bundle_set: str, folder: Path) -> Iterator[Flask]:
    url = dbs.clone(dbs.template(bundle_set, _bootstrap(bundle_set)))
    # Each app's uploads in its own folder, never in the repository's instance folder.
    application = create_app({**app_config(url, bundle_set), "ATTACHMENT_STORE": str(folder / "attachments")})
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    dbs.drop(url)


@pytest.fixture
def app(dbs, bundle_set: str, tmp_path: Path) -> Iterator[Flask]:
    yield from _app_on_a_copy(dbs, bundle_set, tmp_path)


@pytest.fixture(scope="module")
def shared_http(dbs, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Http]:
    """One app and database for a module's tests that change nothing: what a request without a
    valid token, or a page, is answered. A test that writes, or logs in, takes `http`."""
    for application in _app_on_a_copy(dbs, "sample", tmp_path_factory.mktemp("shared")):
        yield Http(application.test_client())


@dataclass
class Reply:
    status: int
    body: Any
    content_type: str


class UserClient:
    """Calls the API as one user, the way a front end would: bearer token, JSON, and a new
    login when the token has expired (tests move the clock by months)."""

    def __init__(self, client: FlaskClient, token: str | None, relogin: Any = None):
        self.client, self.token, self.relogin = client, token, relogin

    def _call(self, method: str, path: str, **kwargs: Any) -> Reply:
        resp = self._send(method, path, **kwargs)
        if resp.status_code == 401 and self.relogin is not None:
            self.token = self.relogin()
            resp = self._send(method, path, **kwargs)
        return self._reply(resp)

    def _send(self, method: str, path: str, **kwargs: Any):
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return self.client.open(path, method=method, headers=headers, **kwargs)

    @staticmethod
    def _reply(resp) -> Reply:
        body = resp.get_json(silent=True) if resp.is_json or "json" in resp.content_type else resp.get_data(True)
        return Reply(resp.status_code, body, resp.content_type)

    def get(self, path: str, **params: Any) -> Reply:
        return self._call("GET", path, query_string=params)

    def post(self, path: str, json: Any = None) -> Reply:
        return self._call("POST", path, json=json if json is not None else {})

    def patch(self, path: str, json: Any = None) -> Reply:
        return self._call("PATCH", path, json=json if json is not None else {})


class Http:
    def __init__(self, client: FlaskClient):
        self.client = client
        self.tokens: dict[str, str] = {}
        self.anonymous = UserClient(client, None)

    def _login(self, username: str) -> str:
        reply = self.anonymous.post("/api/v1/auth/token", {"username": username, "password": PASSWORD})
        assert reply.status == 200, reply.body
        self.tokens[username] = reply.body["token"]
        return self.tokens[username]

    def as_(self, username: str) -> UserClient:
        if username not in self.tokens:
            self._login(username)
        return UserClient(self.client, self.tokens[username], lambda: self._login(username))


@pytest.fixture
def http(app: Flask) -> Http:
    return Http(app.test_client())


@pytest.fixture
def fire_timers(app: Flask):
    """Run one scheduler pass (what the background loop does every few seconds)."""
    from engine.cases.timers import run_due

    def fire() -> int:
        with app.app_context():
            return run_due()
    return fire
