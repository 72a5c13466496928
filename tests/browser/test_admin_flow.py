"""The regulation desk in the browser: an administrator revises a threshold of gongshu (拱墅区) in
the in-product modeler without touching a file — a draft of the current bundle (a form opened in the
designer with one row of switches, its expert view and errors in Chinese), the DMN cell edited in
dmn-js (each table opens in words, dmn-js one click away), 保存, 校验 with the findings shown on the
diagram element they name, corrected, a timer changed in words in the properties panel, 校验 again
with the diff in Chinese, 部署 with an effective date, and the diff of the new version (the threshold
and the deadline before → after in words, the timer marked on both diagrams, no program text)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from ..conftest import PASSWORD
from .helpers import LiveServer, assert_no_page_errors, assert_on_screen, copy_doc_screenshots, nav, raw_tokens

DMN = "procurement_control.dmn"
CELL = "pc_r1_in0"  # rule 1's input: 项目经费预算（元） >= 500000 (五（一）（二）：50万元以上)
TASK = "decide_procurement_control"  # the business rule task of procurement.bpmn that calls it
TIMER = "contract_filing_deadline"  # procurement.bpmn: 备案期限（签订后5个工作日）, 五（三）
FORM = "次年信息化项目申报"  # a form of the draft, opened in the designer
ASCII_WORD = re.compile(r"[A-Za-z]{3,}")  # an English word (a browser's JSON message) in an error
LONG = 180_000  # 校验 and 部署 simulate every path of the process on the server


def edit_cell(page: Page, text: str) -> None:
    """Replace a decision table cell's text the way a person does: click into it, select all, type."""
    cell = page.get_by_test_id("dmn-editor").locator(f'td[data-element-id="{CELL}"]')
    cell.click()
    editable = cell.locator("[contenteditable]").first
    editable.press("Control+A")
    editable.press_sequentially(text)
    page.get_by_test_id("dmn-editor").locator("p").first.click()  # leave the cell
    expect(cell).to_have_text(text)


