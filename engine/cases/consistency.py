"""Consistency checks: does what the database says about a case agree with its stored state?

Used after faults (bench/faults.py, tests/service/test_faults.py) and by `flask cases check`: the
open user tasks recomputed from each case's serialized workflow must be exactly its
`task_index` rows, its status must match the workflow, and no case may be stuck.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import select

from ..clock import now_utc
from ..db import as_utc, db
from ..models import Instance, TaskIndex
from . import runtime
from .instances import load

RUNNING, COMPLETED, ERROR = "running", "completed", "error"


def check_instance(inst: Instance) -> list[str]:
    """What is wrong with one case (empty when its index, status and state agree). Reads the
    stored state, never a worker's cached workflow, so it sees what a restart would see."""
    problems: list[str] = []
    try:
        workflow = load(inst).workflow
    except Exception as exc:  # any failure to restore the state is itself the finding
        return [f"case {inst.id}: stored state cannot be restored: {exc!r}"]
    expected = {str(t.id): t.task_spec.bpmn_id for t in runtime.open_user_tasks(workflow)}
    indexed = {row.task_id: row.bpmn_id for row in db.session.scalars(
        select(TaskIndex).where(TaskIndex.instance_id == inst.id))}
    for task_id in sorted(expected.keys() - indexed.keys()):
        problems.append(f"case {inst.id}: open task {task_id} ({expected[task_id]}) missing from task_index")
    for task_id in sorted(indexed.keys() - expected.keys()):
        problems.append(f"case {inst.id}: task_index row {task_id} ({indexed[task_id]}) is not open in the state")
    for task_id in sorted(expected.keys() & indexed.keys()):
        if expected[task_id] != indexed[task_id]:
            problems.append(f"case {inst.id}: task {task_id} is {expected[task_id]} in the state, "
                            f"{indexed[task_id]} in task_index")
    if workflow.completed and inst.status == RUNNING:
        problems.append(f"case {inst.id}: workflow completed but status is running")
    if not workflow.completed and inst.status == COMPLETED:
        problems.append(f"case {inst.id}: status completed but the workflow is not")
    return problems


def stuck(inst: Instance, now: datetime, slack: timedelta) -> str | None:
    """Why a case is stuck: parked in `error`, or a timer overdue by more than `slack` (the
    scheduler's interval plus a margin) while the case still runs."""
    if inst.status == ERROR:
        return f"case {inst.id}: in error: {inst.error}"
    due = as_utc(inst.next_due_at)
    if inst.status == RUNNING and due is not None and due < now - slack:
        return f"case {inst.id}: timer due {due.isoformat()} not fired ({(now - due).total_seconds():.0f} s late)"
    return None


def check_all(slack: timedelta | None = None, batch: int = 200) -> Iterator[str]:
    """Every problem of every case, in id order; with `slack`, also the stuck ones."""
    now, last = now_utc(), 0
    while True:
        cases = list(db.session.scalars(select(Instance).where(Instance.id > last)
                                        .order_by(Instance.id).limit(batch)))
        if not cases:
            return
        for inst in cases:
            yield from check_instance(inst)
            reason = stuck(inst, now, slack) if slack is not None else None
            if reason:
                yield reason
        last = cases[-1].id
        db.session.expunge_all()  # bounded memory over many cases: states are large
