"""The regulation desk's pages speak Chinese too: the catalogue, a process's page and the
article coverage table show names, never process keys, element ids or file names; a process's
diagram and its decision tables read in words (软件项目、低于 10 万元、第2条), each table inside
its card, none cut off on the right."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .helpers import LiveServer, assert_no_page_errors, copy_doc_screenshots, login_fast, raw_tokens

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
