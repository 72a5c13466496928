"""The append-only audit trail, hash-chained so that any edit or deletion is detectable.

Each case's entries form their own chain, headed (last hash, count) on the case's instance row;
entries without a case, and all written before migration 0008, form the global chain headed by
the single AuditHead row. A completion thus appends without reading or locking anything that
other cases share."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from .clock import now_utc
from .db import as_utc, db
from .models import AuditEntry, AuditHead, Instance

GENESIS = "0" * 64


def _canonical_time(at: datetime) -> str:
    return as_utc(at).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(prev_hash: str, at: datetime, actor: str, action: str, instance_id: int | None,
               task_id: str | None, bpmn_id: str | None, detail_json: str) -> str:
    body = json.dumps([prev_hash, _canonical_time(at), actor, action, instance_id, task_id, bpmn_id,
                       detail_json], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def case_genesis(instance_id: int) -> str:
    """Where a case's chain starts: distinct per case, so no two entries share a prev_hash."""
    return hashlib.sha256(f"audit chain of case {instance_id}".encode()).hexdigest()


def record(actor: str, action: str, *, instance_id: int | None = None, task_id: str | None = None,
           bpmn_id: str | None = None, detail: dict[str, Any] | None = None) -> AuditEntry:
    """Append one entry inside the caller's transaction. An entry about a case extends that
    case's chain, whose head is on its instance row (taken from the session: the caller has
    usually loaded it), so the append rides on the row's own revision-checked UPDATE; other
    entries extend the global chain, whose head row serialises them."""
    inst = db.session.get(Instance, instance_id) if instance_id is not None else None
    at = now_utc().replace(tzinfo=UTC)
    detail_json = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str)
    prev = (inst.audit_last_hash or case_genesis(inst.id)) if inst is not None else _global_head().last_hash
    digest = entry_hash(prev, at, actor, action, instance_id, task_id, bpmn_id, detail_json)
    entry = AuditEntry(at=at, actor=actor, action=action, instance_id=instance_id, task_id=task_id,
                       bpmn_id=bpmn_id, detail_json=detail_json, prev_hash=prev, hash=digest,
                       case_chain=inst is not None)
    db.session.add(entry)
    if inst is None:
        head = _global_head()
        head.last_hash, head.count = digest, head.count + 1
    else:
        _move_case_head(inst, digest)
    return entry


def _move_case_head(inst: Instance, digest: str) -> None:
    """Set the case's head. Normally on the row object, so the revision-checked UPDATE of the
    row carries it (with any change not yet flushed). Once this transaction has written the row,
    it holds it (PostgreSQL's row lock, SQLite's write lock) and its revision was checked: the
    head then goes in a plain UPDATE, so a change audited after its save (a timer, a migration
    that records the revision it wrote) does not move the revision a second time."""
    count = (inst.audit_count or 0) + 1
    if inst.id in db.session.info.get(_WRITTEN, ()) and inst not in db.session.dirty:
        db.session.execute(update(Instance).where(Instance.id == inst.id)
                           .values(audit_last_hash=digest, audit_count=count))
        set_committed_value(inst, "audit_last_hash", digest)
        set_committed_value(inst, "audit_count", count)
        return
    _note_head_only_change(inst)
    inst.audit_last_hash, inst.audit_count = digest, count


_WRITTEN = "audit.instances_written"  # ids of case rows this transaction has inserted or updated


@event.listens_for(Session, "after_flush")
def _note_written(session: Session, _context: Any) -> None:
    # Still the pre-flush view here: what was new or changed is what this flush wrote.
    ids = [obj.id for obj in (*session.new, *session.dirty)
           if isinstance(obj, Instance) and (obj in session.new or session.is_modified(obj))]
    if ids:
        session.info.setdefault(_WRITTEN, set()).update(ids)


def _global_head() -> AuditHead:
    head = db.session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, last_hash=GENESIS, count=0)
        db.session.add(head)
    return head


# Moving a case's head moves its revision, also for an action that changes nothing else of it
# (claim, reassign, an upload). Such cases are noted here, with the revision and state they had;
# the worker's workflow cache (engine/cases/workflow_cache.py) re-keys its entry for them after
# the commit, so the next completion still finds it.
HEAD_ONLY_CHANGES = "audit.head_only_changes"  # session.info: id -> [case, revision, state, after]


