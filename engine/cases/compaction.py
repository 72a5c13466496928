"""Keep a case's SpiffWorkflow state the size of what is running, not of what has run.

SpiffWorkflow 3.2 keeps every task a case ever ran in its task tree, and every step walks the
whole tree (restore, save, the engine's READY scans, the join tests): a case going round a
send-back loop or a cycle of progress reports costs more with each round, and its total cost
is quadratic. The audit trail is the case's history; the tree needs only what running it reads.

Before a running case is saved, a finished task is dropped unless running may still read it:
- every unfinished task, and the whole subtree below it (a multi-instance task collects its
  finished instances from its children; a waiting boundary timer's children are its firings);
- the `KEEP_ANCESTORS` nearest ancestors of those (a boundary event join finds its split two
  levels up; our loop-safe parallel join finds its own previous firing on the way up; a
  user task's readiness reads its parent);
- while a join waits, the finished tasks of that join with their ancestors: SpiffWorkflow marks
  a token that has arrived as a cancelled join task below its completed branch;
- each (sub)workflow's `last_task` (the data a called process returns, `runtime.current_data`);
- the latest completed user task with its ancestors and its parent's children, and the called
  process task it runs in: what 撤回 (`reset_from_task_id`) resets.
A kept task whose parent was dropped hangs from its nearest kept ancestor, in the same order
among its new siblings. A dropped call activity takes its (finished) called process with it.
Dropped tasks of earlier rounds are also what made SpiffWorkflow's joins count stale tokens
(see serialization._loop_safe_parallel_joins): the library's whole-tree scans now see one round.

What the case diagram shows of the past (how often each element ran) is kept as counters, in
the state, beside the tree (`PRUNED_KEY`). A finished or terminated case is left whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.specs.Join import Join
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

KEEP_ANCESTORS = 8
PRUNED_KEY = "pruned_completed"  # {process spec name: {element id: times completed}}
LIVE = TaskState.NOT_FINISHED_MASK

Counts = dict[str, dict[str, int]]


def completed_element(task: Task) -> str | None:
    """The diagram element a task counts for on the case diagram when it has completed: not
    internal specs (Root, Start, boundary-event parents), and a multi-instance instance only
    through its parent."""
    bpmn_id = task.task_spec.bpmn_id
    if task.state != TaskState.COMPLETED or bpmn_id is None:
        return None
    parent = task.parent
    return None if parent is not None and parent.task_spec.bpmn_id == bpmn_id else bpmn_id


def pruned_counts(workflow: BpmnWorkflow) -> Counts:
    counts = getattr(workflow, "pruned_completed", None)
    if counts is None:
        counts = workflow.pruned_completed = {}
    return counts


def compact(workflow: BpmnWorkflow) -> int:
    """Drop the finished tasks running no longer reads (module docstring); returns how many."""
    if workflow.completed or not any(t.has_state(LIVE) for t in _all_tasks(workflow)):
        return 0
    pinned = _withdraw_target(workflow)
    dropped = 0
    for wf in [workflow, *list(workflow.subprocesses.values())]:
        if wf is workflow or (wf.parent_task_id in workflow.subprocesses and not wf.completed):
            dropped += _compact_tree(workflow, wf, pinned)
    return dropped


def _all_tasks(workflow: BpmnWorkflow) -> Iterator[Task]:
    yield from workflow.tasks.values()
    for sub in workflow.subprocesses.values():
        yield from sub.tasks.values()


def _withdraw_target(workflow: BpmnWorkflow) -> Task | None:
    done = [t for t in _all_tasks(workflow) if t.state == TaskState.COMPLETED and t.task_spec.manual]
    return max(done, key=lambda t: t.last_state_change, default=None)


def _preorder(root: Task) -> list[tuple[Task, bool]]:
    """Every task of a tree with whether an unfinished task is above it (iterative: an old
    case's tree may be deeper than Python's recursion limit)."""
    out, stack = [], [(root, False)]
    while stack:
        task, under_live = stack.pop()
        out.append((task, under_live))
        below = under_live or task.has_state(LIVE)
        stack.extend((child, below) for child in reversed(task.children))
    return out


def _keep_up(task: Task | None, keep: set[UUID]) -> None:
    for _ in range(KEEP_ANCESTORS + 1):
        if task is None:
            return
        keep.add(task.id)
        task = task.parent


def _kept(wf: Any, order: list[tuple[Task, bool]], pinned: Task | None) -> set[UUID]:
    keep = {wf.task_tree.id}
    waiting_joins = set()
    for task, under_live in order:
        if under_live:
            keep.add(task.id)
        elif task.has_state(LIVE):
            _keep_up(task, keep)
            if isinstance(task.task_spec, Join):
                waiting_joins.add(task.task_spec)
    for task, _ in order:  # the tokens that arrived at a join still waiting
        if task.task_spec in waiting_joins:
            _keep_up(task, keep)
    if wf.last_task is not None:
        keep.add(wf.last_task.id)
    holder = pinned
    while holder is not None:  # the 撤回 target, and the call activities it runs in
        if holder.workflow is wf:
            _keep_up(holder, keep)
            if holder.parent is not None:
                keep.update(holder.parent._children)
        holder = _calling_task(holder.workflow)
    return keep


def _calling_task(wf: Any) -> Task | None:
    parent_id = getattr(wf, "parent_task_id", None)
    return wf.top_workflow.get_task_from_id(parent_id) if parent_id is not None else None


def _compact_tree(top: BpmnWorkflow, wf: Any, pinned: Task | None) -> int:
    order = _preorder(wf.task_tree)
    keep = _kept(wf, order, pinned)
    dropped = [task for task, _ in order if task.id not in keep]
    if not dropped:
        return 0
    counts = pruned_counts(top)
    for task in dropped:
        _count(counts, task)
        if task.id in top.subprocesses:
            for gone in top.delete_subprocess(task):
                _count(counts, gone)
    _rehang(order, keep)
    # Parents before children, as restoring delta-encoded task data needs; tree order is one.
    seen = {task.id for task, _ in order}
    kept = [(task.id, task) for task, _ in order if task.id in keep]
    kept += [(tid, task) for tid, task in wf.tasks.items() if tid not in seen]
    wf.tasks.clear()
    wf.tasks.update(kept)
    return len(dropped)


def _count(counts: Counts, task: Task) -> None:
    element = completed_element(task)
    if element is not None:
        per_process = counts.setdefault(task.workflow.spec.name, {})
        per_process[element] = per_process.get(element, 0) + 1


def _rehang(order: list[tuple[Task, bool]], keep: set[UUID]) -> None:
    """Give every kept task the kept tasks nearest below it as children, in tree order
    (children before parents: the reversed preorder)."""
    tops: dict[UUID, list[UUID]] = {}
    for task, _ in reversed(order):
        below: list[UUID] = []
        for child_id in task._children:
            below.extend([child_id] if child_id in keep else tops.pop(child_id, []))
        if task.id in keep:
            task._children = below
            for child_id in below:
                task.workflow.tasks[child_id]._parent = task.id
        else:
            tops[task.id] = below

