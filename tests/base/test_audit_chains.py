"""Per-case audit chains (migration 0008): a case's entries chain on their own, headed on its
instance row; entries without a case, and every entry written before, form the global chain.
`verify_chain` must still catch an edited entry, a deleted tail of either kind of chain, and
must pass a trail that mixes old global entries of a case with its new per-case ones."""

from __future__ import annotations

import threading
from datetime import UTC

from sqlalchemy import func, select, text

from engine import audit
from engine.cases import instances
from engine.clock import now_utc
from engine.db import db
from engine.models import AuditEntry, AuditHead, Instance

from ..cases.test_api_cases import complete, only_task, start

APPROVE = {"review_result": "approve", "review_opinion": "同意", "countersign_units": ["乙单位", "丙单位"]}
REJECT = {"review_result": "reject", "review_opinion": "否"}


def _verify(app) -> audit.ChainReport:
    with app.app_context():
        return audit.verify_chain()


def _execute(app, sql: str, **params) -> None:
    with app.app_context():
        db.session.execute(text(sql), params)
        db.session.commit()


def _global_entry(app, action: str = "test_global", instance_id: int | None = None) -> None:
    """An entry in the global chain, as every entry was written before migration 0008."""
    with app.app_context():
        head = db.session.get(AuditHead, 1) or AuditHead(id=1, last_hash=audit.GENESIS, count=0)
        db.session.add(head)
        at = now_utc().replace(tzinfo=UTC)
        digest = audit.entry_hash(head.last_hash, at, "admin", action, instance_id, None, None, "{}")
        db.session.add(AuditEntry(at=at, actor="admin", action=action, instance_id=instance_id,
                                  detail_json="{}", prev_hash=head.last_hash, hash=digest, case_chain=False))
        head.last_hash, head.count = digest, head.count + 1
        db.session.commit()


def test_case_entries_chain_from_the_case_and_the_head_is_on_its_row(app, http):
    case = start(http)
    complete(http, "s_reviewer", only_task(case, "review")["id"], APPROVE)
    with app.app_context():
        rows = db.session.scalars(select(AuditEntry).where(AuditEntry.instance_id == case["id"])
                                  .order_by(AuditEntry.id)).all()
        inst = db.session.get(Instance, case["id"])
        assert [r.action for r in rows] == ["start", "complete"] and all(r.case_chain for r in rows)
        assert rows[0].prev_hash == audit.case_genesis(case["id"]) and rows[1].prev_hash == rows[0].hash
        assert (inst.audit_last_hash, inst.audit_count) == (rows[-1].hash, 2)
        global_count = db.session.scalar(select(func.count()).where(AuditEntry.case_chain.is_(False)))
        head = db.session.get(AuditHead, 1)
        assert (head.count if head else 0) == global_count
    assert _verify(app).ok


def test_an_edited_case_entry_or_global_entry_is_caught(app, http):
    case = start(http)
    _global_entry(app)
    complete(http, "s_reviewer", only_task(case, "review")["id"], REJECT)
    assert _verify(app).ok
    _execute(app, "UPDATE audit_entry SET actor = 'mallory' WHERE action = 'start'")
    report = _verify(app)
    assert not report.ok and report.first_bad_id is not None
    _execute(app, "UPDATE audit_entry SET actor = 's_unit_a' WHERE action = 'start'")
    assert _verify(app).ok
    _execute(app, "UPDATE audit_entry SET detail_json = '{\"x\": 1}' WHERE action = 'test_global'")
    assert not _verify(app).ok


def test_a_deleted_tail_of_one_case_chain_is_caught(app, http):
    first, second = start(http), start(http)
    complete(http, "s_reviewer", only_task(first, "review")["id"], REJECT)
    complete(http, "s_reviewer", only_task(second, "review")["id"], REJECT)
    assert _verify(app).ok
    # The first case's last entry is not the trail's last: only its case head can tell.
    _execute(app, "DELETE FROM audit_entry WHERE id = (SELECT max(id) FROM audit_entry WHERE instance_id = :i)",
             i=first["id"])
    report = _verify(app)
    assert not report.ok and str(first["id"]) in report.reason


