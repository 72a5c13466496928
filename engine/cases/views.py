"""Read models: what a case, a task and a task list look like to staff."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy import Select, bindparam, func, select

from ..clock import now_utc
from ..db import as_utc, db
from ..errors import NotFound
from ..models import AuditEntry, Instance, Jurisdiction, Notice, NoticeRead, ProcessVersion, TaskIndex
from ..regulations import articles as regulation
from ..regulations.store import stored_bundle, version_list
from ..users import Actor, people
from . import catalog, directory, runtime
from .access import actionable, can_act, notices_for, visible_instances
from .case_actions import withdrawable
from .instances import Loaded, load
from .lookups import get_visible
from .task_index import ROWS_OF_CASE

CITATION = re.compile(r"^[^：:\n]{1,80}?(?=[：:])")


def article_of(documentation: str) -> str | None:
    """The article citation a diagram element's documentation starts with (before '：')."""
    match = CITATION.match(documentation.strip())
    return match.group(0).strip() if match else None


def task_dict(row: TaskIndex, actor: Actor | None = None) -> dict[str, Any]:
    due = as_utc(row.due_at)
    return {
        "id": row.task_id, "instance_id": row.instance_id, "case_title": row.case_title,
        "process_key": row.process_key, "jurisdiction": row.jurisdiction_id, "bpmn_id": row.bpmn_id,
        "name": row.name, "lane": row.lane, "role": row.role, "unit": row.unit, "assignee": row.assignee,
        "form": row.form,
        "claimed_by": row.claimed_by, "due_at": due, "overdue": bool(due and due < now_utc()),
        "ready_at": as_utc(row.ready_at),
        "can_act": can_act(actor, row) if actor is not None else None,
    }


