"""The in-process timer scheduler runs only where requests are served (gunicorn, `flask run`),
never inside a one-off command: `flask setup` migrating SQLite beside it found the database
locked, and `flask timers run` would have run two loops."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from api import create_app


def app_under(command: str | None, tmp_path: Path):
    config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite'}", "AUTO_SETUP": False,
              "SCHEDULER_ENABLED": True, "SCHEDULER_INTERVAL": 60.0, "ATTACHMENT_STORE": str(tmp_path / "att")}
    if command is None:
        return create_app(config)
    with click.Context(click.Command(command), info_name=command):
        return create_app(config)


@pytest.mark.parametrize(("command", "scheduler"), [("setup", False), ("timers", False), ("db", False),
                                                    ("run", True), (None, True)])
def test_the_scheduler_thread_starts_only_in_a_serving_process(tmp_path: Path, command: str | None,
                                                                scheduler: bool) -> None:
    app = app_under(command, tmp_path)
    stop = app.extensions.get("timer_scheduler_stop")
    try:
        assert (stop is not None) is scheduler
    finally:
        if stop is not None:
            stop.set()
