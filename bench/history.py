"""Cost flat in history: the 500th task of a long-running case against a fresh case.

`.venv/bin/python bench/history.py [--tasks 500] [--samples 20] [--postgres URL]`

The long case goes round the initial review's send-back loop (审核 → 退回补正 → 补正 → 审核 …)
until it has `--tasks` completed tasks; then `--samples` more completions of the same two
elements are timed, and the same number on a case that has just started. Measured in-process
(the engine's own step: restore, submit, advance, save) and through the API (Flask test client,
the app in this process, a fresh database: row, checks, index, audit, view), with the complete
response's summary view and its full view (which lists every completed step). Prints the
ratios long/fresh of median latency and of the stored state's size; the target is ≤ 1.5×.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __name__ == "__main__":  # run as a script: make `bench`, `engine`, `api` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import inprocess, scenario, server
from bench.profile_complete import Walker, build_app

LOOP = ("initial_review", "revise_application")  # the two elements of the send-back loop
SEND_BACK = {"initial_review": scenario.FORM_DATA["initial_review"][0],
             "revise_application": scenario.FORM_DATA["revise_application"][0]}


def _loop_data(bpmn_id: str, upload: scenario.Uploader) -> dict[str, Any]:
    return scenario.resolve(SEND_BACK[bpmn_id], upload)


class EngineCase:
    """One case driven by the engine's own step (as bench (a)), state kept as bytes."""

    def __init__(self, spec: str) -> None:
        self.spec = spec
        self.state = inprocess.start_case(spec)
        self.tasks = inprocess.open_tasks(inprocess.load_state(self.state, spec))
        self.completed = 0

    def step(self) -> float:
        task_id, bpmn_id = self.tasks[0]
        data = scenario.resolve(scenario.FORM_DATA[bpmn_id][0], lambda _p, _d: "0" * 32) \
            if bpmn_id not in SEND_BACK else _loop_data(bpmn_id, lambda _p, _d: "0" * 32)
        began = time.perf_counter()
        self.state, self.tasks = inprocess.complete_one(self.state, self.spec, task_id, data)
        self.completed += 1
        return time.perf_counter() - began


class ApiCase:
    """One case driven through POST /tasks/{id}/complete (documents uploaded before each call)."""

    def __init__(self, walker: Walker) -> None:
        self.walker = walker
        applicant = walker.directory.applicants()[0].username
        reply = walker.http.post("/api/v1/instances", headers=walker._auth(applicant),
                                 json={"process_key": scenario.PROCESS_KEY, "data": scenario.APPLICATION})
        self.case = reply.get_json()
        self.tasks = self.case["open_tasks"]
        self.completed = 0

    def step(self, view: str = "summary") -> float:
        task = self.tasks[0]
        headers = self.walker._auth(self.walker.directory.for_task(task))

        def upload(field: str, doc: scenario.Doc) -> str:
            return self.walker._upload(task, field, doc, headers)
        entry = SEND_BACK.get(task["bpmn_id"]) or scenario.FORM_DATA[task["bpmn_id"]][0]
        data = scenario.resolve(entry, upload)
        began = time.perf_counter()
        reply = self.walker.http.post(f"/api/v1/tasks/{task['id']}/complete?view={view}", headers=headers,
                                      json={"data": data})
        seconds = time.perf_counter() - began
        if reply.status_code != 200:
            raise RuntimeError(f"complete failed: {reply.status_code} {reply.get_data(True)[:300]}")
        self.tasks = reply.get_json()["open_tasks"]
        self.completed += 1
        return seconds


def grow(step: Callable[[], float], case: Any, tasks: int) -> None:
    while case.completed < tasks:
        step()


def median_ms(step: Callable[[], float], samples: int) -> float:
    return statistics.median(step() for _ in range(samples)) * 1000


def state_bytes(app: Any, instance_id: int) -> int:
    from engine.db import db
    from engine.models import Instance

    with app.app_context():
        size = len(db.session.get(Instance, instance_id).state)
        db.session.remove()
        return size


def line(name: str, fresh: float, long: float, unit: str) -> str:
    ratio = long / fresh if fresh else float("nan")
    verdict = "meets target" if ratio <= 1.5 else "MISSES target"
    return f"{name:<46} fresh {fresh:9.2f} {unit:<3} long {long:9.2f} {unit:<3} ratio {ratio:6.2f}  (<= 1.5: {verdict})"


def engine_part(spec: str, tasks: int, samples: int) -> list[str]:
    fresh = EngineCase(spec)
    fresh.step()  # the requirements survey: the loop starts with the review after it
    fresh_ms = median_ms(fresh.step, samples)
    fresh_size = len(fresh.state)
    long = EngineCase(spec)
    grow(long.step, long, tasks)
    long_ms = median_ms(long.step, samples)
    return [line(f"in-process step, task {tasks + 1}+ vs 2+", fresh_ms, long_ms, "ms"),
            line("state size (gzip JSON)", fresh_size / 1024, len(long.state) / 1024, "KB")]


def api_part(database: server.Database, workdir: Path, tasks: int, samples: int) -> list[str]:
    app = build_app(database, workdir / "app")
    walker = Walker(app)
    out = []
    for view in ("summary", "full"):
        fresh = ApiCase(walker)
        fresh.step()
        fresh_ms = median_ms(lambda c=fresh, v=view: c.step(v), samples)
        long = ApiCase(walker)
        grow(long.step, long, tasks)
        long_ms = median_ms(lambda c=long, v=view: c.step(v), samples)
        out.append(line(f"API complete ?view={view}, task {tasks + 1}+ vs 2+", fresh_ms, long_ms, "ms"))
        if view == "summary":
            out.append(line("stored state (instances.state)", state_bytes(app, fresh.case["id"]) / 1024,
                            state_bytes(app, long.case["id"]) / 1024, "KB"))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=500, help="completed tasks of the long case")
    parser.add_argument("--samples", type=int, default=20, help="timed completions at each point")
    parser.add_argument("--postgres", metavar="URL", help="PostgreSQL server on 127.0.0.1 instead of SQLite")
    parser.add_argument("--skip-api", action="store_true")
    args = parser.parse_args()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    workdir = Path(tempfile.mkdtemp(prefix="govit-history-"))
    database = server.postgres_database(args.postgres) if args.postgres else server.sqlite_database(workdir)
    began = time.perf_counter()
    try:
        bpmn_root, forms_root = server.snapshot_bundle(workdir)
        spec = inprocess.compiled_spec(bpmn_root / scenario.JURISDICTION, forms_root / scenario.JURISDICTION,
                                       scenario.PROCESS_KEY)
        lines = engine_part(spec, args.tasks, args.samples)
        if not args.skip_api:
            lines += api_part(database, workdir, args.tasks, args.samples)
    finally:
        server.drop_database(database)
        shutil.rmtree(workdir, ignore_errors=True)
    print("\n".join(lines))
    print(f"\nhistory: {args.tasks} tasks, {args.samples} samples; database "
          f"{'postgresql' if args.postgres else 'sqlite'}; load average before run {load}; "
          f"total {time.perf_counter() - began:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