def test_admin_revise_a_threshold_and_deploy_it(page: Page, live_server: LiveServer, shot) -> None:
    shots = {}
    page.goto("/login")
    page.get_by_label("用户名").fill("admin")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("current-user")).to_be_visible()

    # -- 流程修订: a draft of gongshu's current bundle
    nav(page, "流程修订")
    expect(page.get_by_role("heading", name="流程修订")).to_be_visible()
    page.get_by_label("辖区").select_option("gongshu")
    page.get_by_label("标题").fill("提高招标需求确认限额")
    page.get_by_role("button", name="新建草稿").click()
    expect(page).to_have_url(re.compile(r"/drafts/\d+$"))
    modeler = page.get_by_test_id("modeler-page")
    expect(modeler.get_by_role("heading", name="提高招标需求确认限额")).to_be_visible()
    expect(page.get_by_test_id("modeler-canvas").locator(".djs-element").first).to_be_attached()

    # -- a form: one row of switches, the designer first; the expert view and its errors in Chinese
    page.get_by_label("表单", exact=True).select_option(label=FORM)
    form = page.get_by_test_id("form-editor")
    expect(form.get_by_test_id("form-designer")).to_be_visible()
    expect(form.get_by_role("tablist")).to_have_count(1)
    expect(form.get_by_role("tab", name="表单设计")).to_have_attribute("aria-selected", "true")
    form.get_by_role("tab", name="专家视图").click()
    expect(form.get_by_test_id("expert-note")).to_contain_text("专家视图")
    raw = form.get_by_label("字段定义")
    original = raw.input_value()
    raw.fill(original.rstrip()[:-1])  # the closing brace lost: not taken, said where
    error = form.get_by_test_id("json-error")
    expect(error).to_contain_text("格式有误，修改未生效：")
    assert not ASCII_WORD.search(error.inner_text()), error.inner_text()
    raw.fill(original)
    expect(error).to_have_count(0)
    form.get_by_role("tab", name="表单设计").click()
    expect(form.get_by_label("表单标题")).to_have_value(FORM)
    expect(page.get_by_test_id("save-state")).to_have_text("已全部保存")

    # -- the DMN tab: in words first; a threshold written wrongly as written (not an expression the engine can evaluate)
    page.get_by_test_id("file-tabs").locator(f'[data-key="{DMN}"]').click()
    expect(page.get_by_test_id("dmn-words-editor")).to_be_visible()
    page.get_by_test_id("dmn-editor").get_by_role("tab", name="专家视图").click()  # the cells as written
    expect(page.get_by_test_id("dmn-editor").locator(f'td[data-element-id="{CELL}"]')).to_have_text(">= 500000")
    # around the expressions, the table speaks Chinese: its head (types too) and its hit policy
    head = page.get_by_test_id("dmn-editor").locator(".dmn-decision-table-container thead").first
    assert not ASCII_WORD.search(head.inner_text()), head.inner_text()
    hit_policy = page.get_by_test_id("dmn-editor").locator(".hit-policy").first
    assert not ASCII_WORD.search(hit_policy.inner_text()), hit_policy.inner_text()
    edit_cell(page, ">= 五十万")
    expect(page.get_by_test_id("file-tabs").locator(f'[data-key="{DMN}"]')).to_contain_text("●")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_test_id("modeler-status")).to_contain_text("已保存 1 个文件")
    expect(page.get_by_test_id("save-state")).to_have_text("已全部保存")
    page.get_by_role("button", name="校验").click()
    findings = page.get_by_test_id("validation-findings")
    expect(findings).to_contain_text("发现问题", timeout=LONG)
    finding = findings.locator(f'[data-testid="finding"][data-element="{TASK}"]').first
    expect(finding).to_contain_text("判定采购前管控要求")
    expect(finding).to_contain_text("无法继续")
    # the finding opens the diagram it names, with the element marked
    finding.click()
    task = page.get_by_test_id("modeler-canvas").locator(f'[data-element-id="{TASK}"]').first
    expect(task).to_have_class(re.compile(r"\bgovit-error\b"))
    assert_on_screen(task)
    shots["findings"] = shot(page, "11-modeler-findings", full_page=False)

    # -- a timer in the same diagram, in the properties panel: 合同备案 within 10 working days
    assert page.evaluate(f"() => window.__govitModeler.select('{TIMER}')")
    sentence = page.get_by_test_id("timer-sentence")
    expect(sentence).to_contain_text("5 个工作日")
    page.get_by_test_id("timer-n").fill("10")
    expect(sentence).to_contain_text("10 个工作日")
    expect(page.get_by_test_id("file-tabs").locator('[data-key="procurement.bpmn"]')).to_contain_text("●")

    # -- the threshold corrected: 100万 instead of 50万; both saved and validated again, the diff in Chinese
    page.get_by_test_id("file-tabs").locator(f'[data-key="{DMN}"]').click()
    expect(page.get_by_test_id("dmn-words-editor")).to_be_visible()  # each table opens in words
    page.get_by_test_id("dmn-editor").get_by_role("tab", name="专家视图").click()
    edit_cell(page, ">= 1000000")
    page.get_by_role("button", name="校验").click()  # saves first
    expect(findings).to_contain_text("校验通过", timeout=LONG)
    expect(findings.locator('[data-testid="finding"] .sev-error')).to_have_count(0)
    summary = page.get_by_test_id("diff-summary")
    expect(summary).to_contain_text("由 ≥50万 改为 ≥100万")
    expect(summary).to_contain_text("备案期限（签订后5个工作日）")
    expect(summary).to_contain_text("修改 2")
    shots["validated"] = shot(page, "12-modeler-validated-diff")

    # -- 部署 with an effective date: a new version, in force from tomorrow
    effective = (datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=1)).isoformat()
    page.get_by_label("生效日期").fill(effective)
    page.get_by_role("button", name="部署", exact=True).click()
    confirm = page.get_by_role("dialog", name="确认部署新版本")
    expect(confirm.get_by_test_id("diff-summary")).to_contain_text("由 ≥50万 改为 ≥100万")
    confirm.get_by_role("button", name="确认部署").click()
    result = page.get_by_test_id("deploy-result")
    day = datetime.fromisoformat(effective)
    expect(result).to_contain_text(f"生效日期 {day.year}年{day.month}月{day.day}日", timeout=LONG)
    expect(result).to_contain_text("拱墅区信息化项目 第 2 版")
    shot(page, "13-deployed")
    versions = live_server.call("GET", "/processes/gongshu_project/versions", "admin")
    assert versions.status_code == 200, versions.text
    [v2] = [v for v in versions.json() if v["version"] == 2]
    assert v2["effective_from"].startswith(effective), v2

    # -- the diff of the new version: in Chinese, the threshold before and after highlighted
    result.get_by_role("link", name=re.compile("查看差异")).click()
    expect(page).to_have_url(re.compile(r"/diff/gongshu_project/1/2$"))
    expect(page.get_by_test_id("diff-summary")).to_contain_text("由 ≥50万 改为 ≥100万")
    # the sentences name the table, not its file
    assert not re.search(r"[\w-]+\.(?:bpmn|dmn|json)\b", page.get_by_test_id("diff-summary").inner_text())
    dmn_changes = page.get_by_test_id("diff-dmn")
    row = dmn_changes.locator("tr").filter(has_text="招标需求确认与最高限价")
    cell = row.get_by_test_id("diff-detail").filter(has_text="项目经费预算")  # the column by its heading
    expect(cell.locator(".before")).to_have_text("不低于 50 万元")
    expect(cell.locator(".after")).to_have_text("不低于 100 万元")
    expect(row).to_contain_text("五（一）")  # the article the rule implements
    assert cell.locator(".before").evaluate("e => getComputedStyle(e).color") != \
        cell.locator(".after").evaluate("e => getComputedStyle(e).color")  # told apart by colour
    # the timer: changed on both diagrams, marked on the element in each
    diagrams = page.get_by_test_id("diff-diagrams")
    page.get_by_role("tab", name="流程图：招标需求确认、采购与合同备案（1 处变化）").click()
    for side in ("diff-diagram-a", "diff-diagram-b"):
        marked = diagrams.get_by_test_id(side).locator(f'[data-element-id="{TIMER}"]').first
        expect(marked).to_have_class(re.compile(r"\bdiff-changed\b"))
        expect(marked).to_be_visible()
    timer_row = page.get_by_test_id("diff-changes").locator("tr").filter(has_text="备案期限（签订后5个工作日）")
    deadline = timer_row.get_by_test_id("diff-detail").filter(has_text="期限")
    expect(deadline.locator(".before")).to_have_text("自合同签订日期起 5 个工作日")
    expect(deadline.locator(".after")).to_have_text("自合同签订日期起 10 个工作日")
    # no expression, code, id or file name anywhere on the page
    assert raw_tokens(page) == [], raw_tokens(page)
    assert "deadline(" not in page.locator("main").inner_text()
    shots["diff"] = shot(page, "14-diff")

    assert_no_page_errors(page)
    copy_doc_screenshots({"web-modeler-findings.png": shots["findings"], "web-diff.png": shots["diff"]})
