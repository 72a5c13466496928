"""Moving cases under way to a newer version of their process (案件迁移).

When a revised regulation is deployed, running cases stay on the version they started with
(the spec is stored per version, see `serialization.py`). An administrator may move chosen
cases to another version of the same process key:

1. `dry_run` reports, case by case, whether the case can move and why not. Nothing is written.
2. `apply` moves each chosen case in its own transaction; a case that cannot move is skipped
   with its reasons, never half-moved. Each move writes a `CaseMigration` row holding the
   previous state and version, and an audit entry (`migrate`).
3. `revert` undoes one move, as long as the case has not changed since.

When a case can move
--------------------
Elements are matched by BPMN id (SpiffWorkflow's `SpecDiff`, which also pairs a renamed
element by its position between matched neighbours). A case cannot move when:

- an element the case is at — an open user task, a waiting timer or message, a running
  multi-instance or subprocess — no longer exists in the new version, or has another type
  (a user task that became a call activity, say);
- an element the case has already passed through no longer exists (the case history must
  still name an element of its version, or the stored state could not be loaded again);
- a subprocess (call activity, embedded or event subprocess) the case is inside no longer
  exists in the new version.

Mapping
-------
`task_mapping` maps an old element id to an element id of the new version, e.g.
`{"resubmit": "review"}`: a case waiting at the removed `resubmit` then waits at `review`,
and history entries of `resubmit` are attributed to `review`. A mapping may also redirect an
element that still exists. It applies in whichever process (main or subprocess) holds the
old id. Every key must be an element of the old version and every value one of the new.

What moving does
----------------
SpiffWorkflow 3.2.0's `migrate_workflow` swaps every task's spec for its aligned one and
resets every READY and WAITING task: its predicted successors are rebuilt from the new
diagram (so a task added after the current one appears), but the reset also replaces the
task's data with its parent's and clears its internal data. That would lose a
multi-instance child's item (e.g. the countersigning unit) and restart every timer from the
moment of migration. So the data of each open task is put back after the reset, and so is a
waiting timer's due time when its definition did not change (a changed timer is timed
anew). `migrate_workflow` knows nothing of subprocesses: each running subprocess is migrated
with its own diff against the new version's spec of the same name, and the workflow's
subprocess specs are replaced, so subprocesses started later use the new version too. Task
ids survive, so claims and first-ready times in the task index are kept; task names, forms,
lanes and due dates come from the new version. A running case then advances (due timers,
automatic steps); a suspended one stays as it is until resumed.

Revert
------
`revert` restores the stored state and version and rewrites the task index, but only if the
case's revision is still the one the move left (no task completed, no timer fired, no other
move since); otherwise it is refused with a Conflict.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select, update

from .. import audit
from ..cases import runtime
from ..cases.instances import RUNNING, Loaded, advance_and_note_timers, audit_timers, save
from ..cases.serialization import load_state, restored_specs, serializer
from ..clock import now_utc
from ..db import db, unit_of_work
from ..errors import Conflict, EngineError, InvalidInput, NotFound, ProcessError
from ..models import CaseMigration, Instance, ProcessVersion, TaskIndex
from ..regulations.store import get_version, stored_bundle
from ..users import Actor
from .access import require_admin

SUSPENDED = "suspended"  # as in case_actions (not imported: it imports instances, as we do)
MOVABLE = (RUNNING, SUSPENDED)
OPEN = TaskState.READY | TaskState.WAITING | TaskState.STARTED
RESET = TaskState.READY | TaskState.WAITING  # what migrate_workflow resets by default
SPLIT = ".BoundaryEventSplit"  # SpiffWorkflow's internal spec in front of a task with boundary events


@dataclass
class Outcome:
    """What moving one workflow (in memory) found: blocking reasons and what changed."""

    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    changes: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------- checks shared by all three


def _versions(process_key: str, from_version: int, to_version: int) -> tuple[ProcessVersion, ProcessVersion]:
    if from_version == to_version:
        raise InvalidInput("源版本与目标版本相同，无需迁移")
    return get_version(process_key, from_version), get_version(process_key, to_version)


def _all_specs(spec_text: str) -> dict[str, Any]:
    """Every process spec of a version (main and subprocesses), by name."""
    spec, subs = restored_specs(spec_text)
    return {spec.name: spec, **subs}


def _check_mapping(mapping: dict[str, str], source: ProcessVersion, target: ProcessVersion) -> None:
    old = {name for s in _all_specs(source.spec_json).values() for name in s.task_specs}
    new = {name for s in _all_specs(target.spec_json).values() for name in s.task_specs}
    errors = [{"field": f"task_mapping.{k}", "message": f"源版本中没有环节 {k}"} for k in mapping if k not in old]
    errors += [{"field": f"task_mapping.{k}", "message": f"目标版本中没有环节 {v}"}
               for k, v in mapping.items() if v not in new]
    if errors:
        raise InvalidInput("环节映射有误：" + "；".join(e["message"] for e in errors), errors=errors)


# ---------------------------------------------------------------- moving one workflow in memory


def _label(task_spec: Any) -> str:
    """How staff recognise an element: its name and id."""
    bpmn_id = task_spec.bpmn_id or task_spec.name
    name = task_spec.bpmn_name
    return f"「{name}」（{bpmn_id}）" if name and name != bpmn_id else f"「{bpmn_id}」"


def _spec_diff(old_spec: Any, new_spec: Any, mapping: dict[str, str]) -> SpecDiff:
    """SpiffWorkflow's alignment, overridden by the administrator's mapping."""
    diff = SpecDiff(serializer().registry, old_spec, new_spec)
    # SpecDiff walks outputs from the start event only: an event subprocess (entered by its
    # event, not by a flow) is never visited, and WorkflowDiff then fails with a KeyError on
    # a case that has run it. Align whatever was not visited by name.
    for name, spec in old_spec.task_specs.items():
        if spec not in diff.alignment:
            candidate = new_spec.task_specs.get(name)
            diff.alignment[spec] = candidate
            if candidate is not None:
                diff.comparisons[spec] = diff._compare_task_specs(spec, candidate)
    for old_name, new_name in mapping.items():
        source, target = old_spec.task_specs.get(old_name), new_spec.task_specs.get(new_name)
        if source is None or target is None:
            continue
        old_split = old_spec.task_specs.get(old_name + SPLIT)
        new_split = new_spec.task_specs.get(new_name + SPLIT)
        if old_split is not None and new_split is not None:
            diff.alignment[old_split] = new_split
        elif new_split is not None:
            # The new element has boundary events (e.g. a deadline timer): enter it through
            # its split, so that the timers are created when the case moves on.
            target = new_split
        diff.alignment[source] = target
        diff.comparisons[source] = ["mapped"]
        # A multi-instance task's inner child spec follows its parent.
        if isinstance(source, LoopTask) and isinstance(target, LoopTask):
            diff.alignment[old_spec.task_specs[source.task_spec]] = new_spec.task_specs[target.task_spec]
    return diff


def _changes(diff: SpecDiff, wf_diff: WorkflowDiff) -> dict[str, Any]:
    def ident(ts: Any) -> str:
        return ts.bpmn_id or ts.name
    changed: dict[str, list[str]] = {}
    for task in wf_diff.changed:
        changed.setdefault(ident(task.task_spec), diff.changed[task.task_spec])
    return {"added": sorted({ident(ts) for ts in diff.added if ts.bpmn_id}),
            "removed": sorted({ident(ts) for ts in diff.removed if ts is not None and ts.bpmn_id}),
            "changed": changed}


def _blockers(workflow: Any, diff: SpecDiff, mapping: dict[str, str]) -> list[str]:
    """Tasks of this (sub)workflow the new spec cannot carry."""
    reasons = []
    reset_ids = {t.id for t in workflow.get_tasks(state=RESET, skip_subprocesses=True)}
    for task in workflow.tasks.values():
        spec, target = task.task_spec, diff.alignment.get(task.task_spec)
        name = spec.bpmn_id or spec.name
        if target is None:
            if task.has_state(TaskState.PREDICTED_MASK) and _below(task, reset_ids):
                continue  # a prediction the reset rebuilds from the new diagram
            if task.has_state(OPEN):
                reasons.append(f"案件当前所在环节{_label(spec)}在新版本中已删除，请在环节映射中指定对应的新环节")
            elif task.has_state(TaskState.FINISHED_MASK):
                reasons.append(f"案件已办环节{_label(spec)}在新版本中已删除，请在环节映射中指定对应的新环节")
            else:
                reasons.append(f"案件预计经过的环节{_label(spec)}在新版本中已删除，请在环节映射中指定对应的新环节")
        elif (task.has_state(OPEN) and diff.comparisons.get(spec) == ["typename"] and name not in mapping):
            reasons.append(f"案件当前所在环节{_label(spec)}在新版本中类型已变更，请在环节映射中明确指定")
    return list(dict.fromkeys(reasons))


def _below(task: Any, ids: set[Any]) -> bool:
    parent = task.parent
    while parent is not None:
        if parent.id in ids:
            return True
        parent = parent.parent
    return False


def _timer_unchanged(old_spec: Any, new_spec: Any) -> bool:
    if not (isinstance(old_spec, CatchingEvent) and isinstance(new_spec, CatchingEvent)):
        return False
    convert = serializer().registry.convert
    return convert(old_spec.event_definition) == convert(new_spec.event_definition)


def _snapshot(workflow: BpmnWorkflow) -> dict[Any, tuple[Any, dict, dict]]:
    """Data and internal data of every task the migration resets, to put back afterwards."""
    return {t.id: (t.task_spec, copy.deepcopy(t.data), copy.deepcopy(t.internal_data))
            for t in workflow.get_tasks(state=RESET)}


def _restore(workflow: BpmnWorkflow, saved: dict[Any, tuple[Any, dict, dict]], outcome: Outcome) -> None:
    for task in workflow.get_tasks(state=RESET):
        if task.id not in saved:
            continue
        old_spec, data, internal = saved[task.id]
        task.data = data
        if isinstance(task.task_spec, CatchingEvent) and "event_value" in internal:
            if _timer_unchanged(old_spec, task.task_spec):
                task.internal_data = internal  # same timer: same due time (and cycles left)
            else:
                outcome.notes.append(f"定时器{_label(task.task_spec)}定义已变更，自迁移时起按新定义重新计时")


def _verify(workflow: BpmnWorkflow) -> list[str]:
    """Every task must name a spec of its (sub)workflow's new spec, or the state would not load."""
    problems = []
    for wf in (workflow, *workflow.subprocesses.values()):
        for task in wf.tasks.values():
            if wf.spec.task_specs.get(task.task_spec.name) is not task.task_spec:
                problems.append(f"环节{_label(task.task_spec)}无法对应到新版本")
    return list(dict.fromkeys(problems))


