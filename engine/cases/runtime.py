"""Everything that reads or drives a live SpiffWorkflow instance."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from ..errors import ProcessError, TaskNotOpen
from ..language.scripting import case_script_engine, script_engine
from .serialization import restored_specs

MAX_ROUNDS = 100  # bound on step/refresh rounds: a diagram that loops on timers must not hang a request
FORM = "formJsonSchemaFilename"
UI_FORM = "formUiSchemaFilename"
UNIT_VARIABLE = "candidateUnitVariable"
USER_VARIABLE = "candidateUserVariable"
TIMER_EVENT_TYPES = {"DurationTimerEventDefinition", "TimeDateEventDefinition", "CycleTimerEventDefinition"}


def new_workflow(spec_text: str, case_id: int | None = None) -> BpmnWorkflow:
    """A fresh workflow from a stored spec (parsed specs are shared read-only); `case_id` as
    in `serialization.load_state`."""
    spec, subs = restored_specs(spec_text)
    engine = script_engine() if case_id is None else case_script_engine(case_id)
    return BpmnWorkflow(spec, subs, script_engine=engine)


def start_event_info(spec_text: str) -> tuple[str | None, str | None]:
    """(lane, form) of the top-level start event: who may start a case, with which form."""
    spec, _ = restored_specs(spec_text)
    for task_spec in spec.task_specs.values():
        if isinstance(task_spec, StartEvent):
            props = getattr(task_spec, "extensions", {}).get("properties", {})
            return task_spec.lane, props.get(FORM)
    return None, None


def start_event_facts(spec_text: str) -> dict[str, Any]:
    """The top-level start event's documentation and ui-schema file (for the start form)."""
    spec, _ = restored_specs(spec_text)
    for task_spec in spec.task_specs.values():
        if isinstance(task_spec, StartEvent):
            props = getattr(task_spec, "extensions", {}).get("properties", {})
            return {"documentation": (task_spec.documentation or "").strip(), "ui_form": props.get(UI_FORM)}
    return {"documentation": "", "ui_form": None}


def _raise_process_error(exc: WorkflowException) -> None:
    task_spec = getattr(exc, "task_spec", None)
    element = getattr(task_spec, "bpmn_id", None) or getattr(task_spec, "name", None)
    name = getattr(task_spec, "bpmn_name", None) or element
    raise ProcessError(f"流程在「{name}」处无法继续：{exc}", element=element) from exc


def _failing_element(workflow: BpmnWorkflow) -> Task | None:
    """SpiffWorkflow raises some errors (e.g. a multi-instance input that is not a list) as
    plain TypeErrors without the task: the failing one is left in ERROR or STARTED, or is
    the FUTURE task being entered right after a completed one."""
    for state in (TaskState.ERROR, TaskState.STARTED, TaskState.FUTURE):
        for task in workflow.get_tasks(state=state):
            entered = state != TaskState.FUTURE or (task.parent and task.parent.state == TaskState.COMPLETED)
            if task.task_spec.bpmn_id and entered:
                return task
    return None


def element_name(task: Task) -> str:
    """The diagram name of a task; a multi-instance task carries it on its inner task spec."""
    spec = task.task_spec
    inner = getattr(spec, "task_spec", None)
    if spec.bpmn_name is None and isinstance(inner, str):
        spec = task.workflow.spec.task_specs.get(inner, spec)
    return spec.bpmn_name or spec.bpmn_id or spec.name


@contextmanager
def executing(workflow: BpmnWorkflow) -> Iterator[None]:
    """Turn any failure while SpiffWorkflow runs the diagram into a ProcessError naming the
    element; the caller's transaction is then rolled back, so nothing half-runs."""
    try:
        yield
    except ProcessError:
        raise
    except WorkflowException as exc:
        _raise_process_error(exc)
    except (TypeError, ValueError, KeyError, AttributeError, IndexError, NameError) as exc:
        task = _failing_element(workflow)
        element = task.task_spec.bpmn_id if task else None
        name = element_name(task) if task else "未知环节"
        raise ProcessError(f"流程在「{name}」处无法继续：{type(exc).__name__}: {exc}", element=element) from exc


def advance(workflow: BpmnWorkflow) -> None:
    """Run every automatic step, including timers that are already due, until the case
    waits for a person or a future timer."""
    with executing(workflow):
        for _ in range(MAX_ROUNDS):
            workflow.do_engine_steps()
            workflow.refresh_timers()
            if not workflow.get_tasks(state=TaskState.READY, manual=False):
                return
        raise ProcessError("流程自动步骤循环次数超过上限，请检查图中的循环或定时器")


def open_user_tasks(workflow: BpmnWorkflow) -> list[Task]:
    return workflow.get_tasks(state=TaskState.READY, manual=True)


def find_open_task(workflow: BpmnWorkflow, task_id: str) -> Task:
    task = workflow.get_task_from_id(UUID(task_id))
    if task is None or task.state != TaskState.READY or not task.task_spec.manual:
        raise TaskNotOpen("该任务已办结或当前不可办理")
    return task


