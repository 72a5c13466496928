"""Cases: start, complete, claim, reassign — each one database transaction."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy import bindparam, select, update

from .. import audit
from ..clock import now_utc
from ..db import db, unit_of_work
from ..errors import Conflict, Forbidden, ProcessError, TaskClaimedByOther
from ..language import forms
from ..models import Instance, TaskIndex
from ..regulations.bundles import Bundle
from ..regulations.store import spec_text, stored_bundle
from ..users import Actor, actor_of, find_user
from . import amounts, attachments, runtime, workflow_cache
from .access import require_act
from .lookups import actionable_row, form_schema, require_actionable, start_form, task_row
from .serialization import dump_state, load_state
from .task_index import reindex

RUNNING, COMPLETED, ERROR = "running", "completed", "error"


@dataclass
class Loaded:
    instance: Instance
    workflow: BpmnWorkflow
    bundle: Bundle
    committed: tuple[int, bytes] | None = None  # (revision, state) once a change of it committed
    # The case's index rows as the change committed them, still loaded (see `_kept_loaded`),
    # so the response reads neither the row nor the index again; None: query them.
    open_rows: list[TaskIndex] | None = None


def load(instance: Instance) -> Loaded:
    version = instance.version
    spec = spec_text(version.bundle_hash, version.process_key)
    return Loaded(instance, load_state(instance.state, spec, instance.id), stored_bundle(version.bundle_hash))


def load_to_change(instance: Instance) -> Loaded:
    """`load` for a request that will change the case: the workflow this worker saved at the
    row's revision if it still holds it (taken, never shared), else the stored state."""
    workflow = workflow_cache.take(instance.id, instance.revision, instance.state)
    if workflow is None:
        return load(instance)
    version = instance.version
    return Loaded(instance, workflow, stored_bundle(version.bundle_hash))


def remember(loaded: Loaded) -> None:
    """Hand a committed change's workflow to the worker cache; call when the request no longer
    reads it (after its response is built): from then on another request may take it."""
    if loaded.committed is not None:
        workflow_cache.keep(loaded.instance.id, *loaded.committed, loaded.workflow)


def save(loaded: Loaded) -> list[TaskIndex]:
    """Write state, status, due time and task index together (the caller commits)."""
    inst, wf = loaded.instance, loaded.workflow
    now = now_utc()
    inst.state = dump_state(wf)
    inst.updated_at = now
    inst.next_due_at = runtime.next_due(wf)
    if wf.completed and inst.status == RUNNING:
        inst.status, inst.completed_at = COMPLETED, now
    db.session.flush()  # the revision check happens here: a concurrent writer → 409
    return reindex(inst, wf, loaded.bundle)


def _accepted_fields(schema_text: str | None, data: dict[str, Any]) -> dict[str, Any]:
    """Only fields the form declares reach the case data: a client cannot smuggle in keys
    that decision tables or the engine read (e.g. applicant_unit)."""
    if schema_text is None:
        return {}
    declared = _declared_fields(schema_text)
    return {k: v for k, v in data.items() if k in declared}


@lru_cache(maxsize=256)
def _declared_fields(schema_text: str) -> frozenset[str]:
    # A form's schema is parsed once per worker, not on every submission of it.
    return frozenset(json.loads(schema_text).get("properties", {}))


def start(actor: Actor, process_key: str, data: dict[str, Any], version: int | None = None) -> Instance:
    chosen = start_form(actor, process_key, version)
    pv, bundle, spec, schema = chosen.version, chosen.bundle, chosen.spec, chosen.schema
    if schema is not None:
        forms.validate(schema, data)
    accepted = _accepted_fields(schema, data)
    attachments.check(actor, schema, accepted, process_key=process_key)
    title_field = (bundle.process(process_key) or {}).get("title_field")
    with unit_of_work():
        # The row comes first: the diagram may call case helpers with its id at once.
        inst = Instance(process_key=process_key, version_id=pv.id, jurisdiction_id=pv.jurisdiction_id,
                        title=str(accepted.get(title_field, ""))[:300] if title_field else "",
                        status=RUNNING, applicant_unit=actor.unit, started_by=actor.username,
                        state=b"")
        inst.version = pv
        db.session.add(inst)
        db.session.flush()
        attachments.bind(actor, schema, accepted, instance_id=inst.id, process_key=process_key)
        wf = runtime.new_workflow(spec, inst.id)
        start_task = wf.get_tasks(state=runtime.TaskState.READY)[0]
        start_task.data.update(json.loads(json.dumps({**accepted, **amounts.kept(bundle, accepted)})))
        start_task.data.update(case_id=inst.id, applicant_unit=actor.unit, started_by=actor.username,
                               started_at=now_utc().isoformat())
        loaded = Loaded(inst, wf, bundle)
        fired = advance_and_note_timers(loaded)
        # Audited before the save: the chain's head on the case row then rides on its UPDATE.
        audit.record(actor.username, "start", instance_id=inst.id,
                     detail={"process_key": process_key, "version": pv.version, "data": accepted})
        audit_timers(inst.id, fired)
        save(loaded)
    return inst


