"""Browser tests: the real app (gunicorn, built web/dist, bundled regulations, demo users) driven
in Debian's Chromium through Playwright for Python. No browser is ever downloaded: Chromium is
the apt package at /usr/bin/chromium (`apt-get install chromium fonts-noto-cjk`).

- `live_server` (one per test session, i.e. per xdist worker): a fresh database cloned from the
  "bundled" template of tests/databases.py (SQLite by default, the PostgreSQL server of
  TEST_DATABASE_URL in `make test-postgres`), gunicorn on a free 127.0.0.1 port, AUTO_SETUP=0,
  SCHEDULER_ENABLED=0, attachments in a temporary folder.
- `browser` (per session) and `page` (per test, its own context: sessionStorage, cookies).
- `shot(page, name)` saves a PNG into the folder of tests/browser/artifacts.py; a failing test
  leaves one of the page as it was.
- helpers.py: `login(page, username)` through the login page; `login_fast(page, server, username)`
  puts a token from the API into sessionStorage (`govit.token`) where logging in is not tested.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Iterator
from contextlib import suppress
from pathlib import Path

import pytest

from ..conftest import ROOT, _bootstrap
from ..servers import _stop, server_env, start_gunicorn
from .helpers import LiveServer, save_screenshot

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
WEB_DIST = Path(os.environ.get("WEB_DIST") or ROOT / "web" / "dist")  # the app's own variable
WAIT_MS = 30_000  # generous waits for elements (a shared 2-core machine); never a timed assertion
VIEWPORT = {"width": 1440, "height": 900}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test here is a browser test; under `--dist loadgroup` they share one worker, so one
    server and one Chromium serve them all."""
    here = Path(__file__).parent
    xdist = config.pluginmanager.hasplugin("xdist")
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            if xdist:
                item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def live_server(dbs, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    if not (WEB_DIST / "index.html").is_file():
        pytest.fail(f"the web app is not built ({WEB_DIST}/index.html is missing): run `make web` first "
                    "(`make test` and `make test-postgres` do)", pytrace=False)
    tmp = tmp_path_factory.mktemp("live_server")
    database_url = dbs.clone(dbs.template("bundled", _bootstrap("bundled")))
    attachments = tmp / "attachments"
    env = server_env(database_url, ROOT / "bpmn", ROOT / "forms", WEB_DIST=str(WEB_DIST),
                     ATTACHMENT_STORE=str(attachments), HOME=str(tmp))
    log = tmp / "gunicorn.log"
    process: subprocess.Popen | None = None
    try:
        url, process = start_gunicorn(env, log, ["--workers", "2", "--threads", "4", "--timeout", "120"])
        yield LiveServer(url, database_url, log, attachments)
    finally:
        if process is not None:
            _stop(process)
        dbs.drop(database_url)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = (f"{CHROMIUM} not found: install Debian's Chromium with `apt-get install chromium fonts-noto-cjk` "
                   "(browsers are never downloaded)")
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, live_server: LiveServer, request: pytest.FixtureRequest):
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", accept_downloads=True)
    context.set_default_timeout(WAIT_MS)
    # only 127.0.0.1: anything else the page asks for is refused, not fetched
    context.route(re.compile(r"^(https?|wss?)://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())
    tab = context.new_page()
    tab.errors = []  # uncaught exceptions in the page, for assert_no_page_errors
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    # what the Content-Security-Policy (api/headers.py) refused: any is a failure of the test
    tab.csp_violations = []
    tab.on("console", lambda message: tab.csp_violations.append(message.text)
           if message.type == "error" and "Content Security Policy" in message.text else None)
    try:
        yield tab
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            with suppress(Exception):
                save_screenshot(tab, f"FAILED-{request.node.name}")
            print(f"gunicorn log (tail):\n{live_server.log_tail()}")
        context.close()
    if tab.csp_violations:
        pytest.fail("the page did something its Content-Security-Policy refuses:\n"
                    + "\n".join(dict.fromkeys(tab.csp_violations)), pytrace=False)


@pytest.fixture
def shot() -> Callable[..., Path]:
    """shot(page, "01-login") → the PNG's path in the screenshot folder."""
    return save_screenshot
