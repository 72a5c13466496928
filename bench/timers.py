"""(t) Timer lateness: N cases whose timer falls due at the same instant, fired by M scheduler
processes (`flask timers run`, each leasing batches of due cases); prints the lateness (time a
case's timer fired − its due time) p50/p95/max and the throughput. Target: max ≤ 2 s.

    .venv/bin/python -m bench.timers [--postgres SERVER_URL] [--cases 10000] [--schedulers 2]

One real case of the sample fixture's timer process is started with the clock set back, so its
P2D timer falls due `--lead` seconds from now; then it is cloned in SQL (new ids, and new task
ids in the state, so the user task each firing opens is a row of its own), the schedulers are
started, and they find every case due at once. Checks printed with the figures: each case fired
exactly once, no lease left, audit chain intact.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import time_machine
from sqlalchemy import create_engine, func, insert, select, text

from api import create_app
from engine import audit
from engine.cases import start
from engine.db import as_utc, db
from engine.models import AuditEntry, Instance
from engine.users import actor_of, find_user

from . import cpu, server, stats

FIXTURES = server.ROOT / "tests" / "fixtures"
PROCESS, APPLICANT = "sample_timers", "s_unit_a"
INSTANCE = Instance.__table__
BATCH = 1000  # clone rows per INSERT
CHAIN_HEAD_EMPTY = {"audit_last_hash": None, "audit_count": 0}
UUID_RE = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def seed_case(url: str, due: datetime) -> tuple[int, datetime]:
    """The one real case, started two days before `due` (its P2D timer); returns its id and
    the due time the engine indexed."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "BUNDLE_ROOT": str(FIXTURES / "bpmn"),
                      "FORMS_ROOT": str(FIXTURES / "forms"), "AUTO_SETUP": False,
                      "SCHEDULER_ENABLED": False})
    with app.app_context(), time_machine.travel(due - timedelta(days=2), tick=False):
        inst = start(actor_of(find_user(APPLICANT)), PROCESS, {})
        case_id, indexed = inst.id, as_utc(inst.next_due_at)
        db.session.remove()
        db.engine.dispose()
    return case_id, indexed


def _cloned_state(state: bytes, seed_id: int, new_id: int) -> bytes:
    """The seed's state with fresh task ids and its own case id."""
    raw = gzip.decompress(state)
    ids = {m: str(uuid.uuid4()).encode() for m in set(UUID_RE.findall(raw))}
    raw = UUID_RE.sub(lambda m: ids[m.group(0)], raw)
    raw = raw.replace(b'"case_id": %d' % seed_id, b'"case_id": %d' % new_id)
    return gzip.compress(raw, compresslevel=1)


def clone(url: str, seed_id: int, count: int) -> float:
    """`count` copies of the seed case (no open tasks: it waits on its timer); seconds taken."""
    began = time.perf_counter()
    engine = create_engine(url)
    with engine.connect() as conn:
        seed = dict(conn.execute(select(INSTANCE).where(INSTANCE.c.id == seed_id)).mappings().one())
        first = conn.scalar(select(func.max(INSTANCE.c.id))) + 1
    # A clone has no audit entries of its own: its case chain (if the schema has one) starts empty.
    seed.update({k: v for k, v in CHAIN_HEAD_EMPTY.items() if k in seed})
    for offset in range(0, count, BATCH):
        rows = [{**seed, "id": i, "title": f"定时 #{i}", "state": _cloned_state(seed["state"], seed_id, i)}
                for i in range(first + offset, first + min(count, offset + BATCH))]
        with engine.begin() as conn:
            conn.execute(insert(INSTANCE), rows)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("SELECT setval(pg_get_serial_sequence('instance', 'id'), "
                              "(SELECT max(id) FROM instance))"))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE instance"))
    engine.dispose()
    return time.perf_counter() - began


def start_schedulers(env: dict[str, str], count: int, interval: float, log: Path) -> list[subprocess.Popen]:
    out = log.open("ab")
    return [subprocess.Popen([str(server.VENV_BIN / "flask"), "--app", "api", "timers", "run",
                              "--interval", str(interval)], cwd=server.ROOT, env=env,
                             stdout=out, stderr=subprocess.STDOUT) for _ in range(count)]


def cpu_seconds(pids: list[int], postmaster: int | None) -> tuple[float, float, float, float]:
    """CPU seconds so far of the scheduler processes, of PostgreSQL's backends (children of
    the postmaster) and of the whole machine (busy, total)."""
    mine = 0.0
    for pid in pids:
        text = Path(f"/proc/{pid}/stat").read_text()
        fields = text[text.rindex(")") + 2:].split()
        mine += (int(fields[11]) + int(fields[12])) / cpu.TICK
    backends = cpu._children_cpu(postmaster) if postmaster else 0.0
    return (mine, backends, *cpu._machine())