@contextmanager
def _kept_loaded() -> Iterator[Callable[..., None]]:
    """Around a unit of work: objects passed to the yielded `hold` (call it last, after the
    final flush) are not expired by its commit. The case row and index rows just written are
    exactly what the response shows; reading them back would cost a SELECT each. The commit
    that ends a read transaction at the start of the unit of work still expires everything,
    and so does this one for every other object."""
    session, held = db.session(), []
    before = session.expire_on_commit

    def hold(*objects: object) -> None:
        held.extend(objects)
        session.expire_on_commit = False

    try:
        yield hold
    finally:
        session.expire_on_commit = before
    kept = {id(obj) for obj in held}
    for obj in list(session.identity_map.values()):
        if id(obj) not in kept:
            session.expire(obj)


def complete(actor: Actor, task_id: str, data: dict[str, Any]) -> Loaded:
    """Complete one task; returns the case as saved (so the response needs no reload).
    The case is read and deserialized, and the form validated, before the write transaction:
    on SQLite its lock is database-wide, and deserializing is a sixth of a request
    (docs/performance.md). Under the lock the checks are repeated, and a case someone changed
    meanwhile (its revision moved) is read again."""
    row = actionable_row(actor, task_id)
    loaded = load_to_change(db.session.get(Instance, row.instance_id))
    seen_revision = loaded.instance.revision
    runtime.find_open_task(loaded.workflow, task_id)
    schema = form_schema(loaded.bundle, row.form)
    forms.validate(schema or "{}", data)
    accepted = _accepted_fields(schema, data)
    attachments.check(actor, schema, accepted, instance_id=row.instance_id, task_id=task_id)
    with _kept_loaded() as hold, unit_of_work():
        row = _actionable_again(actor, task_id, loaded.instance)
        inst = db.session.get(Instance, row.instance_id)
        if inst.revision != seen_revision:
            loaded = load(inst)
        task = runtime.find_open_task(loaded.workflow, task_id)
        attachments.bind(actor, schema, accepted, instance_id=inst.id, task_id=task_id)
        runtime.submit(task, {**accepted, **amounts.kept(loaded.bundle, accepted)})
        fired = advance_and_note_timers(loaded)
        # Audited before the save: the chain's head on the case row then rides on its UPDATE.
        audit.record(actor.username, "complete", instance_id=inst.id, task_id=task_id, bpmn_id=row.bpmn_id,
                     detail={"task": row.name, "lane": row.lane, "data": accepted})
        audit_timers(inst.id, fired)
        loaded.open_rows = save(loaded)
        db.session.flush()  # the revision the commit writes
        committed = (inst.revision, inst.state)
        hold(inst, inst.version, *loaded.open_rows)
    loaded.committed = committed
    return loaded


_TASK_AND_REVISION = (
    select(TaskIndex, Instance.revision).join(TaskIndex.instance)
    .where(TaskIndex.task_id == bindparam("task_id")).execution_options(populate_existing=True))


def _actionable_again(actor: Actor, task_id: str, inst: Instance) -> TaskIndex:
    """`actionable_row` again, inside the write transaction. Where the case row read before is
    still loaded (PostgreSQL: the read and the write share one transaction, nothing expired),
    its revision tells whether it changed (every change of the row moves it, the audit head's
    too), so the task row is read with the revision only, not the state again (tens of KB)."""
    if "state" in inst.__dict__:
        found = db.session.execute(_TASK_AND_REVISION, {"task_id": task_id}).first()
        if found is not None and found.revision == inst.revision:
            require_actionable(actor, found[0])
            return found[0]
    return actionable_row(actor, task_id)


