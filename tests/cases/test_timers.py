"""Every kind of timer fires by itself once due: duration, date, cycle; intermediate and
boundary, interrupting and not. The clock is moved, never slept."""

from __future__ import annotations

import time_machine

START = "2026-03-02T09:00:00+08:00"  # a Monday


def open_ids(http, case_id: int) -> list[str]:
    return sorted(t["bpmn_id"] for t in http.as_("admin").get(f"/api/v1/instances/{case_id}").body["open_tasks"])


def start_timers_case(http) -> dict:
    with time_machine.travel(START, tick=False):
        reply = http.as_("s_unit_a").post("/api/v1/instances", {"process_key": "sample_timers", "data": {}})
    assert reply.status == 201, reply.body
    return reply.body


def at(when: str, fire_timers) -> int:
    with time_machine.travel(when, tick=False):
        return fire_timers()


def test_duration_cycle_and_interrupting_boundary(http, fire_timers):
    case = start_timers_case(http)
    assert case["open_tasks"] == [] and case["next_due_at"] == "2026-03-04T09:00:00+08:00"
    assert at("2026-03-04T08:59:00+08:00", fire_timers) == 0
    assert at("2026-03-04T09:00:01+08:00", fire_timers) == 1          # P2D intermediate
    assert open_ids(http, case["id"]) == ["t_report"]
    assert at("2026-03-07T09:01:00+08:00", fire_timers) == 1          # R2/P3D: first reminder
    assert at("2026-03-10T09:02:00+08:00", fire_timers) == 1          # second reminder
    assert at("2026-03-13T09:03:00+08:00", fire_timers) == 0          # the cycle is exhausted
    assert open_ids(http, case["id"]) == ["t_report"]                 # non-interrupting
    assert at("2026-03-14T09:01:00+08:00", fire_timers) == 1          # P10D interrupting
    assert open_ids(http, case["id"]) == ["t_escalate"]               # the report task was cancelled
    audit = http.as_("admin").get(f"/api/v1/instances/{case['id']}/audit").body
    fired = [a["bpmn_id"] for a in audit if a["action"] == "timer_fired"]
    assert fired == ["t_wait", "t_remind", "t_remind", "t_timeout"]
    assert all(a["actor"] == "system:timer" for a in audit if a["action"] == "timer_fired")


def test_completing_in_time_cancels_the_boundary_timers(http, fire_timers):
    case = start_timers_case(http)
    at("2026-03-04T09:00:01+08:00", fire_timers)
    task = http.as_("admin").get(f"/api/v1/instances/{case['id']}").body["open_tasks"][0]
    # the deadline is the interrupting P10D timer (counted from 09:00:01), not the reminders
    assert task["due_at"] == "2026-03-14T09:00:01+08:00"
    with time_machine.travel("2026-03-05T10:00:00+08:00", tick=False):
        done = http.as_("s_unit_a").post(f"/api/v1/tasks/{task['id']}/complete", {"data": {"resubmit_note": "已报送"}})
    assert done.status == 200 and done.body["status"] == "completed" and done.body["outcome"] == "按期报送"
    assert done.body["next_due_at"] is None
    assert at("2026-04-30T09:00:00+08:00", fire_timers) == 0


def test_scheduler_finds_due_cases_by_index_only(app, http, fire_timers):
    for _ in range(3):
        start_timers_case(http)
    from engine.cases.instances import due_instance_ids
    from engine.clock import now_utc

    with app.app_context(), time_machine.travel("2026-03-04T09:00:01+08:00", tick=False):
        assert len(due_instance_ids(now_utc())) == 3
    assert at("2026-03-04T09:00:01+08:00", fire_timers) == 3
    with app.app_context(), time_machine.travel("2026-03-04T09:00:02+08:00", tick=False):
        assert due_instance_ids(now_utc()) == []