def _note_head_only_change(inst: Instance) -> None:
    noted = db.session.info.setdefault(HEAD_ONLY_CHANGES, {})
    if inst.id not in noted and inst.revision is not None and "state" in inst.__dict__:
        noted[inst.id] = [inst, inst.revision, inst.state, None]


@event.listens_for(Session, "after_commit")
def _forget_written(session: Session) -> None:
    session.info.pop(_WRITTEN, None)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, _previous: Any) -> None:
    # Any rollback, a savepoint's too: what it wrote (and the locks it took) may be gone.
    session.info.pop(HEAD_ONLY_CHANGES, None)
    session.info.pop(_WRITTEN, None)


@event.listens_for(Session, "after_transaction_end")
def _forget_at_the_end(session: Session, transaction: Any) -> None:
    # However the outermost transaction ended (commit, rollback, close), it holds no row now:
    # a later transaction must not take a head update for one already checked.
    if transaction.parent is None:
        session.info.pop(HEAD_ONLY_CHANGES, None)
        session.info.pop(_WRITTEN, None)


@dataclass
class ChainReport:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    reason: str = ""


@dataclass
class _Walk:
    """Where each chain has got to while the entries are read in order."""

    global_prev: str = GENESIS
    global_count: int = 0
    case_prev: dict[int, str] = field(default_factory=dict)
    case_count: Counter[int] = field(default_factory=Counter)

    def step(self, row: AuditEntry) -> bool:
        """Check one entry against its chain's previous one and move that chain on."""
        if row.case_chain and row.instance_id is not None:
            prev = self.case_prev.get(row.instance_id) or case_genesis(row.instance_id)
        else:
            prev = self.global_prev
        expected = entry_hash(prev, row.at, row.actor, row.action, row.instance_id, row.task_id,
                              row.bpmn_id, row.detail_json)
        if row.prev_hash != prev or row.hash != expected:
            return False
        if row.case_chain and row.instance_id is not None:
            self.case_prev[row.instance_id] = row.hash
            self.case_count[row.instance_id] += 1
        else:
            self.global_prev, self.global_count = row.hash, self.global_count + 1
        return True


def verify_chain(batch: int = 5000) -> ChainReport:
    """Recompute every hash in order, each entry against the previous one of its chain (the
    global one or its case's); report the first row that does not match, then check every
    chain's head against its last entry and count (a deleted tail)."""
    walk, checked, last_id = _Walk(), 0, 0
    while True:
        rows = db.session.execute(
            select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
        ).scalars().all()
        if not rows:
            break
        for row in rows:
            if not walk.step(row):
                return ChainReport(False, checked, row.id, "哈希不匹配：记录被修改、删除或插入")
            checked, last_id = checked + 1, row.id
    head = db.session.get(AuditHead, 1)
    if head is not None and (head.last_hash != walk.global_prev or head.count != walk.global_count):
        return ChainReport(False, checked, None, "链尾与最后一条记录不一致：末尾记录被删除")
    bad_case = _first_bad_case_head(walk)
    if bad_case is not None:
        return ChainReport(False, checked, None, f"案件 {bad_case} 的链尾与其最后一条记录不一致：末尾记录被删除")
    return ChainReport(True, checked)


def _first_bad_case_head(walk: _Walk) -> int | None:
    heads = db.session.execute(select(Instance.id, Instance.audit_last_hash, Instance.audit_count)
                               .where(Instance.audit_count > 0)).all()
    seen = set()
    for instance_id, last_hash, count in heads:
        seen.add(instance_id)
        if walk.case_prev.get(instance_id) != last_hash or walk.case_count[instance_id] != count:
            return instance_id
    # Entries of a case whose head says it has none (the head was reset, or the row is gone).
    return min((i for i in walk.case_prev if i not in seen), default=None)


def entry_dict(row: AuditEntry) -> dict[str, Any]:
    return {
        "id": row.id, "at": as_utc(row.at), "actor": row.actor, "action": row.action,
        "instance_id": row.instance_id, "task_id": row.task_id, "bpmn_id": row.bpmn_id,
        "detail": json.loads(row.detail_json), "hash": row.hash,
    }
