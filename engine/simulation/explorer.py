"""Breadth-first exploration of one process: every user task with every payload variant,
every waiting timer fired, each choice on its own copy of the state (dump_state/load_state,
as the service stores cases). States are deduplicated by what is open plus the values of
the names the diagrams read, so loops close and identical branches merge."""

from __future__ import annotations

import json
import re
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import IntermediateCatchEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from .. import runtime
from ..clock import now_utc
from ..errors import ProcessError
from ..serialization import dump_state, load_state
from .liveness import Liveness
from .payloads import Payload
from .report import Finding, ProcessSummary
from .specs import EXTERNAL_EVENTS, Catalogue

PAST = "2000-01-01T00:00:00+00:00"  # a due time every timer has passed: "move the clock"
ENGINE_STEP_CAP = 2000  # automatic steps in one advance before we call it a loop
SEEN_STATES = TaskState.COMPLETED | TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


class EngineLoop(Exception):
    """The diagram ran more automatic steps than ENGINE_STEP_CAP in one advance."""

    def __init__(self, task: Task | None) -> None:
        super().__init__("engine loop")
        self.task = task


@dataclass(frozen=True)
class Choice:
    kind: str      # "task" or "timer"
    element: str   # bpmn id
    variant: int = 0
    label: str = ""

    def step(self) -> str:
        if self.kind == "timer":
            return f"⏰{self.element}"
        return f"{self.element}[{self.label}]" if self.label else self.element


@dataclass
class Node:
    state: bytes
    path: tuple[str, ...]
    choices: list[Choice]


@dataclass
class Setup:
    """What the explorer of one process needs from the bundle."""

    key: str
    name: str
    spec_text: str
    catalogue: Catalogue
    engine: Any                         # the simulation script engine
    forms: dict[str, list[Payload]]     # form name -> payloads (base first)
    liveness: Liveness
    thresholds: dict[str, list[float]]  # form field -> the constants the diagrams compare it with
    start_data: dict[str, Any]          # engine-provided data (case_id, ...)
    max_steps: int = 150


