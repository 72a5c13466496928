"""Finding what an actor may act on or see: an open task with its case, a visible case, and
the form a new case would start with (the read side that starting, completing and uploading
share)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import contains_eager

from ..db import db
from ..errors import Forbidden, InvalidInput, NotFound, TaskClaimedByOther, TaskNotOpen
from ..models import AuditEntry, Instance, ProcessVersion, TaskIndex
from ..regulations.bundles import Bundle
from ..regulations.store import spec_text, stored_bundle, version_in_force
from ..users import Actor
from . import directory, runtime
from .access import require_act, visible_instances


def form_schema(bundle: Bundle, form: str | None) -> str | None:
    return directory.form_text(bundle, form)


@dataclass
class StartForm:
    version: ProcessVersion
    bundle: Bundle
    spec: str
    schema: str | None


def start_form(actor: Actor, process_key: str, version: int | None = None) -> StartForm:
    """The version a new case would start on and its start form, if the actor may start it
    (also the rule for uploading a document to the start form)."""
    pv = pick_version(process_key, version, actor)
    bundle = stored_bundle(pv.bundle_hash)
    spec = spec_text(pv.bundle_hash, pv.process_key)
    lane, form = runtime.start_event_info(spec)
    role = bundle.role_of_lane(lane)
    if not actor.holds(pv.jurisdiction_id, role or ""):
        raise Forbidden(f"只有「{lane}」可以发起该流程")
    if not actor.unit:
        raise InvalidInput("发起人未归属任何单位，无法作为申报单位")
    return StartForm(pv, bundle, spec, form_schema(bundle, form))


def pick_version(process_key: str, version: int | None, actor: Actor) -> ProcessVersion:
    if version is None:
        return version_in_force(process_key)
    if not actor.is_admin:
        raise Forbidden("只有管理员可以指定流程版本")
    pv = db.session.scalar(select(ProcessVersion).where(
        ProcessVersion.process_key == process_key, ProcessVersion.version == version))
    if pv is None:
        raise NotFound(f"流程版本不存在：{process_key} v{version}")
    return pv


# Built once (building it costs more than running it): the task row with its case and version.
_TASK_WITH_CASE = (
    select(TaskIndex).join(TaskIndex.instance).where(TaskIndex.task_id == bindparam("task_id"))
    .options(contains_eager(TaskIndex.instance).joinedload(Instance.version))
    .execution_options(populate_existing=True))


def task_row(task_id: str) -> TaskIndex:
    """The open task, read afresh together with its case and version in one statement: every
    caller goes on to read the case (`db.session.get` then finds it loaded)."""
    row = db.session.scalar(_TASK_WITH_CASE, {"task_id": task_id})
    if row is None:
        # A task someone completed a moment ago is a conflict (refresh), not a missing page.
        done = db.session.scalar(select(AuditEntry.id).where(
            AuditEntry.task_id == task_id, AuditEntry.action == "complete").limit(1))
        if done is not None:
            raise TaskNotOpen("该任务已由他人办结，请刷新")
        raise NotFound("任务不存在或已办结")
    return row


def actionable_row(actor: Actor, task_id: str) -> TaskIndex:
    """The open task if the actor may act on it now (role, unit, not claimed by someone else)."""
    row = task_row(task_id)
    require_actionable(actor, row)
    return row


def require_actionable(actor: Actor, row: TaskIndex) -> None:
    require_act(actor, row)
    if row.claimed_by not in (None, actor.username):
        raise TaskClaimedByOther(f"该任务已由 {row.claimed_by} 认领")


def get_visible(actor: Actor, instance_id: int) -> Instance:
    inst = db.session.scalar(visible_instances(actor, select(Instance).where(Instance.id == instance_id)))
    if inst is None:
        raise NotFound(f"案件不存在或无权查看：{instance_id}")
    return inst