def _move(workflow: BpmnWorkflow, target_text: str, mapping: dict[str, str]) -> Outcome:
    """Migrate the workflow in memory to the target version; report what blocks it. When the
    outcome has reasons the workflow may be half-changed and must be thrown away."""
    new_spec, new_subs = restored_specs(target_text)
    outcome = Outcome()
    top_diff = _spec_diff(workflow.spec, new_spec, mapping)
    top = WorkflowDiff(workflow, top_diff)
    outcome.reasons += _blockers(workflow, top_diff, mapping)
    outcome.changes = _changes(top_diff, top)
    sub_diffs = []
    for sub in workflow.subprocesses.values():
        target = new_subs.get(sub.spec.name)
        if target is None:
            outcome.reasons.append(f"案件所在子流程「{sub.spec.name}」在新版本中已不存在")
            continue
        diff = _spec_diff(sub.spec, target, mapping)
        wf_diff = WorkflowDiff(sub, diff)
        outcome.reasons += _blockers(sub, diff, mapping)
        outcome.changes.setdefault("subprocesses", {})[sub.spec.name] = _changes(diff, wf_diff)
        sub_diffs.append((sub, wf_diff, target))
    if outcome.reasons:
        return outcome
    saved = _snapshot(workflow)
    with runtime.executing(workflow):
        # New subprocesses (call activities reached later) must start from the new specs.
        workflow.subprocess_specs = new_subs
        migrate_workflow(top, workflow, new_spec)
        for sub, wf_diff, target in sub_diffs:
            migrate_workflow(wf_diff, sub, target)
        _restore(workflow, saved, outcome)
    outcome.reasons += _verify(workflow)
    return outcome


