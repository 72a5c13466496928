"""(a) SpiffWorkflow's in-process ceiling: the engine's own complete-task path minus HTTP and DB.

Each completion does what `engine.cases.instances.complete` does between reading the row and
writing it back: `load_state` (gunzip + deserialize_json + re-attach the script engine),
find the task, `submit`, note the waiting timers, `advance` (engine steps and due timers),
`dump_state` (serialize_json + gzip), the next due time and the facts of the open tasks the
task index is rebuilt from. Form validation, auth, SQL and JSON responses are left out.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from engine import cases
from engine.cases import dump_state, load_state
from engine.regulations import Bundle, from_folders
from engine.revisions import compile_bundle, offline_engine

from . import scenario

APPLICANT = {"case_id": 1, "applicant_unit": "厅养老保险处", "started_by": "hrss_division_a"}


@dataclass
class CaseResult:
    latencies: list[float] = field(default_factory=list)  # seconds per completion
    cpu_seconds: float = 0.0  # this thread's CPU time for them: unaffected by other jobs' load
    completed: bool = False
    state_bytes: int = 0


def compiled_spec(bpmn_dir: Path, forms_dir: Path, process_key: str) -> str:
    """Parse and compile the bundle once, exactly as deployment does; returns the spec JSON."""
    for proc in compile_bundle(from_folders(bpmn_dir, forms_dir)):
        if proc.key == process_key:
            return proc.spec_json
    raise KeyError(f"process {process_key} not in bundle {bpmn_dir}")


def forms_by_element(spec_text: str) -> dict[str, str | None]:
    """{bpmn_id: form file} of every user task in the process and its called processes."""
    workflow = cases.new_workflow(spec_text)
    specs = [workflow.spec, *workflow.subprocess_specs.values()]
    return {
        ts.bpmn_id: getattr(ts, "extensions", {}).get("properties", {}).get(cases.FORM)
        for spec in specs for ts in spec.task_specs.values() if ts.bpmn_id and getattr(ts, "manual", False)
    }


@cache
def _bundle() -> Bundle:
    return from_folders(scenario.BPMN_DIR, scenario.FORMS_DIR)


def with_amounts(data: dict[str, Any]) -> dict[str, Any]:
    """The submission as the engine completes it: with the declared amounts it sets."""
    return {**data, **cases.kept_amounts(_bundle(), data)}


@cache
def _engine() -> Any:
    return offline_engine(_bundle().manifest)


def load(state: bytes, spec_text: str) -> Any:
    """A stored case restored with the offline case helpers (notices and milestones are doubles)."""
    workflow = load_state(state, spec_text)
    workflow.script_engine = _engine()
    return workflow


def start_case(spec_text: str) -> bytes:
    workflow = cases.new_workflow(spec_text)
    workflow.script_engine = _engine()
    start = workflow.get_tasks(state=cases.TaskState.READY)[0]
    start.data.update(with_amounts(scenario.APPLICATION), started_at="2025-01-01T09:00:00+00:00", **APPLICANT)
    cases.advance(workflow)
    return dump_state(workflow)


def open_tasks(workflow: Any) -> list[tuple[str, str]]:
    """(task id, bpmn id) of the open user tasks, built from the same facts the index uses."""
    return [(f.task_id, f.bpmn_id) for f in map(cases.facts, cases.open_user_tasks(workflow))]


def complete_one(state: bytes, spec_text: str, task_id: str, data: dict[str, Any]) -> tuple[bytes, list]:
    """One stateless completion: restore, complete, advance, save. Returns the new state and
    the open tasks after it."""
    workflow = load(state, spec_text)
    task = cases.find_open_task(workflow, task_id)
    cases.submit(task, with_amounts(data))
    cases.waiting_timers(workflow)  # complete() notes timers before advancing, to audit firings
    cases.advance(workflow)
    new_state = dump_state(workflow)
    cases.next_due(workflow)
    return new_state, open_tasks(workflow)


def walk_case(spec_text: str) -> CaseResult:
    result = CaseResult()
    state = start_case(spec_text)
    tasks = open_tasks(load_state(state, spec_text))
    walk = scenario.Walk()
    for _ in range(scenario.MAX_STEPS):
        if not tasks:
            result.completed = True
            break
        task_id, bpmn_id = tasks[scenario.pick([b for _, b in tasks])]
        # (a) has no database: a document is just an id, as the engine sees it after upload.
        data = scenario.resolve(walk.data_for(bpmn_id), lambda _path, _doc: secrets.token_hex(16))
        began, cpu_began = time.perf_counter(), time.thread_time()
        state, tasks = complete_one(state, spec_text, task_id, data)
        result.latencies.append(time.perf_counter() - began)
        result.cpu_seconds += time.thread_time() - cpu_began
    result.state_bytes = len(state)
    return result


@dataclass
class InProcessResult:
    cases: int
    completions: int
    seconds: float
    latencies: list[float]
    all_completed: bool
    state_bytes: int
    cpu_seconds: float

    @property
    def per_cpu_second(self) -> float:
        """Completions per second of CPU: the ceiling on one idle core."""
        return self.completions / self.cpu_seconds if self.cpu_seconds else 0.0


def pooled(results: list[InProcessResult]) -> InProcessResult:
    """Several (a) runs as one: (a) measured before and after (b) brackets it, so the drift of a
    shared box's load between the two measurements largely cancels out of the ratio."""
    return InProcessResult(sum(r.cases for r in results), sum(r.completions for r in results),
                           sum(r.seconds for r in results), [x for r in results for x in r.latencies],
                           all(r.all_completed for r in results), max(r.state_bytes for r in results),
                           sum(r.cpu_seconds for r in results))


def run(spec_text: str, max_cases: int, max_seconds: float) -> InProcessResult:
    """Walk up to `max_cases` cases one after another, stopping early after `max_seconds`."""
    walk_case(spec_text)  # warm-up: fills the spec/validator caches the server also keeps warm
    latencies: list[float] = []
    cases, all_completed, state_bytes, cpu_seconds = 0, True, 0, 0.0
    deadline = time.perf_counter() + max_seconds
    while cases < max_cases and time.perf_counter() < deadline:
        case = walk_case(spec_text)
        latencies += case.latencies
        all_completed &= case.completed
        state_bytes = max(state_bytes, case.state_bytes)
        cpu_seconds += case.cpu_seconds
        cases += 1
    return InProcessResult(cases, len(latencies), sum(latencies), latencies, all_completed, state_bytes,
                           cpu_seconds)