def properties(task: Task) -> dict[str, str]:
    return getattr(task.task_spec, "extensions", {}).get("properties", {})


def timer_value(task: Task) -> datetime | None:
    value = task.internal_data.get("event_value")
    if isinstance(value, dict):
        value = value.get("next")
    # timeDate values keep the offset the diagram wrote (+08:00); store and compare in UTC.
    return datetime.fromisoformat(value).astimezone(UTC) if isinstance(value, str) else None


def due_at(task: Task) -> datetime | None:
    """A user task's due date, from the boundary timers waiting on it (or on the
    multi-instance task it belongs to): the earliest interrupting one — the deadline — or,
    without one, the earliest single reminder. A repeating reminder is not a deadline."""
    interrupting, single = [], []
    for holder in (task, task.parent):
        if holder is None or holder.parent is None:
            continue
        for sibling in holder.parent.children:
            value = timer_value(sibling) if sibling is not holder and sibling.state == TaskState.WAITING else None
            if value is None:
                continue
            spec = sibling.task_spec
            if getattr(spec, "cancel_activity", False):
                interrupting.append(value)
            elif type(getattr(spec, "event_definition", None)).__name__ != "CycleTimerEventDefinition":
                single.append(value)
    candidates = interrupting or single
    return min(candidates) if candidates else None


def next_due(workflow: BpmnWorkflow) -> datetime | None:
    values = []
    for event in workflow.waiting_events():
        value = event.value.get("next") if isinstance(event.value, dict) else event.value
        if event.event_type in TIMER_EVENT_TYPES and value:
            values.append(datetime.fromisoformat(value).astimezone(UTC))
    return min(values) if values else None


def completed_timers(workflow: BpmnWorkflow) -> dict[str, Task]:
    return {str(t.id): t for t in workflow.get_tasks(state=TaskState.COMPLETED)
            if type(getattr(t.task_spec, "event_definition", None)).__name__ in TIMER_EVENT_TYPES}


def waiting_timers(workflow: BpmnWorkflow) -> dict[str, Task]:
    return {str(t.id): t for t in workflow.get_tasks(state=TaskState.WAITING) if timer_value(t) is not None}


def submit(task: Task, data: dict[str, Any]) -> None:
    """Merge validated form data and complete the task. A multi-instance child also gets
    its output item, which SpiffWorkflow requires to collect the result."""
    fresh = json.loads(json.dumps(data))  # new objects: task data is shallow-copied between tasks
    task.data.update(fresh)
    parent = task.parent.task_spec if task.parent is not None else None
    if isinstance(parent, MultiInstanceTask) and parent.output_item is not None:
        task.data.setdefault(parent.output_item.bpmn_id, fresh)
    with executing(task.workflow):
        task.run()


def current_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The case data as staff understand it: the finished data, or the data of the last
    completed step (of the case and of each running called process) overlaid with what the
    open branches carry."""
    merged: dict[str, Any] = {}
    if workflow.completed:
        merged.update(workflow.data)
    else:
        if workflow.last_task is not None:
            merged.update(workflow.last_task.data)
        # A called process keeps its own last step: a flag a timer branch set in there (e.g. a
        # deadline missed) must show before the called process returns.
        for sub in workflow.subprocesses.values():
            if not sub.completed and sub.last_task is not None:
                merged.update(sub.last_task.data)
        for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING):
            merged.update(task.data)
    # As stored: JSON keys are strings (a multi-instance result dict has int keys in memory
    # until its first save), dates are ISO strings.
    return json.loads(json.dumps(merged, ensure_ascii=False, default=str))


@dataclass
class TaskFacts:
    task_id: str
    bpmn_id: str
    name: str
    lane: str | None
    form: str | None
    ui_form: str | None
    unit_variable: str | None
    user_variable: str | None
    documentation: str
    due_at: datetime | None
    data: dict[str, Any]


def facts(task: Task) -> TaskFacts:
    spec = task.task_spec
    props = properties(task)
    return TaskFacts(
        task_id=str(task.id), bpmn_id=spec.bpmn_id or spec.name, name=spec.bpmn_name or spec.bpmn_id,
        lane=spec.lane, form=props.get(FORM), ui_form=props.get(UI_FORM),
        unit_variable=props.get(UNIT_VARIABLE), user_variable=props.get(USER_VARIABLE),
        documentation=(spec.documentation or "").strip(),
        due_at=due_at(task), data=task.data,
    )


def outcome(workflow: BpmnWorkflow) -> str | None:
    """The name of the end event the case finished at (e.g. 未予立项), if it has finished."""
    if not workflow.completed:
        return None
    ends = [t for t in workflow.get_tasks(state=TaskState.COMPLETED, skip_subprocesses=True)
            if isinstance(t.task_spec, EndEvent) and t.workflow is workflow]
    return "、".join(sorted({t.task_spec.bpmn_name or t.task_spec.bpmn_id for t in ends})) or None
