"""The app as production runs it: gunicorn with two worker processes, through real HTTP.

Each server gets a database of its own, prepared by `flask --app api setup` (SQLite, or
PostgreSQL when TEST_DATABASE_URL is set) and the sample fixture bundle.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import requests
import time_machine
from sqlalchemy import create_engine, text

from api import create_app
from engine.clock import LOCAL_TZ
from engine.db import db

from ..servers import FIXTURES, PASSWORD, Database, Server, gunicorn_server

pytestmark = pytest.mark.network

HTTP_TIMEOUT = 30
APPLY_LARGE = {"project_name": "政务云资源扩容", "budget_yuan": 500000, "category": "software"}


class Client:
    """One user's session against the server: bearer token, JSON."""

    def __init__(self, server: Server, username: str | None = None):
        self.base, self.session = server.url, requests.Session()
        if username is not None:
            reply = self.session.post(f"{self.base}/api/v1/auth/token",
                                      json={"username": username, "password": PASSWORD}, timeout=HTTP_TIMEOUT)
            assert reply.status_code == 200, reply.text
            self.session.headers["Authorization"] = f"Bearer {reply.json()['token']}"

    def get(self, path: str) -> requests.Response:
        return self.session.get(self.base + path, timeout=HTTP_TIMEOUT)

    def post(self, path: str, body: dict) -> requests.Response:
        return self.session.post(self.base + path, json=body, timeout=HTTP_TIMEOUT)


def open_task(case: dict, bpmn_id: str) -> dict:
    tasks = [t for t in case["open_tasks"] if t["bpmn_id"] == bpmn_id]
    assert len(tasks) == 1, case["open_tasks"]
    return tasks[0]


def start_case(server: Server, data: dict | None = None) -> dict:
    reply = Client(server, "s_unit_a").post("/api/v1/instances",
                                            {"process_key": "sample_project", "data": data or APPLY_LARGE})
    assert reply.status_code == 201, reply.text
    return reply.json()


def assert_audit_verifies(server: Server) -> None:
    result = server.flask("audit", "verify")
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    assert '"ok": true' in result.stdout


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with gunicorn_server(tmp_path_factory.mktemp("gunicorn"), SCHEDULER_ENABLED="0") as running:
        yield running


def test_health_openapi_and_docs_are_served(server: Server) -> None:
    health = requests.get(f"{server.url}/healthz", timeout=HTTP_TIMEOUT)
    assert health.status_code == 200
    expected = "postgresql" if server.database.url.startswith("postgresql") else "sqlite"
    assert health.json()["status"] == "ok" and health.json()["database"] == expected
    spec = requests.get(f"{server.url}/api/v1/openapi.json", timeout=HTTP_TIMEOUT)
    assert spec.status_code == 200, spec.text
    assert spec.json()["openapi"].startswith("3.") and "/api/v1/instances" in spec.json()["paths"]
    docs = requests.get(f"{server.url}/api/v1/docs", timeout=HTTP_TIMEOUT)
    assert docs.status_code == 200
    assert docs.headers["Content-Type"].startswith("text/html") and "<html" in docs.text.lower()


def test_a_case_walks_through_two_workers(server: Server) -> None:
    case = start_case(server)
    assert case["status"] == "running"
    review = open_task(case, "review")
    assert review["due_at"] is not None
    # the task list, read on whichever worker answers, shows the task to both reviewers
    for user in ("s_reviewer", "s_reviewer2"):
        listed = Client(server, user).get("/api/v1/tasks")
        assert listed.status_code == 200 and review["id"] in {t["id"] for t in listed.json()["items"]}
    assert Client(server).get(f"/api/v1/instances/{case['id']}").status_code == 401


def test_concurrent_completions_of_one_task_one_wins_one_409(server: Server) -> None:
    rounds = 3  # each round races two requests that land on different worker processes
    for _ in range(rounds):
        case = start_case(server)
        task_id = open_task(case, "review")["id"]
        reviewers = [Client(server, user) for user in ("s_reviewer", "s_reviewer2")]
        barrier = threading.Barrier(len(reviewers), timeout=HTTP_TIMEOUT)
        replies: list[requests.Response] = []
        errors: list[BaseException] = []

        def complete(client: Client, barrier: threading.Barrier = barrier,
                     replies: list = replies, errors: list = errors, task_id: str = task_id) -> None:
            try:
                barrier.wait()
                replies.append(client.post(f"/api/v1/tasks/{task_id}/complete",
                                           {"data": {"review_result": "approve", "review_opinion": "同意"}}))
            except BaseException as exc:  # reported below, never lost in the thread
                errors.append(exc)

        threads = [threading.Thread(target=complete, args=(c,)) for c in reviewers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=2 * HTTP_TIMEOUT)
        assert not errors, errors
        assert sorted(r.status_code for r in replies) == [200, 409], [r.text for r in replies]
        won = next(r for r in replies if r.status_code == 200)
        lost = next(r for r in replies if r.status_code == 409)
        assert [t["bpmn_id"] for t in won.json()["open_tasks"]] == ["trial"]
        assert lost.headers["Content-Type"].startswith("application/problem+json")
        problem = lost.json()
        assert problem["status"] == 409 and problem["type"].startswith("/problems/") and problem["detail"]
        audit = Client(server, "admin").get(f"/api/v1/instances/{case['id']}/audit").json()
        assert [a["action"] for a in audit].count("complete") == 1
    assert_audit_verifies(server)


