"""A case on its diagrams: which elements ran (and how often), where its tokens are, which
timers wait — per process of the case (the root, every called process, every embedded
subprocess), with the bundle file that draws each one."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from .. import safe_xml
from ..regulations.bundles import Bundle
from ..regulations.store import stored_bundle
from ..users import Actor
from .compaction import completed_element, pruned_counts
from .instances import load
from .lookups import get_visible
from .runtime import TIMER_EVENT_TYPES

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


@dataclass
class ProcessState:
    process_id: str
    name: str
    file: str | None
    completed: Counter = field(default_factory=Counter)
    active: set[str] = field(default_factory=set)
    waiting_timers: set[str] = field(default_factory=set)
    called: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"process_id": self.process_id, "name": self.name, "file": self.file,
                "completed": sorted(self.completed), "active": sorted(self.active),
                "waiting_timers": sorted(self.waiting_timers), "called": dict(sorted(self.called.items())),
                "counts": dict(sorted(self.completed.items()))}


@lru_cache(maxsize=64)
def _process_files(bundle_hash: str) -> dict[str, tuple[str, str]]:
    """process or embedded subprocess id → (bundle file, name), from the bundle's BPMN XML."""
    return process_files(stored_bundle(bundle_hash))


def process_files(bundle: Bundle) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for name in bundle.manifest["bpmn_files"]:
        root = safe_xml.parse(bundle.files[name])
        for tag in ("process", "subProcess"):
            for el in root.iter(f"{{{BPMN_NS}}}{tag}"):
                if el.get("id"):
                    out[el.get("id")] = (name, el.get("name") or el.get("id"))
    return out


def _called(workflow: BpmnWorkflow) -> dict[str, dict[str, str]]:
    """process id → {call activity / subprocess element id → the process id it runs}."""
    specs = {workflow.spec.name: workflow.spec, **workflow.subprocess_specs}
    return {name: {ts.bpmn_id: ts.spec for ts in spec.task_specs.values()
                   if isinstance(ts, SubWorkflowTask) and ts.bpmn_id}
            for name, spec in specs.items()}


def _is_timer(task: Task) -> bool:
    return type(getattr(task.task_spec, "event_definition", None)).__name__ in TIMER_EVENT_TYPES


def _record(state: ProcessState, task: Task) -> None:
    bpmn_id = task.task_spec.bpmn_id
    if task.state == TaskState.COMPLETED:
        if (element := completed_element(task)) is not None:
            state.completed[element] += 1
    elif task.state == TaskState.WAITING and _is_timer(task):
        state.waiting_timers.add(bpmn_id)
    elif task.state == TaskState.STARTED or (task.state == TaskState.READY and task.task_spec.manual):
        state.active.add(bpmn_id)  # an open user task, a running subprocess or loop


def workflow_state(workflow: BpmnWorkflow, files: dict[str, tuple[str, str]]) -> list[dict[str, Any]]:
    """Every process of the workflow, the root first, then in the order of `files`."""
    called = _called(workflow)
    states: dict[str, ProcessState] = {}
    for process_id in [workflow.spec.name, *sorted(workflow.subprocess_specs, key=_order(files))]:
        file, name = files.get(process_id, (None, process_id))
        states[process_id] = ProcessState(process_id, name, file, called=called.get(process_id, {}))
    for task in workflow.get_tasks():
        if task.task_spec.bpmn_id is None:
            continue  # internal specs (Root, Start, End, boundary-event parents)
        owner = states.get(task.workflow.spec.name)
        if owner is not None:
            _record(owner, task)
    for process_id, counts in pruned_counts(workflow).items():  # what compaction dropped
        if process_id in states:
            states[process_id].completed.update(counts)
    return [s.as_dict() for s in states.values()]


def _order(files: dict[str, tuple[str, str]]):
    rank = {pid: i for i, pid in enumerate(files)}
    return lambda pid: (rank.get(pid, len(rank)), pid)


def diagram_state(actor: Actor, instance_id: int) -> dict[str, Any]:
    """The case on its diagrams, for whoever may see the case (running or finished)."""
    inst = get_visible(actor, instance_id)
    loaded = load(inst)
    files = _process_files(inst.version.bundle_hash)
    return {"process_key": inst.process_key, "version": inst.version.version,
            "processes": workflow_state(loaded.workflow, files)}
