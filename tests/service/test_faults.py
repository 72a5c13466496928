"""Faults: a lost database is a 503 problem and the service recovers by itself; kill -9 of
web workers, the server and the scheduler loses no acknowledged completion; the consistency
check that proves it finds a task index that disagrees with the stored state.

The kill runs are bounded versions of `bench/faults.py` (the full run's figures are in
bench/results/): SQLite under `make test`, a private PostgreSQL cluster under
`make test-postgres` (it must be stopped and started, so not the shared test server).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
import requests
from click.testing import Result

from bench import faults
from engine.cases.consistency import check_instance
from engine.db import db
from engine.models import Instance, TaskIndex

from ..cases.test_api_cases import only_task, start

ON_POSTGRES = bool(os.environ.get("TEST_DATABASE_URL"))
needs_postgres = pytest.mark.skipif(
    not ON_POSTGRES or faults.pg_bin() is None,
    reason="PostgreSQL faults run under make test-postgres (needs initdb/pg_ctl: /usr/lib/postgresql/*/bin)")


def _cases_check(app) -> Result:
    return app.test_cli_runner().invoke(args=["cases", "check"])


def test_consistency_check_finds_an_index_that_disagrees_with_the_state(app, http) -> None:
    case = start(http)
    task_id = only_task(case, "review")["id"]
    with app.app_context():
        inst = db.session.get(Instance, case["id"])
        assert check_instance(inst) == []
        row = db.session.get(TaskIndex, task_id)
        db.session.delete(row)
        db.session.commit()
        assert check_instance(inst) == [f"case {inst.id}: open task {task_id} (review) missing from task_index"]
    result = _cases_check(app)
    assert result.exit_code == 1 and '"problems": 1' in result.output, result.output
    with app.app_context():
        inst = db.session.get(Instance, case["id"])
        db.session.add(TaskIndex(**{c.name: getattr(row, c.name) for c in TaskIndex.__table__.columns}))
        db.session.add(TaskIndex(**{**{c.name: getattr(row, c.name) for c in TaskIndex.__table__.columns},
                                    "task_id": "00000000-0000-0000-0000-000000000000"}))
        inst.status = "completed"
        db.session.commit()
        found = check_instance(inst)
        assert any("00000000-0000-0000-0000-000000000000 (review) is not open" in p for p in found), found
        assert any("status completed but the workflow is not" in p for p in found), found
        inst.status, inst.error = "error", "脚本出错"
        db.session.commit()
    result = _cases_check(app)
    assert result.exit_code == 1 and "in error" in result.output, result.output


def test_an_unreachable_database_is_a_503_problem_not_a_500(app) -> None:
    """A PostgreSQL URL where nothing listens: the very first query (authentication) fails."""
    unreachable = f"postgresql+psycopg://postgres@127.0.0.1:{faults.free_port()}/none?connect_timeout=2"
    from api import create_app

    down = create_app({**app.config, "SQLALCHEMY_DATABASE_URI": unreachable, "AUTO_SETUP": False})
    reply = down.test_client().get("/api/v1/tasks", headers={"Authorization": "Bearer x"})
    assert reply.status_code == 503, reply.get_data(True)
    assert reply.content_type.startswith("application/problem+json")
    body = reply.get_json()
    assert body["type"] == "/problems/database-unavailable" and body["title"] == "数据库暂不可用，请稍后重试"
    assert int(reply.headers["Retry-After"]) > 0
    with down.app_context():
        db.engine.dispose()


def test_a_connection_dropped_by_the_database_does_not_fail_the_response_at_teardown(app, http, monkeypatch) -> None:
    """PostgreSQL restarting terminates the connection of a request that has already made its
    response; the session's rollback at the end of the request then fails. Seen in CI as a bare
    gunicorn 500 after a completion: the response stands, and the next request gets a fresh
    session."""
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    real_close, failures = Session.close, []

    def close_on_a_dead_connection(self: Session) -> None:
        if not failures:
            failures.append(self)
            raise OperationalError("ROLLBACK", {}, Exception("terminating connection due to administrator command"))
        real_close(self)

    monkeypatch.setattr(Session, "close", close_on_a_dead_connection)
    case = start(http)
    assert failures, "the teardown's close was not reached"
    assert case["id"] and only_task(case, "review")
    again = http.as_("s_unit_a").get(f"/api/v1/instances/{case['id']}")
    assert again.status == 200 and again.body["id"] == case["id"]


def _assert_nothing_lost(figures: dict) -> None:
    assert figures["ok"], json.dumps(figures, ensure_ascii=False, indent=1)
    assert figures["lost"] == 0 and figures["acked_but_open"] == 0, figures
    assert figures["completions_acked"] > 0 and figures["acked_after_last_fault"] > 0, figures
    assert figures["bad_5xx"] == 0, figures["bad_5xx_examples"]
    assert figures["cases_check_ok"] and figures["audit_verify_ok"], figures
    assert figures["timer_cases_fired"] == figures["timer_cases"], figures


@pytest.mark.network
@pytest.mark.skipif(ON_POSTGRES, reason="the SQLite run belongs to make test")
def test_sqlite_kill9_of_workers_server_and_scheduler_loses_nothing(tmp_path: Path) -> None:
    figures = faults.run("sqlite", tmp_path, seconds=12, kills=3, workers=2, clients=3, timer_cases=3)
    assert figures["faults"] == {"worker_kill9": 1, "scheduler_kill9": 1, "server_kill9": 1}, figures
    _assert_nothing_lost(figures)


@pytest.mark.network
@needs_postgres
def test_postgres_kill9_and_restart_loses_nothing(tmp_path: Path) -> None:
    figures = faults.run("postgresql", tmp_path, seconds=12, kills=2, pg_restarts=1, workers=2, clients=3,
                         timer_cases=3)
    assert figures["faults"] == {"worker_kill9": 1, "scheduler_kill9": 1, "postgres_restart": 1}, figures
    assert figures["statuses"].get("503", 0) > 0, figures  # the outage was met, as problems
    _assert_nothing_lost(figures)


@pytest.mark.network
@needs_postgres
def test_postgres_restart_gives_503_problems_then_recovers_without_restarting_the_app(tmp_path: Path) -> None:
    with faults.pg_cluster() as cluster:
        app = faults.App(tmp_path, cluster.create_database("outage"), workers=2, scheduler_interval=1.0)
        assert app.flask("setup").returncode == 0
        try:
            app.start_server()
            login = requests.post(f"{app.base}/api/v1/auth/token", timeout=30,
                                  json={"username": "s_reviewer", "password": faults.PASSWORD})
            headers = {"Authorization": f"Bearer {login.json()['token']}"}
            assert requests.get(f"{app.base}/api/v1/tasks", headers=headers, timeout=30).status_code == 200
            cluster.stop("fast")
            for _ in range(4):  # each worker's pooled connection is dead or refused: every one a 503
                reply = requests.get(f"{app.base}/api/v1/tasks", headers=headers, timeout=30)
                assert reply.status_code == 503, reply.text
                assert reply.headers["Content-Type"].startswith("application/problem+json")
                assert reply.json()["type"] == "/problems/database-unavailable"
                assert int(reply.headers["Retry-After"]) > 0
            cluster.start()
            deadline, statuses = time.monotonic() + 30, []
            while time.monotonic() < deadline:
                statuses.append(requests.get(f"{app.base}/api/v1/tasks", headers=headers, timeout=30).status_code)
                if statuses[-4:] == [200] * 4:  # both workers' pools recovered
                    break
                time.sleep(0.2)
            assert statuses[-4:] == [200] * 4, statuses
            assert set(statuses) <= {200, 503}, statuses
        finally:
            app.stop()
