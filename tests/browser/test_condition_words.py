"""A gateway's condition set in words in the modeler's properties panel, as an administrator does it
on a draft of hunan-hrss: the flow's condition reads as its words (条件字段 审核结论, 比较 为, 值 不予立项);
changed by picking (不为 通过, and a second clause 是否涉密项目 为「涉密」 joined by 且) the flow holds
the expression the server writes for those words, the unnamed flow is named by the sentence on the
canvas, and the saved diagram carries the expression. A condition that is no sentence keeps its
expert field."""

from __future__ import annotations

import pytest
from lxml import etree
from playwright.sync_api import Page, expect

from .helpers import LiveServer, assert_no_page_errors, login_fast, save_screenshot
from .test_properties_panel import open_diagram, panel, select

JURISDICTION = "hunan-hrss"
PROJECT = "project.bpmn"
FLOW = "f_review_reject"  # 不予立项: review_result == "reject", leaving the 初审 gateway
WANT = 'review_result != "pass" and classified == True'
BODY = "id => window.__govitModeler.modeler.get('elementRegistry').get(id).businessObject.conditionExpression?.body"


@pytest.fixture
def draft(live_server: LiveServer) -> int:
    created = live_server.call("POST", "/drafts", "admin", json={"jurisdiction": JURISDICTION, "title": "条件文字"})
    assert created.status_code == 201, created.text
    return created.json()["id"]


def test_condition_set_in_words(page: Page, live_server: LiveServer, draft: int) -> None:
    expected = live_server.call("POST", "/words/condition/expression", "admin", json={
        "join": "and", "draft_id": draft, "clauses": [{"field": "review_result", "op": "ne", "value": "pass"},
                                                      {"field": "classified", "op": "true"}]})
    assert expected.status_code == 200, expected.text
    assert expected.json()["expression"] == WANT
    sentence = expected.json()["sentence"]
    assert sentence == "审核结论不为通过 且 是否涉密项目：涉密"

    login_fast(page, live_server, "admin", f"/drafts/{draft}")
    open_diagram(page, PROJECT)
    select(page, FLOW)
    panel(page).get_by_label("名称", exact=True).fill("")  # an unnamed flow: its words become its label
    words = panel(page).get_by_test_id("condition-words")
    first = words.get_by_test_id("condition-clause").first
    expect(first.get_by_test_id("condition-field").locator("option:checked")).to_have_text("审核结论")
    expect(first.get_by_test_id("condition-value").locator("option:checked")).to_have_text("不予立项")
    expect(words.get_by_test_id("condition-sentence")).to_have_text("条件：审核结论为不予立项")

    first.get_by_test_id("condition-op").select_option(label="不为")
    first.get_by_test_id("condition-value").select_option(label="通过")
    page.wait_for_function(f"id => ({BODY})(id) === 'review_result != \"pass\"'", arg=FLOW)
    # the flow's new condition read back in words before the next pick, as a person sees it first
    expect(words.get_by_test_id("condition-sentence")).to_have_text("条件：审核结论不为通过")
    words.get_by_test_id("condition-add").click()
    second = words.get_by_test_id("condition-clause").nth(1)
    second.get_by_test_id("condition-field").select_option(label="是否涉密项目")
    expect(second.get_by_test_id("condition-op").locator("option:checked")).to_have_text("为「涉密」")
    page.wait_for_function(f"([id, want]) => ({BODY})(id) === want", arg=[FLOW, WANT])
    expect(words.get_by_test_id("condition-sentence")).to_have_text(f"条件：{sentence}")
    label = page.get_by_test_id("modeler-canvas").locator(f'[data-element-id="{FLOW}_label"]')
    expect(label).to_contain_text("是否涉密项目：涉密")  # the label wraps its lines at the spaces
    assert "".join(label.text_content().split()) == "".join(sentence.split())
    expect(panel(page).get_by_label("专家：条件表达式")).to_have_value(WANT)
    save_screenshot(page, "condition-words", full_page=False)

    page.get_by_test_id("modeler-page").get_by_role("button", name="保存", exact=True).first.click()
    expect(page.get_by_test_id("save-state")).to_have_text("已全部保存")
    saved = live_server.call("GET", f"/drafts/{draft}", "admin").json()["files"][PROJECT]
    flow = etree.fromstring(saved.encode()).find(f'.//{{*}}sequenceFlow[@id="{FLOW}"]')
    assert flow.findtext("{*}conditionExpression") == WANT
    assert flow.get("name") == sentence
    assert_no_page_errors(page)


def test_a_condition_that_is_no_sentence_stays_expert(page: Page, live_server: LiveServer, draft: int) -> None:
    login_fast(page, live_server, "admin", f"/drafts/{draft}")
    open_diagram(page, PROJECT)
    select(page, FLOW)
    box = panel(page).get_by_label("专家：条件表达式")
    box.fill('len(review_result) > 0')
    box.blur()
    words = panel(page).get_by_test_id("condition-words")
    expect(words).to_contain_text("此条件无法用文字表示")
    expect(words.get_by_test_id("condition-start-words")).to_be_visible()
    assert page.evaluate(BODY, FLOW) == "len(review_result) > 0"
    assert_no_page_errors(page)


def test_two_data_items_compared_in_words(page: Page, live_server: LiveServer, draft: int) -> None:
    """合同金额高于预算资金: an amount compared with another amount, picked by name, never typed;
    then 审核结论不属于 two of its options, ticked."""
    login_fast(page, live_server, "admin", f"/drafts/{draft}")
    open_diagram(page, PROJECT)
    select(page, FLOW)
    words = panel(page).get_by_test_id("condition-words")
    clause = words.get_by_test_id("condition-clause").first
    clause.get_by_test_id("condition-field").select_option(label="合同金额")
    clause.get_by_test_id("condition-op").select_option(label="高于")
    expect(clause.get_by_test_id("condition-value")).to_have_attribute("type", "number")  # a value by default
    clause.get_by_test_id("condition-against").select_option(label="另一数据项")
    clause.get_by_test_id("condition-other").select_option(label="预算资金")
    page.wait_for_function(f"id => ({BODY})(id) === 'contract_amount_yuan > budget_yuan'", arg=FLOW)
    expect(words.get_by_test_id("condition-sentence")).to_have_text("条件：合同金额高于预算资金")
    others = clause.get_by_test_id("condition-other").locator("option").all_text_contents()
    assert "预算资金" in others and "合同金额" not in others and "签订日期" not in others  # amounts only
    clause.get_by_test_id("condition-against").select_option(label="某个值")
    clause.get_by_test_id("condition-value").fill("50")
    page.wait_for_function(f"id => ({BODY})(id) === 'contract_amount_yuan > 500000'", arg=FLOW)
    expect(words.get_by_test_id("condition-sentence")).to_have_text("条件：合同金额高于 50 万元")
    clause.get_by_test_id("condition-field").select_option(label="审核结论")  # 不属于: several values ticked
    clause.get_by_test_id("condition-op").select_option(label="不属于")
    for option in ("通过", "不予立项"):
        clause.get_by_test_id("condition-values").get_by_label(option, exact=True).check()
    page.wait_for_function(f"id => ({BODY})(id) === 'review_result not in (\"pass\", \"reject\")'", arg=FLOW)
    expect(words.get_by_test_id("condition-sentence")).to_have_text("条件：审核结论不为通过或不予立项")
    assert_no_page_errors(page)
