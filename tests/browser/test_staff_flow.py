"""A hunan-hrss case walked in the browser by the demo users: 发起申报 → 需求调研 (a Chinese field
error, a PDF uploaded into the attachment field) → the next office (厅信息化办) gets 项目审核 in
我的待办 → the case page shows the diagram with the token moved."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from ..conftest import PASSWORD
from .helpers import LiveServer, assert_no_page_errors, assert_on_screen, copy_doc_screenshots, login, nav, pdf_bytes

PROJECT = "社会保险待遇资格认证系统（浏览器测试）"
SURVEY_TASK = "requirements_survey"  # 需求调研, project.bpmn
REVIEW_TASK = "initial_review"       # 项目审核（初审）, project.bpmn


def field(page: Page, name: str):
    """rjsf's input for a top-level property (id root_<name>)."""
    return page.locator(f"#root_{name}")


def field_error(page: Page, name: str):
    """The error rendered beside the field (rjsf's FieldErrorTemplate, id root_<name>__error)."""
    return page.locator(f"#root_{name}__error")


def choose(page: Page, name: str, label: str) -> None:
    """A radio choice of one property, by its Chinese label."""
    page.locator(f"[id^='root_{name}']").get_by_label(label, exact=True).check()


def test_staff_walk_a_case_to_the_next_office(page: Page, live_server: LiveServer, shot) -> None:
    shots = {}
    # -- log in as the applying division (厅养老保险处)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login$"))
    page.get_by_label("用户名").fill("hrss_division_a")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("login-error")).to_be_visible()  # a Chinese problem title
    expect(page.get_by_test_id("login-error")).to_contain_text(re.compile(r"[\u4e00-\u9fff]"))
    page.goto("/login")  # a fresh form for the picture
    expect(page.get_by_test_id("login-error")).to_have_count(0)
    page.get_by_label("用户名").fill("hrss_division_a")
    page.get_by_label("密码").fill(PASSWORD)
    shots["login"] = shot(page, "01-login")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("current-user")).to_have_text("张伟")
    expect(page.get_by_role("heading", name="我的待办")).to_be_visible()

    # -- 发起申报: the start form of 信息化建设项目
    nav(page, "发起申报")
    row = page.get_by_test_id("start-row").filter(has_text="信息化建设项目")
    row.get_by_role("link", name="填写申报").click()
    form = page.get_by_test_id("start-form")
    expect(form).to_be_visible()
    field(page, "project_name").fill(PROJECT)
    field(page, "category").select_option(label="软件项目（信息应用系统）")
    field(page, "budget_yuan").fill("3500000")
    expect(form.get_by_test_id("amount-wan")).to_have_text("合 350 万元")  # the data stays in 元
    choose(page, "funding_source", "财政资金")
    choose(page, "province_wide", "否")
    choose(page, "classified", "非涉密")
    field(page, "business_requirements").fill("实现全省养老保险待遇领取资格的远程认证")
    field(page, "construction_content").fill("认证系统软件开发与部署")
    field(page, "contact_person").fill("张伟")
    shots["start"] = shot(page, "02-start-form")
    page.get_by_role("button", name="提交申报").click()

    # -- the new case: its page, with 需求调研 open for the division
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    case_id = int(page.url.rsplit("/", 1)[1])
    expect(page.get_by_role("heading", name=PROJECT)).to_be_visible()

    # -- 我的待办 lists it; open it
    nav(page, "我的待办")
    task_row = page.get_by_test_id("task-row").filter(has_text=PROJECT).filter(has_text="需求调研")
    expect(task_row).to_have_count(1)
    shots["tasklist"] = shot(page, "03-tasklist-division")
    task_row.get_by_role("link", name="需求调研").click()
    expect(page.get_by_role("heading", name="需求调研")).to_be_visible()
    expect(page.get_by_test_id("articles-panel")).to_contain_text("第十五条")

    # -- an incomplete submission: the server's Chinese messages beside the fields they name
    field(page, "survey_scope").fill("全省14个市州")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(field_error(page, "survey_participants")).to_contain_text("「参加调研人员」为必填项")
    expect(field_error(page, "survey_report")).to_contain_text("「调研报告」为必填项")
    expect(field_error(page, "survey_scope")).to_have_count(0)
    expect(page.get_by_test_id("form-problem")).to_contain_text("表单填写有误")

    # -- the survey report as a PDF into its attachment field
    document = pdf_bytes("survey report")
    field(page, "survey_report").set_input_files(
        files=[{"name": "调研报告.pdf", "mimeType": "application/pdf", "buffer": document}])
    attachment = page.get_by_test_id("attachment").filter(has_text="调研报告.pdf")
    expect(attachment).to_be_visible()
    expect(attachment).to_contain_text(hashlib.sha256(document).hexdigest()[:12])
    shots["task"] = shot(page, "04-task-field-errors-and-upload")

    # -- complete the task
    field(page, "survey_participants").fill("业务需求组")
    field(page, "business_process").fill("资格认证业务流程")
    page.get_by_role("button", name="提交", exact=True).click()
    result = page.get_by_test_id("task-result")
    expect(result).to_contain_text("已提交")
    expect(result.get_by_test_id("next-tasks")).to_contain_text("项目审核")
    shot(page, "05-task-submitted")
    # the document is the case's now, with the checksum of what was uploaded
    documents = live_server.call("GET", f"/instances/{case_id}/attachments", "hrss_division_a")
    assert documents.status_code == 200, documents.text
    [stored] = [d for d in documents.json() if d["field"] == "survey_report"]
    assert stored["sha256"] == hashlib.sha256(document).hexdigest() and stored["size"] == len(document)
    assert stored["filename"] == "调研报告.pdf" and stored["uploaded_by"] == "hrss_division_a"

    # -- the next office: 厅信息化办 logs in and finds 项目审核 in 我的待办
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    login(page, "hrss_it")  # the helper: the same form
    nav(page, "我的待办")
    review_row = page.get_by_test_id("task-row").filter(has_text=PROJECT)
    expect(review_row).to_have_count(1)
    expect(review_row).to_contain_text("项目审核")
    shots["tasklist_it"] = shot(page, "06-tasklist-it-office")
    review_row.get_by_role("link", name=PROJECT).click()

    # -- the case page: the diagram of the case's version with the token moved
    expect(page).to_have_url(re.compile(rf"/cases/{case_id}$"))
    diagram = page.get_by_test_id("case-diagram")
    review = diagram.locator(f'[data-element-id="{REVIEW_TASK}"]').first
    survey = diagram.locator(f'[data-element-id="{SURVEY_TASK}"]').first
    expect(review).to_be_visible()
    expect(review).to_have_class(re.compile(r"\bmark-active\b"))
    expect(survey).to_have_class(re.compile(r"\bmark-completed\b"))
    expect(survey).not_to_have_class(re.compile(r"\bmark-active\b"))
    assert_on_screen(review)  # drawn on screen, not only present in the DOM
    shot(page, "07-case-page")
    page.evaluate("() => window.scrollTo(0, 0)")
    shots["case"] = shot(page, "08-case-diagram", height=1000)
    # the case's data shows the uploaded document by name, not as an id; the next office downloads
    # exactly the bytes that were uploaded
    card = page.get_by_test_id("record-documents").get_by_test_id("record-document").filter(has_text="调研报告.pdf")
    expect(card).to_be_visible()
    with page.expect_download() as download:
        card.get_by_role("button", name="下载").click()
    assert download.value.suggested_filename == "调研报告.pdf"
    assert hashlib.sha256(Path(download.value.path()).read_bytes()).hexdigest() == hashlib.sha256(document).hexdigest()

    # -- the task page is a 审批单: what is being decided, then the earlier office's work, then
    # the opinion box — the reviewer decides without leaving the task
    tasks = live_server.call("GET", f"/tasks?instance_id={case_id}", "hrss_it").json()["items"]
    [review_task] = [t for t in tasks if "项目审核" in t["name"]]
    page.goto(f"/tasks/{review_task['id']}")
    record = page.get_by_test_id("case-record")
    expect(record).to_contain_text(PROJECT)
    expect(record).to_contain_text("需求调研")
    expect(record).to_contain_text("资格认证业务流程")
    expect(record).to_contain_text("张伟（厅养老保险处）")
    report = page.get_by_test_id("record-documents").get_by_test_id("record-document").filter(has_text="调研报告.pdf")
    expect(report).to_be_visible()
    report.get_by_role("button", name="预览").click()  # the PDF drawn in the page, by the bundled pdf.js
    expect(report.get_by_test_id("pdf-preview").locator("canvas").first).to_be_visible()
    expect(page.get_by_role("heading", name="办理意见")).to_be_visible()
    # 常用意见: one click writes a phrase into the opinion field
    opinion = page.locator("#root_review_opinion")
    page.get_by_test_id("common-opinions").first.get_by_role("button", name="同意。").click()
    expect(opinion).to_have_value("同意。")
    visible = page.locator("main, body").first.inner_text()
    raw = re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b|\b(?:True|False|None)\b|hrss_[a-z_]+", visible)
    assert not raw, f"raw tokens on the task page: {raw[:10]}"
    shots["approval"] = shot(page, "09-task-approval-page", height=1400)

    # -- the case diagram opens on the current step at 100 %: readable, not hunted for
    page.goto(f"/cases/{case_id}")
    current = page.get_by_test_id("case-diagram").locator(f'[data-element-id="{REVIEW_TASK}"]').first
    expect(current).to_have_class(re.compile(r"\bmark-active\b"))
    height = current.evaluate("el => el.getBoundingClientRect().height")
    assert height >= 60, f"the current step is drawn {height:.0f} px high: too small to read"
    expect(page.get_by_test_id("focus-current")).to_be_visible()

    # -- 打印审批单: every step with office, person and time; the documents with checksums
    page.get_by_role("link", name="打印审批单").click()
    sheet = page.get_by_test_id("print-sheet")
    expect(sheet.get_by_test_id("print-steps")).to_contain_text("需求调研")
    expect(sheet.get_by_test_id("print-steps")).to_contain_text("张伟（厅养老保险处）")
    expect(sheet.get_by_test_id("print-documents")).to_contain_text(hashlib.sha256(document).hexdigest())
    page.emulate_media(media="print")
    expect(page.locator("header.topbar")).to_be_hidden()
    shot(page, "10-print-sheet", height=1100)
    page.emulate_media(media="screen")

    # -- 我的已办 and 我发起的, as the applicant
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    login(page, "hrss_division_a")
    nav(page, "我的已办")
    expect(page.get_by_test_id("done-row").filter(has_text=PROJECT).first).to_contain_text("需求调研")
    nav(page, "我发起的")
    started = page.get_by_test_id("case-row").filter(has_text=PROJECT)
    expect(started.get_by_test_id("case-current-steps")).to_contain_text("厅信息化办 · 项目审核")

    assert_no_page_errors(page)
    copy_doc_screenshots({"web-login.png": shots["login"], "web-tasklist.png": shots["tasklist_it"],
                          "web-task-form.png": shots["task"], "web-approval-page.png": shots["approval"],
                          "web-case-diagram.png": shots["case"]})
