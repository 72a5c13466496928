"""The HTTP API: a thin Flask layer over `engine` (never imports SpiffWorkflow)."""

from __future__ import annotations

import http
import os
from typing import Any

import click
from flask import Flask
from flask_smorest import Api
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from engine.db import configure_sqlite, db, migrate
from engine.errors import EngineError
from engine.users import dummy_hash

from . import auth, cli, config, headers, input_guard, problems, scheduler, setup, swagger, web
from .routes import BLUEPRINTS
from .schemas import ProblemOut

PROBLEM_JSON = "application/problem+json"


class ProblemApi(Api):
    """flask-smorest with RFC 9457 problem bodies instead of its own error format, and its OpenAPI
    document written when first read rather than at every start: documenting the blueprints was
    more than half of an app's start-up, which every worker and every test pays."""

    _spec: Any = None
    _undocumented: tuple[tuple[Any, str, Any], ...] = ()

    @property
    def spec(self) -> Any:
        pending, self._undocumented = self._undocumented, ()  # taken first: documenting reads spec
        for blueprint, name, parameters in pending:
            blueprint.register_views_in_doc(self, self._app, self._spec, name=name, parameters=parameters)
            self._spec.tag({"name": name, "description": blueprint.description})
        return self._spec

    @spec.setter
    def spec(self, value: Any) -> None:
        self._spec = value

    def register_blueprint(self, blp, *, parameters=None, **options) -> None:
        """Flask's registration now, the blueprint's documentation when the document is read."""
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._undocumented = (*self._undocumented, (blp, name, parameters))

    def handle_http_exception(self, error: HTTPException):
        return problems.from_http(error)

    def _register_responses(self) -> None:
        """Document every error response as what it is: a problem, application/problem+json."""
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["content"] = {PROBLEM_JSON: {"schema": ProblemOut}}
            self.spec.components.response(status.name, response, lazy=True)
        self.spec.components.response("DEFAULT_ERROR", {
            "description": "错误（RFC 9457 problem）", "content": {PROBLEM_JSON: {"schema": ProblemOut}}}, lazy=True)

    def _openapi_swagger_ui(self):
        """Swagger UI from the product's own files, started without an inline script (api/swagger.py)."""
        return swagger.page(self.spec.title, f"{self._make_doc_blueprint_name()}.openapi_json", self._swagger_ui_url,
                            self.config.get("OPENAPI_SWAGGER_UI_CONFIG", {}))


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(config.from_environment(app.instance_path))
    app.config.update(overrides or {})
    app.json.ensure_ascii = False
    app.json.sort_keys = False  # keep form field order; case data may mix key types
    if app.config["PROXY_COUNT"]:
        # Behind that many reverse proxies: the client's address (login throttling, audit) and
        # scheme (HSTS) from their X-Forwarded-For / -Proto, trusting exactly that many hops.
        hops = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    db.init_app(app)
    migrate.init_app(app, db, directory=setup.MIGRATIONS)
    with app.app_context():
        configure_sqlite(db.engine)

    api = ProblemApi(app)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    app.register_blueprint(web.blp)  # last: its catch-all route must not shadow the API
    headers.init_app(app)
    app.before_request(auth.require_token)  # first: no token, 401, before any input is looked at
    app.before_request(input_guard.refuse_nul_characters)
    app.register_error_handler(EngineError, problems.from_engine)
    app.register_error_handler(Exception, problems.from_unexpected)
    cli.register(app)

    if app.config["AUTO_SETUP"]:
        setup.bootstrap(app)
    if _serves_requests():
        dummy_hash()  # made before the first login, not during it (engine/users.py: issue_token)
    if app.config["SCHEDULER_ENABLED"] and not app.config.get("TESTING") and _serves_requests():
        app.extensions["timer_scheduler_stop"] = scheduler.start_in_background(app)
    return app


def _serves_requests() -> bool:
    """Whether this process is a server (gunicorn, `flask run`) rather than a one-off command
    such as `flask setup` or `flask timers run`: a scheduler thread there would take SQLite's
    write lock in the middle of a migration, or run a second loop beside `timers run`'s own.
    The Flask CLI loads the app inside the click context of the command it runs."""
    context = click.get_current_context(silent=True)
    return context is None or context.info_name == "run"
