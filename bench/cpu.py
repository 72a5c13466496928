"""CPU accounting for a load window (Linux /proc): is the box saturated, and by whom?

The client threads run on the same two cores as gunicorn and the database, and other jobs may
share the machine; without this split a throughput number cannot be read.
"""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _machine() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields) - idle) / TICK, sum(fields) / TICK


def _children_cpu(parent: int) -> float:
    """User+system CPU seconds of the direct children of `parent` (gunicorn's workers)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended while we looked
            continue
        fields = text[text.rindex(")") + 2:].split()
        if int(fields[1]) == parent:
            total += (int(fields[11]) + int(fields[12])) / TICK
    return total


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def parent_of(pid: int) -> int | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(text[text.rindex(")") + 2:].split()[1])


@dataclass
class Snapshot:
    machine_busy: float
    machine_total: float
    server: float
    client: float
    db: float


def snapshot(server_pid: int, db_pid: int | None) -> Snapshot:
    busy, total = _machine()
    db = _children_cpu(db_pid) if db_pid else 0.0
    return Snapshot(busy, total, _children_cpu(server_pid), _self_cpu(), db)


@dataclass
class Usage:
    busy_share: float  # of all cores, during the window
    server_ms: float  # per counted request: gunicorn workers
    client_ms: float  # the bench's client threads
    db_ms: float | None  # PostgreSQL backends (None: SQLite, which runs inside the workers)
    other_ms: float  # everything else on the machine (other jobs: noise)

    @property
    def own_ms(self) -> float:
        """CPU the measured system itself needs per request."""
        return self.server_ms + self.client_ms + (self.db_ms or 0.0)

    def note(self) -> str:
        db = f", postgres {self.db_ms:.1f}" if self.db_ms is not None else ""
        return (f"CPU/req: app {self.server_ms:.1f} ms, client {self.client_ms:.1f}{db}, "
                f"other jobs {self.other_ms:.1f}; box {self.busy_share:.0%} busy")


def usage(before: Snapshot, after: Snapshot, requests: int, has_db: bool) -> Usage:
    n = max(requests, 1)
    busy = after.machine_busy - before.machine_busy
    server, client, db = after.server - before.server, after.client - before.client, after.db - before.db
    total = after.machine_total - before.machine_total
    return Usage(busy / total if total else 0.0, server / n * 1000, client / n * 1000,
                 db / n * 1000 if has_db else None, (busy - server - client - db) / n * 1000)


def less(after: Snapshot, per: Usage, times: int) -> Snapshot:
    """`after` as if `times` operations costing `per` each had not run (client, server, db)."""
    own = per.own_ms * times / 1000
    return Snapshot(after.machine_busy - own, after.machine_total, after.server - per.server_ms * times / 1000,
                    after.client - per.client_ms * times / 1000, after.db - (per.db_ms or 0.0) * times / 1000)
