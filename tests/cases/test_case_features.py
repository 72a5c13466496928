"""Generic case features diagrams and staff rely on: expert draws bound to the drawn users,
cross-case rules on milestones, 抄送, 撤回, suspension and termination, messages."""

from __future__ import annotations

import time_machine

from .test_api_cases import APPLY, complete, only_task, start

EXPERTS = {"s_expert_1", "s_expert_2", "s_expert_3"}


def start_review(http, user: str = "s_unit_a") -> dict:
    reply = http.as_(user).post("/api/v1/instances", {"process_key": "sample_review", "data": APPLY})
    assert reply.status == 201, reply.body
    return reply.body


def pass_panel(http, case: dict, verdicts=("pass", "pass")) -> dict:
    tasks = [t for t in case["open_tasks"] if t["bpmn_id"] == "r_review"]
    for task, verdict in zip(tasks, verdicts, strict=True):
        case = complete(http, task["unit"] or _assignee(http, task), task["id"], {"verdict": verdict})
    return case


def _assignee(http, task: dict) -> str:
    for user in EXPERTS:
        if http.as_(user).get("/api/v1/tasks", instance_id=task["instance_id"]).body["total"]:
            listed = http.as_(user).get("/api/v1/tasks", instance_id=task["instance_id"]).body["items"]
            if any(t["id"] == task["id"] for t in listed):
                return user
    raise AssertionError("no expert sees the task")


def test_experts_are_drawn_at_random_from_the_pool_and_only_they_review(http):
    case = start_review(http)
    reviews = [t for t in case["open_tasks"] if t["bpmn_id"] == "r_review"]
    assert len(reviews) == 2
    audit = http.as_("admin").get(f"/api/v1/instances/{case['id']}/audit").body
    draw = next(a for a in audit if a["action"] == "expert_draw")
    drawn = draw["detail"]["drawn"]
    assert len(set(drawn)) == 2 and set(drawn) <= EXPERTS and draw["detail"]["pool"] == "general"
    outsider = (EXPERTS - set(drawn)).pop()
    assert http.as_(outsider).get("/api/v1/tasks").body["total"] == 0
    assert http.as_(outsider).post(f"/api/v1/tasks/{reviews[0]['id']}/complete",
                                   {"data": {"verdict": "pass"}}).status == 403
    for user in drawn:
        mine = http.as_(user).get("/api/v1/tasks").body["items"]
        assert len(mine) == 1
        case = complete(http, user, mine[0]["id"], {"verdict": "pass", "comment": "可行"})
    assert case["data"]["panel_passed"] is True and [t["bpmn_id"] for t in case["open_tasks"]] == ["r_accept"]


def test_panel_conclusion_follows_the_majority(http):
    case = start_review(http)
    case = pass_panel(http, case, ("pass", "fail"))
    assert case["status"] == "completed" and case["outcome"] == "评审未通过"


def test_copy_to_gives_read_only_access_and_a_notice(http):
    case = pass_panel(http, start_review(http))
    finance = http.as_("s_finance")
    notices = finance.get("/api/v1/notices").body
    expected = [(case["id"], "项目已立项，请安排资金", False)]
    assert [(n["instance_id"], n["message"], n["read"]) for n in notices] == expected
    assert finance.get(f"/api/v1/instances/{case['id']}").status == 200
    assert finance.get("/api/v1/tasks").body["total"] == 0
    accept = only_task(case, "r_accept")["id"]
    assert finance.post(f"/api/v1/tasks/{accept}/complete", {"data": {"acceptance_passed": True}}).status == 403
    assert finance.post(f"/api/v1/notices/{notices[0]['id']}/read").status == 204
    assert finance.get("/api/v1/notices", unread="true").body == []
    assert http.as_("s_unit_b").get("/api/v1/notices").body == []


def test_cross_case_rule_blocks_a_unit_with_an_unaccepted_project(http):
    first = pass_panel(http, start_review(http, "s_unit_a"))          # approved, not accepted
    blocked = start_review(http, "s_unit_a2")                          # same unit 甲单位
    assert blocked["status"] == "completed" and blocked["outcome"] == "不予受理（有未验收项目）"
    assert blocked["data"]["pending_cases"] == [{"id": first["id"], "title": APPLY["project_name"]}]
    other = start_review(http, "s_unit_b")                             # 乙单位 is not affected
    assert other["status"] == "running"
    complete(http, "s_reviewer", only_task(first, "r_accept")["id"], {"acceptance_passed": True})
    again = start_review(http, "s_unit_a")
    assert again["status"] == "running" and again["data"]["pending_cases"] == []


def test_withdraw_until_someone_downstream_claims(http):
    case = start(http, data={**APPLY, "budget_yuan": 500000})
    review = only_task(case, "review")["id"]
    case = complete(http, "s_reviewer", review, {"review_result": "send_back", "review_opinion": "补充材料"})
    assert http.as_("s_unit_a").post(f"/api/v1/tasks/{review}/withdraw").status == 403  # sees it, did not do it
    assert http.as_("s_reviewer2").post(f"/api/v1/tasks/{review}/withdraw").status == 403  # supervises, did not do it
    assert http.as_("s_finance").post(f"/api/v1/tasks/{review}/withdraw").status == 404    # cannot see the case
    back = http.as_("s_reviewer").post(f"/api/v1/tasks/{review}/withdraw")
    assert back.status == 200 and [t["bpmn_id"] for t in back.body["open_tasks"]] == ["review"]
    reopened = only_task(back.body, "review")["id"]
    detail = http.as_("s_reviewer").get(f"/api/v1/tasks/{reopened}").body
    assert detail["prefill"]["review_opinion"] == "补充材料"
    case = complete(http, "s_reviewer", reopened, {"review_result": "send_back", "review_opinion": "补充预算"})
    http.as_("s_unit_a").post(f"/api/v1/tasks/{only_task(case, 'resubmit')['id']}/claim")
    late = http.as_("s_reviewer").post(f"/api/v1/tasks/{reopened}/withdraw")
    assert late.status == 409 and late.body["title"]
    actions = [a["action"] for a in http.as_("admin").get(f"/api/v1/instances/{case['id']}/audit").body]
    assert actions.count("withdraw") == 1


