"""A case walked through HTTP on the sample bundle: start, forms, roles, units, timers."""

from __future__ import annotations

import threading

import time_machine

from engine.language import forms

APPLY = {"project_name": "社保卡应用升级", "budget_yuan": 80000, "category": "software"}


def start(http, user="s_unit_a", data=None):
    reply = http.as_(user).post("/api/v1/instances", {"process_key": "sample_project", "data": data or APPLY})
    assert reply.status == 201, reply.body
    return reply.body


def only_task(case: dict, bpmn_id: str) -> dict:
    tasks = [t for t in case["open_tasks"] if t["bpmn_id"] == bpmn_id]
    assert len(tasks) == 1, case["open_tasks"]
    return tasks[0]


def complete(http, user: str, task_id: str, data: dict, status: int = 200):
    reply = http.as_(user).post(f"/api/v1/tasks/{task_id}/complete", {"data": data})
    assert reply.status == status, reply.body
    return reply.body


def test_start_returns_case_with_open_review_task(http):
    case = start(http)
    assert case["status"] == "running"
    assert case["title"] == "社保卡应用升级"
    assert case["applicant_unit"] == "甲单位"
    review = only_task(case, "review")
    assert review["name"] == "初审" and review["lane"] == "审核处" and review["role"] == "reviewer"
    assert review["due_at"] is not None and review["due_at"].endswith("+08:00")
    assert case["data"]["small_project"] is True


def test_task_detail_has_form_prefill_article_and_due_date(http):
    case = start(http)
    task_id = only_task(case, "review")["id"]
    detail = http.as_("s_reviewer").get(f"/api/v1/tasks/{task_id}").body
    assert detail["schema"]["title"] == "初审意见"
    assert detail["ui_schema"]["ui:order"][0] == "review_result"
    assert detail["article"] == "第三条"
    assert detail["role_name"] == "审核处"


def test_full_walk_with_send_back_countersign_and_trial_timer(http, fire_timers):
    case = start(http)
    review = only_task(case, "review")["id"]
    case = complete(http, "s_reviewer", review, {"review_result": "send_back", "review_opinion": "补充预算明细"})
    resubmit = only_task(case, "resubmit")
    assert resubmit["unit"] == "甲单位"
    # another unit's user may not act on the applicant's task
    assert http.as_("s_unit_b").post(f"/api/v1/tasks/{resubmit['id']}/complete",
                                     {"data": {"resubmit_note": "x"}}).status == 403
    case = complete(http, "s_unit_a2", resubmit["id"], {"resubmit_note": "已补充", "budget_yuan": 90000})
    review = only_task(case, "review")["id"]
    case = complete(http, "s_reviewer", review, {"review_result": "approve", "review_opinion": "同意",
                                                 "countersign_units": ["乙单位", "丙单位"]})
    signs = [t for t in case["open_tasks"] if t["bpmn_id"] == "countersign"]
    assert sorted(t["unit"] for t in signs) == ["丙单位", "乙单位"]
    by_unit = {t["unit"]: t["id"] for t in signs}
    assert http.as_("s_unit_a").post(f"/api/v1/tasks/{by_unit['乙单位']}/complete",
                                     {"data": {"agree": True}}).status == 403
    complete(http, "s_unit_b", by_unit["乙单位"], {"agree": True})
    case = complete(http, "s_unit_c", by_unit["丙单位"], {"agree": True, "comment": "同意"})
    assert len(case["data"]["countersign_opinions"]) == 2
    trial = only_task(case, "trial")["id"]
    with time_machine.travel("2026-03-02T09:00:00+08:00", tick=False):
        case = complete(http, "s_unit_a", trial, {"trial_start_date": "2026-03-01"})
        assert case["open_tasks"] == []
        assert case["next_due_at"] == "2026-06-01T00:00:00+08:00"
    with time_machine.travel("2026-05-31T23:59:00+08:00", tick=False):
        assert fire_timers() == 0
    with time_machine.travel("2026-06-01T00:00:01+08:00", tick=False):
        assert fire_timers() == 1
    case = http.as_("s_unit_a").get(f"/api/v1/instances/{case['id']}").body
    accept = only_task(case, "accept")["id"]
    case = complete(http, "s_reviewer", accept, {"acceptance_passed": True})
    assert case["status"] == "completed" and case["open_tasks"] == []
    names = [s["name"] for s in case["completed_steps"]]
    assert names[:2] == ["初审", "补正材料"] and "试运行满三个月" in names and names[-1] == "验收"