def advance_and_note_timers(loaded: Loaded) -> list[tuple[str, str, str]]:
    """Advance the case; report the timers that fired meanwhile: a timer completed in this
    advance (also one reached and already due within it, e.g. a trial period that began in
    the past), or a cycle timer whose next due time moved on — a cancelled one did not fire."""
    wf = loaded.workflow
    done_before = runtime.completed_timers(wf).keys()
    before = {tid: (t, runtime.timer_value(t)) for tid, t in runtime.waiting_timers(wf).items()}
    runtime.advance(wf)
    cycled = [(tid, t) for tid, (t, due) in before.items()
              if t.state == runtime.TaskState.WAITING and runtime.timer_value(t) != due]
    completed = [(tid, t) for tid, t in runtime.completed_timers(wf).items() if tid not in done_before]
    return [(tid, t.task_spec.bpmn_id, t.task_spec.bpmn_name or "") for tid, t in cycled + completed]


def audit_timers(instance_id: int, fired: list[tuple[str, str, str]]) -> None:
    for task_id, bpmn_id, name in fired:
        audit.record("system:timer", "timer_fired", instance_id=instance_id, task_id=task_id,
                     bpmn_id=bpmn_id, detail={"timer": name})


def claim(actor: Actor, task_id: str) -> TaskIndex:
    with unit_of_work():
        row = task_row(task_id)
        require_act(actor, row)
        if row.claimed_by == actor.username:
            return row
        done = db.session.execute(update(TaskIndex).where(
            TaskIndex.task_id == task_id, TaskIndex.claimed_by.is_(None)).values(claimed_by=actor.username))
        if done.rowcount != 1:
            raise TaskClaimedByOther(f"该任务已由 {row.claimed_by} 认领")
        audit.record(actor.username, "claim", instance_id=row.instance_id, task_id=task_id, bpmn_id=row.bpmn_id)
    db.session.refresh(row)
    return row


def unclaim(actor: Actor, task_id: str) -> TaskIndex:
    with unit_of_work():
        row = task_row(task_id)
        if row.claimed_by is None:
            raise Conflict("该任务尚未被认领")
        if row.claimed_by != actor.username and not actor.is_admin:
            raise Forbidden("只有认领人或管理员可以取消认领")
        row.claimed_by = None
        audit.record(actor.username, "unclaim", instance_id=row.instance_id, task_id=task_id, bpmn_id=row.bpmn_id)
    return row


def assign(actor: Actor, task_id: str, username: str, reason: str = "") -> TaskIndex:
    """转办: hand the task to another user who holds its role (and unit, if bound)."""
    with unit_of_work():
        row = task_row(task_id)
        if not actor.is_admin:
            require_act(actor, row)
            if row.claimed_by not in (None, actor.username):
                raise TaskClaimedByOther(f"该任务已由 {row.claimed_by} 认领，只有认领人可以转办")
        target = actor_of(find_user(username))
        require_act(target, row)
        previous, row.claimed_by = row.claimed_by, target.username
        audit.record(actor.username, "reassign", instance_id=row.instance_id, task_id=task_id,
                     bpmn_id=row.bpmn_id, detail={"from": previous, "to": target.username, "reason": reason})
    return row


def fire_timers(instance_id: int) -> int:
    """Fire whatever is due on one instance; returns how many timers fired (0 if another
    worker got there first). A diagram error parks the case in status `error`, audited,
    instead of failing again on every poll."""
    try:
        with unit_of_work():
            inst = db.session.get(Instance, instance_id)
            if inst is None or inst.status != RUNNING:
                return 0
            return fire_loaded(inst)
    except Conflict:
        return 0
    except ProcessError as exc:
        with unit_of_work():
            park_in_error(db.session.get(Instance, instance_id), exc)
        return 0


def fire_loaded(inst: Instance) -> int:
    """Advance a running case past its due timers, audit the firings and save it, in the
    caller's transaction (or savepoint); returns how many timers fired."""
    loaded = load(inst)
    fired = advance_and_note_timers(loaded)
    # Audited before the save: the chain's head on the case row then rides on its UPDATE.
    audit_timers(inst.id, fired)
    save(loaded)
    return len(fired)


def park_in_error(inst: Instance, exc: ProcessError) -> None:
    """Status `error`, audited, so a case whose diagram fails on a timer is not retried on
    every poll (in the caller's transaction)."""
    inst.status, inst.error, inst.next_due_at = ERROR, exc.detail, None
    audit.record("system:timer", "error", instance_id=inst.id,
                 bpmn_id=exc.extra.get("element"), detail={"error": exc.detail})


def due_instance_ids(now: datetime, limit: int = 100) -> list[int]:
    # Strictly before now: SpiffWorkflow fires a timer only once its due instant has passed.
    return list(db.session.scalars(
        select(Instance.id).where(Instance.status == RUNNING, Instance.next_due_at < now)
        .order_by(Instance.next_due_at).limit(limit)))
