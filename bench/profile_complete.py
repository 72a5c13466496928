"""Where the time of a complete-task request goes, phase by phase.

`.venv/bin/python bench/profile_complete.py [--cases N] [--postgres URL] [--cprofile FILE]`

The app runs in this process behind Flask's test client (no sockets, no gunicorn), on a fresh
database, and walks the benchmark scenario. Timers are wrapped around the functions the request
passes through (auth, row lookup, load, deserialize, form validation, submit, engine steps,
serialize, task index rewrite, audit append, commit, the response's case view, marshmallow and
JSON); each moment is charged to the innermost phase running, so phases add up to the request.
SQL time and statement counts come from SQLAlchemy cursor events and are shown per phase.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import io
import pstats
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __name__ == "__main__":  # run as a script: make `bench`, `engine`, `api` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import marshmallow
from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from api import create_app, setup
from bench import scenario, server
from bench.client import Directory, demo_users
from engine import audit
from engine.cases import attachments, instances, runtime, views
from engine.db import _writing as writing
from engine.db import db
from engine.language import forms

OTHER = "flask, routing, webargs, other"


@dataclass
class Frame:
    name: str
    resumed: float


@dataclass
class Tracker:
    """Exclusive time per phase: a phase's clock stops while a nested phase runs."""

    stack: list[Frame] = field(default_factory=list)
    exclusive: Counter[str] = field(default_factory=Counter)
    sql_seconds: Counter[str] = field(default_factory=Counter)
    sql_count: Counter[str] = field(default_factory=Counter)
    sql_started: float = 0.0
    in_transaction: float = 0.0  # seconds a unit of work's transaction is open: SQLite's write lock
    began_transaction: float = 0.0

    def push(self, name: str) -> None:
        now = time.perf_counter()
        if self.stack:
            top = self.stack[-1]
            self.exclusive[top.name] += now - top.resumed
            if name == "deserialize (load_state)" and any(f.name.startswith("response") for f in self.stack):
                name = "response: deserialize again"
        self.stack.append(Frame(name, now))

    def pop(self) -> None:
        now = time.perf_counter()
        frame = self.stack.pop()
        self.exclusive[frame.name] += now - frame.resumed
        if self.stack:
            self.stack[-1].resumed = now

    def reset(self) -> None:
        self.stack.clear()
        self.exclusive.clear()
        self.sql_seconds.clear()
        self.sql_count.clear()
        self.in_transaction = 0.0


TRACKER = Tracker()


def timed(name: str, fn: Callable) -> Callable:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        TRACKER.push(name)
        try:
            return fn(*args, **kwargs)
        finally:
            TRACKER.pop()
    return wrapper


# (label, module or class, attribute): patched where the request's code looks the name up.
# "a|b" names alternatives: the code under test is a moving target, the first one present wins.
PHASES: list[tuple[str, Any, str]] = [
    ("auth: token -> actor", sys.modules["api.auth"], "actor_for_token"),
    ("task row + access check", instances, "task_row"),
    ("complete: instance row, bookkeeping", instances, "complete"),
    ("load: version, bundle", instances, "load"),
    ("load: version, bundle", instances, "load_to_change"),
    ("attachments: check, bind", attachments, "check"),
    ("attachments: check, bind", attachments, "bind"),
    ("deserialize (load_state)", instances, "load_state"),
    ("form validation", forms, "validate"),
    ("submit (task.run)", runtime, "submit"),
    ("engine steps + due timers (advance)", instances, "_advance_and_note_timers|advance_and_note_timers"),
    ("save: state row, flush", instances, "save"),
    ("serialize (dump_state)", instances, "dump_state"),
    ("task index rewrite", instances, "reindex"),
    ("audit append", audit, "record"),
    ("response: case view (instance_detail)", views, "case_after_action|instance_detail"),
    ("response: case view (instance_detail)", views, "load"),
    ("marshmallow load/dump", marshmallow.Schema, "load"),
    ("marshmallow load/dump", marshmallow.Schema, "dump"),
]


