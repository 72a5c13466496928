"""(b) Complete-task throughput and latency over HTTP, several client threads at once.

Each client thread starts its own cases first (not timed: only complete-task calls count),
walks one warm-up case, then all threads start together and walk their cases until the time
limit or the case limit. A thread never touches another's cases, so a 409 would be a bug.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from . import cpu, scenario
from .client import Client, Directory, Outcome


@dataclass
class LoadResult:
    clients: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    first_error: str = ""
    cases_started: int = 0
    cases_finished: int = 0
    cpu: cpu.Usage | None = None
    by_element: dict[str, list[float]] = field(default_factory=dict)
    uploads: int = 0
    upload_seconds: float = 0.0  # summed over client threads
    upload_cpu: cpu.Usage | None = None  # per upload, measured alone after the window

    @property
    def completing_seconds(self) -> float:
        """The window less the mean client's time spent uploading documents for the next step:
        uploads are the form's preparation, not part of the completion measured."""
        return self.seconds - self.upload_seconds / max(self.clients, 1)

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.completing_seconds if self.completing_seconds > 0 else 0.0


class _Window:
    """The shared timed window: opened by the last thread to reach the barrier."""

    def __init__(self, server_pid: int, db_pid: int | None) -> None:
        self.server_pid, self.db_pid = server_pid, db_pid
        self.opened = 0.0
        self.closed: list[float] = []
        self.lock = threading.Lock()
        self.cpu_before: cpu.Snapshot | None = None

    def open(self) -> None:
        self.cpu_before = cpu.snapshot(self.server_pid, self.db_pid)
        self.opened = time.perf_counter()

    def close(self) -> None:
        with self.lock:
            self.closed.append(time.perf_counter())


def _client(i: int, client: Client, directory: Directory, cases: int, seconds: float,
            barrier: threading.Barrier, window: _Window, outcome: Outcome, started: list[int]) -> None:
    applicant = directory.applicants()[i % len(directory.applicants())].username
    mine = []
    for k in range(cases + 1):
        reply = client.start(applicant, f" 压测{i}-{k}")
        if reply.status_code == 201:
            mine.append(reply.json())
        else:
            outcome.error("start", reply)
    started[i] = len(mine)
    if mine:
        client.walk(mine.pop(0), Outcome())  # warm-up case: fills every worker's caches, not counted
    barrier.wait()
    deadline = window.opened + seconds
    for case in mine:
        if time.perf_counter() >= deadline:
            break
        client.walk(case, outcome, deadline=deadline)
    window.close()


def run(base: str, pids: tuple[int, int | None], tokens: dict[str, str], directory: Directory,
        clients: int, cases_per_client: int, seconds: float, view: str = "summary") -> LoadResult:
    """`pids`: the gunicorn master, and the PostgreSQL postmaster (None for SQLite)."""
    server_pid, db_pid = pids
    window = _Window(server_pid, db_pid)
    barrier = threading.Barrier(clients, action=window.open)
    outcomes = [Outcome() for _ in range(clients)]
    started = [0] * clients
    threads = [
        threading.Thread(target=_client, name=f"client-{i}", daemon=True, args=(
            i, Client(base, tokens, directory, view), directory, cases_per_client, seconds, barrier, window,
            outcomes[i], started))
        for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 600)  # bounded: a hung server must not hang the bench
    cpu_after = cpu.snapshot(server_pid, db_pid)
    result = LoadResult(clients, (max(window.closed) - window.opened) if window.closed else 0.0)
    for outcome in outcomes:
        result.latencies += outcome.latencies
        result.errors += outcome.errors
        result.first_error = result.first_error or outcome.first_error
        result.cases_finished += outcome.cases_finished
        result.uploads += outcome.uploads
        result.upload_seconds += outcome.upload_seconds
        for element, latencies in outcome.by_element.items():
            result.by_element.setdefault(element, []).extend(latencies)
    result.cases_started = sum(started)
    if window.cpu_before is not None:
        result.upload_cpu = _upload_cost(Client(base, tokens, directory), pids)
        after = cpu.less(cpu_after, result.upload_cpu, result.uploads)
        result.cpu = cpu.usage(window.cpu_before, after, len(result.latencies), db_pid is not None)
    return result


def _upload_cost(client: Client, pids: tuple[int, int | None], uploads: int = 40) -> cpu.Usage:
    """CPU of one document upload, alone on the server: taken out of the window's CPU, whose
    uploads happened between the timed completions."""
    applicant = client.directory.applicants()[0].username
    reply = client.start(applicant, " 上传计时")
    reply.raise_for_status()
    task = reply.json()["open_tasks"][0]
    field = next(iter(scenario.documents(scenario.Walk().peek(task["bpmn_id"]))))
    client.upload(task, field, scenario.Doc("预热.pdf"))
    before = cpu.snapshot(*pids)
    for n in range(uploads):
        client.upload(task, field, scenario.Doc(f"计时{n}.pdf"))
    return cpu.usage(before, cpu.snapshot(*pids), uploads, pids[1] is not None)
