"""Fire the timers of several leased cases in one transaction, each case in its own SAVEPOINT.

`instances.fire_timers` pays a whole transaction per case: BEGIN (on SQLite the writer queue
and BEGIN IMMEDIATE), a read of the row and of its version, the commit, and the re-reads that
the commit's expiry causes. Here one transaction covers a chunk of cases: their rows are read
in one query, and a case that loses a revision race (StaleDataError at its flush) or whose
diagram fails (ProcessError) rolls back to its own savepoint only, so the others still fire.
The guarantees are those of `fire_timers`: the optimistic revision makes each firing happen
once; the state, the task index and the audit entries of a case are written in its savepoint,
so they persist together or not at all; a failing diagram parks its case in `error` with an
audit entry.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from ..db import db, unit_of_work
from ..errors import ProcessError
from ..models import Instance
from .instances import RUNNING, fire_loaded, park_in_error

log = logging.getLogger(__name__)


@dataclass
class ChunkResult:
    fired: int = 0  # timers fired
    failed: set[int] = field(default_factory=set)  # cases that raised something unexpected
    conflicts: set[int] = field(default_factory=set)  # cases another writer changed first
    parked: set[int] = field(default_factory=set)  # cases put in `error` by a diagram error


def fire_chunk(ids: list[int]) -> ChunkResult:
    """Fire the due timers of `ids` in one transaction; one case's failure rolls back that
    case alone. If the transaction itself fails (commit, database gone), nothing of it
    persisted and the exception propagates; the caller decides what to retry."""
    result = ChunkResult()
    with unit_of_work():
        # One query for the chunk's rows (and their versions, then in the session).
        rows = db.session.scalars(select(Instance).where(Instance.id.in_(ids), Instance.status == RUNNING)
                                  .order_by(Instance.id).execution_options(populate_existing=True)).all()
        fired = sum(_fire_one(inst, result) for inst in rows)
    result.fired = fired  # only once the chunk committed
    return result


def _fire_one(inst: Instance, result: ChunkResult) -> int:
    """What `fire_timers` does for one case, in a savepoint; returns the timers fired."""
    instance_id = inst.id  # read before a rollback expires the row
    try:
        with db.session.begin_nested():
            fired = fire_loaded(inst)
            db.session.flush()  # index rows and audit too: their failure belongs to this case
        return fired
    except StaleDataError:  # another writer moved the revision: its firing (or change) wins
        result.conflicts.add(instance_id)
    except ProcessError as exc:
        _park(instance_id, exc, result)
    except Exception:  # a bug or bad state in one case must not stop the others
        log.exception("firing the timers of case %s failed", instance_id)
        result.failed.add(instance_id)
    return 0


def _park(instance_id: int, exc: ProcessError, result: ChunkResult) -> None:
    """Status `error`, as `fire_timers` does, so the case is not retried on every poll."""
    try:
        with db.session.begin_nested():
            # Reloaded: the rollback expired it.
            park_in_error(db.session.get(Instance, instance_id), exc)
            db.session.flush()
    except StaleDataError:
        result.conflicts.add(instance_id)
        return
    result.parked.add(instance_id)

