"""The security review's findings S4, S5 and its low items, over HTTP (docs/security.md):

- a wrong password takes as long whether or not the username exists (S4, measured as a ratio);
- every response carries the security headers: a Content-Security-Policy allowing only the
  server's own origin, frame-ancestors/X-Frame-Options, nosniff, Referrer-Policy; HSTS only over
  TLS (S5);
- every operation that is not public answers a request without a valid token with a 401 before
  looking at its body;
- attachments are always downloads, under a sandbox CSP, and `image/*` does not admit SVG;
- nothing the product serves refers to another host (Swagger UI is served from the product).
"""

from __future__ import annotations

import re
import statistics
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask, request
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from api import create_app
from api.auth import is_public, public
from engine.cases.attachments import accepts
from engine.db import db, unit_of_work
from engine.models import Attachment, User
from engine.regulations.attachment_marker import AttachmentField

from ..cases.test_attachments import PDF, PNG, download, review_task, upload, uploaded
from ..conftest import PASSWORD

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>'
HTML = b"<!doctype html><html><body><script>alert(document.domain)</script></body></html>"
# What may appear in a directive of the site-wide policy: the server itself, nothing else.
ALLOWED_SOURCES = {"'self'", "'none'", "data:"}
REQUIRED_DIRECTIVES = {"default-src": "'self'", "object-src": "'none'", "frame-ancestors": "'none'",
                       "base-uri": "'self'", "form-action": "'self'"}


def csp(response) -> dict[str, list[str]]:
    policy = response.headers.get("Content-Security-Policy", "")
    parts = [part.split() for part in policy.split(";") if part.strip()]
    return {words[0]: words[1:] for words in parts}


def web_dist(app: Flask) -> Path:
    return Path(app.config["WEB_DIST"])


def a_built_asset(app: Flask) -> str | None:
    assets = sorted((web_dist(app) / "assets").glob("*.js")) if (web_dist(app) / "assets").is_dir() else []
    return f"/assets/{assets[0].name}" if assets else None


# ---------------------------------------------------------------------------------- S4 timing

def test_a_wrong_password_takes_as_long_for_an_unknown_user_as_for_an_existing_one(app, http):
    """Medians of wrong-password logins, interleaved; each username stays under the per-account
    delay's free failures. Only the ratio is asserted: the machine is noisy. The accounts get the
    product's own hash first (the test template's demo accounts carry a cheap one)."""
    with app.app_context():
        for username in ("s_reviewer", "s_unit_a", "s_unit_b"):
            db.session.scalar(select(User).where(User.username == username)).password_hash = \
                generate_password_hash(PASSWORD)
        db.session.commit()

    def attempt(username: str) -> float:
        started = time.perf_counter()
        reply = http.client.post("/api/v1/auth/token", json={"username": username, "password": "wrong-password"})
        took = time.perf_counter() - started
        assert reply.status_code == 401 and reply.get_json()["title"] == "用户名或密码错误"
        return took

    existing, unknown = [], []
    for round_ in range(3):
        for index, user in enumerate(("s_reviewer", "s_unit_a", "s_unit_b")):
            existing.append(attempt(user))
            unknown.append(attempt(f"no-such-user-{round_}-{index}"))
    ratio = statistics.median(unknown) / statistics.median(existing)
    print(f"\nS4 wrong password, median of {len(existing)}: existing user {statistics.median(existing) * 1000:.1f} ms,"
          f" unknown user {statistics.median(unknown) * 1000:.1f} ms, ratio {ratio:.2f}")
    assert 0.5 <= ratio <= 2, (existing, unknown)


# ------------------------------------------------------------------------------- S5 headers

def _assert_site_headers(response) -> None:
    directives = csp(response)
    for name, value in REQUIRED_DIRECTIVES.items():
        assert directives.get(name) == [value], (name, response.headers.get("Content-Security-Policy"))
    for name, sources in directives.items():
        allowed = ALLOWED_SOURCES | ({"'unsafe-inline'"} if name == "style-src" else set())
        assert set(sources) <= allowed, (name, sources)  # no host, no scheme, no '*', no eval
    assert "'unsafe-inline'" not in directives.get("script-src", ["'self'"])
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("strict-origin-when-cross-origin", "no-referrer", "same-origin")


