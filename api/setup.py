"""Bring a database to a usable state: schema, bundled regulations, demo users."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select

from engine import revisions
from engine.db import db, unit_of_work
from engine.errors import BundleInvalid
from engine.models import User
from engine.regulations import discover, from_folders
from engine.users import create_user, seed_demo_users

log = logging.getLogger(__name__)

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def upgrade_schema() -> None:
    upgrade(directory=MIGRATIONS)


def deploy_bundled(app: Flask, actor: str = "system") -> revisions.FolderResults:
    """Deploy the bundled jurisdictions; a refused bundle is logged with every problem."""
    results = revisions.deploy_folders(Path(app.config["BUNDLE_ROOT"]), Path(app.config["FORMS_ROOT"]), actor)
    for name, exc in results.refused.items():
        problems = "; ".join(f"{p['file']}:{p.get('line') or '-'} [{p.get('element') or '-'}] {p['message']}"
                             for p in exc.errors)
        log.error("bundle %s refused: %s — %s", name, exc.detail, problems)
    return results


def seed_demo(app: Flask) -> int:
    """Demo users of every bundled jurisdiction, plus an administrator `admin`."""
    password = app.config["DEMO_PASSWORD"]
    made = 0
    with unit_of_work():
        for bpmn_dir, forms_dir in discover(Path(app.config["BUNDLE_ROOT"]), Path(app.config["FORMS_ROOT"])):
            try:
                bundle = from_folders(bpmn_dir, forms_dir)
                made += seed_demo_users(bundle.id, bundle.manifest.get("demo_users", []), password)
            except BundleInvalid:
                continue  # its manifest is broken: deploy_bundled has reported it
        if db.session.scalar(select(User).where(User.username == "admin")) is None:
            create_user("admin", password, "系统管理员", None, [], is_admin=True)
            made += 1
    return made


def bootstrap(app: Flask) -> None:
    """The embedded default: idempotent, so every start may run it."""
    with app.app_context():
        upgrade_schema()
        deploy_bundled(app)
        if app.config["DEMO_USERS"]:
            seed_demo(app)
