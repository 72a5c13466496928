"""Timer leases: several schedulers on one database share the due cases (each case leased by
one of them at a time, fired once), and a dead scheduler's lease expires and is taken over.
Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL (where the claim uses SKIP LOCKED).
The clock is moved, never slept."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
import time_machine
from sqlalchemy import create_engine, select, text, update

from engine.cases import instances, timers
from engine.clock import now_utc
from engine.db import db, unit_of_work
from engine.models import AuditEntry, Instance

from ..servers import FIXTURES, PASSWORD, ROOT, STARTUP_TIMEOUT, Database, _wait_healthy, free_port, server_env

START = "2026-03-02T09:00:00+08:00"
DUE = "2026-03-04T09:00:01+08:00"  # just after the sample's P2D intermediate timer


def due_cases(http, count: int) -> list[int]:
    ids = []
    with time_machine.travel(START, tick=False):
        for _ in range(count):
            reply = http.as_("s_unit_a").post("/api/v1/instances", {"process_key": "sample_timers", "data": {}})
            assert reply.status == 201, reply.body
            ids.append(reply.body["id"])
    return ids


def fired_per_case() -> Counter:
    return Counter(db.session.scalars(select(AuditEntry.instance_id).where(AuditEntry.action == "timer_fired")))


def lease(instance_id: int, holder: str, seconds: float) -> None:
    with unit_of_work():
        db.session.execute(update(Instance.__table__).where(Instance.__table__.c.id == instance_id)
                           .values(lease_holder=holder, lease_until=now_utc() + timedelta(seconds=seconds)))


def test_a_live_lease_is_respected_and_a_dead_schedulers_lease_taken_over(app, http):
    held, expired = due_cases(http, 2)
    with app.app_context(), time_machine.travel(DUE, tick=False):
        lease(held, "other-scheduler", 60)    # alive: its holder is firing it
        lease(expired, "dead-scheduler", -1)  # its holder died a while ago
        assert timers.run_due(holder="me") == 1
        assert fired_per_case() == {expired: 1}
        rows = {r.id: r for r in db.session.execute(select(Instance.__table__))}
        assert (rows[expired].lease_holder, rows[expired].lease_until) == (None, None)
        assert rows[held].lease_holder == "other-scheduler" and rows[held].next_due_at is not None
        revision = rows[held].revision
    with app.app_context(), time_machine.travel("2026-03-04T09:01:02+08:00", tick=False):
        assert timers.run_due(holder="me") == 1  # the other one's lease has run out meanwhile
        assert fired_per_case() == {expired: 1, held: 1}
        assert db.session.get(Instance, held).revision == revision + 1  # leasing never moved it


def test_two_schedulers_share_the_due_cases_and_fire_each_once(app, http, monkeypatch):
    ids = due_cases(http, 10)
    claimed: dict[str, list[int]] = defaultdict(list)
    real_claim = timers.claim

    def spy(holder: str, *args, **kwargs) -> list[int]:
        got = real_claim(holder, *args, **kwargs)
        claimed[holder] += got
        return got

    monkeypatch.setattr(timers, "claim", spy)
    together = threading.Barrier(2)
    fired: dict[str, int] = {}
    errors: list[BaseException] = []

    def scheduler(name: str) -> None:
        try:
            with app.app_context():
                together.wait()
                fired[name] = timers.run_due(batch=2, holder=name)
        except BaseException as exc:  # reported below: a thread's exception is otherwise lost
            errors.append(exc)

    with time_machine.travel(DUE, tick=False):
        threads = [threading.Thread(target=scheduler, args=(name,)) for name in ("a", "b")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert not errors, errors
    assert sum(fired.values()) == 10
    assert not set(claimed["a"]) & set(claimed["b"])  # never both on one case
    assert sorted(claimed["a"] + claimed["b"]) == sorted(ids)
    with app.app_context():
        assert fired_per_case() == dict.fromkeys(ids, 1)
        assert db.session.scalar(select(Instance.id).where(Instance.lease_holder.is_not(None))) is None


def test_postgres_claims_skip_cases_another_scheduler_is_claiming(app, http):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SKIP LOCKED is PostgreSQL's; SQLite claims under its one write lock")
        url = db.engine.url
    first, *rest = due_cases(http, 3)
    other = create_engine(url)
    try:
        with other.connect() as conn, time_machine.travel(DUE, tick=False):
            # Another scheduler's claim in flight: its transaction holds the row lock.
            conn.execute(text("SELECT id FROM instance WHERE id = :id FOR UPDATE"), {"id": first})
            got: list[int] = []

            def claim() -> None:
                with app.app_context():
                    got.extend(timers.claim("me", now_utc(), 10))

            claimer = threading.Thread(target=claim)
            claimer.start()
            claimer.join(10)  # a claim that waited for the lock would still be running
            finished = not claimer.is_alive()
            conn.rollback()
            claimer.join(10)
        assert finished and sorted(got) == sorted(rest)
    finally:
        other.dispose()


@pytest.mark.network
def test_scale_out_recipe_two_servers_and_two_schedulers_on_one_database(tmp_path):
    """scripts/scale-out.sh: two gunicorn servers and two `flask timers run` processes on one
    database; a case started on one server is seen on the other, and due timers are fired
    once each by the scheduler processes (the test moves only its own clock, to seed them)."""
    database = Database.fresh(tmp_path)
    ports = [free_port(), free_port()]
    env = server_env(database.url, FIXTURES / "bpmn", FIXTURES / "forms", WEB_PORTS=" ".join(map(str, ports)),
                     TIMERS="2", WEB_CONCURRENCY="1", SCHEDULER_INTERVAL="0.3",
                     VENV_BIN=str(Path(sys.executable).parent))
    log = tmp_path / "scale-out.log"
    with log.open("ab") as out:
        recipe = subprocess.Popen(["scripts/scale-out.sh"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        web = [f"http://127.0.0.1:{p}" for p in ports]
        for base in web:
            assert _wait_healthy(base, recipe, STARTUP_TIMEOUT), log.read_text()
        ids = _seed_due_soon(database.sqlalchemy_url(), count=6, seconds=2)
        tokens = [requests.post(f"{base}/api/v1/auth/token", json={"username": "s_unit_a", "password": PASSWORD},
                                timeout=10).json()["token"] for base in web]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not all(_waits_on_report(web[1], tokens[1], i) for i in ids):
            time.sleep(0.5)
        assert all(_waits_on_report(web[0], tokens[0], i) for i in ids), log.read_text()
        engine = create_engine(database.sqlalchemy_url())
        with engine.connect() as conn:
            fired = Counter(conn.scalars(select(AuditEntry.instance_id).where(AuditEntry.action == "timer_fired")))
            leased = conn.scalar(select(Instance.id).where(Instance.lease_holder.is_not(None)))
        engine.dispose()
        assert fired == dict.fromkeys(ids, 1) and leased is None
        assert recipe.poll() is None, log.read_text()  # every server and scheduler still up
    finally:
        recipe.terminate()  # the script stops the servers and schedulers it started
        try:
            recipe.wait(30)
        finally:
            with suppress(ProcessLookupError):
                os.killpg(recipe.pid, signal.SIGKILL)  # anything it left behind
            database.drop()


def _seed_due_soon(url: str, count: int, seconds: float) -> list[int]:
    """Cases whose P2D timer falls due `seconds` from now: started with this process's clock
    set back two days (the servers' and schedulers' clocks are the real one)."""
    from api import create_app
    from engine.cases.instances import start
    from engine.users import actor_of, find_user

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "BUNDLE_ROOT": str(FIXTURES / "bpmn"),
                      "FORMS_ROOT": str(FIXTURES / "forms"), "AUTO_SETUP": False, "SCHEDULER_ENABLED": False})
    due = datetime.now(UTC) + timedelta(seconds=seconds)
    with app.app_context(), time_machine.travel(due - timedelta(days=2), tick=False):
        ids = [start(actor_of(find_user("s_unit_a")), "sample_timers", {}).id for _ in range(count)]
        db.session.remove()
        db.engine.dispose()
    return ids


def _waits_on_report(base: str, token: str, case_id: int) -> bool:
    reply = requests.get(f"{base}/api/v1/instances/{case_id}", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert reply.status_code == 200, reply.text
    return [t["bpmn_id"] for t in reply.json()["open_tasks"]] == ["t_report"]


def test_a_case_that_fails_to_fire_keeps_its_lease_and_does_not_hold_up_the_others(app, http, monkeypatch):
    bad, *good = due_cases(http, 3)
    real_load = instances.load

    def load(inst):
        if inst.id == bad:
            raise RuntimeError("状态无法读取")  # what an unexpected failure looks like here
        return real_load(inst)

    monkeypatch.setattr(instances, "load", load)  # what fire_loaded restores the case with
    with app.app_context(), time_machine.travel(DUE, tick=False):
        assert timers.run_due(holder="me") == 2
        assert fired_per_case() == dict.fromkeys(good, 1)
        assert db.session.get(Instance, bad).lease_holder == "me"  # backs off until it expires
        monkeypatch.setattr(instances, "load", real_load)
        assert timers.run_due(holder="me") == 0
    with app.app_context(), time_machine.travel("2026-03-04T09:01:02+08:00", tick=False):
        assert timers.run_due(holder="me") == 1
        assert fired_per_case() == {**dict.fromkeys(good, 1), bad: 1}


def test_when_a_whole_chunk_fails_a_case_that_fails_alone_keeps_its_lease(app, http, monkeypatch):
    """The fallback (one transaction per case, `fire_timers`) keeps the same rule."""
    bad, *good = due_cases(http, 3)
    real_fire = timers.fire_timers

    def fire(instance_id: int) -> int:
        if instance_id == bad:
            raise RuntimeError("数据库连接中断")
        return real_fire(instance_id)

    def chunk(_ids: list[int]):
        raise RuntimeError("数据库连接中断")

    monkeypatch.setattr(timers, "fire_chunk", chunk)
    monkeypatch.setattr(timers, "fire_timers", fire)
    with app.app_context(), time_machine.travel(DUE, tick=False):
        assert timers.run_due(holder="me") == 2
        assert fired_per_case() == dict.fromkeys(good, 1)
        assert db.session.get(Instance, bad).lease_holder == "me"
