"""Run (a) in-process ceiling, (b) HTTP complete-task load, (c) task-list scaling; print a table.

Prints numbers only: no assertion fails a run because a target is missed. Progress goes to
stderr, the results table to stdout.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine

from . import http_load, inprocess, scenario, server, tasklist
from .client import Client, Directory, demo_users, login_all
from .stats import Row, percentile, ratio_line, row, table


@dataclass(frozen=True)
class Plan:
    a_cases: int
    a_seconds: float
    b_clients: int
    b_cases: int  # per client; the time limit normally ends the run first
    b_seconds: float
    c_stages: tuple[int, ...]  # template cases stop after this many completions
    c_small: int  # open cases for the first task-list measurement
    c_large: int
    c_calls: int
    c_seconds: float  # per measurement


FULL = Plan(a_cases=40, a_seconds=60, b_clients=4, b_cases=40, b_seconds=120,
            c_stages=tuple(range(35)), c_small=1_000, c_large=100_000, c_calls=300, c_seconds=45)
QUICK = Plan(a_cases=3, a_seconds=8, b_clients=3, b_cases=4, b_seconds=10,
             c_stages=tuple(range(0, 35, 4)), c_small=1_000, c_large=5_000, c_calls=30, c_seconds=5)
LIST_USERS = ("hrss_it", "hrss_division_a")  # the busiest shared role, and a unit-bound applicant


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smoke run, about a minute")
    parser.add_argument("--postgres", metavar="URL",
                        help="PostgreSQL server on 127.0.0.1 (postgresql://user@127.0.0.1:port/postgres); "
                             "a fresh database is created on it and dropped afterwards")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1), help="gunicorn workers")
    parser.add_argument("--app", default="api:create_app()",
                        help="gunicorn app spec, e.g. 'bench.variants:fair_sqlite_lock()' to measure a prototype")
    parser.add_argument("--clients", type=int, help="concurrent client threads for (b)")
    parser.add_argument("--seconds", type=float, help="length of the (b) load window")
    parser.add_argument("--view", default="summary", choices=("summary", "full"),
                        help="case view asked for in (b)'s complete responses (?view=)")
    parser.add_argument("--skip-a", action="store_true", help="skip (a); the (b)/(a) ratio is not printed")
    parser.add_argument("--skip-c", action="store_true", help="skip (c)")
    parser.add_argument("--no-index-experiment", action="store_true",
                        help="do not re-measure (c) with the proposed task-list indexes")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (database, gunicorn log)")
    return parser.parse_args(argv)


def run_a(plan: Plan, spec_text: str, when: str = "") -> tuple[Row, inprocess.InProcessResult]:
    log(f"(a) in-process{when}: up to {plan.a_cases} cases / {plan.a_seconds:.0f}s")
    result = inprocess.run(spec_text, plan.a_cases, plan.a_seconds)
    return a_row(result, when), result


def a_row(result: inprocess.InProcessResult, when: str = "") -> Row:
    note = (f"{result.cases} cases x {result.completions // max(result.cases, 1)} steps, "
            f"state {result.state_bytes / 1024:.1f} KB gz, {result.per_cpu_second:.0f}/CPU-s"
            + ("" if result.all_completed else ", NOT all completed"))
    return row(f"(a) in-process complete (1 core){when}", result.latencies, result.completions / result.seconds,
               note)


def run_b(plan: Plan, app: server.Server, db_pid: int | None, tokens: dict[str, str], directory: Directory,
          clients: int, seconds: float, workers: int, view: str) -> tuple[Row, http_load.LoadResult]:
    log(f"(b) HTTP load: {clients} clients, {workers} workers, {seconds:.0f}s, ?view={view}")
    result = http_load.run(app.base, (app.pid, db_pid), tokens, directory, clients, plan.b_cases, seconds, view)
    errors = f", errors {dict(result.errors)}" if result.errors else ""
    if result.first_error:
        log(f"(b) first error: {result.first_error}")
    if result.cpu is not None:
        log(f"(b) {result.cpu.note()}")
    if result.upload_cpu is not None:
        log(f"(b) {result.uploads} uploads between completions, {result.upload_seconds:.1f} client-s "
            f"(taken out of the window); one upload alone: {result.upload_cpu.note()}")
    note = f"{clients} clients, {workers} workers, view={view}, {result.cases_finished} cases done{errors}"
    return row("(b) HTTP POST /tasks/{id}/complete", result.latencies, result.per_second, note), result


def _measure_lists(client: Client, plan: Plan, label: str, tasks: int) -> dict[str, Row]:
    rows = {}
    for username in LIST_USERS:
        latencies, total = tasklist.measure(client, username, plan.c_calls, plan.c_seconds)
        rows[username] = row(f"(c) GET /tasks {label} {username}", latencies, None,
                             f"sees {total:,} of {tasks:,} open tasks")
    return rows


def run_c(plan: Plan, base: str, tokens: dict[str, str], directory: Directory, db_url: str,
          index_experiment: bool) -> tuple[list[tuple[Row, Row]], list[Row]]:
    """Task lists at the small and the large size; then, optionally, at the large size again
    with the proposed indexes (reported apart: the headline ratio is for the current schema)."""
    client = Client(base, tokens, directory)
    engine = create_engine(db_url)
    log(f"(c) seeding {len(plan.c_stages)} template cases through the API")
    templates = tasklist.seed_templates(client, directory.applicants(), list(plan.c_stages))
    cloner = tasklist.Cloner(directory)
    measured = []
    for target in (plan.c_small, plan.c_large):
        missing = max(0, target - tasklist.open_cases(engine))
        seconds = cloner.clone(engine, templates, missing)
        opened, tasks = tasklist.open_cases(engine), tasklist.open_tasks(engine)
        log(f"(c) cloned {missing:,} cases in {seconds:.1f}s: {opened:,} open cases, {tasks:,} open tasks")
        measured.append(_measure_lists(client, plan, f"{opened // 1000}k cases", tasks))
    extra = []
    if index_experiment:
        log(f"(c) proposed indexes built in {tasklist.add_proposed_indexes(engine):.1f}s; measuring again")
        extra = list(_measure_lists(client, plan, f"{opened // 1000}k +idx", tasks).values())
    engine.dispose()
    return [(measured[0][u], measured[1][u]) for u in LIST_USERS], extra


@contextmanager
def environment(args: argparse.Namespace) -> Iterator[tuple[Path, server.Database]]:
    workdir = Path(tempfile.mkdtemp(prefix="govit-bench-"))
    database = server.postgres_database(args.postgres) if args.postgres else server.sqlite_database(workdir)
    try:
        yield workdir, database
    finally:
        if args.keep:
            log(f"kept {workdir} and database {database.url}")
        else:
            server.drop_database(database)
            shutil.rmtree(workdir, ignore_errors=True)


def code_version() -> str:
    """The commit measured, and whether engine/ or api/ had uncommitted edits at the time
    (bench/run_snapshot.sh runs an export, which names its commit in GOVIT_COMMIT)."""
    if os.environ.get("GOVIT_COMMIT"):
        return f"{os.environ['GOVIT_COMMIT']} (clean export)"

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=scenario.ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip()
    dirty = git("status", "--porcelain", "--", "engine", "api", "migrations")
    return f"{git('rev-parse', '--short', 'HEAD')}{' + uncommitted engine/api edits' if dirty else ''}"


def _print_results(rows: list[Row], a: inprocess.InProcessResult | None, b: http_load.LoadResult | None,
                   c: list[tuple[Row, Row]], args: argparse.Namespace, seconds: float) -> None:
    print()
    print(table(rows))
    print()
    if a is not None and b is not None and a.completions:
        ratio = b.per_second / (a.completions / a.seconds)
        print(ratio_line("(b)/(a) throughput, wall", ratio, ">= 0.6", ratio >= 0.6))
    if b is not None and b.latencies:
        p50, p99 = (percentile(b.latencies, q) * 1000 for q in (50, 99))
        print(ratio_line("(b) p50 ms", p50, "<= 20, idle box", p50 <= 20))
        print(ratio_line("(b) p99 ms", p99, "<= 60, idle box", p99 <= 60))
    if b is not None and b.cpu is not None:
        print(f"{'(b) where the CPU went':<44} {b.cpu.note()}")
        # What the same work would reach on an otherwise idle box: all cores / own CPU per request.
        # Both sides in CPU terms, which other jobs on a shared box do not distort.
        capacity = (os.cpu_count() or 1) * 1000 / b.cpu.own_ms if b.cpu.own_ms else 0.0
        if a is not None and a.cpu_seconds:
            cpu_ratio = capacity / a.per_cpu_second
            print(ratio_line("(b) CPU-bound capacity, idle box / (a)/CPU-s", cpu_ratio, ">= 0.67", cpu_ratio >= 0.67)
                  + f"  ({capacity:.1f} completions/s)")
            # The stricter reading: one CPU-second of the whole system against one of the engine.
            per_cpu = 1000 / b.cpu.own_ms / a.per_cpu_second if b.cpu.own_ms else 0.0
            print(ratio_line("(b) per CPU-s / (a) per CPU-s", per_cpu, ">= 0.67", per_cpu >= 0.67)
                  + f"  ({b.cpu.own_ms:.1f} ms vs {1000 / a.per_cpu_second:.1f} ms CPU per completion)")
    for small, large in c:
        ratio = large.p50_ms / small.p50_ms
        user = small.name.rsplit(" ", 1)[-1]
        print(ratio_line(f"(c) p50 large/small ({user})", ratio, "<= 1.5", ratio <= 1.5)
              + f"  p99 ratio {large.p99_ms / small.p99_ms:.2f}")
    variant = "" if args.app == "api:create_app()" else f"; app {args.app}"
    print(f"\ncode {code_version()}{variant}; database {'postgresql' if args.postgres else 'sqlite'}; "
          f"{os.cpu_count()} cores; load average before run {args.load_before}; total {seconds:.0f}s")


def prepare(workdir: Path) -> tuple[Path, Path, str]:
    """Snapshot the bundle, compile it once, and check the scenario against its forms."""
    bpmn_root, forms_root = server.snapshot_bundle(workdir)
    bundle_dir, forms_dir = bpmn_root / scenario.JURISDICTION, forms_root / scenario.JURISDICTION
    spec_text = inprocess.compiled_spec(bundle_dir, forms_dir, scenario.PROCESS_KEY)
    problems = scenario.check_forms(inprocess.forms_by_element(spec_text), forms_dir)
    if problems:
        raise SystemExit("scenario does not fit the bundle's forms:\n  " + "\n  ".join(problems))
    return bpmn_root, forms_root, spec_text


@dataclass
class Results:
    rows: list[Row]
    a: inprocess.InProcessResult | None = None
    b: http_load.LoadResult | None = None
    c: tuple[list[tuple[Row, Row]], list[Row]] = ([], [])


def run_http_parts(args: argparse.Namespace, plan: Plan, workdir: Path, database: server.Database,
                   bpmn_root: Path, forms_root: Path, results: Results) -> None:
    env = server.app_environment(database, bpmn_root, forms_root, workdir / "attachments")
    log(f"setting up {database.url.split('@')[-1]}")
    server.setup_database(env, workdir / "setup.log")
    with server.gunicorn(env, args.workers, workdir / "gunicorn.log", args.app) as app:
        users = demo_users()
        directory = Directory(users)
        tokens = login_all(app.base, users)
        b_row, results.b = run_b(plan, app, server.postmaster_pid(database), tokens, directory,
                                 args.clients or plan.b_clients, args.seconds or plan.b_seconds, args.workers,
                                 args.view)
        results.rows.append(b_row)
        if not args.skip_c:
            results.c = run_c(plan, app.base, tokens, directory, server.sqlalchemy_url(database),
                              not args.no_index_experiment)
            results.rows += [r for pair in results.c[0] for r in pair] + results.c[1]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    plan = QUICK if args.quick else FULL
    began = time.perf_counter()
    results = Results(rows=[])
    with environment(args) as (workdir, database):
        bpmn_root, forms_root, spec_text = prepare(workdir)
        if not args.skip_a:
            before_row, before = run_a(plan, spec_text, ", before (b)")
            results.rows.append(before_row)
        run_http_parts(args, plan, workdir, database, bpmn_root, forms_root, results)
        if not args.skip_a:
            after_row, after = run_a(plan, spec_text, ", after (b)")
            results.a = inprocess.pooled([before, after])
            results.rows[1:1] = [after_row, a_row(results.a, ", both")]
    _print_results(results.rows, results.a, results.b, results.c[0], args, time.perf_counter() - began)
    return 0
