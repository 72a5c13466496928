"""Actions on a whole case: 撤回 (withdraw a step), suspend, resume, terminate, and messages
sent into the diagram (e.g. a rectification order caught by an event subprocess).

Who may control a case is data: the manifest's `case_control_roles` and `messages`.
Each action is one transaction and is audited.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from sqlalchemy import delete, select, update

from .. import audit
from ..clock import now_utc
from ..db import as_utc, db, unit_of_work
from ..errors import Conflict, Forbidden, NotFound, NotUrgeable, NotWithdrawable
from ..language import forms
from ..models import AuditEntry, Instance, Notice, TaskIndex
from ..users import Actor, people
from . import attachments, runtime
from .instances import RUNNING, Loaded, advance_and_note_timers, audit_timers, load, save
from .lookups import form_schema, get_visible, task_row

SUSPENDED, TERMINATED = "suspended", "terminated"


def _last_completion(instance_id: int) -> AuditEntry | None:
    return db.session.scalar(select(AuditEntry).where(
        AuditEntry.instance_id == instance_id, AuditEntry.action.in_(("complete", "withdraw")))
        .order_by(AuditEntry.id.desc()).limit(1))


def _claimed_downstream(instance_id: int) -> bool:
    return db.session.scalar(select(TaskIndex.task_id).where(
        TaskIndex.instance_id == instance_id, TaskIndex.claimed_by.is_not(None)).limit(1)) is not None


def withdrawable(actor: Actor, inst: Instance) -> str | None:
    """The step the actor may take back now (撤回), if any — what the case page offers: their own
    latest completion of a running case whose next steps nobody has claimed (the rule `withdraw`
    enforces)."""
    if inst.status != RUNNING:
        return None
    latest = _last_completion(inst.id)
    if latest is None or latest.action != "complete" or latest.actor != actor.username:
        return None
    return None if _claimed_downstream(inst.id) else latest.task_id


def withdraw(actor: Actor, task_id: str) -> Loaded:
    """撤回: the person who completed a step takes it back, as long as it is the case's latest
    step and nobody downstream has claimed what it opened. The step opens again, prefilled."""
    with unit_of_work():
        last = db.session.scalar(select(AuditEntry).where(
            AuditEntry.task_id == task_id, AuditEntry.action == "complete").limit(1))
        if last is None:
            raise NotFound("没有可撤回的已办任务")
        inst = get_visible(actor, last.instance_id)
        if last.actor != actor.username:
            raise Forbidden("只有办理人本人可以撤回")
        latest = _last_completion(inst.id)
        if inst.status != RUNNING or latest is None or latest.id != last.id:
            raise NotWithdrawable("后续环节已经办理或案件已不在办理中；如需更正，请联系后续环节的办理部门退回")
        if _claimed_downstream(inst.id):
            raise NotWithdrawable("后续环节已被认领；如需更正，请联系认领人退回")
        loaded = load(inst)
        submitted = audit.entry_dict(last)["detail"].get("data", {})
        with runtime.executing(loaded.workflow):
            loaded.workflow.reset_from_task_id(UUID(task_id))
            # The step reopens with what its author had submitted, ready to be corrected.
            loaded.workflow.get_task_from_id(UUID(task_id)).data.update(submitted)
        save(loaded)
        audit.record(actor.username, "withdraw", instance_id=inst.id, task_id=task_id, bpmn_id=last.bpmn_id,
                     detail={"task": audit.entry_dict(last)["detail"].get("task")})
    return loaded


def _control(actor: Actor, inst: Instance) -> dict[str, Any]:
    manifest = load(inst).bundle.manifest
    roles = set(manifest.get("case_control_roles", []))
    if not actor.is_admin and not any(actor.holds(inst.jurisdiction_id, r) for r in roles):
        raise Forbidden("只有审批部门可以暂停、恢复或终止案件")
    return manifest


def suspend(actor: Actor, instance_id: int, reason: str) -> Instance:
    """暂停: nobody can work on the case and its timers wait until it is resumed."""
    with unit_of_work():
        inst = get_visible(actor, instance_id)
        _control(actor, inst)
        if inst.status != RUNNING:
            raise Conflict(f"案件当前状态为 {inst.status}，不能暂停")
        inst.status = SUSPENDED
        db.session.execute(update(TaskIndex).where(TaskIndex.instance_id == inst.id).values(suspended=True))
        audit.record(actor.username, "suspend", instance_id=inst.id, detail={"reason": reason})
    return inst


def resume(actor: Actor, instance_id: int, reason: str) -> Instance:
    """恢复: tasks come back; timers that fell due meanwhile fire now."""
    with unit_of_work():
        inst = get_visible(actor, instance_id)
        _control(actor, inst)
        if inst.status != SUSPENDED:
            raise Conflict("案件未处于暂停状态")
        inst.status = RUNNING
        audit.record(actor.username, "resume", instance_id=inst.id, detail={"reason": reason})
        loaded = load(inst)
        fired = advance_and_note_timers(loaded)
        save(loaded)
        audit_timers(inst.id, fired)
    return inst


def terminate(actor: Actor, instance_id: int, reason: str) -> Instance:
    """终止: the case ends here; every open task and timer is cancelled."""
    with unit_of_work():
        inst = get_visible(actor, instance_id)
        _control(actor, inst)
        if inst.status not in (RUNNING, SUSPENDED):
            raise Conflict(f"案件当前状态为 {inst.status}，不能终止")
        loaded = load(inst)
        loaded.workflow.cancel()
        inst.status, inst.next_due_at = TERMINATED, None
        save(loaded)
        db.session.execute(delete(TaskIndex).where(TaskIndex.instance_id == inst.id))
        audit.record(actor.username, "terminate", instance_id=inst.id, detail={"reason": reason})
    return inst


def send_message(actor: Actor, instance_id: int, name: str, data: dict[str, Any]) -> Loaded:
    """Deliver a named message (manifest `messages`) to a case waiting for it, with form data."""
    with unit_of_work():
        inst = get_visible(actor, instance_id)
        loaded = load(inst)
        spec = loaded.bundle.manifest.get("messages", {}).get(name)
        if spec is None:
            raise NotFound(f"该辖区没有此类通知：{name}")
        if not actor.is_admin and not any(actor.holds(inst.jurisdiction_id, r) for r in spec.get("roles", [])):
            raise Forbidden(f"您无权发出「{spec.get('name', name)}」")
        if inst.status != RUNNING:
            raise Conflict("案件未在办理中，不能发出通知")
        schema = form_schema(loaded.bundle, spec.get("form"))
        forms.validate(schema or "{}", data)
        # A message form uploads nothing of its own: a document field may only name this case's.
        attachments.check(actor, schema, data, instance_id=inst.id)
        try:
            loaded.workflow.send_event(BpmnEvent(MessageEventDefinition(name), payload=data))
        except WorkflowException as exc:
            raise Conflict(f"案件当前环节不接受「{spec.get('name', name)}」") from exc
        runtime.advance(loaded.workflow)
        save(loaded)
        audit.record(actor.username, "message", instance_id=inst.id, detail={"message": name, "data": data})
    return loaded





URGE_AGAIN_AFTER = timedelta(days=1)  # a reminder a day at most per task: more is noise, not urgency


def urge(actor: Actor, task_id: str) -> dict[str, Any]:
    """催办: remind whoever holds an overdue task — a notice in their list (the task's role, and
    unit where it has one) — audited, once a day at most per task."""
    with unit_of_work():
        row = task_row(task_id)
        get_visible(actor, row.instance_id)
        now = now_utc()
        if row.due_at is None or as_utc(row.due_at) >= now:
            raise NotUrgeable("该任务尚未超过期限，不需要催办")
        last = db.session.scalar(select(AuditEntry.at).where(
            AuditEntry.task_id == task_id, AuditEntry.action == "urge").order_by(AuditEntry.id.desc()).limit(1))
        if last is not None and as_utc(last) > now - URGE_AGAIN_AFTER:
            raise NotUrgeable("今天已经催办过该任务，请明天再催办")
        who = people({actor.username})[actor.username]["label"]
        db.session.add(Notice(instance_id=row.instance_id, jurisdiction_id=row.jurisdiction_id, role=row.role,
                              unit=row.unit, bpmn_id=row.bpmn_id,
                              message=f"催办：「{row.name}」已超过期限，请尽快办理（{who}）"))
        audit.record(actor.username, "urge", instance_id=row.instance_id, task_id=task_id, bpmn_id=row.bpmn_id,
                     detail={"task": row.name})
    return {"task_id": task_id, "urged_at": now}
