"""Task list, claim / unclaim / reassign (转办), visibility, due dates and overdue."""

from __future__ import annotations

import time_machine

from .test_api_cases import complete, only_task, start


def test_task_list_is_per_role_and_unit(http):
    start(http, "s_unit_a")
    start(http, "s_unit_b")
    reviewer = http.as_("s_reviewer").get("/api/v1/tasks").body
    assert reviewer["total"] == 2 and {t["name"] for t in reviewer["items"]} == {"初审"}
    assert http.as_("s_unit_a").get("/api/v1/tasks").body["total"] == 0


def test_cases_visible_to_own_unit_and_actors_only(http):
    a = start(http, "s_unit_a")
    start(http, "s_unit_b")
    mine = http.as_("s_unit_a2").get("/api/v1/instances").body
    assert [c["id"] for c in mine["items"]] == [a["id"]]
    assert http.as_("s_unit_b").get(f"/api/v1/instances/{a['id']}").status == 404
    assert http.as_("s_reviewer").get("/api/v1/instances").body["total"] == 2
    assert http.as_("admin").get("/api/v1/instances", unit="乙单位").body["total"] == 1


def test_claim_blocks_others_until_unclaimed(http):
    task_id = only_task(start(http), "review")["id"]
    one, two = http.as_("s_reviewer"), http.as_("s_reviewer2")
    assert one.post(f"/api/v1/tasks/{task_id}/claim").body["claimed_by"] == "s_reviewer"
    assert two.post(f"/api/v1/tasks/{task_id}/claim").status == 409
    assert two.post(f"/api/v1/tasks/{task_id}/complete",
                    {"data": {"review_result": "reject", "review_opinion": "否"}}).status == 409
    assert one.get("/api/v1/tasks", claimed="me").body["total"] == 1
    assert two.post(f"/api/v1/tasks/{task_id}/unclaim").status == 403
    assert one.post(f"/api/v1/tasks/{task_id}/unclaim").body["claimed_by"] is None
    assert two.post(f"/api/v1/tasks/{task_id}/claim").status == 200


def test_reassign_to_role_holder_only(http):
    task_id = only_task(start(http), "review")["id"]
    one = http.as_("s_reviewer")
    one.post(f"/api/v1/tasks/{task_id}/claim")
    assert one.post(f"/api/v1/tasks/{task_id}/assign", {"username": "s_unit_b"}).status == 403
    reply = one.post(f"/api/v1/tasks/{task_id}/assign", {"username": "s_reviewer2", "reason": "出差"})
    assert reply.body["claimed_by"] == "s_reviewer2"
    audit = one.get(f"/api/v1/tasks/{task_id}").body  # still visible to the role
    assert audit["claimed_by"] == "s_reviewer2"


def test_due_date_from_boundary_timer_in_working_days_and_overdue_filter(http, fire_timers):
    # Friday 2025-09-26: five working days later, with the National Day holiday and the
    # 2025-09-28 make-up working day, is Friday 2025-10-10? No: 9-29, 9-30, 9-28 is before.
    with time_machine.travel("2025-09-26T10:00:00+08:00", tick=False):
        case = start(http)
        review = only_task(case, "review")
        # working days after 9-26: 9-28 (调休 Sunday), 9-29, 9-30, 10-09, 10-10
        assert review["due_at"] == "2025-10-10T23:59:59+08:00"
    with time_machine.travel("2025-10-11T08:00:00+08:00", tick=False):
        reviewer = http.as_("s_reviewer")
        assert reviewer.get("/api/v1/tasks", overdue="true").body["total"] == 1
        assert fire_timers() == 1  # the non-interrupting reminder ran; the task stays open
        case = reviewer.get(f"/api/v1/instances/{case['id']}").body
        assert case["data"]["review_overdue"] is True
        assert only_task(case, "review")["overdue"] is True


def test_instance_detail_shows_version_data_and_steps(http):
    case = start(http)
    complete(http, "s_reviewer", only_task(case, "review")["id"],
             {"review_result": "reject", "review_opinion": "否"})
    detail = http.as_("s_unit_a").get(f"/api/v1/instances/{case['id']}").body
    assert detail["version"] == 1 and detail["status"] == "completed"
    assert detail["completed_steps"][0]["by"] == "s_reviewer"
    assert detail["data"]["review_opinion"] == "否"


def test_a_long_task_list_counts_up_to_the_cap_and_says_so(app, http):
    """Counting every visible task would cost as much as the list is long: past the cap the
    total stops and `total_capped` tells the front end to show "1000+"."""
    from uuid import uuid4

    from engine.cases.views import TOTAL_CAP
    from engine.db import db
    from engine.models import TaskIndex

    row = only_task(start(http), "review")
    with app.app_context():
        template = db.session.get(TaskIndex, row["id"])
        columns = {c.key: getattr(template, c.key) for c in TaskIndex.__table__.columns}
        db.session.add_all(TaskIndex(**{**columns, "task_id": str(uuid4())}) for _ in range(TOTAL_CAP))
        db.session.commit()
    listed = http.as_("s_reviewer").get("/api/v1/tasks", limit=5).body
    assert (listed["total"], listed["total_capped"], len(listed["items"])) == (TOTAL_CAP, True, 5)
    few = http.as_("s_reviewer").get("/api/v1/tasks", instance_id=row["instance_id"] + 1).body
    assert (few["total"], few["total_capped"]) == (0, False)
