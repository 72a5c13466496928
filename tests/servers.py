"""Real servers for tests: the app under gunicorn on 127.0.0.1, on a database of its own.

`gunicorn_server()` prepares a fresh database with `flask --app api setup` (a SQLite file,
or a new database on the PostgreSQL server named by TEST_DATABASE_URL), starts gunicorn
with AUTO_SETUP=0 on a free port, waits for GET /healthz and always stops the server and
drops the database at the end. Every wait is bounded.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PASSWORD = "test-pass-2026"
STARTUP_TIMEOUT = 60.0
COMMAND_TIMEOUT = 180.0

# Variables of the app's configuration that must come from us, never from the caller's shell.
APP_VARIABLES = ("DATABASE_URL", "AUTO_SETUP", "DEMO_USERS", "DEMO_PASSWORD", "SCHEDULER_ENABLED",
                 "SCHEDULER_INTERVAL", "BUNDLE_ROOT", "FORMS_ROOT", "WEB_CONCURRENCY", "GUNICORN_CMD_ARGS")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Database:
    """A database of the server's own; `url` is what DATABASE_URL gets."""

    url: str
    _admin_url: str | None = None

    @classmethod
    def fresh(cls, tmp: Path) -> Database:
        admin = os.environ.get("TEST_DATABASE_URL")
        if not admin:
            return cls(f"sqlite:///{tmp / 'server.sqlite'}")
        admin_url = make_url(admin.replace("postgresql://", "postgresql+psycopg://", 1))
        name = f"govit_server_{os.getpid()}_{uuid.uuid4().hex[:10]}"
        engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
        url = admin_url.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
        return cls(url, admin_url.render_as_string(hide_password=False))

    def sqlalchemy_url(self) -> str:
        return self.url.replace("postgresql://", "postgresql+psycopg://", 1)

    def drop(self) -> None:
        if self._admin_url is None:
            return
        engine = create_engine(self._admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(self.url).database}" WITH (FORCE)'))
        finally:
            engine.dispose()


@dataclass
class Server:
    url: str
    database: Database
    env: dict[str, str]
    log: Path
    process: subprocess.Popen = field(repr=False)

    def flask(self, *args: str, timeout: float = COMMAND_TIMEOUT) -> subprocess.CompletedProcess:
        """`flask --app api ARGS` against the server's database and bundles."""
        return flask_command(self.env, *args, timeout=timeout)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text("utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def flask_command(env: dict[str, str], *args: str, timeout: float = COMMAND_TIMEOUT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "api", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)


def server_env(database_url: str, bundle_root: Path, forms_root: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in APP_VARIABLES}
    env.update(DATABASE_URL=database_url, BUNDLE_ROOT=str(bundle_root), FORMS_ROOT=str(forms_root),
               AUTO_SETUP="0", DEMO_USERS="1", DEMO_PASSWORD=PASSWORD, SCHEDULER_ENABLED="0",
               PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM it when the test process dies, even by SIGKILL, so
    no gunicorn outlives an interrupted run (Linux; elsewhere the `finally` must do)."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _stop(process: subprocess.Popen, grace: float = 20.0) -> None:
    """SIGTERM gunicorn's master (graceful: it stops its workers), then SIGKILL the group."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # workers left behind, if any
    if process.poll() is None:
        process.wait(timeout=10)


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float) -> bool:
    """True once /healthz answers 200; False if the server died first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"gunicorn did not answer {url}/healthz within {timeout:.0f}s")


def start_gunicorn(env: dict[str, str], log: Path, options: list[str]) -> tuple[str, subprocess.Popen]:
    """`api:create_app()` under gunicorn on a free 127.0.0.1 port, healthy; its output goes to
    `log`. Another process may take the free port before gunicorn binds it: three tries."""
    for _attempt in range(3):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        with log.open("ab") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", *options, "--bind", f"127.0.0.1:{port}",
                 "--graceful-timeout", "10", "api:create_app()"],
                cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True, preexec_fn=_die_with_parent)
        if _wait_healthy(url, process, STARTUP_TIMEOUT):
            return url, process
        _stop(process)
        if "Address already in use" not in log.read_text("utf-8", errors="replace"):
            raise RuntimeError(f"gunicorn exited at start:\n{log.read_text('utf-8', errors='replace')}")
    raise RuntimeError(f"gunicorn could not bind a port:\n{log.read_text('utf-8', errors='replace')}")


@contextmanager
def gunicorn_server(tmp: Path, *, workers: int = 2, bundle_root: Path = FIXTURES / "bpmn",
                    forms_root: Path = FIXTURES / "forms", before_start: Callable[[Database], None] | None = None,
                    **env_extra: str) -> Iterator[Server]:
    """The app under gunicorn on 127.0.0.1; `env_extra` overrides variables (SCHEDULER_ENABLED=...).
    `before_start(database)` runs after the setup, while no server is running yet."""
    database = Database.fresh(tmp)
    process: subprocess.Popen | None = None
    log = tmp / "gunicorn.log"
    try:
        env = server_env(database.url, bundle_root, forms_root, **env_extra)
        setup = flask_command(env, "setup")
        assert setup.returncode == 0, f"flask setup failed:\n{setup.stdout}\n{setup.stderr}"
        if before_start is not None:
            before_start(database)
        # HOME: gunicorn >= 25 puts its control socket there; one per server
        url, process = start_gunicorn({**env, "HOME": str(tmp)}, log, ["--workers", str(workers), "--timeout", "60"])
        yield Server(url, database, env, log, process)
    finally:
        if process is not None:
            _stop(process)
        database.drop()
