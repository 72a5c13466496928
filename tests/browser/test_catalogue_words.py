"""The regulation desk's pages speak Chinese too: the catalogue, a process's page and the
article coverage table show names, never process keys, element ids or file names; a process's
diagram and its decision tables read in words (软件项目、低于 10 万元、第2条), each table inside
its card, none cut off on the right."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
from playwright.sync_api import Page, expect

from .helpers import RAW_TOKEN, LiveServer, assert_no_page_errors, copy_doc_screenshots, login_fast, raw_tokens

HIT_POLICY = "自上而下，第一条适用的规则生效。"


def test_catalogue_process_and_coverage_pages_show_no_raw_tokens(page: Page, live_server: LiveServer) -> None:
    login_fast(page, live_server, "admin", "/catalog")
    for path in ("/catalog", "/catalog/hunan_hrss_project", "/coverage/hunan-hrss"):
        page.goto(path)
        page.get_by_test_id("current-user").wait_for()
        page.wait_for_load_state("networkidle")
        page.locator("main h1").first.wait_for()
        assert not raw_tokens(page), f"raw tokens on {path}: {raw_tokens(page)[:12]}"
    assert_no_page_errors(page)


def _tabs(page: Page, suffix: str) -> list[str]:
    keys = page.get_by_test_id("file-tabs").locator("[data-key]").evaluate_all("els => els.map(e => e.dataset.key)")
    return [k for k in keys if k.endswith(suffix)]


def _assert_tables_fit(page: Page) -> None:
    """Every decision table is as wide as its card at most: no column hidden past the right edge."""
    widths = page.get_by_test_id("decision-table").evaluate_all(
        "els => els.map(t => [t.scrollWidth, t.closest('.card').clientWidth, t.getBoundingClientRect().right,"
        " t.closest('.card').getBoundingClientRect().right])")
    for table, card, right, card_right in widths:
        assert table <= card and right <= card_right + 1, f"a decision table overflows its card: {widths}"


def test_a_process_diagram_and_its_decision_tables_read_in_words(page: Page, live_server: LiveServer, shot) -> None:
    login_fast(page, live_server, "admin", "/catalog/hunan_hrss_project")
    tabs = page.get_by_test_id("file-tabs")
    tabs.wait_for()
    diagrams, tables = _tabs(page, ".bpmn"), _tabs(page, ".dmn")
    assert diagrams and tables == ["project_scale.dmn", "procurement_route.dmn", "acceptance_policy.dmn"]
    assert not raw_tokens(page) and "决策表：项目类别与规模" in tabs.inner_text()

    for key in diagrams:  # every diagram of the process, drawn, in words
        tabs.locator(f'[data-key="{key}"]').click()
        page.get_by_test_id("diagram").locator(".djs-element").first.wait_for()
        assert not raw_tokens(page), f"raw tokens with {key} open: {raw_tokens(page)[:12]}"

    for key in tables:
        tabs.locator(f'[data-key="{key}"]').click()
        table = page.get_by_test_id("decision-table").first
        table.wait_for()
        expect(page.get_by_test_id("hit-policy").first).to_contain_text(HIT_POLICY)
        expect(table.locator("tbody th").first).to_have_text("第1条")
        assert not raw_tokens(page), f"raw tokens in {key}: {raw_tokens(page)[:12]}"
        assert page.locator("main td.raw").count() == 0, f"{key} has cells shown as expressions"
        assert page.locator("main .dmn-canvas, main .bjs-powered-by").count() == 0  # no viewer, no logo over rows
        _assert_tables_fit(page)

    tabs.locator('[data-key="project_scale.dmn"]').click()
    software = page.get_by_test_id("decision-table").locator("tbody tr").filter(has_text="第2条")
    expect(software).to_contain_text("软件")
    expect(software).to_contain_text("低于 10 万元")
    expect(software.locator("td").first).to_have_text("任意")
    path = shot(page, "decision-table-project-scale")
    copy_doc_screenshots({"web-decision-table.png": path})
    assert_no_page_errors(page)


def test_the_widest_decision_table_fits_its_card(page: Page, live_server: LiveServer) -> None:
    """jingzhou's 暂缓安排情形 has eight conditions and two results: it still fits, wrapped."""
    login_fast(page, live_server, "admin", "/catalog/jingzhou_project")
    page.get_by_test_id("file-tabs").locator('[data-key="deferral.dmn"]').click()
    table = page.get_by_test_id("decision-table").first
    table.wait_for()
    expect(table.locator("thead")).to_contain_text("滞后一年以上的计划项目数")
    expect(table.locator("tbody tr").nth(3)).to_contain_text("高于 0")
    _assert_tables_fit(page)
    assert not raw_tokens(page), raw_tokens(page)[:12]
    assert_no_page_errors(page)


# An element's panel on the process page (read-only, a deployed version) -------------------------

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
KINDS = ("user task", "timer", "condition", "decision")