def _open_ids(workflow: BpmnWorkflow) -> list[str]:
    return sorted({t.task_spec.bpmn_id for t in workflow.get_tasks(state=OPEN) if t.task_spec.bpmn_id})


# ---------------------------------------------------------------- the three operations


def _cases(process_key: str, source: ProcessVersion, instance_ids: list[int] | None) -> list[Instance]:
    query = select(Instance).where(Instance.process_key == process_key).order_by(Instance.id)
    if instance_ids is None:
        query = query.where(Instance.version_id == source.id, Instance.status.in_(MOVABLE))
    else:
        query = query.where(Instance.id.in_(instance_ids))
    return list(db.session.scalars(query))


def _case_reasons(inst: Instance | None, instance_id: int, source: ProcessVersion, process_key: str) -> list[str]:
    if inst is None or inst.process_key != process_key:
        return [f"案件 {instance_id} 不存在或不属于流程 {process_key}"]
    if inst.version_id != source.id:
        return [f"案件不在 v{source.version} 上（当前为 v{inst.version.version}）"]
    if inst.status not in MOVABLE:
        return [f"案件当前状态为 {inst.status}，只有办理中或暂停的案件可以迁移"]
    return []


def dry_run(actor: Actor, process_key: str, from_version: int, to_version: int,
            task_mapping: dict[str, str] | None = None, instance_ids: list[int] | None = None) -> dict:
    """Report case by case whether it can move from one version to the other. Writes nothing:
    each case is migrated in memory (without running any step) and thrown away."""
    require_admin(actor)
    source, target = _versions(process_key, from_version, to_version)
    mapping = dict(task_mapping or {})
    _check_mapping(mapping, source, target)
    found = {inst.id: inst for inst in _cases(process_key, source, instance_ids)}
    ids = instance_ids if instance_ids is not None else list(found)
    cases = [_dry_run_case(found.get(i), i, source, target, process_key, mapping) for i in ids]
    db.session.rollback()  # nothing was changed; make sure nothing ever could be flushed
    return {"process_key": process_key, "from_version": from_version, "to_version": to_version,
            "task_mapping": mapping, "cases": cases,
            "movable": sum(1 for c in cases if c["can_migrate"])}


