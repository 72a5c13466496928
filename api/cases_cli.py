"""`flask cases check`: every case's task index and status against its stored state."""

from __future__ import annotations

import json
import sys
from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from engine import cases
from engine.db import db
from engine.models import Instance

cases_cli = AppGroup("cases", help="Cases: consistency of index, status and stored state.")


@cases_cli.command("check")
@click.option("--slack", type=float, default=30.0, show_default=True,
              help="Seconds past the scheduler interval after which an unfired timer counts as stuck.")
@click.option("--limit", type=int, default=50, show_default=True, help="Problems printed at most.")
def check(slack: float, limit: int) -> None:
    """Recompute each case's open tasks from its state; exit 1 on any mismatch or stuck case."""
    grace = timedelta(seconds=current_app.config["SCHEDULER_INTERVAL"] + slack)
    problems = list(cases.check_consistency(grace))
    for line in problems[:limit]:
        click.echo(line, err=True)
    count = db.session.query(Instance).count()
    click.echo(json.dumps({"ok": not problems, "cases": count, "problems": len(problems)}))
    if problems:
        sys.exit(1)