class Explorer:
    def __init__(self, setup: Setup, summary: ProcessSummary, findings: dict[tuple, Finding]) -> None:
        self.s, self.summary, self.findings = setup, summary, findings
        self.seen: set[tuple] = set()
        self.queue: deque[Node] = deque()
        self.world = ""

    # -- driving -------------------------------------------------------------------------
    def run(self, world: str, max_states: int, deadline: float) -> bool:
        """Explore from every start payload; False when a cap stopped it."""
        self.world, self.seen, self.queue = world, set(), deque()
        start_form = runtime.start_event_info(self.s.spec_text)[1]
        for index, payload in enumerate(self._payloads(start_form, "start")):
            label = f"start[{payload.label}]" if payload.label else "start"
            self._step(None, Choice("start", "start", index, payload.label), (*self._prefix(), label))
        while self.queue:
            if len(self.seen) >= max_states or time.monotonic() > deadline:
                return False
            node = self.queue.popleft()
            for choice in node.choices:
                self._step(node, choice, (*node.path, choice.step()))
        return True

    def _prefix(self) -> tuple[str, ...]:
        return (self.world,) if self.world else ()

    def _step(self, node: Node | None, choice: Choice, path: tuple[str, ...]) -> None:
        try:
            wf = self._fresh(choice) if node is None else self._restore(node)
            if node is not None:
                self._apply(wf, choice, path)
            self._advance(wf, path)
        except ProcessError as exc:
            self._process_error(exc, path)
            return
        except EngineLoop as exc:
            element = exc.task.task_spec.bpmn_id if exc.task is not None else None
            self._add("infinite_loop", element,
                      f"自动步骤超过 {ENGINE_STEP_CAP} 步仍未停下（图中有不经人工办理的循环）", path)
            return
        self._settle(wf, path)

    # -- one transition ------------------------------------------------------------------
    def _fresh(self, choice: Choice) -> BpmnWorkflow:
        wf = runtime.new_workflow(self.s.spec_text)
        wf.script_engine = self.s.engine
        start_form = runtime.start_event_info(self.s.spec_text)[1]
        start = wf.get_tasks(state=TaskState.READY)[0]
        start.data.update(json.loads(json.dumps(self._payloads(start_form, "start")[choice.variant].data)))
        start.data.update(self.s.start_data, started_at=now_utc().isoformat())
        return wf

    def _restore(self, node: Node) -> BpmnWorkflow:
        wf = load_state(node.state, self.s.spec_text)
        wf.script_engine = self.s.engine
        return wf

    def _apply(self, wf: BpmnWorkflow, choice: Choice, path: tuple[str, ...]) -> None:
        if choice.kind == "timer":
            self._fire(wf, choice.element)
            return
        task = next(t for t in runtime.open_user_tasks(wf) if t.task_spec.bpmn_id == choice.element)
        data = self._payloads(runtime.properties(task).get(runtime.FORM), choice.element)[choice.variant].data
        runtime.submit(task, data)
        parent = task.parent
        if parent is None or not isinstance(parent.task_spec, MultiInstanceTask):
            return
        # A panel or countersign: every instance gives the same answer on this branch.
        while True:
            self._advance(wf, path)
            siblings = [t for t in runtime.open_user_tasks(wf) if t.parent is parent]
            if not siblings:
                return
            runtime.submit(siblings[0], data)

    def _fire(self, wf: BpmnWorkflow, element: str) -> None:
        task = next(t for t in self._timers(wf) if t.task_spec.bpmn_id == element)
        value = task.internal_data.get("event_value")
        task.internal_data["event_value"] = {**value, "next": PAST} if isinstance(value, dict) else PAST
        with runtime.executing(wf):
            wf.refresh_timers()
        value = task.internal_data.get("event_value")
        if isinstance(value, dict):
            # A repeating timer fires once per choice, not all its cycles at once.
            value["next"] = now_utc().replace(year=now_utc().year + 1).isoformat()

    def _advance(self, wf: BpmnWorkflow, path: tuple[str, ...]) -> None:
        """runtime.advance, plus a check of every decision table before it runs and a cap on
        automatic steps (a loop without a user task would never return)."""
        steps = [0]

        def before(task: Task) -> None:
            steps[0] += 1
            if steps[0] > ENGINE_STEP_CAP:
                raise EngineLoop(task)
            self._check_dmn(task, path)

        with runtime.executing(wf):
            for _ in range(runtime.MAX_ROUNDS):
                wf.do_engine_steps(will_complete_task=before)
                wf.refresh_timers()
                if not wf.get_tasks(state=TaskState.READY, manual=False):
                    return
            raise EngineLoop(None)

    def _check_dmn(self, task: Task, path: tuple[str, ...]) -> None:
        engine = getattr(task.task_spec, "dmnEngine", None)
        if engine is None or engine.decision_table.hit_policy == "COLLECT":
            return
        try:
            matched = engine.decide(task)
        except Exception:  # the run itself reports it, naming the element
            return
        if not matched:
            inputs = self._dmn_inputs(engine, task)
            table = engine.decision_table.name or engine.decision_table.id
            self._add("dmn_no_match", task.task_spec.bpmn_id,
                      f"决策表「{table}」对输入 {inputs} 没有匹配的规则，也没有兜底规则：不写入任何输出", path)

    def _dmn_inputs(self, engine: Any, task: Task) -> str:
        values = []
        for column in engine.decision_table.inputs:
            try:
                value = task.workflow.script_engine.evaluate(task, column.expression)
            except Exception:
                value = "?"
            values.append(f"{column.expression}={value!r}")
        return "，".join(values)

    # -- after a transition --------------------------------------------------------------
    def _settle(self, wf: BpmnWorkflow, path: tuple[str, ...]) -> None:
        for task in wf.get_tasks(state=SEEN_STATES):
            if task.task_spec.bpmn_id:
                self.summary.visited.add(task.task_spec.bpmn_id)
        signature = self._signature(wf)
        if signature in self.seen:
            return
        self.seen.add(signature)
        self.summary.states += 1
        if wf.completed:
            self.summary.paths_completed += 1
            self.summary.end_events_reached.update(signature[-1])
            return
        choices = self._choices(wf)
        if not choices:
            self._stuck(wf, path)
        elif len(path) > self.s.max_steps:
            self._add("infinite_loop", path[-1].split("[")[0].lstrip("⏰"),
                      f"路径超过 {self.s.max_steps} 步仍未结束（可能是无出口的循环）", path)
        else:
            self.queue.append(Node(dump_state(wf), path, choices))

    def _signature(self, wf: BpmnWorkflow) -> tuple:
        """What is open, plus the live decision values (abstracted to their range between the
        diagram's thresholds for form fields). A finished case: the end events it reached."""
        if wf.completed:
            ends = {t.task_spec.bpmn_id for t in wf.get_tasks(state=TaskState.COMPLETED, skip_subprocesses=True)
                    if isinstance(t.task_spec, EndEvent) and t.workflow is wf}
            return self.world, tuple(sorted(ends))
        open_tasks = sorted(f"{t.workflow.spec.name}/{t.task_spec.name}/{t.state}" for t in
                            wf.get_tasks(state=TaskState.READY | TaskState.WAITING))
        data = _current_data(wf)
        live = self.s.liveness.live(wf)
        values = {k: self._abstract(k, data[k]) for k in sorted(live) if k in data}
        return self.world, tuple(open_tasks), json.dumps(values, ensure_ascii=False, default=str)

    def _abstract(self, name: str, value: Any) -> Any:
        thresholds = self.s.thresholds.get(name)
        if thresholds and isinstance(value, int | float) and not isinstance(value, bool):
            return [(value > t) - (value < t) for t in thresholds]
        return _normalised(value)

    def _choices(self, wf: BpmnWorkflow) -> list[Choice]:
        out: list[Choice] = []
        for task in runtime.open_user_tasks(wf):
            element = task.task_spec.bpmn_id
            if any(c.element == element for c in out):
                continue
            for index, payload in enumerate(self._payloads(runtime.properties(task).get(runtime.FORM), element)):
                out.append(Choice("task", element, index, payload.label))
        for element in dict.fromkeys(t.task_spec.bpmn_id for t in self._timers(wf)):
            out.append(Choice("timer", element))
        return out

    def _timers(self, wf: BpmnWorkflow) -> list[Task]:
        return [t for t in wf.get_tasks(state=TaskState.WAITING)
                if isinstance(getattr(t.task_spec, "event_definition", None), TimerEventDefinition)
                and t.task_spec.bpmn_id]

    def _stuck(self, wf: BpmnWorkflow, path: tuple[str, ...]) -> None:
        if runtime.open_user_tasks(wf):
            return  # a form no data could be generated for: reported once, as such
        waiting = wf.get_tasks(state=TaskState.WAITING)
        catches = [t for t in waiting if isinstance(t.task_spec, IntermediateCatchEvent)
                   and isinstance(getattr(t.task_spec, "event_definition", None), EXTERNAL_EVENTS)]
        if catches:
            spec = catches[0].task_spec
            self._add("waits_for_message", spec.bpmn_id,
                      "该路径只能等待外部消息才能继续，模拟不发送消息，未继续探索", path)
            return
        self._add("dead_end", self._stuck_element(wf),
                  "流程停在此处：既没有待办任务，也没有等待中的定时器，但流程未结束", path)

    def _stuck_element(self, wf: BpmnWorkflow) -> str | None:
        """Where the token stopped: a join still waiting for a branch, else whatever waits,
        else the last step that ran."""
        waiting = [t for t in wf.get_tasks(state=TaskState.WAITING) if t.task_spec.bpmn_id]
        joins = [t for t in waiting if "Gateway" in (t.task_spec.description or "")]
        if joins or waiting:
            return (joins or waiting)[0].task_spec.bpmn_id
        return wf.last_task.task_spec.bpmn_id if wf.last_task is not None else None

    def _process_error(self, exc: ProcessError, path: tuple[str, ...]) -> None:
        element = exc.extra.get("element")
        text = str(exc.__cause__ or exc.detail)
        if "No conditions satisfied" in text:
            self._add("no_matching_branch", element, "网关没有任何条件成立，也没有默认流：流程无法继续", path)
        else:
            self._add("script_error", element, exc.detail, path)

    # -- helpers -------------------------------------------------------------------------
    def _payloads(self, form: str | None, element: str) -> list[Payload]:
        return self.s.forms.get(form, [Payload("", {})]) if form else [Payload("", {})]

    def _add(self, kind: str, element: str | None, message: str, path: tuple[str, ...]) -> None:
        key = (kind, self.s.key, element)
        if key not in self.findings:
            name = self.s.catalogue.names.get(element or "", self.s.name)
            self.findings[key] = Finding(kind, self.s.key, element, name, message, list(path))


def _current_data(wf: BpmnWorkflow) -> dict[str, Any]:
    """runtime.current_data without its JSON round trip (this runs on every transition)."""
    merged: dict[str, Any] = dict(wf.last_task.data) if wf.last_task is not None else {}
    for task in wf.get_tasks(state=TaskState.READY | TaskState.WAITING):
        merged.update(task.data)
    return merged


def _normalised(value: Any) -> Any:
    """Timestamps written by scripts (`now()`, milestones) differ on every run of a loop;
    they must not make a loop look like new states."""
    if isinstance(value, str) and DATETIME.match(value):
        return "<时间>"
    if isinstance(value, list):
        return [_normalised(v) for v in value]
    if isinstance(value, dict):
        return {k: _normalised(v) for k, v in value.items()}
    return value