def cpu_report(before: tuple, after: tuple, firings: int) -> str:
    mine, backends, busy, total = (a - b for a, b in zip(after, before, strict=True))
    return (f"CPU per firing: schedulers {mine / firings * 1000:.1f} ms, database backends "
            f"{backends / firings * 1000:.1f} ms;  machine busy {busy / total:.0%} of 2 cores "
            f"(schedulers {mine / total:.0%}, backends {backends / total:.0%}, the rest other jobs)")


def fired(url: str) -> list[tuple[int, datetime]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(AuditEntry.instance_id, AuditEntry.at).where(AuditEntry.action == "timer_fired"))
        result = [(i, as_utc(at)) for i, at in rows]
    engine.dispose()
    return result


def wait_all_fired(url: str, expected: int, timeout: float) -> None:
    engine = create_engine(url)
    count = select(func.count()).where(AuditEntry.action == "timer_fired")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            if conn.scalar(count) >= expected:
                break
        time.sleep(1)
    engine.dispose()


def checks(url: str, expected: int, firings: list[tuple[int, datetime]]) -> str:
    per_case = Counter(i for i, _ in firings)
    engine = create_engine(url)
    with engine.connect() as conn:
        leased = conn.scalar(select(func.count()).where(INSTANCE.c.lease_holder.is_not(None)))
        still_due = conn.scalar(select(func.count()).where(INSTANCE.c.next_due_at < func.now()))
    engine.dispose()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "AUTO_SETUP": False, "SCHEDULER_ENABLED": False})
    with app.app_context():
        chain = audit.verify_chain()
        db.engine.dispose()
    return (f"cases fired {len(per_case)}/{expected}, fired twice {sum(1 for n in per_case.values() if n > 1)}, "
            f"leases left {leased}, still due {still_due}, audit chain ok {chain.ok}")


def report(firings: list[tuple[int, datetime]], due: datetime) -> None:
    late = sorted((at - due).total_seconds() for _, at in firings)
    span = late[-1] - late[0] if len(late) > 1 else 0.0
    print(f"(t) lateness s: p50 {stats.percentile(late, 50):.2f}  p95 {stats.percentile(late, 95):.2f}  "
          f"max {late[-1]:.2f}  (first {late[0]:.2f});  throughput {len(late) / span if span else 0:.0f} firings/s "
          f"over {span:.1f} s;  target max ≤ 2 s: {'met' if late[-1] <= 2 else 'missed'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", metavar="SERVER_URL", help="a PostgreSQL server on 127.0.0.1 (default SQLite)")
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--schedulers", type=int, default=2)
    parser.add_argument("--interval", type=float, default=0.5, help="each scheduler's poll interval, s")
    parser.add_argument("--batch", type=int, default=50, help="cases per lease claim")
    parser.add_argument("--lead", type=float, default=60, help="seconds from now to the due time")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="govit-bench-timers."))
    database = server.postgres_database(args.postgres) if args.postgres else server.sqlite_database(workdir)
    env = {**server.app_environment(database, FIXTURES / "bpmn", FIXTURES / "forms", workdir / "attachments"),
           "TIMER_BATCH": str(args.batch)}
    url, procs = server.sqlalchemy_url(database), []
    try:
        server.setup_database(env, workdir / "setup.log")
        seed_id, due = seed_case(url, datetime.now().astimezone() + timedelta(seconds=args.lead))
        cloned = clone(url, seed_id, args.cases - 1)
        procs = start_schedulers(env, args.schedulers, args.interval, workdir / "timers.log")
        ready = (due - datetime.now().astimezone()).total_seconds()
        print(f"code {os.environ.get('GOVIT_COMMIT', '?')}  {database.url.split(':')[0]}  cases {args.cases}  "
              f"schedulers {args.schedulers}  batch {args.batch}  poll {args.interval} s  "
              f"cloned in {cloned:.1f} s  schedulers started {ready:.1f} s before due  "
              f"load {os.getloadavg()[0]:.2f}", flush=True)
        if ready < 5:
            raise SystemExit("the schedulers started too close to the due time: raise --lead")
        postmaster = server.postmaster_pid(database)
        time.sleep(max(0.0, ready - 1))  # the schedulers' start-up is not counted
        before = cpu_seconds([p.pid for p in procs], postmaster)
        wait_all_fired(url, args.cases, timeout=600)
        after = cpu_seconds([p.pid for p in procs], postmaster)
        firings = fired(url)
        report(firings, due)
        print(cpu_report(before, after, len(firings)))
        print("checks:", checks(url, args.cases, firings))
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(30)
        server.drop_database(database)
        subprocess.run(["rm", "-rf", str(workdir)], check=False)


if __name__ == "__main__":
    sys.exit(main())
