"""The database handle and the unit of work every state change runs in."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm.exc import StaleDataError

from .errors import Conflict


class Base(DeclarativeBase):
    pass


class _SQLAlchemy(SQLAlchemy):
    def _teardown_session(self, exc: BaseException | None) -> None:
        """Ending a request rolls back whatever is left of its session. When the database has
        just dropped the connection (a restart), that rollback fails; the connection is dead
        and holds nothing, so the failure must not turn a response already made into a bare
        500 from the WSGI server. The pool discards the invalidated connection."""
        try:
            super()._teardown_session(exc)
        except UNAVAILABLE_ERRORS:
            self.session.registry.clear()


db = _SQLAlchemy(model_class=Base)
migrate = Migrate()


# Whether the current thread is inside a unit of work (a transaction that will write).
_writing: ContextVar[bool] = ContextVar("writing", default=False)


def configure_sqlite(engine: Engine) -> None:
    """SQLite has one writer: a unit of work takes the write lock at BEGIN (IMMEDIATE) so it
    never fails half-way upgrading a read lock, and waits for the lock instead of failing at
    once. Everything else (auth, lists, the case view) reads in a deferred transaction, which
    in WAL mode neither waits for nor blocks the writer."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # let the "begin" hook below issue BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: no corruption; see docs/operations.md
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _writing.get() else "BEGIN")


@contextmanager
def unit_of_work() -> Iterator[None]:
    """One database transaction: commit on success, roll back everything on any error.
    A concurrent writer that changed the same instance first turns into a clean 409."""
    outermost = not _writing.get()
    token = _writing.set(True)
    turn = _writer_turn() if outermost else None
    try:
        if turn is not None:
            if db.session().in_transaction():
                # End the read transaction (e.g. of authentication): the writing one must
                # begin with BEGIN IMMEDIATE and read what it changes under the write lock.
                db.session.commit()
            turn.__enter__()
        yield
        db.session.commit()
    except StaleDataError as exc:
        db.session.rollback()
        raise Conflict("该案件已被他人更新，请刷新后重试") from exc
    except OperationalError as exc:
        db.session.rollback()
        if "locked" in str(exc).lower() or "deadlock" in str(exc).lower():
            raise Conflict("数据库繁忙，请稍后重试") from exc
        raise
    except BaseException:
        db.session.rollback()
        raise
    finally:
        if turn is not None:
            turn.__exit__(None, None, None)
        _writing.reset(token)


@contextmanager
def _sqlite_writer_lock(path: str) -> Iterator[None]:
    """Writers of one SQLite file queue on a kernel lock (fair, woken as soon as it is free)
    instead of SQLite's busy handler, which sleeps up to 100 ms between tries in no order:
    multi-second p99 under load (bench/, docs/performance.md)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _writer_turn():
    """The writer queue for a file-backed SQLite database; None for other databases."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return _sqlite_writer_lock(f"{url.database}.writer-lock")


def _driver_unavailable_errors() -> tuple[type[BaseException], ...]:
    """psycopg's own connection errors, for code paths that reach the driver unwrapped."""
    try:
        import psycopg
    except ImportError:  # SQLite-only installs
        return ()
    return (psycopg.OperationalError, psycopg.InterfaceError)


UNAVAILABLE_ERRORS = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout,
                      *_driver_unavailable_errors())


def is_database_unavailable(exc: BaseException) -> bool:
    """Whether `exc` means the database could not be reached or dropped the connection (a
    retryable 503), rather than a bug. A lock timeout inside a unit of work is a 409 instead
    (see `unit_of_work`), so it never gets here."""
    return isinstance(exc, UNAVAILABLE_ERRORS) or isinstance(exc.__cause__, UNAVAILABLE_ERRORS)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
