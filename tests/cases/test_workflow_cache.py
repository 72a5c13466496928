"""The per-worker workflow cache: a workflow kept after a change saves exactly what the stored
state restored would, along the longest bundled path (send-back loops, a parallel branch,
trial-operation timers, called processes); and an entry is taken, never shared."""

from __future__ import annotations

import gzip
import json
import re
import secrets

from bench import inprocess, scenario
from engine.cases import runtime, workflow_cache
from engine.cases.serialization import dump_state

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
CHANGED_AT = re.compile(r'"last_state_change": [0-9.e+-]+')


def _canonical(state: bytes) -> str:
    """The saved state with new tasks' random ids numbered in order of appearance, and without
    the wall-clock time of each state change: what must be equal on both paths."""
    text = CHANGED_AT.sub('"last_state_change": 0', gzip.decompress(state).decode("utf-8"))
    numbers: dict[str, str] = {}
    return UUID.sub(lambda m: numbers.setdefault(m.group(0), f"task-{len(numbers)}"), text)


def _step(workflow, bpmn_id: str, data: dict) -> None:
    task_id = next(t for t, b in inprocess.open_tasks(workflow) if b == bpmn_id)
    runtime.submit(runtime.find_open_task(workflow, task_id), inprocess.with_amounts(json.loads(json.dumps(data))))
    runtime.advance(workflow)


def test_kept_workflow_saves_what_the_restored_state_saves():
    spec = inprocess.compiled_spec(scenario.BPMN_DIR, scenario.FORMS_DIR, scenario.PROCESS_KEY)
    kept = inprocess.load(inprocess.start_case(spec), spec)  # the object a worker keeps from one request to the next
    walk, steps = scenario.Walk(), 0
    while tasks := inprocess.open_tasks(kept):
        _task_id, bpmn_id = tasks[scenario.pick([b for _, b in tasks])]
        data = scenario.resolve(walk.data_for(bpmn_id), lambda _p, _d: secrets.token_hex(16))
        restored = inprocess.load(dump_state(kept), spec)  # what a worker without the cache does
        _step(restored, bpmn_id, data)
        _step(kept, bpmn_id, data)
        assert _canonical(dump_state(kept)) == _canonical(dump_state(restored)), f"step {steps} ({bpmn_id})"
        assert runtime.next_due(kept) == runtime.next_due(restored)
        steps += 1
    assert kept.completed and steps == 34, steps


def test_an_entry_is_taken_once_and_only_at_its_revision():
    workflow_cache.clear()
    marker = object()
    workflow_cache.keep(7, 3, b"s3", marker)  # type: ignore[arg-type]
    assert workflow_cache.take(7, 2, b"s3") is None  # another revision: someone else changed the case
    workflow_cache.keep(7, 3, b"s3", marker)  # type: ignore[arg-type]
    assert workflow_cache.take(7, 3, b"other") is None  # another database's case 7 at revision 3
    workflow_cache.keep(7, 3, b"s3", marker)  # type: ignore[arg-type]
    assert workflow_cache.take(7, 3, b"s3") is marker
    assert workflow_cache.take(7, 3, b"s3") is None  # taken: a second request restores from the row
    workflow_cache.keep(7, 4, b"s4", marker)  # type: ignore[arg-type]
    workflow_cache.keep(7, 5, b"s5", marker)  # type: ignore[arg-type]
    assert workflow_cache.take(7, 4, b"s4") is None  # a newer revision replaces older ones
    workflow_cache.clear()


def _start_sample(http) -> dict:
    reply = http.as_("s_unit_a").post("/api/v1/instances", {"process_key": "sample_project", "data": {
        "project_name": "缓存测试", "budget_yuan": 80000, "category": "software"}})
    assert reply.status == 201, reply.body
    return reply.body


def _review(case: dict) -> str:
    return next(t["id"] for t in case["open_tasks"] if t["bpmn_id"] == "review")


def test_a_completion_that_fails_after_changing_the_workflow_leaves_nothing_behind(http, monkeypatch):
    """The failed request had taken the cached workflow and completed the task in it; the
    retry must see the case as stored (task still open), not that half-done object."""
    from engine import audit, errors

    case = _start_sample(http)
    send_back = {"review_result": "send_back", "review_opinion": "补充"}
    resubmit = next(t["id"] for t in http.as_("s_reviewer").post(
        f"/api/v1/tasks/{_review(case)}/complete", {"data": send_back}).body["open_tasks"])
    case = http.as_("s_unit_a").post(f"/api/v1/tasks/{resubmit}/complete", {"data": {"resubmit_note": "已补"}}).body
    review = _review(case)  # the worker now holds this case's workflow at its new revision
    real_record = audit.record

    def fail(*args, **kwargs):
        raise errors.Conflict("模拟：写入失败")
    monkeypatch.setattr(audit, "record", fail)
    approve = {"review_result": "approve", "review_opinion": "同意", "countersign_units": ["乙单位"]}
    assert http.as_("s_reviewer").post(f"/api/v1/tasks/{review}/complete", {"data": approve}).status == 409
    monkeypatch.setattr(audit, "record", real_record)
    reply = http.as_("s_reviewer").post(f"/api/v1/tasks/{review}/complete", {"data": approve})
    assert reply.status == 200, reply.body
    assert [t["bpmn_id"] for t in reply.body["open_tasks"]] == ["countersign"]
    detail = http.as_("s_reviewer").get(f"/api/v1/instances/{case['id']}").body
    assert [s["bpmn_id"] for s in detail["completed_steps"]] == ["review", "resubmit", "review"]


def test_summary_view_has_the_task_page_fields_and_not_the_history(http):
    case = _start_sample(http)
    reply = http.as_("s_reviewer").post(f"/api/v1/tasks/{_review(case)}/complete?view=summary", {"data": {
        "review_result": "send_back", "review_opinion": "补充"}})
    assert reply.status == 200, reply.body
    body = reply.body
    assert body["id"] == case["id"] and body["status"] == "running" and body["outcome"] is None
    assert [t["bpmn_id"] for t in body["open_tasks"]] == ["resubmit"] and body["open_tasks"][0]["can_act"] is False
    assert "completed_steps" not in body and "data" not in body
    bad = http.as_("s_unit_a").post(f"/api/v1/tasks/{body['open_tasks'][0]['id']}/complete?view=tiny",
                                    {"data": {"resubmit_note": "x"}})
    assert bad.status == 422 and "view" in str(bad.body)