def _database_rows(url: str, sql: str, **params: object) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql), params))
    finally:
        engine.dispose()


def _as_utc(value: datetime | str) -> datetime:
    value = datetime.fromisoformat(value) if isinstance(value, str) else value
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _walk_to_trial_wait_in_the_past(url: str, back_then: datetime, trial_start: date) -> int:
    """Start a case, approve it and report the trial start, all at `back_then`, through the
    app in-process (this process's clock moved; the server is not running yet)."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "AUTO_SETUP": False,
                      "SCHEDULER_ENABLED": False, "BUNDLE_ROOT": str(FIXTURES / "bpmn"),
                      "FORMS_ROOT": str(FIXTURES / "forms")})
    try:
        with time_machine.travel(back_then, tick=False):
            client = app.test_client()

            def as_(user: str) -> dict[str, str]:
                reply = client.post("/api/v1/auth/token", json={"username": user, "password": PASSWORD})
                assert reply.status_code == 200, reply.get_json()
                return {"Authorization": f"Bearer {reply.get_json()['token']}"}

            reply = client.post("/api/v1/instances", headers=as_("s_unit_a"),
                                json={"process_key": "sample_project", "data": APPLY_LARGE})
            assert reply.status_code == 201, reply.get_json()
            case = reply.get_json()
            reply = client.post(f"/api/v1/tasks/{open_task(case, 'review')['id']}/complete",
                                headers=as_("s_reviewer"),
                                json={"data": {"review_result": "approve", "review_opinion": "同意"}})
            assert reply.status_code == 200, reply.get_json()
            trial = open_task(reply.get_json(), "trial")["id"]
            reply = client.post(f"/api/v1/tasks/{trial}/complete", headers=as_("s_unit_a"),
                                json={"data": {"trial_start_date": trial_start.isoformat()}})
            assert reply.status_code == 200, reply.get_json()
            case = reply.get_json()
            # the request fired nothing: the timer is three months ahead of that day
            assert case["open_tasks"] == [] and case["status"] == "running"
            assert _as_utc(case["next_due_at"]) > back_then + timedelta(days=80)
            return case["id"]
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_the_servers_scheduler_fires_an_overdue_timer_without_any_request(tmp_path: Path) -> None:
    """The server's clock cannot be moved, and the sample process's timers are days or
    months away. So the case is walked *in the past*, before the server starts: this test
    process travels back four months and, through the app in-process, reports the trial start
    (the trial timer `start_of_day(add_months(trial_start_date, 3))` is then three months in
    that day's future, so that request cannot fire it). Back in the present, its due time
    lies a month behind, as after an outage. gunicorn then starts with the scheduler on;
    no request is sent until the database shows that the scheduler fired the timer."""
    back_then = datetime.now(UTC) - timedelta(days=120)
    trial_start = back_then.astimezone(LOCAL_TZ).date() - timedelta(days=1)
    walked: dict[str, int] = {}

    def walk(database: Database) -> None:
        walked["case"] = _walk_to_trial_wait_in_the_past(database.sqlalchemy_url(), back_then, trial_start)

    with gunicorn_server(tmp_path, before_start=walk, SCHEDULER_ENABLED="1", SCHEDULER_INTERVAL="0.5") as srv:
        url, case_id = srv.database.sqlalchemy_url(), walked["case"]
        query = ("SELECT actor, bpmn_id, at FROM audit_entry WHERE instance_id = :i AND action = 'timer_fired'")
        deadline = time.monotonic() + 30
        rows: list = []
        while time.monotonic() < deadline and srv.process.poll() is None:
            rows = _database_rows(url, query, i=case_id)
            if rows:
                break
            time.sleep(0.2)
        assert rows, f"the scheduler fired nothing within 30 s; server log:\n{srv.log_tail()}"
        time.sleep(1.5)  # three more passes on each of two workers: the timer must fire once only
        rows = _database_rows(url, query, i=case_id)
        assert len(rows) == 1, rows
        actor, bpmn_id, at = rows[0]
        assert (actor, bpmn_id) == ("system:timer", "trial_wait")
        assert _as_utc(at) > datetime.now(UTC) - timedelta(minutes=5)  # fired now, not back then

        # now look through HTTP: the case waits for the acceptance, which completes it
        case = Client(srv, "s_unit_a").get(f"/api/v1/instances/{case_id}").json()
        assert case["next_due_at"] is None
        accept = open_task(case, "accept")["id"]
        done = Client(srv, "s_reviewer").post(f"/api/v1/tasks/{accept}/complete",
                                              {"data": {"acceptance_passed": True}})
        assert done.status_code == 200, done.text
        assert done.json()["status"] == "completed"
        assert "试运行满三个月" in [s["name"] for s in done.json()["completed_steps"]]
        assert_audit_verifies(srv)