PAGES = [
    ("GET", "/"), ("GET", "/tasks/17"), ("GET", "/api/v1/openapi.json"), ("GET", "/api/v1/docs"),
    ("GET", "/healthz"), ("GET", "/swagger-ui/swagger-ui.css"), ("GET", "/static/swagger-ui-init.js"),
    ("GET", "/api/v1/me"),                # 401
    ("GET", "/api/v1/no-such-thing"),     # 404
    ("DELETE", "/healthz"),               # 405
    ("POST", "/api/v1/auth/token"),       # 415/422: a problem
    ("GET", "/assets/no-such-file.js"),   # a missing asset
]


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_every_response_carries_the_security_headers(shared_http, method, path):
    response = shared_http.client.open(path, method=method)
    _assert_site_headers(response)
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: no HSTS


def test_static_assets_and_a_token_holders_reply_carry_them_too(http, app):
    asset = a_built_asset(app)
    if asset is None:
        pytest.skip("web/dist is not built (make web)")
    _assert_site_headers(http.client.get(asset))
    reply = http.client.get("/api/v1/me", headers={"Authorization": f"Bearer {http.as_('s_unit_a').token}"})
    assert reply.status_code == 200
    _assert_site_headers(reply)


def test_an_unexpected_error_carries_them_too(app):
    @app.route("/boom-for-test")
    @public
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/boom-for-test")
    assert response.status_code == 500 and response.mimetype == "application/problem+json"
    _assert_site_headers(response)


def no_database_app(**overrides) -> Flask:
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "AUTO_SETUP": False,
                       "SCHEDULER_ENABLED": False, **overrides})