def _dry_run_case(inst: Instance | None, instance_id: int, source: ProcessVersion, target: ProcessVersion,
                  process_key: str, mapping: dict[str, str]) -> dict:
    report = {"instance_id": instance_id, "title": inst.title if inst else "", "can_migrate": False,
              "open_tasks": [], "reasons": _case_reasons(inst, instance_id, source, process_key),
              "notes": [], "changes": {}}
    if report["reasons"]:
        return report
    workflow = load_state(inst.state, source.spec_json, inst.id)
    report["open_tasks"] = _open_ids(workflow)
    try:
        outcome = _move(workflow, target.spec_json, mapping)
    except ProcessError as exc:
        outcome = Outcome(reasons=[exc.detail])
    report.update(can_migrate=not outcome.reasons, reasons=outcome.reasons, notes=outcome.notes,
                  changes=outcome.changes)
    return report


def apply(actor: Actor, process_key: str, from_version: int, to_version: int, instance_ids: list[int],
          task_mapping: dict[str, str] | None = None) -> dict:
    """Move each listed case that can move, each in its own transaction."""
    require_admin(actor)
    if not instance_ids:
        raise InvalidInput("请指定要迁移的案件")
    source, target = _versions(process_key, from_version, to_version)
    mapping = dict(task_mapping or {})
    _check_mapping(mapping, source, target)
    results = []
    for instance_id in dict.fromkeys(instance_ids):
        try:
            results.append(_apply_case(actor, instance_id, source.id, target.id, process_key, mapping))
        except EngineError as exc:  # e.g. a concurrent writer (409): this case only is skipped
            results.append({"instance_id": instance_id, "migrated": False, "migration_id": None,
                            "reasons": [exc.detail], "error": exc.type})
    return {"process_key": process_key, "from_version": from_version, "to_version": to_version,
            "task_mapping": mapping, "cases": results, "migrated": sum(1 for r in results if r["migrated"])}


