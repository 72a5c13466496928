"""Rewrite the task index of one instance from its workflow, inside the caller's transaction."""

from __future__ import annotations

from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy import delete, select

from .bundles import Bundle
from .clock import now_utc
from .db import db
from .errors import ProcessError
from .models import Instance, TaskIndex
from .runtime import facts, open_user_tasks


def required_unit(bundle: Bundle, role: str, unit_variable: str | None, data: dict, applicant_unit: str | None):
    """The unit that must act: named by the task's unit variable, else the applicant's unit
    for tasks of the applicant role, else none (any holder of the role)."""
    if unit_variable:
        return data.get(unit_variable)
    role_def = bundle.role(role) or {}
    return applicant_unit if role_def.get("applicant") else None


def reindex(instance: Instance, workflow: BpmnWorkflow, bundle: Bundle) -> list[TaskIndex]:
    # Claims, first-ready times and deadlines survive a rewrite: once a non-interrupting
    # reminder has fired, its timer no longer waits, but the task is still overdue.
    kept = {row.task_id: row for row in db.session.execute(
        select(TaskIndex.task_id, TaskIndex.claimed_by, TaskIndex.ready_at, TaskIndex.due_at)
        .where(TaskIndex.instance_id == instance.id))}
    db.session.execute(delete(TaskIndex).where(TaskIndex.instance_id == instance.id))
    rows = []
    for task in open_user_tasks(workflow):
        f = facts(task)
        before = kept.get(f.task_id)
        role = bundle.role_of_lane(f.lane)
        if role is None:  # deploy-time lint makes this unreachable for bundles it accepted
            raise ProcessError(f"任务「{f.name}」所在泳道未映射角色", element=f.bpmn_id)
        rows.append(TaskIndex(
            task_id=f.task_id, instance_id=instance.id, jurisdiction_id=instance.jurisdiction_id,
            process_key=instance.process_key, bpmn_id=f.bpmn_id, name=f.name, lane=f.lane, role=role,
            form=f.form, unit=required_unit(bundle, role, f.unit_variable, f.data, instance.applicant_unit),
            assignee=str(f.data.get(f.user_variable)) if f.user_variable and f.data.get(f.user_variable) else None,
            applicant_unit=instance.applicant_unit, case_title=instance.title,
            due_at=f.due_at or (before.due_at if before else None),
            claimed_by=before.claimed_by if before else None,
            ready_at=before.ready_at if before else now_utc()))
    db.session.add_all(rows)
    return rows
