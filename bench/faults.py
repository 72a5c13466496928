"""Faults under load: kill -9 of web workers, the whole server and the timer scheduler, and a
PostgreSQL restart, while client threads complete tasks; then nothing acknowledged may be lost.

    .venv/bin/python -m bench.faults --database sqlite --seconds 60 --kills 8
    .venv/bin/python -m bench.faults --database postgresql --seconds 60 --kills 8 --pg-restarts 2

Everything runs on 127.0.0.1 in a temporary directory: the app under gunicorn (the sample
fixture bundle), `flask timers run`, and on PostgreSQL a private cluster of its own (initdb +
pg_ctl) so it can be stopped and started. Clients record every completion answered 200 (task
id + case id). Afterwards: each acknowledged completion has its `complete` audit entry and the
task is no longer open; `flask cases check` (task index recomputed from every case's stored
state, no case in error, no timer overdue) and `flask audit verify` are clean. It prints the
figures as JSON; exit 1 if any check fails. Bounded: every wait has a timeout.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import requests
from sqlalchemy import create_engine, func, select, text

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
HOST = "127.0.0.1"
PASSWORD = "faults-pass-2026"
HTTP_TIMEOUT = 30.0
APPLY = {"project_name": "故障演练项目", "budget_yuan": 500000, "category": "software"}
# What each task of the sample process is completed with: review sends back, so a case goes
# round review → resubmit for as long as the run lasts (many completions per case).
TASK_DATA = {
    "review": ("s_reviewer", {"review_result": "send_back", "review_opinion": "请补正材料"}),
    "resubmit": ("s_unit_a", {"resubmit_note": "已补正"}),
}
TIMER_CASES_FIRED = ("SELECT count(DISTINCT a.instance_id) FROM audit_entry a JOIN instance i "
                     "ON i.id = a.instance_id WHERE a.action = 'timer_fired' AND i.process_key = 'sample_timers'")
APP_VARIABLES = ("DATABASE_URL", "AUTO_SETUP", "DEMO_USERS", "DEMO_PASSWORD", "SCHEDULER_ENABLED",
                 "SCHEDULER_INTERVAL", "BUNDLE_ROOT", "FORMS_ROOT", "WEB_CONCURRENCY", "GUNICORN_CMD_ARGS")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def pg_bin() -> Path | None:
    """PostgreSQL's server binaries (Debian layout, newest version), or PG_BIN; None if absent."""
    if os.environ.get("PG_BIN") and (Path(os.environ["PG_BIN"]) / "pg_ctl").exists():
        return Path(os.environ["PG_BIN"])
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else None