def _apply_case(actor: Actor, instance_id: int, source_id: int, target_id: int, process_key: str,
                mapping: dict[str, str]) -> dict:
    skipped = {"instance_id": instance_id, "migrated": False, "migration_id": None}
    with unit_of_work():
        source, target = db.session.get(ProcessVersion, source_id), db.session.get(ProcessVersion, target_id)
        inst = db.session.get(Instance, instance_id)
        reasons = _case_reasons(inst, instance_id, source, process_key)
        if reasons:
            return {**skipped, "reasons": reasons}
        previous = {"state": inst.state, "revision": inst.revision, "status": inst.status}
        workflow = load_state(inst.state, source.spec_json, inst.id)
        outcome = _move(workflow, target.spec_json, mapping)
        if outcome.reasons:
            db.session.rollback()
            return {**skipped, "reasons": outcome.reasons}
        inst.version_id, inst.version = target.id, target
        loaded = Loaded(inst, workflow, stored_bundle(target.bundle_hash))
        fired = advance_and_note_timers(loaded) if inst.status == RUNNING else []
        save(loaded)  # state, due time and task index of the new version; the revision check
        _keep_suspended(inst)
        audit_timers(inst.id, fired)
        row = CaseMigration(instance_id=inst.id, from_version_id=source.id, to_version_id=target.id,
                            previous_state=previous["state"], actor=actor.username,
                            task_mapping_json=json.dumps({
                                "mapping": mapping, "previous_revision": previous["revision"],
                                "previous_status": previous["status"], "revision_after": inst.revision,
                                "notes": outcome.notes}, ensure_ascii=False))
        db.session.add(row)
        db.session.flush()
        audit.record(actor.username, "migrate", instance_id=inst.id, detail={
            "migration_id": row.id, "process_key": process_key, "from_version": source.version,
            "to_version": target.version, "task_mapping": mapping, "notes": outcome.notes})
    return {"instance_id": instance_id, "migrated": True, "migration_id": row.id, "reasons": [],
            "notes": outcome.notes}


def _keep_suspended(inst: Instance) -> None:
    # The task index is rebuilt with suspended=False; a suspended case's tasks stay blocked.
    if inst.status == SUSPENDED:
        db.session.execute(update(TaskIndex).where(TaskIndex.instance_id == inst.id).values(suspended=True))


def revert(actor: Actor, migration_id: int) -> dict:
    """Put a moved case back on its previous version and state, if it has not changed since."""
    require_admin(actor)
    with unit_of_work():
        row = db.session.get(CaseMigration, migration_id)
        if row is None:
            raise NotFound(f"迁移记录不存在：{migration_id}")
        if row.reverted_at is not None:
            raise Conflict("该迁移已撤销")
        inst = db.session.get(Instance, row.instance_id)
        kept = json.loads(row.task_mapping_json or "{}")
        if inst.version_id != row.to_version_id or inst.revision != kept.get("revision_after"):
            raise Conflict("案件在迁移后已有办理、定时器触发或其他变更，不能撤销迁移")
        source = db.session.get(ProcessVersion, row.from_version_id)
        target_version = inst.version.version
        inst.version_id, inst.version = source.id, source
        inst.status = kept.get("previous_status", inst.status)
        if inst.status in MOVABLE:
            inst.completed_at = None
        restored = load_state(row.previous_state, source.spec_json, inst.id)
        loaded = Loaded(inst, restored, stored_bundle(source.bundle_hash))
        save(loaded)
        _keep_suspended(inst)
        row.reverted_at, row.reverted_by = now_utc(), actor.username
        audit.record(actor.username, "migrate_revert", instance_id=inst.id, detail={
            "migration_id": row.id, "process_key": inst.process_key, "from_version": target_version,
            "to_version": source.version})
    return {"migration_id": migration_id, "instance_id": inst.id, "reverted": True,
            "version": source.version}

