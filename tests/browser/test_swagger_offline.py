"""Swagger UI at /api/v1/docs works on an intranet: every request the page makes goes to the
server itself (the `page` fixture aborts anything not to 127.0.0.1, as a network with no way out
would), it renders every operation of the API, and "Try it out" calls the API — all under the
product's Content-Security-Policy (the fixture fails the test on any refusal)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .helpers import LiveServer, assert_no_page_errors


def test_swagger_ui_renders_the_operations_with_the_network_cut(page: Page, live_server: LiveServer, shot) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("政务信息化项目流程服务 API")
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible()
    expect(page.locator('.opblock-post [data-path="/api/v1/auth/token"]')).to_be_visible()
    assert operations.count() >= 45

    healthz = page.locator(".opblock-get").filter(has=page.locator('[data-path="/healthz"]'))
    healthz.locator(".opblock-summary").click()
    healthz.get_by_role("button", name="Try it out").click()
    healthz.get_by_role("button", name="Execute").click()
    live = healthz.locator(".live-responses-table tbody .response-col_status")
    expect(live).to_contain_text("200")
    expect(healthz.locator(".live-responses-table")).to_contain_text('"status": "ok"')
    shot(page, "swagger-ui-offline")

    foreign = [url for url in requested if not url.startswith((live_server.url, "data:"))]
    assert foreign == [], foreign
    assert any(url.endswith("/swagger-ui/swagger-ui-bundle.js") for url in requested)
    assert_no_page_errors(page)
