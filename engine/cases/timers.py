"""The timer scheduler: finds due instances by the indexed due time and fires them.

SpiffWorkflow never fires a timer by itself. The same loop runs inside the server process
(embedded default) or as its own process (`flask timers run`) in production. Several loops
may run at once (M scheduler processes on one PostgreSQL): each takes a batch of due cases
under a lease (holder id + expiry on the instance row) in a short transaction, fires its cases
a chunk per transaction (each case in its own savepoint, engine/cases/timer_batch.py), then releases
what is left. On PostgreSQL the claim skips rows another
scheduler is claiming (`FOR UPDATE SKIP LOCKED`); on SQLite the claim runs under the single
write lock. A scheduler that dies leaves its leases to expire, and the next one takes them
over. The optimistic revision still makes each firing happen once, even if a lease expired
while its holder was slow.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from ..clock import now_utc
from ..db import db, unit_of_work
from ..models import Instance
from .instances import RUNNING, fire_timers
from .timer_batch import fire_chunk

log = logging.getLogger(__name__)

LEASE_SECONDS = 30.0  # must outlive one batch's firings; a dead holder's cases wait this long
BATCH = 50
# Cases per transaction (engine/cases/timer_batch.py). Larger chunks save more per firing but hold
# SQLite's one write lock (and on PostgreSQL the chunk's rows) longer: about 5-7 ms per case.
# Keep it well under 64: a PostgreSQL transaction with more subtransactions (savepoints)
# overflows the per-backend cache other sessions' snapshots read.
CHUNK = 10

# This process's scheduler identity (several threads of one process may share it).
HOLDER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _free(now: datetime):
    return or_(Instance.lease_until.is_(None), Instance.lease_until < now)


def claim(holder: str, now: datetime, limit: int = BATCH, lease_seconds: float = LEASE_SECONDS) -> list[int]:
    """Lease up to `limit` due cases no live lease holds, earliest due first, in one short
    transaction; returns their ids. A plain UPDATE of the table: the revision is not moved."""
    table = Instance.__table__
    # Strictly before now: SpiffWorkflow fires a timer only once its due instant has passed.
    due = (select(table.c.id)
           .where(table.c.status == RUNNING, table.c.next_due_at < now, _free(now))
           .order_by(table.c.next_due_at).limit(limit))
    if db.engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    with unit_of_work():
        return list(db.session.scalars(
            update(table).where(table.c.id.in_(due.scalar_subquery()), _free(now))
            .values(lease_holder=holder, lease_until=now + timedelta(seconds=lease_seconds))
            .returning(table.c.id)))


def release(holder: str, ids: list[int]) -> None:
    """Give back the leases `holder` still has on `ids`, once per batch (not per firing)."""
    if not ids:
        return
    table = Instance.__table__
    with unit_of_work():
        db.session.execute(update(table).where(table.c.id.in_(ids), table.c.lease_holder == holder)
                           .values(lease_holder=None, lease_until=None))


def run_due(batch: int = BATCH, lease_seconds: float = LEASE_SECONDS, holder: str = HOLDER,
            chunk: int = CHUNK) -> int:
    """One pass: claim and fire batches until nothing is due now; returns the timers fired.
    A case claimed twice in one pass (still due after firing) waits for the next pass."""
    fired, seen, chunk = 0, set[int](), max(1, chunk)
    try:
        while ids := claim(holder, now_utc(), batch, lease_seconds):
            fresh, failed = [i for i in ids if i not in seen], set[int]()
            try:
                for start in range(0, len(fresh), chunk):
                    count, bad = _fire(fresh[start:start + chunk])
                    fired, failed = fired + count, failed | bad
            finally:
                # A case that failed keeps its lease until it expires: retried then, it does
                # not hold up the cases due after it on every pass.
                release(holder, [i for i in ids if i not in failed])
            if len(fresh) < len(ids):
                break
            seen.update(ids)
    finally:
        db.session.remove()
    return fired


def _fire(ids: list[int]) -> tuple[int, set[int]]:
    """Fire a chunk in one transaction; returns the timers fired and the cases that failed.
    If the chunk's transaction fails as a whole (its commit, a lock), nothing of it was kept:
    its cases are fired one transaction each instead, exactly as before batching."""
    try:
        result = fire_chunk(ids)
        return result.fired, result.failed
    except Exception:
        log.exception("firing a chunk of %d case(s) failed; firing them one by one", len(ids))
    return _fire_each(ids)


def _fire_each(ids: list[int]) -> tuple[int, set[int]]:
    fired, failed = 0, set[int]()
    for instance_id in ids:
        try:
            fired += fire_timers(instance_id)
        except Exception:  # e.g. the database went away: the other cases still fire
            log.exception("firing the timers of case %s failed", instance_id)
            failed.add(instance_id)
    return fired, failed


def loop(interval: float, stop: threading.Event, context: Callable[[], object],
         batch: int = BATCH, lease_seconds: float = LEASE_SECONDS) -> None:
    """Poll every `interval` seconds until `stop` is set; `context` gives an app context."""
    while not stop.is_set():
        try:
            with context():
                count = run_due(batch, lease_seconds)
            if count:
                log.info("fired %d timer(s)", count)
        except Exception:  # a bad instance must not kill the scheduler
            log.exception("timer pass failed")
        stop.wait(interval)
