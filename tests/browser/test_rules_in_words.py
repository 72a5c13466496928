"""Rules and deadlines in words (issue 17's second proof): an administrator revises hunan-hrss in
the modeler without a file, a Python literal or an expression — 第十五条's small-project threshold
for software raised from 10 万元 to 20 万元 in the decision-table editor in words, the trial-operation
timer set to 「6 个月」 from its words in the properties panel — validates, deploys with an
effective date, and the diff page says both changes as sentences, each before → after in words."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from .helpers import RAW_TOKEN, LiveServer, assert_no_page_errors, login_fast, raw_tokens

DMN = "project_scale.dmn"
BPMN = "acceptance.bpmn"
TIMER = "wait_trial_operation"  # 试运行期满: 第十九条
SOFTWARE_RULE = "软件项目预算资金低于10万元"  # the rule's article note (its description)
LONG = 180_000  # 校验 and 部署 simulate every path of the process on the server
THRESHOLD = "由 <10万 改为 <20万"
DEADLINE = "期限由 自试运行开始日期起，按本项目试运行期限（月） 改为 自试运行开始日期起 6 个月"


def fits_its_container(locator) -> bool:
    return locator.evaluate("el => el.scrollWidth <= el.clientWidth + 1")


def test_threshold_and_timer_revised_in_words_and_deployed(page: Page, live_server: LiveServer, shot) -> None:
    login_fast(page, live_server, "admin", "/drafts")
    page.get_by_label("辖区").select_option("hunan-hrss")
    page.get_by_label("标题").fill("小额项目限额与试运行期")
    page.get_by_role("button", name="新建草稿").click()
    expect(page).to_have_url(re.compile(r"/drafts/\d+$"))
    expect(page.get_by_test_id("modeler-canvas").locator(".djs-element").first).to_be_attached()

    # -- the decision table in words: 第十五条's software threshold, 低于 10 万元 → 20 万元
    page.get_by_test_id("file-tabs").locator(f'[data-key="{DMN}"]').click()
    editor = page.get_by_test_id("dmn-words-editor")
    expect(editor).to_be_visible()
    rules = editor.get_by_test_id("dmn-rule")
    expect(rules.first).to_be_visible()
    number = rules.evaluate_all("(els, t) => els.findIndex((e) => e.querySelector('textarea').value.includes(t))",
                                SOFTWARE_RULE)
    assert number >= 0, "no rule cites 第十五条's software threshold"
    rule = rules.nth(number)
    budget = rule.locator('[data-testid="dmn-field"][data-column="申报预算资金"]')
    expect(budget.get_by_test_id("cell-op")).to_have_value("lt")
    expect(budget.locator("option:checked")).to_have_text("低于")
    expect(budget.locator('input[type="number"]')).to_have_value("10")
    expect(budget).to_contain_text("万元")
    category = rule.locator('[data-testid="dmn-field"][data-column="项目类别"]')
    expect(category.get_by_role("checkbox", name=re.compile("软件")).first).to_be_checked()
    assert fits_its_container(editor), "the table is cut off at the right"
    assert not RAW_TOKEN.findall(editor.inner_text()), RAW_TOKEN.findall(editor.inner_text())
    budget.locator('input[type="number"]').fill("20")
    expect(page.get_by_test_id("dmn-words-dirty")).to_be_visible()
    page.get_by_test_id("dmn-words-save").click()
    expect(page.get_by_test_id("dmn-words-saved")).to_be_visible()
    expect(budget.locator('input[type="number"]')).to_have_value("20")
    shot(page, "rules-in-words-table", full_page=False)

    # -- the timer in words, in the properties panel: 试运行期满 after 6 months from its start
    page.get_by_test_id("file-tabs").locator(f'[data-key="{BPMN}"]').click()
    expect(page.get_by_test_id("modeler-canvas").locator(f'[data-element-id="{TIMER}"]').first).to_be_attached()
    assert page.evaluate(f"() => window.__govitModeler.select('{TIMER}')")
    sentence = page.get_by_test_id("timer-sentence")
    expect(sentence).to_have_text("期限：自试运行开始日期起，按本项目试运行期限（月）")
    page.get_by_test_id("timer-n").fill("6")
    expect(sentence).to_have_text("期限：自试运行开始日期起 6 个月")
    expect(page.get_by_test_id("save-state")).to_have_text("有未保存的修改")
    page.get_by_test_id("modeler-page").get_by_role("button", name="保存", exact=True).first.click()
    expect(page.get_by_test_id("save-state")).to_have_text("已全部保存")

    # -- validated: the draft's diff says both changes in sentences
    page.get_by_role("button", name="校验").click()
    findings = page.get_by_test_id("validation-findings")
    expect(findings).to_contain_text("校验通过", timeout=LONG)
    summary = page.get_by_test_id("diff-summary")
    expect(summary).to_contain_text(THRESHOLD)
    expect(summary).to_contain_text(DEADLINE)

    # -- deployed with an effective date; the version's diff page says the same
    effective = (datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=1)).isoformat()
    page.get_by_label("生效日期").fill(effective)
    page.get_by_role("button", name="部署", exact=True).click()
    page.get_by_test_id("confirm-deploy").get_by_role("button", name="确认部署").click()
    result = page.get_by_test_id("deploy-result")
    expect(result).to_contain_text("第 2 版", timeout=LONG)
    result.get_by_role("link", name=re.compile("查看差异")).first.click()
    expect(page).to_have_url(re.compile(r"/diff/[^/]+/1/2$"))
    diff = page.get_by_test_id("diff-summary")
    expect(diff).to_contain_text(THRESHOLD)
    expect(diff).to_contain_text(DEADLINE)
    # before → after of each change in words: the cell by its column, the timer by its sentence
    details = page.get_by_test_id("diff-changes").get_by_test_id("diff-detail")
    budget = details.filter(has_text="申报预算资金")
    expect(budget.locator(".before")).to_have_text("低于 10 万元")
    expect(budget.locator(".after")).to_have_text("低于 20 万元")
    deadline = details.filter(has_text="期限")
    expect(deadline.locator(".before")).to_have_text("自试运行开始日期起，按本项目试运行期限（月）")
    expect(deadline.locator(".after")).to_have_text("自试运行开始日期起 6 个月")
    assert raw_tokens(page) == [], raw_tokens(page)  # no expression, code, id or file name
    assert "add_months" not in page.locator("main").inner_text()
    shot(page, "rules-in-words-diff")
    assert_no_page_errors(page)
