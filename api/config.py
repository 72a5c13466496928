"""Configuration from the environment; the embedded default needs none of it."""

from __future__ import annotations

import os
from pathlib import Path

from engine.regulations import MAX_ATTACHMENT_BYTES

ROOT = Path(__file__).resolve().parent.parent


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


def from_environment(instance_path: str) -> dict:
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'govit.sqlite'}"
    if database.startswith("postgres://"):  # the scheme some platforms still hand out
        database = "postgresql://" + database[len("postgres://"):]
    if database.startswith("postgresql://"):
        database = "postgresql+psycopg://" + database[len("postgresql://"):]
    return {
        "SQLALCHEMY_DATABASE_URI": database,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BUNDLE_ROOT": os.environ.get("BUNDLE_ROOT", str(ROOT / "bpmn")),
        "FORMS_ROOT": os.environ.get("FORMS_ROOT", str(ROOT / "forms")),
        "WEB_DIST": os.environ.get("WEB_DIST", str(ROOT / "web" / "dist")),
        "AUTO_SETUP": _flag("AUTO_SETUP", True),
        # The largest request: one attachment at the service's cap plus multipart overhead
        # (bundle zips are far smaller); anything larger is a 413 before it is read.
        "MAX_CONTENT_LENGTH": MAX_ATTACHMENT_BYTES + 1024 * 1024,
        # A folder (default <instance>/attachments) or s3://bucket/prefix (extra "s3": boto3).
        "ATTACHMENT_STORE": os.environ.get("ATTACHMENT_STORE") or str(Path(instance_path) / "attachments"),
        "S3_ENDPOINT_URL": os.environ.get("S3_ENDPOINT_URL") or None,  # MinIO, Ceph … (None: AWS)
        # How many reverse proxies stand in front (0: clients connect directly): werkzeug's ProxyFix
        # then takes the client's address and scheme from that many X-Forwarded-For/-Proto hops.
        "PROXY_COUNT": int(os.environ.get("PROXY_COUNT") or 0),
        "DEMO_USERS": _flag("DEMO_USERS", True),
        "DEMO_PASSWORD": os.environ.get("DEMO_PASSWORD", "govit-demo"),
        "SCHEDULER_ENABLED": _flag("SCHEDULER_ENABLED", True),
        "SCHEDULER_INTERVAL": float(os.environ.get("SCHEDULER_INTERVAL", "5")),
        # Each scheduler leases due cases in batches; a dead one's lease expires after this.
        "TIMER_BATCH": int(os.environ.get("TIMER_BATCH", "50")),
        "TIMER_LEASE_SECONDS": float(os.environ.get("TIMER_LEASE_SECONDS", "30")),
        "API_TITLE": "政务信息化项目流程服务 API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "/docs",
        # Swagger UI's files built into web/dist from web's committed lock (no CDN: api/swagger.py)
        "OPENAPI_SWAGGER_UI_URL": "/swagger-ui/",
        "API_SPEC_OPTIONS": {
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearer": []}],
        },
        "JSON_AS_ASCII": False,
    }
