"""Prototypes of proposed server changes, applied from outside so they can be measured first.

Nothing here is used by the product. Each factory builds the normal app and then patches it;
run one with `bench/run.py --app "bench.variants:NAME()"`. docs/performance.md reports the
measured effect; the integrator decides what goes into engine/ or api/.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import sys
import time
from typing import Any

from flask import Flask, g, request
from sqlalchemy import event

import api
from api import auth as api_auth
from engine.db import db


class _FairLockCursor(sqlite3.Cursor):
    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        if sql.startswith("BEGIN"):
            self.connection.acquire_writer_lock()
        return super().execute(sql, *args)


class _FairLockConnection(sqlite3.Connection):
    """Takes a cross-process flock() before BEGIN and releases it when the transaction ends."""

    lock_path: str | None = None
    lock_fd: int | None = None

    def cursor(self, factory: type = _FairLockCursor) -> sqlite3.Cursor:
        return super().cursor(factory)

    def acquire_writer_lock(self) -> None:
        if self.lock_fd is None and self.lock_path is not None:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)  # blocks; the kernel wakes a waiter as soon as it is free
            self.lock_fd = fd

    def _release(self) -> None:
        if self.lock_fd is not None:
            fcntl.flock(self.lock_fd, fcntl.LOCK_UN)
            os.close(self.lock_fd)
            self.lock_fd = None

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._release()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._release()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._release()


def fair_sqlite_lock() -> Flask:
    """SQLite writers queue on a blocking flock() before BEGIN IMMEDIATE, instead of polling in
    SQLite's busy handler (sleeps of up to 100 ms while the lock may already be free, and no
    order: a request can lose the race again and again → multi-second p99)."""
    options = {"pool_pre_ping": True, "connect_args": {"factory": _FairLockConnection}}
    app = api.create_app({"SQLALCHEMY_ENGINE_OPTIONS": options})
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        lock_path = f"{engine.url.database}.writer-lock"

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.lock_path = lock_path

    return app


def _cache_tokens(ttl: float) -> None:
    original = api_auth.actor_for_token
    cache: dict[str, tuple[float, Any]] = {}

    def cached(token: str) -> Any:
        hit = cache.get(token)
        now = time.monotonic()
        if hit is not None and now - hit[0] < ttl:
            return hit[1]
        actor = original(token)
        cache[token] = (now, actor)
        return actor

    api_auth.actor_for_token = cached


def token_cache(ttl: float = 30.0) -> Flask:
    """Bearer token → actor cached per worker for `ttl` seconds, skipping the token, user and
    role queries on most requests (a revoked token then lives up to `ttl` longer)."""
    app = api.create_app()
    _cache_tokens(ttl)
    return app


def fair_lock_and_token_cache() -> Flask:
    app = fair_sqlite_lock()
    _cache_tokens(30.0)
    return app


def trace_slow(threshold: float = 0.1) -> Flask:
    """Diagnosis only: log every request, statement and commit slower than `threshold` seconds
    to stderr (gunicorn's log), to see where a latency tail comes from."""
    return _traced(api.create_app(), threshold)


def trace_slow_fair_lock(threshold: float = 0.1) -> Flask:
    return _traced(fair_sqlite_lock(), threshold)


def _traced(app: Flask, threshold: float) -> Flask:
    with app.app_context():
        engine = db.engine

    def _say(what: str, seconds: float) -> None:
        if seconds >= threshold:
            print(f"SLOW {seconds * 1000:8.1f} ms pid {os.getpid()} {what}", file=sys.stderr, flush=True)

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        conn.info["bench_t"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        _say(statement[:80].replace("\n", " "), time.perf_counter() - conn.info.pop("bench_t", time.perf_counter()))

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.info["bench_tx"] = time.perf_counter()

    @event.listens_for(engine, "commit")
    def _commit(conn: Any) -> None:
        _say("transaction (BEGIN..COMMIT)", time.perf_counter() - conn.info.pop("bench_tx", time.perf_counter()))

    @app.before_request
    def _start() -> None:
        g.bench_t = time.perf_counter()

    @app.teardown_request
    def _end(_exc: Any) -> None:
        _say(f"request {request.method} {request.path}", time.perf_counter() - g.get("bench_t", time.perf_counter()))

    return app
