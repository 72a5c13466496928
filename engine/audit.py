"""The append-only audit trail, hash-chained so that any edit or deletion is detectable."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from .clock import now_utc
from .db import as_utc, db
from .models import AuditEntry, AuditHead

GENESIS = "0" * 64


def _canonical_time(at: datetime) -> str:
    return as_utc(at).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(prev_hash: str, at: datetime, actor: str, action: str, instance_id: int | None,
               task_id: str | None, bpmn_id: str | None, detail_json: str) -> str:
    body = json.dumps([prev_hash, _canonical_time(at), actor, action, instance_id, task_id, bpmn_id,
                       detail_json], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def record(actor: str, action: str, *, instance_id: int | None = None, task_id: str | None = None,
           bpmn_id: str | None = None, detail: dict[str, Any] | None = None) -> AuditEntry:
    """Append one entry inside the caller's transaction (the head row serialises appends)."""
    head = db.session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, last_hash=GENESIS, count=0)
        db.session.add(head)
    at = now_utc().replace(tzinfo=UTC)
    detail_json = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str)
    digest = entry_hash(head.last_hash, at, actor, action, instance_id, task_id, bpmn_id, detail_json)
    entry = AuditEntry(at=at, actor=actor, action=action, instance_id=instance_id, task_id=task_id,
                       bpmn_id=bpmn_id, detail_json=detail_json, prev_hash=head.last_hash, hash=digest)
    db.session.add(entry)
    head.last_hash, head.count = digest, head.count + 1
    return entry


@dataclass
class ChainReport:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    reason: str = ""


def verify_chain(batch: int = 5000) -> ChainReport:
    """Recompute every hash in order; report the first row that does not match."""
    prev, checked, last_id = GENESIS, 0, 0
    while True:
        rows = db.session.execute(
            select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
        ).scalars().all()
        if not rows:
            break
        for row in rows:
            expected = entry_hash(prev, row.at, row.actor, row.action, row.instance_id, row.task_id,
                                  row.bpmn_id, row.detail_json)
            if row.prev_hash != prev or row.hash != expected:
                return ChainReport(False, checked, row.id, "哈希不匹配：记录被修改、删除或插入")
            prev, checked, last_id = row.hash, checked + 1, row.id
    head = db.session.get(AuditHead, 1)
    if head is not None and (head.last_hash != prev or head.count != checked):
        return ChainReport(False, checked, None, "链尾与最后一条记录不一致：末尾记录被删除")
    return ChainReport(True, checked)


def entry_dict(row: AuditEntry) -> dict[str, Any]:
    return {
        "id": row.id, "at": as_utc(row.at), "actor": row.actor, "action": row.action,
        "instance_id": row.instance_id, "task_id": row.task_id, "bpmn_id": row.bpmn_id,
        "detail": json.loads(row.detail_json), "hash": row.hash,
    }