def _candidates(jurisdiction: str) -> dict[str, list[tuple[str, str, str]]]:
    """(diagram, element id, its timer's or condition's expression) of each kind of element in a
    bundle's diagrams, in file order; the page shows the first one drawn on a diagram's top plane."""
    root = Path(__file__).resolve().parents[2] / "bpmn" / jurisdiction
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    found: dict[str, list[tuple[str, str, str]]] = {kind: [] for kind in KINDS}
    for name in manifest["bpmn_files"]:
        tree = ElementTree.parse(root / name)  # the repository's own bundles
        gateways = {el.get("id") for tag in ("exclusiveGateway", "inclusiveGateway")
                    for el in tree.iter(f"{BPMN}{tag}")}
        for el in tree.iter():
            tag = el.tag.removeprefix(BPMN)
            timer = el.find(f"{BPMN}timerEventDefinition")
            if tag == "userTask":
                found["user task"].append((name, el.get("id"), ""))
            elif tag == "businessRuleTask":
                found["decision"].append((name, el.get("id"), ""))
            elif timer is not None and len(timer):
                found["timer"].append((name, el.get("id"), (timer[0].text or "").strip()))
            elif (tag == "sequenceFlow" and el.get("sourceRef") in gateways
                  and el.find(f"{BPMN}conditionExpression") is not None):
                found["condition"].append((name, el.get("id"), el.find(f"{BPMN}conditionExpression").text or ""))
    return found


def _open_element(page: Page, diagram: str, element_id: str) -> bool:
    """Click the element on its diagram; False when that diagram does not draw it on top."""
    page.get_by_test_id("file-tabs").locator(f'[data-key="{diagram}"]').click()
    canvas = page.get_by_test_id("diagram")
    canvas.locator(".djs-element").first.wait_for()
    shape = canvas.locator(f'.djs-element[data-element-id="{element_id}"]')
    if shape.count() == 0:
        return False
    shape.first.dispatch_event("click")
    expect(page.get_by_test_id("element-documentation").locator("h2")).not_to_have_text("")
    expect(page.locator('[data-testid="element-settings"]:not([data-asking])')).to_be_visible()
    return True


def _said(server: LiveServer, kind: str, expression: str, unsaid: str) -> str:
    """What the panel should say: the server's sentence for the expression, else the plain words."""
    reply = server.call("POST", f"/words/{kind}", "admin", json={"expression": expression})
    assert reply.status_code == 200, reply.text
    return reply.json()["sentence"] or unsaid


def _panel_tokens(page: Page) -> list[str]:
    return sorted(set(RAW_TOKEN.findall(page.get_by_test_id("element-documentation").inner_text())))


@pytest.mark.parametrize("jurisdiction", sorted(p.parent.name for p in
                                                (Path(__file__).resolve().parents[2] / "bpmn").glob("*/manifest.json")))
def test_an_elements_panel_reads_in_words(page: Page, live_server: LiveServer, jurisdiction: str) -> None:
    """A user task, a timer, a gateway's outgoing flow and a decision task, each clicked on the
    process page: the panel names forms, tables, offices and deadlines, and keeps code folded."""
    root = Path(__file__).resolve().parents[2] / "bpmn" / jurisdiction
    key = json.loads((root / "manifest.json").read_text(encoding="utf-8"))["processes"][0]["key"]
    login_fast(page, live_server, "admin", f"/catalog/{key}")
    page.get_by_test_id("file-tabs").wait_for()
    panel, settings = page.get_by_test_id("element-documentation"), page.get_by_test_id("element-settings")
    opened = []
    for kind, candidates in _candidates(jurisdiction).items():
        shown = next(((d, e, x) for d, e, x in candidates[:12] if _open_element(page, d, e)), None)
        if shown is None:
            continue
        opened.append(kind)
        if kind in ("timer", "condition"):
            label, unsaid = ("定时", "按流程规则计算的期限") if kind == "timer" else ("条件", "按流程规则判断")
            words = settings.locator("dt", has_text=label).locator("xpath=following-sibling::dd[1]")
            expect(words).to_contain_text(_said(live_server, kind, shown[2], unsaid))
            expect(panel.locator("summary").filter(has_text=f"专家：{label}表达式")).to_be_visible()
        elif kind == "decision":
            row = settings.locator("dt", has_text="决策表").locator("xpath=following-sibling::dd[1]")
            expect(row).not_to_contain_text("未命名")
        assert not _panel_tokens(page), f"{jurisdiction} {kind} {shown}: raw tokens {_panel_tokens(page)[:12]}"
        folded = panel.locator("details")
        for i in range(folded.count()):  # the code is the expert's, there when unfolded
            expect(folded.nth(i).locator("pre").first).to_be_hidden()
            folded.nth(i).locator("summary").click()
            expect(folded.nth(i).locator("pre").first).to_be_visible()
    assert {"user task", "condition"} <= set(opened), f"{jurisdiction}: only {opened} could be opened"
    assert_no_page_errors(page)
