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


@dataclass
class Snapshot:
    machine_busy: float
    machine_total: float
    server: float
    client: float


def snapshot(server_pid: int) -> Snapshot:
    busy, total = _machine()
    return Snapshot(busy, total, _children_cpu(server_pid), _self_cpu())


@dataclass
class Usage:
    busy_share: float  # of all cores, during the window
    server_ms: float  # per counted request
    client_ms: float
    other_ms: float  # database server, and anything else running on the machine

    def note(self) -> str:
        return (f"CPU/req: app {self.server_ms:.1f} ms, client {self.client_ms:.1f}, "
                f"db+other {self.other_ms:.1f}; box {self.busy_share:.0%} busy")


def usage(before: Snapshot, after: Snapshot, requests: int) -> Usage:
    n = max(requests, 1)
    busy = after.machine_busy - before.machine_busy
    server, client = after.server - before.server, after.client - before.client
    total = after.machine_total - before.machine_total
    return Usage(busy / total if total else 0.0, server / n * 1000, client / n * 1000,
                 (busy - server - client) / n * 1000)