def test_a_timer_already_due_when_reached_is_in_the_case_history(http):
    """A trial period that began more than three months ago: the timer is reached and fires in
    the same completion, and 办理记录 and the audit trail say so."""
    case = start(http, data={**APPLY, "budget_yuan": 500000})
    case = complete(http, "s_reviewer", only_task(case, "review")["id"],
                    {"review_result": "approve", "review_opinion": "同意"})
    with time_machine.travel("2026-09-02T09:00:00+08:00", tick=False):
        case = complete(http, "s_unit_a", only_task(case, "trial")["id"], {"trial_start_date": "2026-03-01"})
    assert [t["bpmn_id"] for t in case["open_tasks"]] == ["accept"]
    timers = [s for s in case["completed_steps"] if s["action"] == "timer_fired"]
    assert [(s["bpmn_id"], s["name"], s["by"]) for s in timers] == [("trial_wait", "试运行满三个月", "system:timer")]
    audit = http.as_("s_unit_a").get(f"/api/v1/instances/{case['id']}/audit").body
    assert [e["action"] for e in audit].count("timer_fired") == 1


def test_large_project_skips_countersign(http):
    case = start(http, data={**APPLY, "budget_yuan": 500000})
    assert case["data"]["small_project"] is False
    case = complete(http, "s_reviewer", only_task(case, "review")["id"],
                    {"review_result": "approve", "review_opinion": "同意"})
    assert [t["bpmn_id"] for t in case["open_tasks"]] == ["trial"]


def test_reject_ends_case(http):
    case = start(http)
    case = complete(http, "s_reviewer", only_task(case, "review")["id"],
                    {"review_result": "reject", "review_opinion": "重复建设"})
    assert case["status"] == "completed"


def test_a_completion_prepared_while_another_changes_the_case_keeps_both(http, monkeypatch):
    """A completion reads and checks the case before it takes the write lock; if another
    completion lands in between, the case is read again under the lock, so neither is lost."""
    case = start(http)
    case = complete(http, "s_reviewer", only_task(case, "review")["id"],
                    {"review_result": "approve", "review_opinion": "同意", "countersign_units": ["乙单位", "丙单位"]})
    by_unit = {t["unit"]: t["id"] for t in case["open_tasks"] if t["bpmn_id"] == "countersign"}
    real_validate = forms.validate

    def validate_then_let_the_other_unit_sign(schema: str, data: dict) -> None:
        real_validate(schema, data)
        monkeypatch.setattr(forms, "validate", real_validate)
        other = threading.Thread(target=complete, args=(http, "s_unit_b", by_unit["乙单位"],
                                                        {"agree": True, "comment": "乙单位意见"}))
        other.start()
        other.join()

    monkeypatch.setattr(forms, "validate", validate_then_let_the_other_unit_sign)
    case = complete(http, "s_unit_c", by_unit["丙单位"], {"agree": True, "comment": "丙单位意见"})
    comments = sorted(o["comment"] for o in case["data"]["countersign_opinions"])
    assert comments == ["丙单位意见", "乙单位意见"]
    assert only_task(case, "trial")
    steps = [s["by"] for s in case["completed_steps"] if s["bpmn_id"] == "countersign"]
    assert steps == ["s_unit_b", "s_unit_c"]