def named(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tasks with who claimed them and who they are assigned to by name（unit）, one query."""
    who = people({u for t in tasks for u in (t["claimed_by"], t["assignee"]) if u})
    for t in tasks:
        t["claimed_by_name"] = who[t["claimed_by"]]["label"] if t["claimed_by"] else None
        t["assignee_name"] = who[t["assignee"]]["label"] if t["assignee"] else None
    return tasks


@dataclass
class TaskFilter:
    process_key: str | None = None
    jurisdiction: str | None = None
    overdue: bool | None = None
    claimed: str | None = None  # "me", "unclaimed", "any"
    instance_id: int | None = None
    limit: int = 50
    offset: int = 0


def list_tasks(actor: Actor, flt: TaskFilter) -> tuple[list[dict[str, Any]], int]:
    query = select(TaskIndex).where(actionable(actor))
    if flt.process_key:
        query = query.where(TaskIndex.process_key == flt.process_key)
    if flt.jurisdiction:
        query = query.where(TaskIndex.jurisdiction_id == flt.jurisdiction)
    if flt.instance_id:
        query = query.where(TaskIndex.instance_id == flt.instance_id)
    if flt.overdue is not None:
        now = now_utc()
        query = query.where(TaskIndex.due_at < now) if flt.overdue else query.where(
            (TaskIndex.due_at.is_(None)) | (TaskIndex.due_at >= now))
    if flt.claimed == "me":
        query = query.where(TaskIndex.claimed_by == actor.username)
    elif flt.claimed == "unclaimed":
        query = query.where(TaskIndex.claimed_by.is_(None))
    total = _count_up_to(query.with_only_columns(TaskIndex.task_id), TOTAL_CAP)
    rows = db.session.scalars(query.order_by(TaskIndex.due_at.is_(None), TaskIndex.due_at,
                                             TaskIndex.ready_at).limit(flt.limit).offset(flt.offset))
    return named([task_dict(r, actor) for r in rows]), total


# Counting every visible task costs as much as the task list is long; nobody pages through
# more than this, so beyond it the list says "TOTAL_CAP+" (total_capped) instead.
TOTAL_CAP = 1000


def _count_up_to(query: Select, cap: int) -> int:
    return int(db.session.scalar(select(func.count()).select_from(query.limit(cap + 1).subquery())))


def task_detail(actor: Actor, task_id: str) -> dict[str, Any]:
    row = db.session.get(TaskIndex, task_id)
    inst = db.session.get(Instance, row.instance_id) if row else None
    if row is None or inst is None:
        raise NotFound("任务不存在或已办结")
    if not can_act(actor, row) and not actor.is_admin:
        get_visible(actor, inst.id)  # raises NotFound when the case is not visible either
    loaded = load(inst)
    task = runtime.find_open_task(loaded.workflow, task_id)
    facts = runtime.facts(task)
    schema = directory.form(loaded.bundle, row.form) or {}
    ui = json.loads(loaded.bundle.form_bytes(facts.ui_form) or b"null") if facts.ui_form else None
    prefill = {k: facts.data[k] for k in schema.get("properties", {}) if k in facts.data}
    role = loaded.bundle.role(row.role) or {}
    return {
        **named([task_dict(row, actor)])[0], "role_name": role.get("name", row.role),
        "documentation": facts.documentation, "article": article_of(facts.documentation),
        "articles": regulation.cited(loaded.bundle, facts.documentation),
        "schema": schema, "ui_schema": ui, "prefill": prefill,
    }


def instance_summary(inst: Instance) -> dict[str, Any]:
    return {
        "id": inst.id, "process_key": inst.process_key, "version": inst.version.version,
        "jurisdiction": inst.jurisdiction_id, "title": inst.title, "status": inst.status,
        "applicant_unit": inst.applicant_unit, "started_by": inst.started_by,
        "started_at": as_utc(inst.started_at), "updated_at": as_utc(inst.updated_at),
        "completed_at": as_utc(inst.completed_at), "next_due_at": as_utc(inst.next_due_at),
        "error": inst.error,
    }


def instance_detail(actor: Actor, instance_id: int, loaded: Loaded | None = None) -> dict[str, Any]:
    """The case as the actor sees it; `loaded` reuses a workflow the caller already holds."""
    inst = get_visible(actor, instance_id)
    loaded = loaded if loaded is not None and loaded.instance.id == inst.id else load(inst)
    return _case_view(actor, inst, loaded.workflow)


def case_after_action(actor: Actor, loaded: Loaded, summary: bool = False) -> dict[str, Any]:
    """The case returned to whoever just changed it. Their change is in the audit under their
    name, and having acted on a case makes it visible to them (`access.visible_instances`), so
    the visibility query is not repeated; the workflow is the one just saved. `summary`: only
    what a task page shows after submitting (status, outcome, the open tasks), without the case
    data and the completed steps, whose cost grows with the case's history."""
    if summary:
        return _case_summary(actor, loaded.instance, loaded.workflow, loaded.open_rows)
    return _case_view(actor, loaded.instance, loaded.workflow, loaded.open_rows)


# Built once: building a select anew costs more than running it on an indexed column.
_STEPS_OF_CASE = (select(AuditEntry).where(AuditEntry.instance_id == bindparam("instance_id"),
                                           AuditEntry.action.in_(("complete", "timer_fired")))
                  .order_by(AuditEntry.id))


def _open_rows(inst: Instance, rows: list[TaskIndex] | None) -> list[TaskIndex]:
    """The case's index rows: those the change just wrote if the caller has them, else read."""
    if rows is not None:
        return rows
    return list(db.session.scalars(ROWS_OF_CASE, {"instance_id": inst.id}))


def _case_summary(actor: Actor, inst: Instance, workflow: BpmnWorkflow,
                  rows: list[TaskIndex] | None = None) -> dict[str, Any]:
    return {**instance_summary(inst), "outcome": runtime.outcome(workflow),
            "open_tasks": named([task_dict(r, actor) for r in _open_rows(inst, rows)])}


def _case_view(actor: Actor, inst: Instance, workflow: BpmnWorkflow,
               rows: list[TaskIndex] | None = None) -> dict[str, Any]:
    rows = _open_rows(inst, rows)
    steps = db.session.scalars(_STEPS_OF_CASE, {"instance_id": inst.id}).all()
    who = people({s.actor for s in steps} | {inst.started_by})
    return {
        **instance_summary(inst), "data": runtime.current_data(workflow),
        "outcome": runtime.outcome(workflow),
        "open_tasks": named([task_dict(r, actor) for r in rows]),
        "completed_steps": [{**_step(s), "by_name": who[s.actor]["label"]} for s in steps],
        "started_by_name": who[inst.started_by]["label"],
        "withdrawable_task_id": withdrawable(actor, inst),
    }


def _step(entry: AuditEntry) -> dict[str, Any]:
    detail = json.loads(entry.detail_json)
    return {"task_id": entry.task_id, "bpmn_id": entry.bpmn_id, "name": detail.get("task") or detail.get("timer"),
            "by": entry.actor, "at": as_utc(entry.at), "action": entry.action}


@dataclass
class InstanceFilter:
    process_key: str | None = None
    status: str | None = None
    unit: str | None = None
    mine: bool = False  # 我发起的: only cases the actor started
    limit: int = 50
    offset: int = 0


def list_instances(actor: Actor, flt: InstanceFilter) -> tuple[list[dict[str, Any]], int]:
    query = visible_instances(actor, select(Instance))
    for column, value in ((Instance.process_key, flt.process_key), (Instance.status, flt.status),
                          (Instance.applicant_unit, flt.unit), (Instance.started_by, flt.mine and actor.username)):
        if value:
            query = query.where(column == value)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = list(db.session.scalars(query.order_by(Instance.id.desc()).limit(flt.limit).offset(flt.offset)))
    steps: dict[int, list[str]] = {}
    for instance_id, name, lane in db.session.execute(
            select(TaskIndex.instance_id, TaskIndex.name, TaskIndex.lane)
            .where(TaskIndex.instance_id.in_([r.id for r in rows])).order_by(TaskIndex.ready_at)):
        steps.setdefault(instance_id, []).append(f"{lane} · {name}" if lane else name)
    return [{**instance_summary(r), "current_steps": steps.get(r.id, [])} for r in rows], total


def done_tasks(actor: Actor, limit: int = 50, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """我的已办: the steps the actor completed, newest first, with their cases and where each stands."""
    query = (select(AuditEntry, Instance).join(Instance, Instance.id == AuditEntry.instance_id)
             .where(AuditEntry.actor == actor.username, AuditEntry.action == "complete"))
    total = db.session.scalar(select(func.count()).select_from(query.with_only_columns(AuditEntry.id).subquery()))
    out = []
    for entry, inst in db.session.execute(query.order_by(AuditEntry.id.desc()).limit(limit).offset(offset)):
        detail = json.loads(entry.detail_json)
        out.append({"task_id": entry.task_id, "name": detail.get("task", ""), "lane": detail.get("lane"),
                    "at": as_utc(entry.at), "instance_id": inst.id, "case_title": inst.title,
                    "process_key": inst.process_key, "status": inst.status})
    return out, total


def jurisdictions(actor: Actor) -> list[dict[str, Any]]:
    """Every jurisdiction with its processes, their versions and who starts them (and
    whether the caller may)."""
    out = []
    for j in db.session.scalars(select(Jurisdiction).order_by(Jurisdiction.id)):
        bundle = stored_bundle(j.current_bundle_hash)
        procs = []
        for p in bundle.manifest["processes"]:
            versions = version_list(p["key"])
            procs.append({"key": p["key"], "name": p["name"], "versions": versions,
                          **catalog.process_start_info(actor, p["key"])})
        out.append({"id": j.id, "name": j.name, "regulation_title": j.regulation_title,
                    **_regulation_standing(bundle.manifest["regulation"], procs),
                    "roles": bundle.manifest["roles"], "processes": procs})
    return out


REGULATION_STATUS = {"in_force": "现行有效", "draft": "征求意见稿"}


def _regulation_standing(regulation: dict[str, Any], procs: list[dict[str, Any]]) -> dict[str, Any]:
    """Whether the text is in force or a draft for comment, and from when the product applies it:
    the date the text states, or for a draft the date its deployer chose (the earliest version)."""
    status = regulation.get("status", "in_force")
    chosen = [v["effective_from"] for p in procs for v in p["versions"] if v.get("effective_from")]
    given = regulation.get("effective_from")
    stated = given is not None and status != "draft"  # a draft's date is always its deployer's
    return {"regulation_status": status, "regulation_status_label": REGULATION_STATUS[status],
            "effective_from": given or (min(chosen).isoformat() if chosen else None),
            "effective_from_stated": stated,
            "effective_from_note": regulation.get("effective_from_note")
            or (None if stated else "办法未载明施行日期，由部署人确定")}


def process_detail(process_key: str) -> dict[str, Any]:
    versions = version_list(process_key)
    latest = db.session.scalar(select(ProcessVersion).where(ProcessVersion.process_key == process_key)
                               .order_by(ProcessVersion.version.desc()).limit(1))
    return {"key": process_key, "name": latest.name, "jurisdiction": latest.jurisdiction_id,
            "versions": versions}


def process_bpmn(process_key: str, version: int | None = None) -> dict[str, str]:
    """The diagram files of a version (all BPMN files of its bundle), by file name."""
    query = select(ProcessVersion).where(ProcessVersion.process_key == process_key)
    query = query.where(ProcessVersion.version == version) if version else query.order_by(
        ProcessVersion.version.desc())
    pv = db.session.scalar(query.limit(1))
    if pv is None:
        raise NotFound(f"流程不存在：{process_key}")
    bundle = stored_bundle(pv.bundle_hash)
    return {name: bundle.files[name].decode("utf-8") for name in bundle.manifest["bpmn_files"]}




def list_notices(actor: Actor, unread_only: bool = False) -> list[dict[str, Any]]:
    """抄送 notices for the caller's roles (and unit), newest first, with read state."""
    query = notices_for(actor, select(Notice, Instance.title).join(Instance, Instance.id == Notice.instance_id))
    read = set(db.session.scalars(select(NoticeRead.notice_id).where(NoticeRead.username == actor.username)))
    out = []
    for notice, title in db.session.execute(query.order_by(Notice.id.desc()).limit(200)):
        if unread_only and notice.id in read:
            continue
        out.append({"id": notice.id, "instance_id": notice.instance_id, "case_title": title,
                    "message": notice.message, "role": notice.role, "created_at": as_utc(notice.created_at),
                    "read": notice.id in read})
    return out


def mark_notice_read(actor: Actor, notice_id: int) -> None:
    visible = db.session.scalar(notices_for(actor, select(Notice.id).where(Notice.id == notice_id)))
    if visible is None:
        raise NotFound("通知不存在")
    if db.session.get(NoticeRead, (notice_id, actor.username)) is None:
        db.session.add(NoticeRead(notice_id=notice_id, username=actor.username))
