"""The regulation desk's pages speak Chinese too: the catalogue, a process's page and the
article coverage table show names, never process keys, element ids or file names."""

from __future__ import annotations

from playwright.sync_api import Page

from .helpers import LiveServer, assert_no_page_errors, login_fast, raw_tokens


def test_catalogue_process_and_coverage_pages_show_no_raw_tokens(page: Page, live_server: LiveServer) -> None:
    login_fast(page, live_server, "admin", "/catalog")
    for path in ("/catalog", "/catalog/hunan_hrss_project", "/coverage/hunan-hrss"):
        page.goto(path)
        page.get_by_test_id("current-user").wait_for()
        page.wait_for_load_state("networkidle")
        page.locator("main h1").first.wait_for()
        assert not raw_tokens(page), f"raw tokens on {path}: {raw_tokens(page)[:12]}"
    assert_no_page_errors(page)