def instrument(app: Flask) -> None:
    for label, owner, names in PHASES:
        attribute = next((n for n in names.split("|") if hasattr(owner, n)), None)
        if attribute is None:
            print(f"warning: {names} not found on {owner.__name__}: phase '{label}' not measured", file=sys.stderr)
            continue
        setattr(owner, attribute, timed(label, getattr(owner, attribute)))
    app.json.dumps = timed("JSON encode/decode", app.json.dumps)
    app.json.loads = timed("JSON encode/decode", app.json.loads)

    @event.listens_for(Session, "before_commit")
    def _before_commit(_session: Session) -> None:
        TRACKER.push("commit (flush + COMMIT)")

    @event.listens_for(Session, "after_commit")
    def _after_commit(_session: Session) -> None:
        TRACKER.pop()

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "begin")
    def _begin(_conn: Any) -> None:
        if writing.get():  # a unit of work; reads run in deferred transactions that lock nothing
            TRACKER.began_transaction = time.perf_counter()

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _end(_conn: Any) -> None:
        if TRACKER.began_transaction:
            TRACKER.in_transaction += time.perf_counter() - TRACKER.began_transaction
            TRACKER.began_transaction = 0.0

    @event.listens_for(engine, "before_cursor_execute")
    def _before(*_args: Any) -> None:
        TRACKER.sql_started = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(*_args: Any) -> None:
        phase = TRACKER.stack[-1].name if TRACKER.stack else OTHER
        TRACKER.sql_seconds[phase] += time.perf_counter() - TRACKER.sql_started
        TRACKER.sql_count[phase] += 1


@dataclass
class Sample:
    bpmn_id: str
    total: float
    exclusive: dict[str, float]
    sql_seconds: dict[str, float]
    sql_count: dict[str, int]
    in_transaction: float


def build_app(database: server.Database, workdir: Path) -> Flask:
    bpmn_root, forms_root = server.snapshot_bundle(workdir)
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": server.sqlalchemy_url(database), "BUNDLE_ROOT": str(bpmn_root),
        "FORMS_ROOT": str(forms_root), "ATTACHMENT_STORE": str(workdir / "attachments"),
        "AUTO_SETUP": False, "SCHEDULER_ENABLED": False,
        "DEMO_USERS": True, "DEMO_PASSWORD": server.PASSWORD})
    setup.bootstrap(app)
    return app


