"""The approval-centre lists and actions: 我的已办, 我发起的 with where each case stands, 催办 on an
overdue task (once a day), and 撤回 offered only where it is allowed."""

from __future__ import annotations

import time_machine

from .test_api_cases import complete, only_task, start


def test_my_done_tasks_list_what_i_completed_newest_first(http):
    first, second = start(http), start(http)
    for case in (first, second):
        complete(http, "s_reviewer", only_task(case, "review")["id"],
                 {"review_result": "send_back", "review_opinion": "补充预算明细"})
    done = http.as_("s_reviewer").get("/api/v1/tasks/done").body
    assert done["total"] == 2
    assert [d["instance_id"] for d in done["items"]] == [second["id"], first["id"]]
    assert {d["name"] for d in done["items"]} == {"初审"} and done["items"][0]["lane"] == "审核处"
    assert http.as_("s_unit_a").get("/api/v1/tasks/done").body["total"] == 0


def test_cases_i_started_show_where_each_stands(http):
    mine, theirs = start(http, "s_unit_a"), start(http, "s_unit_a2")
    listed = http.as_("s_unit_a").get("/api/v1/instances", mine="true").body
    assert [c["id"] for c in listed["items"]] == [mine["id"]]
    assert listed["items"][0]["current_steps"] == ["审核处 · 初审"]
    everything = http.as_("s_unit_a").get("/api/v1/instances").body  # the unit's cases, both
    assert {c["id"] for c in everything["items"]} >= {mine["id"], theirs["id"]}


def test_urge_reaches_the_holders_of_an_overdue_task_once_a_day(http):
    case = start(http)
    review = only_task(case, "review")
    applicant = http.as_("s_unit_a")
    early = applicant.post(f"/api/v1/tasks/{review['id']}/urge")
    assert early.status == 409 and early.body["title"] == "不能催办" and "尚未超过期限" in early.body["detail"]
    with time_machine.travel("2030-01-10T09:00:00+08:00", tick=False):
        assert applicant.post(f"/api/v1/tasks/{review['id']}/urge").status == 200
        again = applicant.post(f"/api/v1/tasks/{review['id']}/urge")
        assert again.status == 409 and "今天已经催办过" in again.body["detail"]
        notices = http.as_("s_reviewer").get("/api/v1/notices").body
        name = http.as_("s_unit_a").get("/api/v1/me").body["display_name"]
        assert [n["message"] for n in notices if n["instance_id"] == case["id"]] == [
            f"催办：「初审」已超过期限，请尽快办理（{name}（甲单位））"]
    with time_machine.travel("2030-01-11T10:00:00+08:00", tick=False):
        assert applicant.post(f"/api/v1/tasks/{review['id']}/urge").status == 200
    audit = http.as_("admin").get(f"/api/v1/instances/{case['id']}/audit").body
    assert sum(a["action"] == "urge" for a in audit) == 2


def test_withdraw_is_offered_only_while_it_is_allowed_and_refused_in_plain_words(http):
    case = start(http)
    review = only_task(case, "review")["id"]
    after = complete(http, "s_reviewer", review, {"review_result": "send_back", "review_opinion": "补充"})
    assert after["withdrawable_task_id"] == review
    seen_by_other = http.as_("s_unit_a").get(f"/api/v1/instances/{case['id']}").body
    assert seen_by_other["withdrawable_task_id"] is None
    resubmit = only_task(after, "resubmit")["id"]
    assert http.as_("s_unit_a").post(f"/api/v1/tasks/{resubmit}/claim").status == 200
    assert http.as_("s_reviewer").get(f"/api/v1/instances/{case['id']}").body["withdrawable_task_id"] is None
    refused = http.as_("s_reviewer").post(f"/api/v1/tasks/{review}/withdraw")
    assert refused.status == 409 and refused.body["title"] == "不能撤回"
    assert "已被认领" in refused.body["detail"] and "刷新" not in refused.body["title"]