def test_suspend_blocks_work_and_timers_resume_fires_them_terminate_ends(http, fire_timers):
    with time_machine.travel("2026-03-02T09:00:00+08:00", tick=False):
        case = start(http)
    review = only_task(case, "review")["id"]
    path = f"/api/v1/instances/{case['id']}"
    assert http.as_("s_unit_a").post(path + "/suspend", {"reason": "自查"}).status == 403
    with time_machine.travel("2026-03-03T09:00:00+08:00", tick=False):
        suspended = http.as_("s_reviewer").post(path + "/suspend", {"reason": "责令整改期间暂停"})
        assert suspended.body["status"] == "suspended"
        assert http.as_("s_reviewer").get("/api/v1/tasks").body["total"] == 0
        stopped = http.as_("s_reviewer").post(f"/api/v1/tasks/{review}/complete",
                                              {"data": {"review_result": "reject", "review_opinion": "否"}})
        assert stopped.status == 409 and "暂停" in stopped.body["detail"]
    with time_machine.travel("2026-03-20T09:00:00+08:00", tick=False):
        assert fire_timers() == 0                                   # the deadline passed while suspended
        assert http.as_("s_reviewer").post(path + "/resume", {"reason": "整改完成"}).body["status"] == "running"
        detail = http.as_("s_reviewer").get(path).body
        assert detail["data"]["review_overdue"] is True             # the reminder fired on resume
        assert http.as_("s_reviewer").post(path + "/terminate", {"reason": "项目撤销"}).body["status"] == "terminated"
    assert http.as_("s_reviewer").get("/api/v1/tasks").body["total"] == 0
    assert http.as_("s_reviewer").post(path + "/resume", {"reason": "x"}).status == 409
    actions = [a["action"] for a in http.as_("admin").get(path + "/audit").body]
    assert actions[-3:] == ["resume", "timer_fired", "terminate"] and "suspend" in actions


def test_rectification_order_message_opens_a_task_for_the_unit(http):
    case = pass_panel(http, start_review(http))
    path = f"/api/v1/instances/{case['id']}/messages"
    order = {"name": "rectification_ordered",
             "data": {"rectification_deadline": "2026-06-30", "rectification_items": "补齐等保测评"}}
    assert http.as_("s_unit_a").post(path, order).status == 403
    bad = http.as_("s_reviewer").post(path, {"name": "rectification_ordered", "data": {"rectification_items": ""}})
    assert bad.status == 422 and {e["field"] for e in bad.body["errors"]} == {"rectification_deadline",
                                                                               "rectification_items"}
    done = http.as_("s_reviewer").post(path, order)
    assert done.status == 200
    rectify = only_task(done.body, "r_rectify")
    assert rectify["unit"] == "甲单位"
    assert done.body["data"]["rectification_order"]["rectification_items"] == "补齐等保测评"
    other = http.as_("s_reviewer").post(f"/api/v1/instances/{start(http)['id']}/messages", order)
    assert other.status == 409                                        # that process has no such handler


def test_an_event_subprocess_run_in_one_case_leaves_later_cases_untouched(http):
    """Cases of a version share its spec objects; a rectification order in one case once made
    every later case of that version wait for the event subprocess and never complete."""
    case = pass_panel(http, start_review(http))
    order = {"name": "rectification_ordered",
             "data": {"rectification_deadline": "2026-06-30", "rectification_items": "补齐等保测评"}}
    assert http.as_("s_reviewer").post(f"/api/v1/instances/{case['id']}/messages", order).status == 200
    later = start_review(http, "s_unit_a2")                            # blocked: ends at once
    assert (later["status"], later["outcome"]) == ("completed", "不予受理（有未验收项目）")
    rectify = only_task(http.as_("admin").get(f"/api/v1/instances/{case['id']}").body, "r_rectify")
    done = complete(http, "s_unit_a", rectify["id"], {"resubmit_note": "已整改"})
    accepted = complete(http, "s_reviewer", only_task(done, "r_accept")["id"], {"acceptance_passed": True})
    assert (accepted["status"], accepted["outcome"]) == ("completed", "已验收")


def test_the_supervising_office_sees_every_case_of_its_jurisdiction(http):
    """case_control_roles may suspend or terminate any case, so they must be able to find it."""
    case = start_review(http, "s_unit_b")                              # open: the drawn experts' reviews
    path = f"/api/v1/instances/{case['id']}"
    assert http.as_("s_reviewer").get(path).status == 200
    assert case["id"] in {c["id"] for c in http.as_("s_reviewer").get("/api/v1/instances").body["items"]}
    assert http.as_("s_finance").get(path).status == 404               # no task, no notice, no control
    assert http.as_("s_unit_a").get(path).status == 404                # another unit's case
