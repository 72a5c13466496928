"""Security headers on every response — the web app, the API, /healthz, Swagger UI, static files,
errors and downloads — through flask-talisman (an after_request hook, so error responses get
them too). docs/security.md explains each one.

- Content-Security-Policy: everything from the server's own origin and nothing from elsewhere
  (the product loads no CDN: Swagger UI's files are built into web/dist, api/swagger.py).
  `data:` only for images and fonts: bpmn-js's and Swagger UI's stylesheets embed their icon
  font and a few SVG icons as data URIs, which load nothing from anywhere.
  style-src allows 'unsafe-inline' for one reason: bpmn-js / diagram-js and dmn-js (the diagram
  viewers and the modeler) build their palettes, context pads, icons and overlays from HTML and
  SVG markup strings that carry `style` attributes, and add style elements at run time; neither
  can be given a nonce. With style-src 'self' alone the browser tests' pages show CSP refusals
  and the diagrams lose their icons. Scripts stay 'self' only (no inline script, no eval): an
  injected style can change how a page looks, never run code.
- X-Frame-Options DENY and frame-ancestors 'none': no page of the product may be framed.
- X-Content-Type-Options nosniff, Referrer-Policy strict-origin-when-cross-origin.
- Strict-Transport-Security only on requests that arrived over TLS (`request.is_secure`, which
  honours the proxy's X-Forwarded-Proto when PROXY_COUNT (api/config.py) or gunicorn's
  --forwarded-allow-ips says whom to trust). Talisman's own HSTS is off because it also believes
  an X-Forwarded-Proto header sent by anyone.
- Attachment downloads (`DOWNLOAD`) get a stricter policy of their own: `sandbox` and
  `default-src 'none'`, so even a document a browser were to render runs nothing and loads
  nothing.

Talisman's HTTPS redirect is off: TLS ends at the reverse proxy in front of the service
(docs/operations.md), and the service itself is also reached over plain HTTP on 127.0.0.1.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_talisman import DENY, Talisman

SELF = "'self'"
CSP = {
    "default-src": SELF,
    "script-src": SELF,
    "style-src": f"{SELF} 'unsafe-inline'",  # bpmn-js / dmn-js markup with style attributes (see above)
    "img-src": f"{SELF} data:",
    "font-src": f"{SELF} data:",
    "connect-src": SELF,
    "object-src": "'none'",
    "base-uri": SELF,
    "form-action": SELF,
    "frame-ancestors": "'none'",
}
DOWNLOAD_CSP = {"default-src": "'none'", "sandbox": "", "frame-ancestors": "'none'"}
REFERRER_POLICY = "strict-origin-when-cross-origin"
HSTS = "max-age=31536000; includeSubDomains"

# Talisman's per-view decorator only marks the view function (talisman_view_options), so an
# instance without an app can hand it out to the route modules.
_per_view = Talisman()
download = _per_view(content_security_policy=DOWNLOAD_CSP)


def _hsts(response: Response) -> Response:
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = HSTS
    return response


def init_app(app: Flask) -> None:
    Talisman(app, content_security_policy=CSP, frame_options=DENY, referrer_policy=REFERRER_POLICY,
             x_content_type_options=True, force_https=False, strict_transport_security=False,
             # the service sets no cookie (bearer tokens in the web app's sessionStorage)
             session_cookie_secure=False)
    app.after_request(_hsts)
