"""Compaction (engine/cases/compaction.py): a case whose finished tasks are dropped at every save runs
exactly like one that keeps its whole tree — same open tasks, data, due times, diagram counts,
outcome, and 撤回 — while its tree and state stay the size of what is running."""

from __future__ import annotations

import gzip
import json
import secrets

import pytest
from SpiffWorkflow.util.task import TaskState

from bench import inprocess, scenario
from engine.cases import compaction, runtime
from engine.cases.diagram_state import workflow_state
from engine.cases.serialization import dump_state

from .test_parallel_loops import BRANCHES, SPECS

LOOP = ("initial_review", "revise_application")


# User tasks on the walk bench/scenario.py takes through hunan-hrss (send-back loops, supervision
# rounds, trial-operation timers, called processes).
STEPS = 34


class Twins:
    """One case twice: `whole` stays in memory with every task it ran; `stored` is saved and
    restored after every step, as the service does, so it is compacted each time."""

    def __init__(self, spec: str, state: bytes | None = None) -> None:
        self.spec = spec
        state = state if state is not None else dump_state(runtime.new_workflow(spec))
        self.whole = inprocess.load(state, spec)
        self.stored = inprocess.load(state, spec)
        for wf in (self.whole, self.stored):
            runtime.advance(wf)
        self.stored = inprocess.load(dump_state(self.stored), spec)

    def open(self, wf) -> list[str]:
        return sorted(t.task_spec.bpmn_id for t in runtime.open_user_tasks(wf))

    def do(self, bpmn_id: str, data: dict) -> None:
        for wf in (self.whole, self.stored):
            task = next(t for t in runtime.open_user_tasks(wf) if t.task_spec.bpmn_id == bpmn_id)
            runtime.submit(task, inprocess.with_amounts(json.loads(json.dumps(data))))
            runtime.advance(wf)
        self.stored = inprocess.load(dump_state(self.stored), self.spec)
        self.assert_alike()

    def assert_alike(self) -> None:
        whole, stored = self.whole, self.stored
        assert self.open(stored) == self.open(whole)
        assert runtime.current_data(stored) == runtime.current_data(whole)
        assert runtime.next_due(stored) == runtime.next_due(whole)
        assert [t.due_at for t in map(runtime.facts, _by_element(stored))] == \
            [t.due_at for t in map(runtime.facts, _by_element(whole))]
        assert _counts(stored) == _counts(whole)
        assert stored.completed == whole.completed and runtime.outcome(stored) == runtime.outcome(whole)

    def withdraw_latest(self) -> str:
        """What engine/case_actions.withdraw does to the latest completed user task, on both."""
        opened = []
        for wf in (self.whole, self.stored):
            done = [t for t in wf.get_tasks(state=TaskState.COMPLETED) if t.task_spec.manual]
            latest = max(done, key=lambda t: t.last_state_change)
            wf.reset_from_task_id(latest.id)
            opened.append(latest.task_spec.bpmn_id)
        assert opened[0] == opened[1]
        self.stored = inprocess.load(dump_state(self.stored), self.spec)
        self.assert_alike()
        return opened[0]


def _by_element(wf) -> list:
    return sorted(runtime.open_user_tasks(wf), key=lambda t: t.task_spec.bpmn_id)


def _counts(wf) -> list[tuple[str, dict]]:
    return [(p["process_id"], p["counts"]) for p in workflow_state(wf, {})]


def _size(wf) -> int:
    return len(wf.tasks) + sum(len(sub.tasks) for sub in wf.subprocesses.values())


def _send_back(twins: Twins, rounds: int) -> None:
    if twins.open(twins.stored) != ["initial_review"]:  # the requirements survey comes first
        (first,) = twins.open(twins.stored)
        twins.do(first, scenario.resolve(scenario.FORM_DATA[first][0], lambda _p, _d: "0" * 32))
    for _ in range(rounds):
        for bpmn_id in LOOP:
            twins.do(bpmn_id, scenario.resolve(scenario.FORM_DATA[bpmn_id][0], lambda _p, _d: "0" * 32))


