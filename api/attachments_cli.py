"""`flask attachments …`: integrity of every stored document, and pruning abandoned uploads."""

from __future__ import annotations

import json
import sys
from datetime import timedelta

import click
from flask.cli import AppGroup

from engine import cases
from engine.clock import now_utc

from .routes.attachments import store

attachments_cli = AppGroup("attachments", help="Attachments: verify checksums, prune abandoned uploads.")


@attachments_cli.command("verify")
def verify() -> None:
    """Recompute every document's SHA-256; exit 1 (and audit each) if any is changed or missing."""
    checked, bad = cases.verify_attachments(store())
    click.echo(json.dumps({"ok": not bad, "checked": checked, "bad": bad}, ensure_ascii=False))
    if bad:
        sys.exit(1)


@attachments_cli.command("prune")
@click.option("--days", type=click.IntRange(min=1), default=30, show_default=True,
              help="删除早于该天数、从未随表单提交的上传")
def prune(days: int) -> None:
    """Delete uploads never submitted with a form, older than --days."""
    removed = cases.prune_unbound_attachments(store(), now_utc() - timedelta(days=days))
    click.echo(json.dumps({"removed": removed}))
