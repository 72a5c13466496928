"""新建辖区 in the browser, as an administrator, without touching a file: the jurisdiction from
the fixture regulation (tests/fixtures/new-jurisdiction/regulation.txt, uploaded as a .txt and
split into articles on the page), its three offices and units, its people as accounts, then an
empty process opened in the modeler. Each step is a function of its own so that the rest of the
proof (drawing, forms, rules in words, deploy, a case walked by these people) can follow it."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Page, expect

from ..conftest import FIXTURES, PASSWORD
from .helpers import LiveServer, assert_no_page_errors, login, login_fast, nav, save_screenshot

REGULATION = FIXTURES / "new-jurisdiction" / "regulation.txt"
NAME = "青禾县"
TITLE = "青禾县政务信息化项目管理办法"
OFFICES = [("申请单位", True, False), ("县数据局", False, True), ("县财政局", False, False)]
UNITS = ["县教育局", "县数据局", "县财政局"]
# login name, name, unit, office: the people who will walk the county's cases
PEOPLE = [("qh_edu", "赵敏", "县教育局", "申请单位"), ("qh_data", "钱进", "县数据局", "县数据局"),
          ("qh_finance", "孙丽", "县财政局", "县财政局")]
PROCESS = "项目立项审批"


def create_jurisdiction(page: Page) -> int:
    """Step 1: name, title, the text uploaded as a .txt; the articles previewed; the draft made."""
    nav(page, "新建辖区")
    expect(page.get_by_role("heading", name="新建辖区")).to_be_visible()
    page.get_by_label("辖区名称").fill(NAME)
    page.get_by_label("办法名称").fill(TITLE)
    page.get_by_label("选择文本文件").set_input_files(str(REGULATION))
    preview = page.get_by_test_id("article-preview")
    expect(preview.locator("li")).to_have_count(10)
    expect(preview.locator("li").nth(5)).to_contain_text("第六条")
    expect(preview.locator("li").nth(5)).to_contain_text("50万元以上")
    save_screenshot(page, "new-jurisdiction-1-regulation")
    page.get_by_role("button", name=re.compile("创建辖区草稿")).click()
    expect(page).to_have_url(re.compile(r"/drafts/\d+/organisation$"))
    expect(page.get_by_role("heading", name=f"{NAME}：机构与单位")).to_be_visible()
    return int(re.search(r"/drafts/(\d+)/", page.url).group(1))


def set_organisation(page: Page) -> None:
    """Step 2: the three offices (the applicant's, the one controlling cases) and the units."""
    for index, (office, applicant, control) in enumerate(OFFICES):
        page.get_by_role("button", name="添加机构").click()
        page.get_by_label(f"第{index + 1}个机构的名称").fill(office)
        if applicant:
            page.get_by_label(f"{office}是申报单位").check()
        if control:
            page.get_by_label(f"{office}可管控案件").check()
    for index, unit in enumerate(UNITS):
        page.get_by_role("button", name="添加单位").click()
        page.get_by_label(f"第{index + 1}个单位").fill(unit)
    page.get_by_role("button", name="保存机构与单位").click()
    expect(page.get_by_role("status").filter(has_text="已保存")).to_be_visible()
    save_screenshot(page, "new-jurisdiction-2-organisation")


def create_people(page: Page) -> None:
    """Step 3a: from the organisation page to 用户管理, one account per office."""
    page.get_by_role("link", name=re.compile("用户管理：为各机构添加人员")).click()
    expect(page.get_by_role("heading", name="用户管理")).to_be_visible()
    expect(page.get_by_label("按辖区筛选")).to_have_value(re.compile(r"\S"))
    expect(page.get_by_text("该辖区尚未部署")).to_be_visible()
    for username, name, unit, office in PEOPLE:
        page.get_by_role("button", name="新建用户").click()
        form = page.get_by_test_id("user-form")
        form.get_by_label("登录名", exact=True).fill(username)
        form.get_by_label("姓名", exact=True).fill(name)
        form.get_by_label("单位", exact=True).fill(unit)
        form.get_by_label("初始密码", exact=True).fill(PASSWORD)
        form.get_by_label(f"{NAME} {office}").check()
        form.get_by_role("button", name="保存").click()
        expect(page.get_by_role("status")).to_have_text(f"已保存：{name}（{unit}）")
        expect(page.get_by_test_id("users").get_by_role("row", name=re.compile(f"{name}（{unit}）"))
               ).to_contain_text(f"{NAME} · {office}")
    row = page.get_by_test_id("users").get_by_role("row", name=re.compile("孙丽（县财政局）"))
    row.get_by_role("button", name="停用").click()
    expect(row).to_contain_text("已停用")
    row.get_by_role("button", name="启用").click()
    expect(page.get_by_role("status")).to_have_text("孙丽（县财政局） 已启用")
    save_screenshot(page, "new-jurisdiction-3-users")
    table = page.get_by_test_id("users").inner_text()
    assert not any(username in table for username, *_ in PEOPLE), table  # people by name, never by login


def add_process(page: Page, draft_id: int) -> None:
    """Step 3b: back on the organisation page, a new process opened in the modeler."""
    page.goto(f"/drafts/{draft_id}/organisation")
    page.get_by_label("流程名称").fill(PROCESS)
    page.get_by_role("button", name="新建流程并打开流程设计").click()
    expect(page).to_have_url(re.compile(rf"/drafts/{draft_id}$"))
    expect(page.locator(".djs-element").first).to_be_attached()
    for office, *_ in OFFICES:
        expect(page.locator(".djs-element.djs-shape").filter(has_text=office).first).to_be_attached()
    save_screenshot(page, "new-jurisdiction-4-empty-process")


def test_an_administrator_creates_a_jurisdiction_its_offices_and_its_people(page: Page, live_server: LiveServer):
    login_fast(page, live_server, "admin")
    draft_id = create_jurisdiction(page)
    set_organisation(page)
    create_people(page)
    add_process(page, draft_id)
    assert_no_page_errors(page)

    draft = live_server.call("GET", f"/drafts/{draft_id}", "admin").json()
    manifest = json.loads(draft["files"]["manifest.json"])
    assert manifest["name"] == NAME and manifest["regulation"]["title"] == TITLE
    assert [r["name"] for r in manifest["roles"]] == [office for office, *_ in OFFICES]
    assert [r.get("applicant", False) for r in manifest["roles"]] == [True, False, False]
    assert manifest["units"] == UNITS and manifest["processes"][0]["name"] == PROCESS
    diagram = draft["files"][manifest["bpmn_files"][0]]
    assert all(f'name="{office}"' in diagram for office, *_ in OFFICES)

    # the applicant's account works before the jurisdiction is deployed
    page.context.clear_cookies()
    page.evaluate("() => window.sessionStorage.clear()")
    login(page, "qh_edu")
    expect(page.get_by_test_id("current-user")).to_have_text("赵敏")
