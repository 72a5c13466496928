"""Timer firing in chunks (engine/cases/timer_batch.py): several cases per transaction, each in its own
savepoint. One case's diagram error or lost revision race rolls back that case alone: the others
fire once each, the bad one is parked in `error` with its audit entry, and every case's task
index equals its state. Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.
The clock is moved, never slept."""

from __future__ import annotations

import threading
from collections import Counter

import time_machine
from sqlalchemy import select, text

from engine import audit
from engine.cases import consistency, instances, timer_batch, timers
from engine.db import db
from engine.models import AuditEntry, Instance
from engine.regulations.bundles import from_files, from_folders
from engine.revisions import deploy

from ..conftest import FIXTURES

START = "2026-03-02T09:00:00+08:00"
DUE = "2026-03-04T09:00:01+08:00"  # just after the sample's P2D intermediate timer
SAMPLE = (FIXTURES / "bpmn" / "sample", FIXTURES / "forms" / "sample")

# After the wait, a script looks the applicant's unit up in a table that lacks 乙单位: a case
# of s_unit_b fails there (a diagram error at firing time), the others go on to t_report.
CHECK = ('<bpmn:scriptTask id="t_check" name="核对单位"><bpmn:documentation>第七条。</bpmn:documentation>'
         '<bpmn:script>reviewer_unit = {"甲单位": "审核处"}[applicant_unit]</bpmn:script></bpmn:scriptTask>'
         '<bpmn:sequenceFlow id="tf2" sourceRef="t_wait" targetRef="t_check" />'
         '<bpmn:sequenceFlow id="tf2b" sourceRef="t_check" targetRef="t_report" />')


def deploy_checking_version(app) -> None:
    files = from_folders(*SAMPLE).files
    body = files["timers.bpmn"].decode()
    flow = '<bpmn:sequenceFlow id="tf2" sourceRef="t_wait" targetRef="t_report" />'
    assert flow in body
    body = body.replace(flow, CHECK).replace(
        "<bpmn:flowNodeRef>t_wait</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>t_wait</bpmn:flowNodeRef><bpmn:flowNodeRef>t_check</bpmn:flowNodeRef>")
    files["timers.bpmn"] = body.encode()
    with app.app_context():
        deploy.deploy(from_files(files))


def start_cases(http, users: list[str]) -> list[int]:
    ids = []
    with time_machine.travel(START, tick=False):
        for user in users:
            reply = http.as_(user).post("/api/v1/instances", {"process_key": "sample_timers", "data": {}})
            assert reply.status == 201, reply.body
            ids.append(reply.body["id"])
    return ids


def fired_per_case() -> Counter:
    return Counter(db.session.scalars(select(AuditEntry.instance_id).where(AuditEntry.action == "timer_fired")))


def assert_consistent(ids: list[int]) -> None:
    db.session.expire_all()
    for instance_id in ids:
        assert consistency.check_instance(db.session.get(Instance, instance_id)) == []
    assert audit.verify_chain().ok


def open_task(instance_id: int) -> list[str]:
    return list(db.session.scalars(text("SELECT bpmn_id FROM task_index WHERE instance_id = :i"), {"i": instance_id}))


def bump_revision_in_race(monkeypatch, racer: int, app) -> list[int]:
    """Another writer fires `racer` after the chunk read its row, before the chunk writes it.
    On PostgreSQL a real second transaction commits its firing first; on SQLite the chunk holds
    the write lock from its first read, so no writer can get in: the race is staged inside
    the chunk's transaction (the row's revision moves under it), which is the same StaleDataError."""
    real_load, raced = instances.load, []

    def load(inst):
        if inst.id == racer and not raced:
            raced.append(racer)
            if db.engine.dialect.name == "postgresql":
                other = threading.Thread(target=_fire_elsewhere, args=(app, racer))
                other.start()
                other.join(30)
            else:
                db.session.execute(text("UPDATE instance SET revision = revision + 1 WHERE id = :i"), {"i": racer})
        return real_load(inst)

    monkeypatch.setattr(instances, "load", load)  # what fire_loaded restores the case with
    return raced


def _fire_elsewhere(app, instance_id: int) -> None:
    with app.app_context():
        assert instances.fire_timers(instance_id) == 1
        db.session.remove()