class PgCluster:
    """A private PostgreSQL cluster in `root` that can be stopped and started on one port.
    initdb refuses root, so as root it runs as the `postgres` user."""

    def __init__(self, root: Path, binaries: Path):
        self.root, self.bin, self.port = root, binaries, free_port()
        self.data = root / "pgdata"
        self.as_owner: list[str] = []
        if os.getuid() == 0:
            self.as_owner = ["runuser", "-u", "postgres", "--"]
            shutil.chown(root, "postgres")
        root.chmod(0o700)

    def _run(self, *args: str, timeout: float = 90) -> None:
        done = subprocess.run([*self.as_owner, *args], timeout=timeout, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{Path(args[0]).name} failed ({done.returncode}): {done.stdout}{done.stderr}")

    def init(self) -> None:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "-E", "UTF8", "--locale=C", "--no-sync")
        self.start()

    def start(self) -> None:
        options = (f"-p {self.port} -c listen_addresses={HOST} -k {self.root} -c max_connections=200 "
                   "-c fsync=off -c full_page_writes=off")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "server.log"),
                  "-w", "-t", "60", "start", "-o", options)

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@{HOST}:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        engine = create_engine(self.url().replace("postgresql://", "postgresql+psycopg://", 1),
                               isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return self.url(name)


@contextmanager
def pg_cluster(root: Path | None = None) -> Iterator[PgCluster]:
    """A cluster in a directory of its own under `root` (the postgres user must reach it,
    so never inside a root-only temporary directory); removed afterwards."""
    binaries = pg_bin()
    if binaries is None:
        raise RuntimeError("PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin)")
    cluster = PgCluster(Path(tempfile.mkdtemp(prefix="govit-faults-pg-", dir=root)), binaries)  # None: /tmp
    try:
        cluster.init()
        yield cluster
    finally:
        with suppress(subprocess.SubprocessError, OSError):
            cluster.stop("immediate")
        shutil.rmtree(cluster.root, ignore_errors=True)


def _kill_group(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=20)


class App:
    """The app under gunicorn plus one `flask timers run`, each in a process group of its own
    (so a kill -9 of the whole server takes its workers with it)."""

    def __init__(self, workdir: Path, database_url: str, workers: int, scheduler_interval: float):
        self.workdir, self.workers, self.port = workdir, workers, free_port()
        self.base = f"http://{HOST}:{self.port}"
        env = {k: v for k, v in os.environ.items() if k not in APP_VARIABLES}
        env.update(DATABASE_URL=database_url, AUTO_SETUP="0", DEMO_USERS="1", DEMO_PASSWORD=PASSWORD,
                   SCHEDULER_ENABLED="0", SCHEDULER_INTERVAL=str(scheduler_interval),
                   BUNDLE_ROOT=str(FIXTURES / "bpmn"), FORMS_ROOT=str(FIXTURES / "forms"),
                   ATTACHMENT_STORE=str(workdir / "attachments"), PYTHONUNBUFFERED="1",
                   PYTHONPATH=str(ROOT), HOME=str(workdir))
        self.env = env
        self.server: subprocess.Popen | None = None
        self.scheduler: subprocess.Popen | None = None

    def flask(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "flask", "--app", "api", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=timeout, check=False)

    def _spawn(self, command: list[str], log: str) -> subprocess.Popen:
        with (self.workdir / log).open("ab") as out:
            return subprocess.Popen(command, cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)

    def start_server(self, timeout: float = 60) -> None:
        self.server = self._spawn([sys.executable, "-m", "gunicorn", "--workers", str(self.workers),
                                   "--bind", f"{HOST}:{self.port}", "--timeout", "60",
                                   "--graceful-timeout", "5", "api:create_app()"], "gunicorn.log")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {(self.workdir / 'gunicorn.log').read_text()[-2000:]}")
            with suppress(requests.RequestException):
                if requests.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return
            time.sleep(0.1)
        raise TimeoutError("gunicorn did not become healthy")

    def start_scheduler(self) -> None:
        self.scheduler = self._spawn([sys.executable, "-m", "flask", "--app", "api", "timers", "run"],
                                     "scheduler.log")

    def worker_pids(self) -> list[int]:
        if self.server is None:
            return []
        try:
            children = Path(f"/proc/{self.server.pid}/task/{self.server.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in children.split()]

    def kill_worker(self, rng: random.Random) -> bool:
        pids = self.worker_pids()
        if not pids:
            return False
        with suppress(ProcessLookupError):
            os.kill(rng.choice(pids), signal.SIGKILL)  # gunicorn's master respawns it
        return True

    def kill_server(self) -> None:
        """kill -9 the master and every worker at once (the box losing the process), then restart."""
        assert self.server is not None
        _kill_group(self.server)
        self.start_server()

    def kill_scheduler(self) -> None:
        assert self.scheduler is not None
        _kill_group(self.scheduler)
        self.start_scheduler()

    def stop(self) -> None:
        for process in (self.scheduler, self.server):
            if process is not None and process.poll() is None:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
                with suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=15)
                _kill_group(process)


@dataclass
class Ledger:
    """What the clients saw: every acknowledged completion and every answer's status."""

    acked: list[tuple[str, int]] = field(default_factory=list)  # (task id, case id)
    statuses: Counter = field(default_factory=Counter)
    bad: list[str] = field(default_factory=list)  # 500s and non-problem 503s, with their body
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, reply: requests.Response | None, what: str) -> None:
        with self.lock:
            if reply is None:
                self.statuses["connection-error"] += 1
                return
            self.statuses[str(reply.status_code)] += 1
            problem = reply.headers.get("Content-Type", "").startswith("application/problem+json")
            if reply.status_code >= 500 and not (reply.status_code == 503 and problem
                                                 and reply.json().get("type") == "/problems/database-unavailable"
                                                 and reply.headers.get("Retry-After")):
                self.bad.append(f"{what}: {reply.status_code} {reply.text[:300]}")