class Walker:
    def __init__(self, app: Flask, view: str = "summary"):
        self.view = view
        self.http = app.test_client()
        self.directory = Directory(demo_users())
        self.tokens = {u.username: self._login(u.username) for u in self.directory.users}

    def _login(self, username: str) -> str:
        reply = self.http.post("/api/v1/auth/token", json={"username": username, "password": server.PASSWORD})
        return reply.get_json()["token"]

    def _auth(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    def _upload(self, task: dict[str, Any], field: str, doc: scenario.Doc, headers: dict[str, str]) -> str:
        """Upload before the measured request: documents are not part of the completion."""
        reply = self.http.post("/api/v1/attachments", headers=headers, content_type="multipart/form-data", data={
            "field": field, "task_id": task["id"], "file": (io.BytesIO(doc.content), doc.filename)})
        if reply.status_code != 201:
            raise RuntimeError(f"upload failed: {reply.status_code} {reply.get_data(True)[:300]}")
        return reply.get_json()["id"]

    def case(self, profiler: cProfile.Profile | None, profile_step: int) -> list[Sample]:
        applicant = self.directory.applicants()[0].username
        reply = self.http.post("/api/v1/instances", headers=self._auth(applicant),
                               json={"process_key": scenario.PROCESS_KEY, "data": scenario.APPLICATION})
        tasks, walk, samples = reply.get_json()["open_tasks"], scenario.Walk(), []
        for step in range(scenario.MAX_STEPS):
            if not tasks:
                break
            task = tasks[scenario.pick([t["bpmn_id"] for t in tasks])]
            headers = self._auth(self.directory.for_task(task))
            def upload(field: str, doc: scenario.Doc, task: dict = task, headers: dict = headers) -> str:
                return self._upload(task, field, doc, headers)
            data = scenario.resolve(walk.data_for(task["bpmn_id"]), upload)
            use_profiler = profiler is not None and step == profile_step
            TRACKER.reset()
            began = time.perf_counter()
            if use_profiler:
                profiler.enable()
            reply = self.http.post(f"/api/v1/tasks/{task['id']}/complete?view={self.view}", headers=headers,
                                   json={"data": data})
            total = time.perf_counter() - began
            if use_profiler:
                profiler.disable()
            if reply.status_code != 200:
                raise RuntimeError(f"complete failed: {reply.status_code} {reply.get_data(True)[:300]}")
            samples.append(Sample(task["bpmn_id"], total, dict(TRACKER.exclusive), dict(TRACKER.sql_seconds),
                                  dict(TRACKER.sql_count), TRACKER.in_transaction))
            tasks = reply.get_json()["open_tasks"]
        return samples


def labels() -> list[str]:
    seen: list[str] = []
    for label, _, _ in PHASES:
        if label not in seen:
            seen.append(label)
            if label == "response: case view (instance_detail)":
                seen.append("response: deserialize again")
    return [*seen, "JSON encode/decode", "commit (flush + COMMIT)", OTHER]


def breakdown(samples: list[Sample], title: str) -> str:
    n = len(samples)
    total = sum(s.total for s in samples) / n
    lines = [title, f"{'phase':<42} {'ms':>7} {'share':>6} {'SQL ms':>7} {'stmts':>6}"]
    for label in labels():
        if label == OTHER:
            ms = total - sum(sum(s.exclusive.values()) for s in samples) / n
        else:
            ms = sum(s.exclusive.get(label, 0.0) for s in samples) / n
        sql = sum(s.sql_seconds.get(label, 0.0) for s in samples) / n
        count = sum(s.sql_count.get(label, 0) for s in samples) / n
        lines.append(f"{label:<42} {ms * 1000:>7.2f} {ms / total:>6.1%} {sql * 1000:>7.2f} {count:>6.1f}")
    sql_total = sum(sum(s.sql_seconds.values()) for s in samples) / n
    statements = sum(sum(s.sql_count.values()) for s in samples) / n
    lines.append(f"{'total per request':<42} {total * 1000:>7.2f} {1:>6.0%} {sql_total * 1000:>7.2f} "
                 f"{statements:>6.1f}")
    held = sum(s.in_transaction for s in samples) / n
    lines.append(f"{'  of which inside the unit of work':<42} {held * 1000:>7.2f} {held / total:>6.1%}"
                 "   (on SQLite under BEGIN IMMEDIATE: the database-wide write lock)")
    return "\n".join(lines)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=3, help="cases walked after one warm-up case")
    parser.add_argument("--step", type=int, default=16, help="0-based completion shown alone (and cProfiled)")
    parser.add_argument("--postgres", metavar="URL", help="PostgreSQL server on 127.0.0.1 instead of SQLite")
    parser.add_argument("--view", default="summary", choices=("summary", "full"), help="?view= of the complete call")
    parser.add_argument("--cprofile", metavar="FILE", help="also write cProfile stats of that one request")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="govit-profile-"))
    database = server.postgres_database(args.postgres) if args.postgres else server.sqlite_database(workdir)
    try:
        app = build_app(database, workdir)
        instrument(app)
        walker = Walker(app, args.view)
        walker.case(None, -1)  # warm-up: caches, validators, first connection
        samples = []
        for _ in range(args.cases):
            samples += walker.case(None, -1)
        one = samples[args.step]
        print(breakdown([one], f"one request: step {args.step} ({one.bpmn_id}), {database.url.split(':')[0]}"))
        print()
        print(breakdown(samples, f"mean of {len(samples)} requests ({args.cases} cases x "
                                 f"{len(samples) // args.cases} steps)"))
        if args.cprofile:  # a separate case: cProfile's overhead must not distort the timings above
            profiler = cProfile.Profile()
            walker.case(profiler, args.step)
            profiler.dump_stats(args.cprofile)
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(15)
            print("\n" + out.getvalue())
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        server.drop_database(database)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
