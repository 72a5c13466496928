"""补正 opens with why: a hunan-hrss case sent back at 项目审核 (through the API), then the applying
division opens its 补正申请材料 task in Chromium and reads the reviewer's reason, by name, at
the top of the page — before the material and the form."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .helpers import LiveServer, assert_no_page_errors, login_fast, pdf_bytes

APPLICATION = {"project_name": "补正测试系统（浏览器）", "category": "software", "budget_yuan": 2000000,
               "funding_source": "fiscal", "province_wide": False, "classified": False,
               "business_requirements": "补正流程测试", "construction_content": "测试", "contact_person": "张伟"}
REASON = "调研报告缺少业务指标体系，请补充后重新提交"


def _only_task(server: LiveServer, case_id: int, user: str) -> dict:
    tasks = server.call("GET", f"/tasks?instance_id={case_id}", user).json()["items"]
    assert len(tasks) == 1, tasks
    return tasks[0]


def test_a_division_sees_why_its_application_was_sent_back(page: Page, live_server: LiveServer) -> None:
    started = live_server.call("POST", "/instances", "hrss_division_a",
                               json={"process_key": "hunan_hrss_project", "data": APPLICATION})
    assert started.status_code == 201, started.text
    case_id = started.json()["id"]
    survey = _only_task(live_server, case_id, "hrss_division_a")
    upload = live_server.call("POST", "/attachments", "hrss_division_a",
                              data={"field": "survey_report", "task_id": survey["id"]},
                              files={"file": ("调研报告.pdf", pdf_bytes("survey"), "application/pdf")})
    assert upload.status_code == 201, upload.text
    done = live_server.call("POST", f"/tasks/{survey['id']}/complete", "hrss_division_a", json={"data": {
        "survey_scope": "全省", "survey_participants": "业务组", "business_process": "认证流程",
        "survey_report": upload.json()["id"]}})
    assert done.status_code == 200, done.text
    review = _only_task(live_server, case_id, "hrss_it")
    sent_back = live_server.call("POST", f"/tasks/{review['id']}/complete", "hrss_it", json={"data": {
        "review_result": "send_back", "review_opinion": "材料不全", "send_back_reason": REASON}})
    assert sent_back.status_code == 200, sent_back.text
    revise = _only_task(live_server, case_id, "hrss_division_a")
    assert revise["name"] == "补正申请材料"

    login_fast(page, live_server, "hrss_division_a", f"/tasks/{revise['id']}")
    why = page.get_by_test_id("latest-opinion")
    expect(why).to_contain_text(REASON)
    expect(why).to_contain_text("审核结论：退回")
    expect(why).to_contain_text("赵磊（厅信息化办）")
    # read first: the reason is above the material, which is above the form
    tops = [page.get_by_test_id(t).bounding_box()["y"] for t in ("latest-opinion", "case-record")]
    tops.append(page.get_by_role("heading", name="办理意见").bounding_box()["y"])
    assert tops == sorted(tops), tops
    assert_no_page_errors(page)