class Client:
    """One client thread: starts a case, then completes whatever task it has open, again and
    again. An unanswered or refused request is not acknowledged; the case is re-read."""

    def __init__(self, base: str, ledger: Ledger, stop: threading.Event):
        self.base, self.ledger, self.stop = base, ledger, stop
        self.tokens: dict[str, str] = {}

    def _call(self, method: str, path: str, user: str, body: dict | None = None) -> requests.Response | None:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"} if user in self.tokens else {}
        try:
            reply = requests.request(method, self.base + path, json=body, headers=headers, timeout=HTTP_TIMEOUT)
        except requests.RequestException:
            reply = None
        self.ledger.note(reply, f"{method} {path}")
        return reply

    def _login(self, user: str) -> None:
        while user not in self.tokens and not self.stop.is_set():
            reply = self._call("POST", "/api/v1/auth/token", "", {"username": user, "password": PASSWORD})
            if reply is not None and reply.status_code == 200:
                self.tokens[user] = reply.json()["token"]
            else:
                time.sleep(0.2)

    def _case(self, case_id: int | None) -> dict | None:
        """The case as it is now (a new one if `case_id` is None), retried through faults."""
        while not self.stop.is_set():
            if case_id is None:
                reply = self._call("POST", "/api/v1/instances", "s_unit_a",
                                   {"process_key": "sample_project", "data": APPLY})
                ok = reply is not None and reply.status_code == 201
            else:
                reply = self._call("GET", f"/api/v1/instances/{case_id}", "s_unit_a")
                ok = reply is not None and reply.status_code == 200
            if ok:
                return reply.json()
            time.sleep(0.2)
        return None

    def run(self) -> None:
        for user in {u for u, _ in TASK_DATA.values()}:
            self._login(user)
        case = self._case(None)
        while case is not None and not self.stop.is_set():
            task = next((t for t in case.get("open_tasks", []) if t["bpmn_id"] in TASK_DATA), None)
            if task is None:  # nothing this client knows how to do: start another case
                case = self._case(None)
                continue
            user, data = TASK_DATA[task["bpmn_id"]]
            reply = self._call("POST", f"/api/v1/tasks/{task['id']}/complete", user, {"data": data})
            if reply is not None and reply.status_code == 200:
                with self.ledger.lock:
                    self.ledger.acked.append((task["id"], case["id"]))
                case = {**case, **reply.json()}
            else:  # unknown outcome (killed mid-request, 503, 409): read what is true now
                time.sleep(0.1)
                case = self._case(case["id"])


def seed_timer_cases(app: App, dues: list[float]) -> None:
    """Cases of the sample timer process whose P2D timer falls due at each of `dues` (epoch
    seconds, during the run): started with the clock set back two days, in this process,
    while the server runs. The scheduler, killed meanwhile, must still fire every one."""
    import time_machine

    from api import create_app
    from engine.cases import start
    from engine.db import db
    from engine.users import actor_of, find_user

    flask_app = create_app({"SQLALCHEMY_DATABASE_URI": app.env["DATABASE_URL"].replace(
        "postgresql://", "postgresql+psycopg://", 1), "BUNDLE_ROOT": app.env["BUNDLE_ROOT"],
        "FORMS_ROOT": app.env["FORMS_ROOT"], "AUTO_SETUP": False, "SCHEDULER_ENABLED": False})
    with flask_app.app_context():
        for due in dues:
            with time_machine.travel(due - 2 * 86400, tick=False):
                start(actor_of(find_user("s_unit_a")), "sample_timers", {})
        db.session.remove()
        db.engine.dispose()


def verify(app: App, database_url: str, ledger: Ledger, slack: float) -> dict:
    """The checks after the run, against the database as it is on disk."""
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    acked = {task_id for task_id, _ in ledger.acked}
    with engine.connect() as conn:
        audited = {row[0] for row in conn.execute(text(
            "SELECT task_id FROM audit_entry WHERE action = 'complete' AND task_id IS NOT NULL"))}
        still_open = {row[0] for row in conn.execute(text("SELECT task_id FROM task_index"))}
        cases = conn.scalar(text("SELECT count(*) FROM instance"))
        completions = conn.scalar(text("SELECT count(*) FROM audit_entry WHERE action = 'complete'"))
        timers_fired = conn.scalar(text(TIMER_CASES_FIRED))
    engine.dispose()
    check = app.flask("cases", "check", "--slack", str(slack))
    audit = app.flask("audit", "verify")
    return {
        "cases": cases, "completions_stored": completions, "timer_cases_fired": timers_fired,
        "lost": len(acked - audited), "acked_but_open": len(acked & still_open),
        "cases_check_ok": check.returncode == 0, "cases_check": (check.stdout + check.stderr).strip()[-1500:],
        "audit_verify_ok": audit.returncode == 0 and '"ok": true' in audit.stdout,
    }


LEASE_SECONDS = 10  # a killed scheduler's leases block its cases this long (production: 30)
DRAIN_TIMEOUT = 90.0  # after the load: time allowed for the last due timers to fire


