"""The modeler behaves as its user expects: every tab and finding named in Chinese (no file name on
the page), a save state that is true (an edit is unsaved until 保存, an undone edit is not an
edit), 试运行 marking on the diagram the elements the simulation went through and those it
found a problem with, 新建流程 and 新建决策表 opening in their tabs, and 部署 asking first — the effective
date in Chinese and what changes — where 取消 deploys nothing and the diagram stays on the page
after the deployment."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from .helpers import LiveServer, assert_no_page_errors, login_fast, nav, raw_tokens

LONG = 180_000  # 校验, 试运行 and 部署 simulate every path of the bundle on the server
FILE_NAME = re.compile(r"[\w-]+\.(?:bpmn|dmn|json|txt)\b")
TASK = "initial_review"  # hunan-hrss project.bpmn: 项目审核（初审）


def open_draft(page: Page, server: LiveServer, jurisdiction: str, title: str, edit=None) -> int:
    """A draft made through the API (the drafts page is test_admin_flow's), optionally with one
    file already changed, opened in the modeler."""
    reply = server.call("POST", "/drafts", "admin", json={"jurisdiction": jurisdiction, "title": title})
    assert reply.status_code == 201, reply.text
    draft = reply.json()
    if edit:
        path, old, new = edit
        assert old in draft["files"][path]
        saved = server.call("PUT", f"/drafts/{draft['id']}/files/{path}", "admin",
                            json={"content": draft["files"][path].replace(old, new, 1), "revision": draft["revision"]})
        assert saved.status_code == 200, saved.text
    login_fast(page, server, "admin", f"/drafts/{draft['id']}")
    expect(page.get_by_test_id("modeler-canvas").locator(".djs-element").first).to_be_attached()
    return draft["id"]


def file_names_on(page: Page) -> list[str]:
    return sorted(set(FILE_NAME.findall(page.locator("main").inner_text())))


def rename_on_canvas(page: Page, element: str, name: str) -> None:
    """Double-click a task on the diagram, type its new name, click beside it (the task is
    scrolled into the view first, as a person drags the diagram to it)."""
    page.evaluate("id => window.__govitModeler.modeler.get('canvas').scrollToElement(id, 200)", element)
    shape = page.get_by_test_id("modeler-canvas").locator(f'g.djs-element[data-element-id="{element}"]')
    shape.dblclick()
    box = page.locator(".djs-direct-editing-parent")
    expect(box).to_be_visible()
    box.press("Control+A")
    box.press_sequentially(name)
    page.get_by_test_id("modeler-page").get_by_role("heading").first.click()
    expect(shape).to_contain_text(name)


def test_tabs_in_chinese_true_save_state_and_trial_run_on_the_diagram(page: Page, live_server: LiveServer,
                                                                      shot) -> None:
    open_draft(page, live_server, "hunan-hrss", "检查保存状态")
    tabs = page.get_by_test_id("file-tabs")
    expect(tabs.locator('[data-key="project.bpmn"]')).to_have_text("流程图：信息化建设项目")
    expect(tabs.locator('[data-key="manifest.json"]')).to_have_text("流程包设置")
    expect(tabs.locator('[data-key="regulation.txt"]')).to_have_text("法规全文")
    expect(tabs.locator('[data-key="project_scale.dmn"]')).to_contain_text("决策表：")
    assert file_names_on(page) == []
    form = page.get_by_label("表单", exact=True)
    assert not [o for o in form.locator("option").all_inner_texts() if FILE_NAME.search(o)]

    # an edit is unsaved until 保存; then saved, nothing left
    state = page.get_by_test_id("save-state")
    expect(state).to_have_text("已全部保存")
    rename_on_canvas(page, TASK, "项目初审")
    expect(state).to_have_text("有未保存的修改")
    expect(tabs.locator('[data-key="project.bpmn"]')).to_contain_text("●")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_test_id("modeler-status")).to_contain_text("已保存 1 个文件")
    expect(state).to_have_text("已全部保存")
    expect(tabs.locator('[data-key="project.bpmn"]')).not_to_contain_text("●")
    expect(page.get_by_role("button", name="保存", exact=True)).to_be_disabled()
    # an edit undone is no edit: the content is what was saved
    rename_on_canvas(page, TASK, "临时名称")
    expect(state).to_have_text("有未保存的修改")
    page.get_by_role("button", name="撤销").click()
    expect(state).to_have_text("已全部保存")
    # the settings as text: a broken edit is refused naming the tab, and typed back it is no edit
    tabs.locator('[data-key="manifest.json"]').click()
    expect(page.get_by_test_id("manifest-hint")).to_contain_text("科室与人员")
    text = page.get_by_test_id("text-editor").locator("textarea")
    original = text.input_value()
    text.fill(original + "}")
    expect(state).to_have_text("有未保存的修改")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_test_id("modeler-error")).to_contain_text("流程包设置")
    text.fill(original)
    expect(state).to_have_text("已全部保存")
    # a decision table: in words first, the table as written (dmn-js) one click away
    tabs.locator('[data-key="project_scale.dmn"]').click()
    dmn = page.get_by_test_id("dmn-editor")
    expect(dmn.get_by_test_id("dmn-words-editor")).to_be_visible()
    dmn.get_by_role("tab", name="专家视图").click()
    expect(dmn.locator(".dmn-decision-table-container").first).to_be_visible()
    expect(state).to_have_text("已全部保存")
    dmn.get_by_role("tab", name="按文字编辑").click()
    expect(dmn.get_by_test_id("dmn-words-editor")).to_be_visible()
    # the diagram's tab again: its edit kept, still saved
    tabs.locator('[data-key="project.bpmn"]').click()
    expect(page.get_by_test_id("modeler-canvas").locator(f'[data-element-id="{TASK}"]').first).to_contain_text("项目初审")
    expect(state).to_have_text("已全部保存")

    # 试运行: the explored paths and the findings on the diagram, with a legend in Chinese
    page.get_by_role("button", name="试运行").click()
    legend = page.get_by_test_id("trial-legend")
    expect(legend).to_be_visible(timeout=LONG)
    expect(legend).to_contain_text("模拟经过的环节")
    expect(legend).to_contain_text("信息化建设项目：探索了")
    canvas = page.get_by_test_id("modeler-canvas")
    expect(canvas.locator(f'g.djs-element.govit-visited[data-element-id="{TASK}"]')).to_have_count(1)
    assert canvas.locator(".djs-shape.govit-visited").count() > 5
    assert canvas.locator(".djs-connection.govit-walked").count() > 5
    findings = page.get_by_test_id("validation-findings")
    expect(findings).to_contain_text("校验")
    for element in findings.locator('[data-testid="finding"]').evaluate_all("els => els.map(e => e.dataset.element)"):
        if element and canvas.locator(f'[data-element-id="{element}"]').count():
            marked = canvas.locator(f'g.djs-element[data-element-id="{element}"]').first
            expect(marked).to_have_class(re.compile(r"\bgovit-(error|warning)(-pool)?\b"))
    assert file_names_on(page) == [], "the findings name files and elements in words"
    shot(page, "21-modeler-trial-run")
    page.get_by_role("button", name="隐藏试运行标记").click()
    expect(canvas.locator(".govit-visited")).to_have_count(0)

    # 新建流程: an empty diagram in a tab of its own, named by the process
    page.get_by_role("button", name="新建流程").click()
    page.get_by_label("新流程名称").fill("信息系统日常运维")
    page.get_by_role("button", name="创建", exact=True).click()
    expect(tabs.get_by_role("tab", name="流程图：信息系统日常运维")).to_have_attribute("aria-selected", "true")
    expect(canvas.locator(".djs-shape").first).to_be_attached()
    expect(state).to_have_text("已全部保存")

    # 新建决策表: named, judging a data item picked by its name; it opens in words in its own tab
    page.get_by_role("button", name="新建决策表").click()
    creator = page.get_by_test_id("new-decision-table")
    creator.get_by_label("决策表名称").fill("运维评审要求")
    expect(creator.get_by_label("判断的数据项").locator("option").nth(1)).to_be_attached()
    creator.get_by_label("判断的数据项").select_option(index=1)
    creator.get_by_label("结果名称").fill("须运维评审")
    creator.get_by_role("button", name="创建").click()
    expect(tabs.locator('[aria-selected="true"]')).to_contain_text("运维评审要求")
    expect(page.get_by_test_id("dmn-words-editor")).to_be_visible()
    expect(state).to_have_text("已全部保存")
    assert file_names_on(page) == []
    assert_no_page_errors(page)


def test_deploy_asks_with_the_date_and_the_changes_and_the_diagram_stays(page: Page, live_server: LiveServer,
                                                                        shot) -> None:
    draft = open_draft(page, live_server, "jiangyin-hrss", "确认后部署",
                       ("project.bpmn", 'name="受理审核项目需求"', 'name="受理并审核项目需求"'))
    versions_before = live_server.call("GET", "/processes/jiangyin_hrss_project/versions", "admin").json()
    tomorrow = datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=1)
    page.get_by_label("生效日期").fill(tomorrow.isoformat())
    page.get_by_role("button", name="部署", exact=True).click()
    dialog = page.get_by_role("dialog", name="确认部署新版本")
    expect(dialog).to_be_visible(timeout=LONG)
    expect(dialog.get_by_test_id("confirm-effective")).to_contain_text(f"{tomorrow.year}年{tomorrow.month}月{tomorrow.day}日")
    expect(dialog.get_by_test_id("diff-summary")).to_contain_text("受理并审核项目需求")
    assert FILE_NAME.findall(dialog.inner_text()) == []
    shot(page, "22-modeler-confirm-deploy", full_page=False)

    # 取消: nothing deployed
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_have_count(0)
    assert live_server.call("GET", f"/drafts/{draft}", "admin").json()["status"] == "editing"
    assert live_server.call("GET", "/processes/jiangyin_hrss_project/versions", "admin").json() == versions_before

    # asked again and confirmed: deployed, and the diagram is still there (read-only)
    page.get_by_role("button", name="部署", exact=True).click()
    expect(dialog).to_be_visible(timeout=LONG)
    dialog.get_by_role("button", name="确认部署").click()
    result = page.get_by_test_id("deploy-result")
    expect(result).to_contain_text(f"生效日期 {tomorrow.year}年{tomorrow.month}月{tomorrow.day}日", timeout=LONG)
    expect(result).to_contain_text("信息化建设项目 第 2 版")
    assert live_server.call("GET", f"/drafts/{draft}", "admin").json()["status"] == "deployed"
    canvas = page.get_by_test_id("modeler-canvas")
    expect(canvas.locator('g.djs-element[data-element-id="accept_demand"]')).to_contain_text("受理并审核项目需求")
    assert canvas.locator(".djs-shape").count() > 5
    expect(page.get_by_test_id("save-state")).to_have_text("已部署")
    expect(page.locator(".djs-palette")).to_have_count(0)  # read-only: nothing to draw with
    assert file_names_on(page) == []
    shot(page, "23-modeler-deployed")

    # the drafts list: the draft by its jurisdiction's name, made by a person, not a login
    nav(page, "流程修订")
    row = page.get_by_test_id("drafts").locator("tr").filter(has_text="确认后部署")
    expect(row).to_contain_text("江阴市人力资源和社会保障局")
    expect(row).to_contain_text("已部署")
    assert raw_tokens(page) == [], raw_tokens(page)
    assert_no_page_errors(page)
