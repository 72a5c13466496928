"""Depth-first exploration of one process: user tasks with payload variants, waiting timers
fired, each choice on its own copy of the state (dump_state/load_state, as the service stores
cases). States are deduplicated by what is open plus the live decision values (liveness.py),
so loops close and branches that no longer differ merge.

Three reductions keep this to seconds (each a documented approximation):
- a variant is tried only while its field is still read downstream;
- numeric variants in the same range between the diagram's thresholds count once;
- with several user tasks open, only the first (by id) is done next: parallel branches are
  taken as independent (a race decided by which person acts first is not explored); timers
  are always a choice, so "the deadline passes first" and "the task is done first" both run;
- a path passes the same open tasks at most LOOP_UNROLL times, and at most MAX_PER_CONTROL
  value combinations are kept per set of open tasks (beyond that the result is "capped").
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import IntermediateCatchEvent
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from ...cases import runtime
from ...cases.amounts import kept_from
from ...cases.serialization import dump_state, load_state
from ...clock import now_utc
from ...errors import ProcessError
from . import stepping
from .liveness import OPEN, Liveness
from .payloads import Payload
from .report import Finding, ProcessSummary
from .specs import EXTERNAL_EVENTS, Catalogue

SEEN_STATES = TaskState.COMPLETED | TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}.*)?$")
NO_FORM = [Payload("", {})]
# How often one path may pass through the same open tasks with different live values: a
# loop whose data grows each round (next year's plan_year, a round counter) is unrolled this
# many times, not until the state cap.
LOOP_UNROLL = 3
# Loop re-entries kept per set of open tasks (over all paths): beyond it, a loop that brings
# new values back to the same point is not followed and the exploration counts as capped.
MAX_PER_CONTROL = 24


@dataclass(frozen=True)
class Choice:
    kind: str      # "start", "task" or "timer"
    element: str   # bpmn id
    variant: int = 0
    label: str = ""
    form: str | None = None  # the task's form (its payloads are the variants)

    def step(self) -> str:
        if self.kind == "timer":
            return f"⏰{self.element}"
        return f"{self.element}[{self.label}]" if self.label else self.element


@dataclass
class Node:
    path: tuple[str, ...]
    choices: list[Choice]
    workflow: BpmnWorkflow | None    # the live object, consumed by the first choice
    state: bytes | None              # for the other choices
    control: tuple[str, ...] = ()    # what is open: the loop-unrolling count is kept on this
    next: int = 0


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
    amounts: dict[str, Any] = field(default_factory=dict)  # the manifest's declared amounts
    start_form: str | None = field(init=False)

    def __post_init__(self) -> None:
        self.start_form = runtime.start_event_info(self.spec_text)[1]


class Explorer:
    def __init__(self, setup: Setup, summary: ProcessSummary, findings: dict[tuple, Finding]) -> None:
        self.s, self.summary, self.findings = setup, summary, findings
        self.seen: set[tuple] = set()
        self.world = ""
        self.on_path: Counter[tuple[str, ...]] = Counter()
        self.per_control: Counter[tuple[str, ...]] = Counter()
        self.capped = False
        self.deadline = 0.0

    def run(self, world: str, max_states: int, deadline: float) -> bool:
        """Explore from every start payload; False when a cap stopped it."""
        self.world, self.seen, self.per_control, self.on_path = world, set(), Counter(), Counter()
        self.deadline = deadline
        prefix = (world,) if world else ()
        for index, payload in enumerate(self._payloads(self.s.start_form)):
            if time.monotonic() > deadline:
                return False
            stack: list[Node] = []
            start = Choice("start", "start", index, payload.label)
            self._expand(None, start, (*prefix, start.step()), stack)
            while stack:
                if len(self.seen) >= max_states or time.monotonic() > deadline:
                    return False
                node = stack[-1]
                if node.next >= len(node.choices):
                    self.on_path[stack.pop().control] -= 1
                    continue
                choice = node.choices[node.next]
                node.next += 1
                self._expand(node, choice, (*node.path, choice.step()), stack)
        return not self.capped

    # -- one transition ------------------------------------------------------------------
    def _expand(self, node: Node | None, choice: Choice, path: tuple[str, ...], stack: list[Node]) -> None:
        def on_dmn(task: Task, matched: bool) -> None:
            if not matched:
                table = task.task_spec.dmnEngine.decision_table
                self._add("dmn_no_match", task.task_spec.bpmn_id, f"决策表「{table.name or table.id}」对输入 "
                          f"{stepping.dmn_inputs(task)} 没有匹配的规则，也没有兜底规则：不写入任何输出", path)

        wf = None
        try:
            wf = self._fresh(choice) if node is None else self._take(node)
            if choice.kind == "task":
                data = self._payloads(choice.form)[choice.variant].data
                stepping.submit_all(wf, choice.element, {**data, **kept_from(self.s.amounts, data)}, on_dmn)
            elif choice.kind == "timer":
                stepping.fire(wf, choice.element)
            stepping.advance(wf, on_dmn)
        except Exception as exc:
            if time.monotonic() > self.deadline:
                return  # the time budget stopped it (see language.ceiling): no finding, the run is capped
            # What ran up to the failure was reached.
            if wf is not None and not isinstance(exc, RecursionError):
                self._visit(wf.get_tasks())
            self._failed(exc, choice, path)
            return
        child = self._settle(wf, path)
        if child is None:
            return
        if self.on_path[child.control]:  # a loop came back here: bounded, see MAX_PER_CONTROL
            if self.on_path[child.control] >= LOOP_UNROLL or self.per_control[child.control] >= MAX_PER_CONTROL:
                self.capped = self.capped or self.on_path[child.control] < LOOP_UNROLL
                return
            self.per_control[child.control] += 1
        self.on_path[child.control] += 1
        stack.append(child)

    def _failed(self, exc: Exception, choice: Choice, path: tuple[str, ...]) -> None:
        if isinstance(exc, ProcessError):
            self._process_error(exc, path)
        elif isinstance(exc, stepping.EngineLoop | RecursionError):
            task = getattr(exc, "task", None)
            element = task.task_spec.bpmn_id if task is not None else choice.element
            self._add("infinite_loop", element,
                      f"自动步骤超过 {stepping.ENGINE_STEP_CAP} 步仍未停下（图中有不经人工办理的循环）", path)
        else:
            self._add("script_error", choice.element, f"模拟在此步出错：{type(exc).__name__}: {exc}", path)

    def _visit(self, tasks: list[Task]) -> None:
        self.summary.visited.update(t.task_spec.bpmn_id for t in tasks if t.state & SEEN_STATES and t.task_spec.bpmn_id)

    def _fresh(self, choice: Choice) -> BpmnWorkflow:
        wf = runtime.new_workflow(self.s.spec_text)
        wf.script_engine = self.s.engine
        start = wf.get_tasks(state=TaskState.READY)[0]
        data = self._payloads(self.s.start_form)[choice.variant].data
        start.data.update(json.loads(json.dumps({**data, **kept_from(self.s.amounts, data)})))
        start.data.update(self.s.start_data, started_at=now_utc().isoformat())
        return wf

    def _take(self, node: Node) -> BpmnWorkflow:
        if node.workflow is not None:
            wf, node.workflow = node.workflow, None
            return wf
        wf = load_state(node.state, self.s.spec_text)
        wf.script_engine = self.s.engine
        return wf

    # -- after a transition --------------------------------------------------------------
    def _settle(self, wf: BpmnWorkflow, path: tuple[str, ...]) -> Node | None:
        tasks = wf.get_tasks()  # one walk of the tree serves every question below
        self._visit(tasks)
        open_tasks = [t for t in tasks if t.state in (TaskState.READY, TaskState.WAITING)]
        live = self.s.liveness.live([t for t in tasks if t.state & OPEN])
        signature = self._signature(wf, tasks, open_tasks, live)
        if signature in self.seen:
            return None
        self.seen.add(signature)
        self.summary.states += 1
        if wf.completed:
            self.summary.paths_completed += 1
            self.summary.end_events_reached.update(signature[-1])
            return None
        choices = self._choices(open_tasks, live)
        if not choices:
            self._stuck(wf, open_tasks, path)
            return None
        if len(path) > self.s.max_steps:
            self._add("infinite_loop", choices[0].element,
                      f"路径超过 {self.s.max_steps} 步仍未结束（可能是无出口的循环）", path)
            return None
        return Node(path, choices, wf, dump_state(wf) if len(choices) > 1 else None, signature[1])

    def _signature(self, wf: BpmnWorkflow, tasks: list[Task], open_tasks: list[Task], live: set[str]) -> tuple:
        """What is open, plus the live decision values (form fields abstracted to their range
        between the diagram's thresholds). A finished case: the end events it reached."""
        if wf.completed:
            ends = {t.task_spec.bpmn_id for t in tasks if t.state == TaskState.COMPLETED
                    and isinstance(t.task_spec, EndEvent) and t.workflow is wf}
            return self.world, tuple(sorted(ends))
        names = sorted(f"{t.workflow.spec.name}/{t.task_spec.name}/{t.state}" for t in open_tasks)
        data: dict[str, Any] = dict(wf.last_task.data) if wf.last_task is not None else {}
        for task in open_tasks:
            data.update(task.data)
        values = {k: self._abstract(k, data[k]) for k in sorted(live) if k in data}
        return self.world, tuple(names), json.dumps(values, ensure_ascii=False, default=str)

    def _abstract(self, name: str, value: Any) -> Any:
        thresholds = self.s.thresholds.get(name)
        if thresholds and isinstance(value, int | float) and not isinstance(value, bool):
            return [(value > t) - (value < t) for t in thresholds]
        return _normalised(value)

    def _choices(self, open_tasks: list[Task], live: set[str]) -> list[Choice]:
        """The first open user task (by id) with each of its variants still live, and every
        waiting timer. Parallel user tasks are done one after another in id order: their
        interleavings lead to the same states, only more slowly."""
        users = sorted((t for t in open_tasks if t.state == TaskState.READY and t.task_spec.manual),
                       key=lambda t: t.task_spec.bpmn_id)
        out: list[Choice] = []
        if users:
            element, form = users[0].task_spec.bpmn_id, runtime.properties(users[0]).get(runtime.FORM)
            payloads = self._payloads(form)
            tried: set[str] = set()
            for index, payload in enumerate(payloads):
                if payload.fields:
                    if not live.intersection(payload.fields):
                        continue
                    tried.add(self._variant_key(payload.fields, payloads[0].data))
                    key = self._variant_key(payload.fields, payload.data)
                    if key in tried:
                        continue
                    tried.add(key)
                out.append(Choice("task", element, index, payload.label, form))
        timers = dict.fromkeys(t.task_spec.bpmn_id for t in open_tasks
                               if t.state == TaskState.WAITING and stepping.is_timer(t) and t.task_spec.bpmn_id)
        return out + [Choice("timer", element) for element in timers]

    def _variant_key(self, names: tuple[str, ...], data: dict[str, Any]) -> str:
        values = [[n, self._abstract(n, data[n]) if n in data else "∅"] for n in names]
        return json.dumps(values, ensure_ascii=False, default=str)

    def _stuck(self, wf: BpmnWorkflow, open_tasks: list[Task], path: tuple[str, ...]) -> None:
        if any(t.state == TaskState.READY and t.task_spec.manual for t in open_tasks):
            return  # a form no data could be generated for: reported once, as such
        catches = [t for t in open_tasks if isinstance(t.task_spec, IntermediateCatchEvent)
                   and isinstance(getattr(t.task_spec, "event_definition", None), EXTERNAL_EVENTS)]
        if catches:
            self._add("waits_for_message", catches[0].task_spec.bpmn_id,
                      "该路径只能等待外部消息才能继续，模拟不发送消息，未继续探索", path)
            return
        self._add("dead_end", _stuck_element(wf, open_tasks),
                  "流程停在此处：既没有待办任务，也没有等待中的定时器，但流程未结束", path)

    def _process_error(self, exc: ProcessError, path: tuple[str, ...]) -> None:
        element = exc.extra.get("element")
        if "No conditions satisfied" in str(exc.__cause__ or exc.detail):
            self._add("no_matching_branch", element, "网关没有任何条件成立，也没有默认流：流程无法继续", path)
        else:
            self._add("script_error", element, exc.detail, path)

    # -- helpers -------------------------------------------------------------------------
    def _payloads(self, form: str | None) -> list[Payload]:
        return self.s.forms.get(form, NO_FORM) if form else NO_FORM

    def _add(self, kind: str, element: str | None, message: str, path: tuple[str, ...]) -> None:
        key = (kind, self.s.key, element)
        if key not in self.findings:
            name = self.s.catalogue.names.get(element or "", self.s.name)
            self.findings[key] = Finding(kind, self.s.key, element, name, message, list(path))


def _stuck_element(wf: BpmnWorkflow, open_tasks: list[Task]) -> str | None:
    """Where the token stopped: a join still waiting for a branch, else whatever waits, else
    the last step that ran."""
    waiting = [t for t in open_tasks if t.state == TaskState.WAITING and t.task_spec.bpmn_id]
    joins = [t for t in waiting if "Gateway" in (t.task_spec.description or "")]
    if joins or waiting:
        return (joins or waiting)[0].task_spec.bpmn_id
    return wf.last_task.task_spec.bpmn_id if wf.last_task is not None else None


def _normalised(value: Any) -> Any:
    """Dates and timestamps written by scripts (`now()`, milestones, next year's deadline)
    differ on every run of a loop; they must not make a loop look like new states."""
    if isinstance(value, str) and DATE.match(value):
        return "<日期>"
    if isinstance(value, list):
        return [_normalised(v) for v in value]
    if isinstance(value, dict):
        return {k: _normalised(v) for k, v in value.items()}
    return value