def run(database: str, workdir: Path, seconds: float = 60, kills: int = 8, pg_restarts: int = 1,
        workers: int = 3, clients: int = 4, seed: int = 9, timer_cases: int = 6) -> dict:
    """One fault run; returns the figures (see the module docstring). `kills` faults are spread
    over `seconds`, cycling worker / scheduler / (SQLite: whole server) kills."""
    with (pg_cluster() if database == "postgresql" else _no_cluster()) as cluster:
        url = cluster.create_database("faults") if cluster else f"sqlite:///{workdir / 'faults.sqlite'}"
        app = App(workdir, url, workers, scheduler_interval=1.0)
        app.env["TIMER_LEASE_SECONDS"] = str(LEASE_SECONDS)
        setup = app.flask("setup")
        if setup.returncode != 0:
            raise RuntimeError(f"flask setup failed:\n{setup.stdout}\n{setup.stderr}")
        try:
            app.start_server()
            app.start_scheduler()
            begin = time.time()  # timers fall due through the first 70% of the run, faults or not
            seed_timer_cases(app, [begin + seconds * 0.7 * (k + 1) / timer_cases for k in range(timer_cases)])
            figures = {"database": database, "seconds": seconds,
                       **_drive(app, cluster, seconds, kills, pg_restarts, clients, random.Random(seed))}
            figures["drain_seconds"] = _drain(url, timer_cases)
            figures["timer_cases"] = timer_cases
            figures.update(verify(app, url, figures.pop("ledger"), slack=LEASE_SECONDS + 5.0))
        finally:
            app.stop()
    figures["ok"] = (figures["lost"] == 0 and figures["acked_but_open"] == 0 and figures["cases_check_ok"]
                     and figures["audit_verify_ok"] and figures["bad_5xx"] == 0
                     and figures["acked_after_last_fault"] > 0 and figures["timer_cases_fired"] == timer_cases)
    return figures


def _drive(app: App, cluster: PgCluster | None, seconds: float, kills: int, pg_restarts: int, clients: int,
           rng: random.Random) -> dict:
    """Client threads complete tasks for `seconds` while the faults are injected at even
    intervals; after the last fault the load goes on (bounded) until a completion is
    acknowledged again: the service must recover, not merely survive."""
    ledger, stop, faults = Ledger(), threading.Event(), Counter()
    threads = [threading.Thread(target=Client(app.base, ledger, stop).run, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    kinds = ["worker", "scheduler"] + (["server"] if cluster is None else [])
    plan = [kinds[i % len(kinds)] for i in range(kills)] + ["postgres"] * (pg_restarts if cluster else 0)
    rng.shuffle(plan)
    started, acked_before_last_fault = time.monotonic(), 0
    try:
        for i, kind in enumerate(plan):
            _sleep_until(started + seconds * (i + 1) / (len(plan) + 1), stop)
            _inject(kind, app, cluster, rng, faults)
            with ledger.lock:
                acked_before_last_fault = len(ledger.acked)
        _sleep_until(started + seconds, stop)
        deadline = time.monotonic() + 2 * HTTP_TIMEOUT
        while len(ledger.acked) == acked_before_last_fault and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=2 * HTTP_TIMEOUT)
    with ledger.lock:
        return {"faults": dict(faults), "completions_acked": len(ledger.acked),
                "acked_after_last_fault": len(ledger.acked) - acked_before_last_fault,
                "statuses": dict(ledger.statuses), "bad_5xx": len(ledger.bad),
                "bad_5xx_examples": ledger.bad[:5], "ledger": ledger}


def _drain(database_url: str, timer_cases: int) -> float:
    """Seconds until every seeded timer case has fired and no running case is overdue (a
    scheduler killed mid-batch holds its cases until its lease expires); bounded."""
    from engine.models import Instance

    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    started = time.monotonic()
    try:
        while time.monotonic() - started < DRAIN_TIMEOUT:
            with engine.connect() as conn:
                fired = conn.scalar(text(TIMER_CASES_FIRED))
                overdue = conn.scalar(select(func.count()).select_from(Instance).where(
                    Instance.status == "running", Instance.next_due_at < datetime.now(UTC)))
            if fired >= timer_cases and not overdue:
                break
            time.sleep(0.5)
    finally:
        engine.dispose()
    return round(time.monotonic() - started, 1)


@contextmanager
def _no_cluster() -> Iterator[None]:
    yield None


def _sleep_until(moment: float, stop: threading.Event) -> None:
    while time.monotonic() < moment and not stop.is_set():
        time.sleep(min(0.1, max(0.0, moment - time.monotonic())))


def _inject(kind: str, app: App, cluster: PgCluster | None, rng: random.Random, faults: Counter) -> None:
    if kind == "worker":
        faults["worker_kill9"] += app.kill_worker(rng)
    elif kind == "scheduler":
        app.kill_scheduler()
        faults["scheduler_kill9"] += 1
    elif kind == "server":
        app.kill_server()
        faults["server_kill9"] += 1
    elif kind == "postgres" and cluster is not None:
        cluster.stop("fast")
        time.sleep(2.0)  # clients meet the outage: they must get 503 problems
        cluster.start()
        faults["postgres_restart"] += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--kills", type=int, default=8)
    parser.add_argument("--pg-restarts", type=int, default=1)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--timer-cases", type=int, default=6)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="govit-faults-") as tmp:
        figures = run(args.database, Path(tmp), args.seconds, args.kills, args.pg_restarts,
                      args.workers, args.clients, args.seed, args.timer_cases)
    print(json.dumps(figures, ensure_ascii=False, indent=1))
    sys.exit(0 if figures["ok"] else 1)


if __name__ == "__main__":
    main()