def test_a_chunk_with_a_diagram_error_and_a_lost_race_fires_every_other_case_once(app, http, monkeypatch):
    deploy_checking_version(app)
    racer, *good = start_cases(http, ["s_unit_a"] * 4)  # the racer first: lowest id in the chunk
    (bad,) = start_cases(http, ["s_unit_b"])
    everyone = [racer, *good, bad]
    raced = bump_revision_in_race(monkeypatch, racer, app)
    with app.app_context(), time_machine.travel(DUE, tick=False):
        result = timer_batch.fire_chunk(everyone)
        assert raced == [racer] and result.conflicts == {racer}
        assert result.parked == {bad} and result.failed == set()
        assert result.fired == len(good)
        by_case = fired_per_case()
        expected = dict.fromkeys(good, 1) | ({racer: 1} if db.engine.dialect.name == "postgresql" else {})
        assert by_case == expected
        parked = db.session.get(Instance, bad)
        assert (parked.status, parked.next_due_at) == ("error", None) and "核对单位" in parked.error
        errors = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "error")))
        assert [(e.instance_id, e.actor, e.bpmn_id) for e in errors] == [(bad, "system:timer", "t_check")]
        for instance_id in good:
            assert open_task(instance_id) == ["t_report"]
        assert open_task(bad) == []
        assert_consistent(everyone)
    # The racer is still due on SQLite (the staged race rolled back with its savepoint): the
    # next pass fires it, once; on PostgreSQL the other writer fired it and nothing is due.
    with app.app_context(), time_machine.travel(DUE, tick=False):
        assert timers.run_due(holder="me") == (1 if db.engine.dialect.name != "postgresql" else 0)
        assert fired_per_case() == dict.fromkeys([racer, *good], 1)
        assert timers.run_due(holder="me") == 0
        assert_consistent(everyone)


def test_run_due_fires_in_chunks_and_a_bad_case_does_not_stop_the_others(app, http):
    deploy_checking_version(app)
    ids = start_cases(http, ["s_unit_a", "s_unit_b", "s_unit_a", "s_unit_a", "s_unit_b", "s_unit_a", "s_unit_a"])
    with app.app_context(), time_machine.travel(DUE, tick=False):
        assert timers.run_due(batch=4, holder="me", chunk=3) == 5
        rows = {r.id: r for r in db.session.scalars(select(Instance).where(Instance.id.in_(ids)))}
        assert sorted(i for i, r in rows.items() if r.status == "error") == [ids[1], ids[4]]
        assert fired_per_case() == {i: 1 for i in ids if i not in (ids[1], ids[4])}
        assert all(r.lease_holder is None for r in rows.values())
        assert_consistent(ids)


def test_a_chunk_whose_transaction_fails_is_fired_case_by_case(app, http, monkeypatch):
    ids = start_cases(http, ["s_unit_a"] * 3)
    chunks: list[list[int]] = []

    def broken(chunk: list[int]):
        chunks.append(chunk)
        raise RuntimeError("提交失败")  # e.g. the commit of the whole chunk failed

    monkeypatch.setattr(timers, "fire_chunk", broken)
    with app.app_context(), time_machine.travel(DUE, tick=False):
        assert timers.run_due(holder="me") == 3
        assert [sorted(c) for c in chunks] == [sorted(ids)]
        assert fired_per_case() == dict.fromkeys(ids, 1)
        assert_consistent(ids)


def test_a_savepoint_rolls_back_only_its_case_on_sqlite_too(app, http):
    """pysqlite's own transaction handling would break SAVEPOINT; engine/db.py issues BEGIN
    itself (SQLAlchemy's documented workaround). A rolled-back savepoint undoes its writes and
    the transaction goes on."""
    first, second = start_cases(http, ["s_unit_a"] * 2)
    with app.app_context():
        from engine.db import unit_of_work

        with unit_of_work():
            db.session.execute(text("UPDATE instance SET title = 'kept' WHERE id = :i"), {"i": first})
            try:
                with db.session.begin_nested():
                    db.session.execute(text("UPDATE instance SET title = 'undone' WHERE id = :i"), {"i": second})
                    raise RuntimeError("roll back this case")
            except RuntimeError:
                pass
        titles = dict(db.session.execute(text("SELECT id, title FROM instance WHERE id IN (:a, :b)"),
                                         {"a": first, "b": second}).all())
        assert titles[first] == "kept" and titles[second] != "undone"