@pytest.fixture(scope="module")
def hrss_spec() -> str:
    return inprocess.compiled_spec(scenario.BPMN_DIR, scenario.FORMS_DIR, scenario.PROCESS_KEY)


def test_the_longest_bundled_path_runs_alike_step_by_step(hrss_spec):
    """Send-back loops, parallel supervision rounds, trial-operation timers, called processes."""
    twins = Twins(hrss_spec, inprocess.start_case(hrss_spec))
    walk, steps = scenario.Walk(), 0
    while tasks := inprocess.open_tasks(twins.stored):
        _task_id, bpmn_id = tasks[scenario.pick([b for _, b in tasks])]
        twins.do(bpmn_id, scenario.resolve(walk.data_for(bpmn_id), lambda _p, _d: secrets.token_hex(16)))
        steps += 1
    assert twins.stored.completed and steps == STEPS, steps
    assert sum(sum(c.values()) for _, c in _counts(twins.stored)) > STEPS  # the past is still counted


def test_a_send_back_loop_keeps_the_tree_flat_and_counts_every_round(hrss_spec):
    twins = Twins(hrss_spec, inprocess.start_case(hrss_spec))
    _send_back(twins, 5)
    size_after_5, state_after_5 = _size(twins.stored), len(dump_state(twins.stored))
    _send_back(twins, 45)
    assert _size(twins.stored) == size_after_5 < _size(twins.whole) / 8
    assert len(dump_state(twins.stored)) < 1.2 * state_after_5
    counts = dict(_counts(twins.stored))[scenario.PROCESS_KEY]
    assert counts["initial_review"] == counts["revise_application"] == 50
    pruned = json.loads(gzip.decompress(dump_state(twins.stored)))[compaction.PRUNED_KEY]
    assert pruned[scenario.PROCESS_KEY]["initial_review"] >= 45  # counted, not kept


def test_withdraw_after_many_rounds_reopens_the_latest_step(hrss_spec):
    twins = Twins(hrss_spec, inprocess.start_case(hrss_spec))
    _send_back(twins, 30)
    twins.do("initial_review", scenario.resolve(scenario.FORM_DATA["initial_review"][0], lambda _p, _d: "0" * 32))
    assert twins.withdraw_latest() == "initial_review"
    assert twins.open(twins.stored) == ["initial_review"]
    _send_back(twins, 2)  # and the case goes on from there


@pytest.mark.parametrize("process", ["looped_join", "calls_looped_join"])
def test_parallel_rounds_in_a_loop_and_in_a_called_process(process):
    """The joins' arrived tokens (cancelled join tasks) survive the saves between branches."""
    twins = Twins(SPECS[process])
    twins.do("submit", {"submit": True})
    sizes = []
    for round_ in range(12):
        order = BRANCHES[round_ % 4:] + BRANCHES[:round_ % 4]
        for element in order:
            twins.do(element, {element: True})
        twins.do("conclude", {"result": "send_back"})
        twins.do("revise", {"revise": True})
        sizes.append(_size(twins.stored))
    assert sizes[-1] == sizes[3] and _size(twins.stored) < _size(twins.whole) / 3
    for element in BRANCHES:
        twins.do(element, {element: True})
    twins.do("conclude", {"result": "pass"})
    assert twins.stored.completed


def test_a_deep_old_tree_is_compacted_without_recursion(hrss_spec):
    """A case saved before compaction existed may be deeper than Python's recursion limit."""
    wf = inprocess.load(inprocess.start_case(hrss_spec), hrss_spec)
    task = runtime.open_user_tasks(wf)[0]
    above, data = task.parent, dict(task.data)
    for _ in range(3000):  # a long chain of finished tasks between the open one and its parent
        link = type(task)(wf, above.task_spec, parent=above, state=TaskState.COMPLETED)
        above._children = [link.id if c == task.id else c for c in above._children if c != link.id]
        link._children, task._parent, above = [task.id], link.id, link
    assert compaction.compact(wf) >= 3000 - compaction.KEEP_ANCESTORS
    restored = inprocess.load(dump_state(wf), hrss_spec)
    (reopened,) = runtime.open_user_tasks(restored)
    assert (reopened.id, reopened.data) == (task.id, data)
    assert _size(restored) < 40
