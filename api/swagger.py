"""Swagger UI at /api/v1/docs without a CDN: flask-smorest's page loads Swagger UI from
OPENAPI_SWAGGER_UI_URL and starts it with an inline script; here the page (templates/swagger_ui.html)
loads the copy built into web/dist/swagger-ui/ from the swagger-ui-dist package of web's committed
lock (web/vite.config.js), served by api/web.py at /swagger-ui/, and starts it from
static/swagger-ui-init.js, which the Content-Security-Policy (api/headers.py) allows."""

from __future__ import annotations

from pathlib import Path

from flask import Response, current_app, render_template, url_for

# Where the built files are served (api/web.py serves web/dist at /).
SWAGGER_UI_URL = "/swagger-ui/"
BUNDLE = "swagger-ui-bundle.js"


def built() -> bool:
    return (Path(current_app.config["WEB_DIST"]) / "swagger-ui" / BUNDLE).is_file()


def page(title: str, spec_endpoint: str, swagger_ui_url: str, config: dict) -> Response | str:
    spec_url = url_for(spec_endpoint)
    if swagger_ui_url == SWAGGER_UI_URL and not built():
        html = render_template("swagger_ui_not_built.html", title=title, spec_url=spec_url)
        return Response(html, status=503, mimetype="text/html")
    return render_template("swagger_ui.html", title=title, spec_url=spec_url, swagger_ui_url=swagger_ui_url,
                           swagger_ui_config=config)
