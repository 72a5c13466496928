"""Rewrite the task index of one instance from its workflow, inside the caller's transaction."""

from __future__ import annotations

from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy import bindparam, select

from ..clock import now_utc
from ..db import db
from ..errors import ProcessError
from ..models import Instance, TaskIndex
from ..regulations.bundles import Bundle
from .runtime import facts, open_user_tasks


def required_unit(bundle: Bundle, role: str, unit_variable: str | None, data: dict, applicant_unit: str | None):
    """The unit that must act: named by the task's unit variable, else the applicant's unit
    for tasks of the applicant role, else none (any holder of the role)."""
    if unit_variable:
        return data.get(unit_variable)
    role_def = bundle.role(role) or {}
    return applicant_unit if role_def.get("applicant") else None


# Built once: building a select anew costs more than running it on an indexed column.
ROWS_OF_CASE = select(TaskIndex).where(TaskIndex.instance_id == bindparam("instance_id"))


def reindex(instance: Instance, workflow: BpmnWorkflow, bundle: Bundle) -> list[TaskIndex]:
    """Bring the instance's index rows to its open user tasks as a diff: a task still open
    keeps its row (its claim, first-ready time and deadline with it: once a non-interrupting
    reminder has fired, its timer no longer waits, but the task is still overdue) and is
    updated only where a fact changed; a finished task's row is deleted, a new task's inserted.
    A completion thus writes one DELETE and one INSERT, not every open row of the case again."""
    existing = {row.task_id: row for row in db.session.scalars(ROWS_OF_CASE, {"instance_id": instance.id})}
    rows = []
    for task in open_user_tasks(workflow):
        f = facts(task)
        role = bundle.role_of_lane(f.lane)
        if role is None:  # deploy-time lint makes this unreachable for bundles it accepted
            raise ProcessError(f"任务「{f.name}」所在泳道未映射角色", element=f.bpmn_id)
        values = {
            "instance_id": instance.id, "jurisdiction_id": instance.jurisdiction_id,
            "process_key": instance.process_key, "bpmn_id": f.bpmn_id, "name": f.name, "lane": f.lane,
            "role": role, "form": f.form,
            "unit": required_unit(bundle, role, f.unit_variable, f.data, instance.applicant_unit),
            "assignee": str(f.data.get(f.user_variable)) if f.user_variable and f.data.get(f.user_variable) else None,
            "applicant_unit": instance.applicant_unit, "case_title": instance.title, "suspended": False,
        }
        row = existing.pop(f.task_id, None)
        if row is None:
            row = TaskIndex(task_id=f.task_id, due_at=f.due_at, claimed_by=None, ready_at=now_utc(), **values)
            db.session.add(row)
        else:
            if f.due_at:
                values["due_at"] = f.due_at
            for key, value in values.items():
                if getattr(row, key) != value:  # unchanged columns stay out of the UPDATE
                    setattr(row, key, value)
        rows.append(row)
    for row in existing.values():
        db.session.delete(row)
    return rows
