"""A fresh database and the app under gunicorn on 127.0.0.1, started and stopped by the bench."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from . import cpu, scenario

ROOT = scenario.ROOT
VENV_BIN = Path(sys.executable).parent
PASSWORD = "bench-pass-2026"
HOST = "127.0.0.1"


@dataclass
class Database:
    url: str  # what DATABASE_URL gets (postgresql://... or sqlite:///...)
    drop: bool = False  # a PostgreSQL database the bench created and removes again


def snapshot_bundle(workdir: Path) -> tuple[Path, Path]:
    """Copy the bundle into the run's temp dir: the diagram may be edited while the bench runs,
    and (a) and (b) must measure the same content. Only this jurisdiction is deployed."""
    bpmn_root, forms_root = workdir / "bpmn", workdir / "forms"
    shutil.copytree(scenario.BPMN_DIR, bpmn_root / scenario.JURISDICTION)
    shutil.copytree(scenario.FORMS_DIR, forms_root / scenario.JURISDICTION)
    return bpmn_root, forms_root


def sqlite_database(workdir: Path) -> Database:
    return Database(f"sqlite:///{workdir / 'bench.sqlite'}")


def postgres_database(server_url: str) -> Database:
    """A new, empty database on the server of `server_url` (which names any database the
    user may connect to, e.g. .../postgres)."""
    admin = make_url(server_url.replace("postgresql://", "postgresql+psycopg://", 1))
    if admin.host not in (HOST, "localhost"):
        raise SystemExit(f"refusing a database server that is not on {HOST}: {admin.host}")
    name = f"govit_bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    url = admin.set(database=name).render_as_string(hide_password=False)
    return Database(url.replace("postgresql+psycopg://", "postgresql://", 1), drop=True)


def drop_database(database: Database) -> None:
    if not database.drop:
        return
    url = make_url(database.url.replace("postgresql://", "postgresql+psycopg://", 1))
    engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    engine.dispose()


def postmaster_pid(database: Database) -> int | None:
    """The local PostgreSQL server process (parent of our backend), to account its CPU."""
    if not database.url.startswith("postgresql"):
        return None
    engine = create_engine(sqlalchemy_url(database))
    try:
        with engine.connect() as conn:
            backend = conn.scalar(text("SELECT pg_backend_pid()"))
            # Read the parent while the backend lives: once disposed it exits, and a late read
            # of /proc finds nothing (the PostgreSQL CPU then went uncounted, into "other jobs").
            return cpu.parent_of(backend)
    finally:
        engine.dispose()


def sqlalchemy_url(database: Database) -> str:
    return database.url.replace("postgresql://", "postgresql+psycopg://", 1)


def app_environment(database: Database, bpmn_root: Path, forms_root: Path, attachments: Path) -> dict[str, str]:
    """The server's settings; uploaded documents go to `attachments` (inside the run's temp dir)."""
    return {
        **os.environ, "DATABASE_URL": database.url, "AUTO_SETUP": "0", "SCHEDULER_ENABLED": "0",
        "DEMO_USERS": "1", "DEMO_PASSWORD": PASSWORD, "BUNDLE_ROOT": str(bpmn_root),
        "FORMS_ROOT": str(forms_root), "PYTHONPATH": str(ROOT), "ATTACHMENT_STORE": str(attachments),
    }


def setup_database(env: dict[str, str], log: Path) -> None:
    """`flask --app api setup` once: schema, bundle deployment, demo users."""
    with log.open("ab") as out:
        subprocess.run([str(VENV_BIN / "flask"), "--app", "api", "setup"], cwd=ROOT, env=env,
                       stdout=out, stderr=subprocess.STDOUT, check=True, timeout=300)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _wait_healthy(base: str, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}; see its log")
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):  # workers still booting
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not become healthy in time")


@dataclass
class Server:
    base: str  # http://127.0.0.1:port
    pid: int  # the gunicorn master; its children are the workers


@contextmanager
def gunicorn(env: dict[str, str], workers: int, log: Path, app: str = "api:create_app()") -> Iterator[Server]:
    """Run the app factory under gunicorn (sync workers); always stop it."""
    port = free_port()
    command = [str(VENV_BIN / "gunicorn"), "--workers", str(workers), "--bind", f"{HOST}:{port}",
               "--timeout", "120", "--graceful-timeout", "10", app]
    with log.open("ab") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://{HOST}:{port}"
    try:
        _wait_healthy(base, proc, timeout=60)
        yield Server(base, proc.pid)
    finally:
        proc.terminate()  # SIGTERM to the master we started: it stops its own workers
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
