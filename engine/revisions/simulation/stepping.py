"""Driving one simulated case one step: submit a form (every instance of a multi-instance
task), fire a timer, run the automatic steps. Errors come out as runtime's ProcessError
naming the element (`runtime.executing`), or as EngineLoop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from ...cases import runtime
from ...clock import now_utc

PAST = "2000-01-01T00:00:00+00:00"  # a due time every timer has passed: "move the clock"
# Automatic steps in one advance before we call it a loop. Each step deepens SpiffWorkflow's
# task tree, which it walks recursively: far beyond this, Python's recursion limit is hit.
ENGINE_STEP_CAP = 300

# Called with (task, matched) after checking a decision table about to run.
DmnHook = Callable[[Task, bool], None]


class EngineLoop(Exception):
    """The diagram ran more than ENGINE_STEP_CAP automatic steps in one advance."""

    def __init__(self, task: Task | None) -> None:
        super().__init__("engine loop")
        self.task = task


def is_timer(task: Task) -> bool:
    return isinstance(getattr(task.task_spec, "event_definition", None), TimerEventDefinition)


def submit_all(wf: BpmnWorkflow, element: str, data: dict[str, Any], on_dmn: DmnHook) -> None:
    """Complete the open task `element` with `data`; for a multi-instance task (a panel, a
    countersign) every instance, all giving the same answer on this branch."""
    task = next(t for t in runtime.open_user_tasks(wf) if t.task_spec.bpmn_id == element)
    runtime.submit(task, data)
    parent = task.parent
    if parent is None or not isinstance(parent.task_spec, MultiInstanceTask):
        return
    while True:
        advance(wf, on_dmn)  # a sequential multi-instance opens the next instance here
        # Instances are children of the multi-instance task; so is the task that follows it
        # once it is done, hence the id check.
        siblings = [t for t in runtime.open_user_tasks(wf) if t.parent is parent and t.task_spec.bpmn_id == element]
        if not siblings:
            return
        runtime.submit(siblings[0], data)


def fire(wf: BpmnWorkflow, element: str) -> None:
    """Make one waiting timer due (without touching the process clock: the deploy runs inside
    a live server) and let SpiffWorkflow fire it."""
    task = next(t for t in wf.get_tasks(state=TaskState.WAITING) if is_timer(t) and t.task_spec.bpmn_id == element)
    value = task.internal_data.get("event_value")
    task.internal_data["event_value"] = {**value, "next": PAST} if isinstance(value, dict) else PAST
    with runtime.executing(wf):
        wf.refresh_timers()
    value = task.internal_data.get("event_value")
    if isinstance(value, dict):
        # A repeating timer fires once per choice, not all its cycles at once.
        value["next"] = now_utc().replace(year=now_utc().year + 1).isoformat()


def advance(wf: BpmnWorkflow, on_dmn: DmnHook) -> None:
    """runtime.advance, plus a look at every decision table before it runs and a cap on
    automatic steps (a loop without a user task would never return)."""
    steps = [0]

    def before(task: Task) -> None:
        steps[0] += 1
        if steps[0] > ENGINE_STEP_CAP:
            raise EngineLoop(task)
        _check_dmn(task, on_dmn)

    with runtime.executing(wf):
        for _ in range(runtime.MAX_ROUNDS):
            wf.do_engine_steps(will_complete_task=before)
            wf.refresh_timers()
            if not wf.get_tasks(state=TaskState.READY, manual=False):
                return
        raise EngineLoop(None)


def _check_dmn(task: Task, on_dmn: DmnHook) -> None:
    """SpiffWorkflow writes nothing when no rule matches (UNIQUE/FIRST); see it beforehand."""
    engine = getattr(task.task_spec, "dmnEngine", None)
    if engine is None or engine.decision_table.hit_policy == "COLLECT":
        return
    try:
        matched = bool(engine.decide(task))
    except Exception:
        return
    on_dmn(task, matched)


def dmn_inputs(task: Task) -> str:
    """The input values of a decision table, for the message: `budget_yuan=1，classified=True`."""
    values = []
    for column in task.task_spec.dmnEngine.decision_table.inputs:
        try:
            value = task.workflow.script_engine.evaluate(task, column.expression)
        except Exception:
            value = "?"
        values.append(f"{column.expression}={value!r}")
    return "，".join(values)