def test_every_entry_of_a_case_deleted_is_caught(app, http):
    case = start(http)
    _global_entry(app)
    _execute(app, "DELETE FROM audit_entry WHERE instance_id = :i", i=case["id"])
    report = _verify(app)
    assert not report.ok and str(case["id"]) in report.reason


def test_a_deleted_global_tail_is_caught(app, http):
    case = start(http)
    _global_entry(app)
    complete(http, "s_reviewer", only_task(case, "review")["id"], REJECT)  # after it: case entries
    assert _verify(app).ok
    _execute(app, "DELETE FROM audit_entry WHERE id = (SELECT max(id) FROM audit_entry WHERE NOT case_chain)")
    report = _verify(app)
    assert not report.ok and "末尾" in report.reason


def test_old_global_entries_of_a_case_then_its_new_chain_verify_clean(app, http):
    """A case begun before the migration: its old entries stay in the global chain (with the
    entries of no case between them); its next entries start its own chain."""
    case = start(http)
    with app.app_context():  # make the case look begun before 0008: entries global, no head
        db.session.execute(text("DELETE FROM audit_entry WHERE instance_id = :i"), {"i": case["id"]})
        db.session.execute(text("UPDATE instance SET audit_last_hash = NULL, audit_count = 0 WHERE id = :i"),
                           {"i": case["id"]})
        db.session.commit()
    _global_entry(app, "start", case["id"])
    _global_entry(app, "deploy")
    _global_entry(app, "claim", case["id"])
    assert _verify(app).ok
    complete(http, "s_reviewer", only_task(case, "review")["id"], REJECT)
    report = _verify(app)
    assert report.ok, report
    with app.app_context():
        newest = db.session.scalars(select(AuditEntry).where(AuditEntry.instance_id == case["id"])
                                    .order_by(AuditEntry.id.desc())).first()
        assert newest.case_chain and newest.prev_hash == audit.case_genesis(case["id"])
    audit_view = http.as_("admin").get(f"/api/v1/instances/{case['id']}/audit").body
    assert [a["action"] for a in audit_view] == ["start", "claim", "complete"]


def test_two_claims_of_one_case_at_once_never_fork_its_chain(app, http):
    """Claims of two tasks of one case both move its head: on SQLite the writers queue and both
    succeed; on PostgreSQL the later one may lose the race (a clean 409). Either way every
    successful claim is in the chain once and the trail verifies."""
    case = start(http)
    case = complete(http, "s_reviewer", only_task(case, "review")["id"], APPROVE)
    by_unit = {t["unit"]: t["id"] for t in case["open_tasks"] if t["bpmn_id"] == "countersign"}
    barrier, results = threading.Barrier(2), []

    def claim(user: str, task_id: str) -> None:
        client = http.as_(user)
        barrier.wait()
        results.append(client.post(f"/api/v1/tasks/{task_id}/claim").status)

    threads = [threading.Thread(target=claim, args=("s_unit_b", by_unit["乙单位"])),
               threading.Thread(target=claim, args=("s_unit_c", by_unit["丙单位"]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert 200 in results and set(results) <= {200, 409}, results
    claims = [a for a in http.as_("admin").get(f"/api/v1/instances/{case['id']}/audit").body
              if a["action"] == "claim"]
    assert len(claims) == results.count(200)
    assert _verify(app).ok


def test_a_claim_keeps_the_cached_workflow_for_the_next_completion(app, http, monkeypatch):
    """A claim moves the case's revision (its audit head) but not its state: the workflow the
    worker kept after the last completion is re-keyed, so the completion does not restore it."""
    case = start(http)
    case = complete(http, "s_reviewer", only_task(case, "review")["id"], APPROVE)
    task_id = next(t["id"] for t in case["open_tasks"] if t["unit"] == "乙单位")
    assert http.as_("s_unit_b").post(f"/api/v1/tasks/{task_id}/claim").status == 200
    restored = []
    real_load = instances.load
    monkeypatch.setattr(instances, "load", lambda inst: restored.append(inst.id) or real_load(inst))
    complete(http, "s_unit_b", task_id, {"agree": True, "comment": "乙单位意见"})
    assert restored == []
    assert _verify(app).ok