def test_hsts_only_over_tls_and_a_forwarded_scheme_only_from_a_trusted_proxy():
    direct = no_database_app().test_client()
    assert "Strict-Transport-Security" in direct.get("/api/v1/openapi.json", base_url="https://govit.example").headers
    spoofed = direct.get("/api/v1/openapi.json", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in spoofed.headers  # anyone may send that header
    behind_proxy = no_database_app(PROXY_COUNT=1).test_client()
    forwarded = behind_proxy.get("/api/v1/openapi.json", headers={"X-Forwarded-Proto": "https"})
    assert forwarded.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize(("proxies", "seen"), [(0, "127.0.0.1"), (1, "10.1.2.3")])
def test_the_client_address_is_the_forwarded_one_only_behind_a_trusted_proxy(proxies, seen):
    """What login throttling counts per address: behind a proxy, every client is not the proxy."""
    app = no_database_app(PROXY_COUNT=proxies)

    @app.route("/whoami-for-test")
    @public
    def whoami():
        return request.remote_addr or ""

    reply = app.test_client().get("/whoami-for-test", headers={"X-Forwarded-For": "10.1.2.3"},
                                  environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert reply.get_data(as_text=True) == seen


# ---------------------------------------------------------------------- authentication first

def _operations(client) -> list[tuple[str, str, bool]]:
    spec = client.get("/api/v1/openapi.json").get_json()
    out = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                out.append((method.upper(), path, operation.get("security", spec.get("security")) == []))
    return out


OPERATIONS = _operations(no_database_app().test_client())


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)  # every path parameter (ids, keys, numbers) accepts "1"


@pytest.mark.parametrize(("method", "path", "public"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS])
@pytest.mark.parametrize("token", [None, "not-a-token"], ids=["no-token", "garbage-token"])
def test_an_operation_without_a_valid_token_is_a_401_before_its_input_is_looked_at(shared_http, method, path, public,
                                                                                  token):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    # a body that would fail validation everywhere: a 422 here would mean it was looked at first
    response = shared_http.client.open(_concrete(path), method=method, headers=headers, data=b"{not json",
                                content_type="application/json", query_string={"limit": "many"})
    if public:
        assert response.status_code != 401, (method, path)
        return
    assert response.status_code == 401, (method, path, response.get_data(as_text=True)[:300])
    body = response.get_json()
    assert body["type"] == "/problems/unauthorized" and body["title"] == "未登录或登录已失效"


@pytest.mark.parametrize("path", ["/api/v1/attachments", "/api/v1/deployments"])
def test_the_reviewed_uploads_without_a_token_are_401_not_422(http, path):
    response = http.client.post(path, data={"field": "x"}, content_type="multipart/form-data")
    assert response.status_code == 401 and response.get_json()["type"] == "/problems/unauthorized"


def test_the_documented_public_operations_are_exactly_the_ones_let_through(app):
    public = {(m, p) for m, p, is_pub in OPERATIONS if is_pub}
    assert public == {("POST", "/api/v1/auth/token"), ("GET", "/healthz")}
    adapter = app.url_map.bind("localhost")
    with app.test_request_context():
        for method, path, documented_public in OPERATIONS:
            endpoint, _args = adapter.match(_concrete(path), method=method)
            assert is_public(endpoint) == documented_public, (method, path, endpoint)


# ---------------------------------------------------------------------------------- uploads

@pytest.mark.parametrize(("body", "filename"), [
    (SVG, "流程图.svg"),    # named as what it is
    (SVG, "流程图.png"),    # an SVG under an image's name
    (SVG, "流程图"),        # no extension
    (HTML, "说明.html"),
    (HTML, "说明.png"),
])
def test_image_wildcard_does_not_admit_svg_or_html(http, body, filename):
    _case, task_id = review_task(http)  # review_documents accepts [".pdf", "image/*"]
    status, problem = upload(http, "s_reviewer", "review_documents", body, filename, task_id=task_id)
    assert status == 422 and problem["errors"][0]["field"] == "review_documents", problem


def test_a_real_image_still_passes_the_wildcard(http):
    _case, task_id = review_task(http)
    assert uploaded(http, task_id, PNG, "现场照片.png")["media_type"] == "image/png"


@pytest.mark.parametrize(("accept", "filename", "media_type", "admitted"), [
    (("image/*",), "a.png", "image/png", True),
    (("image/*",), "a.svg", "image/svg+xml", False),
    (("text/*",), "a.html", "text/html", False),
    (("text/*",), "a.txt", "text/plain", True),
    (("image/svg+xml",), "a.svg", "image/svg+xml", True),  # a form that names SVG gets it
    ((".svg",), "a.svg", "image/svg+xml", True),
])
def test_only_a_field_that_names_an_active_type_admits_it(accept, filename, media_type, admitted):
    field = AttachmentField("f", "字段", accept, 1024, False)
    assert accepts(field, filename, media_type) is admitted


@pytest.mark.parametrize(("filename", "media_type"), [
    ("流程图.svg", "image/svg+xml"), ("说明.html", "text/html"), ("初审意见书.pdf", "application/pdf")])
def test_a_download_is_never_inline_and_runs_nothing(app, http, filename, media_type):
    _case, task_id = review_task(http)
    meta = uploaded(http, task_id)
    with app.app_context(), unit_of_work():  # as if a form naming that type had admitted it
        row = db.session.get(Attachment, meta["id"])
        row.filename, row.media_type = filename, media_type
    response = download(http, "s_reviewer", meta["id"])
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment;")
    directives = csp(response)
    assert "sandbox" in directives and directives["default-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


# ------------------------------------------------------------------------------ offline only

class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.inline_scripts = 0
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.refs += [value for name, value in attrs if name in ("src", "href", "action", "srcset", "poster", "data")
                      and value]
        if tag == "script" and "src" not in found:
            self._in_script = True

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts += 1


def _foreign(refs: list[str], base: str) -> list[str]:
    """The references that would load from another host than `base`'s."""
    own = urlsplit(base).netloc
    remote = ("http", "https", "ws", "wss")
    return [ref for ref in refs
            if ref.startswith("//") or (urlsplit(urljoin(base, ref)).scheme in remote
                                        and urlsplit(urljoin(base, ref)).netloc != own)]


@pytest.mark.parametrize("path", ["/", "/tasks/17", "/api/v1/docs"])
def test_no_page_refers_to_another_host_or_runs_an_inline_script(http, app, path):
    base = "http://govit.intranet.example/"
    response = http.client.get(path, base_url=base)
    if response.status_code == 503:
        pytest.skip("web/dist is not built (make web)")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = _Refs()
    page.feed(response.get_data(as_text=True))
    assert page.refs, "the page refers to nothing: is it the real page?"
    assert _foreign(page.refs, base) == []
    assert page.inline_scripts == 0  # the CSP allows none
    for ref in page.refs:  # and what it loads is served, by the server, with no remote url() in CSS
        if ref.endswith((".js", ".css")):
            loaded = http.client.get(ref, base_url=base)
            assert loaded.status_code == 200, ref
            if ref.endswith(".css"):
                urls = re.findall(r"url\(\s*['\"]?([^'\")]+)", loaded.get_data(as_text=True))
                assert _foreign([u for u in urls if not u.startswith("data:")], urljoin(base, ref)) == [], ref


def test_swagger_ui_is_served_from_the_product(http, app):
    if not (web_dist(app) / "swagger-ui" / "swagger-ui-bundle.js").is_file():
        pytest.skip("web/dist is not built (make web)")
    page = http.client.get("/api/v1/docs").get_data(as_text=True)
    assert 'src="/swagger-ui/swagger-ui-bundle.js"' in page and 'href="/swagger-ui/swagger-ui.css"' in page
    assert 'src="/static/swagger-ui-init.js"' in page and 'data-spec-url="/api/v1/openapi.json"' in page
    init = http.client.get("/static/swagger-ui-init.js")
    assert init.status_code == 200 and "validatorUrl: null" in init.get_data(as_text=True)
    bundle = http.client.get("/swagger-ui/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and "SwaggerUIBundle" in bundle.get_data(as_text=True)
    assert http.client.get("/swagger-ui/no-such-file.js").status_code == 404  # never the app's index.html


def test_without_a_build_the_docs_page_says_how_to_build(tmp_path):
    client = no_database_app(WEB_DIST=str(tmp_path)).test_client()
    reply = client.get("/api/v1/docs")
    assert reply.status_code == 503 and reply.mimetype == "text/html"
    text = reply.get_data(as_text=True)
    assert "make web" in text and "/api/v1/openapi.json" in text and "<script" not in text


# --------------------------------------------------------------- the review's schemathesis items

@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("GET", "/api/v1/tasks/1/complete", {"POST"}),       # was a 404 from the web app's catch-all
    ("PUT", "/api/v1/tasks", {"GET", "HEAD"}),
    ("DELETE", "/healthz", {"GET", "HEAD"}),
    ("POST", "/api/v1/instances/1/audit", {"GET", "HEAD"}),
])
def test_a_method_an_api_path_does_not_have_is_a_405_naming_the_allowed_ones(http, method, path, allowed):
    token = http.as_("admin").token
    response = http.client.open(path, method=method, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 405 and response.mimetype == "application/problem+json"
    assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}


def test_an_unknown_api_path_is_still_a_404(http):
    assert http.client.get("/api/v1/no/such/thing").status_code == 404
    assert http.client.post("/api/v2/tasks").status_code == 404


def test_a_reschedule_without_a_body_is_refused_not_a_silent_200(http):
    token = http.as_("admin").token
    for body in (None, {}):
        response = http.client.patch("/api/v1/processes/sample_project/versions/1", json=body,
                                     headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 422, response.get_json()
        assert "effective_from" in response.get_json()["detail"]


@pytest.mark.parametrize(("path", "media_types"), [
    ("/api/v1/processes/{key}/versions/{a}/diff/{b}", {"application/json", "text/plain"}),  # ?format=text
    ("/api/v1/processes/{key}/bpmn", {"application/xml", "application/json"}),              # ?file=*
    ("/api/v1/attachments/{attachment_id}/content", {"*/*"}),                                # the stored type
])
def test_every_body_an_operation_answers_with_is_documented(http, path, media_types):
    spec = http.client.get("/api/v1/openapi.json").get_json()
    assert set(spec["paths"][path]["get"]["responses"]["200"]["content"]) == media_types
