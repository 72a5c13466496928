"""新建辖区 in the browser, as an administrator, without touching a file: the jurisdiction from
the fixture regulation (tests/fixtures/new-jurisdiction/regulation.txt, uploaded as a .txt and
split into articles on the page), its three offices and units, its people as accounts, an empty
process opened in the modeler; its forms built in the designer (the application with a document
upload); the process drawn as a user draws it (context pad, wrench menu, palette, drags into
lanes), every element named and citing its article in the panel, the review's outcomes 通过 and
退回补正 as conditions in words, 5 个工作日 as a timer in words; validated, deployed, and a case
sent back once and passed by the county's own people. Not yet here: the decision table in 万元
deciding an expert review, and 县财政局's step."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from ..conftest import FIXTURES, PASSWORD
from .helpers import LiveServer, assert_no_page_errors, login, login_fast, nav, pdf_bytes, save_screenshot

REGULATION = FIXTURES / "new-jurisdiction" / "regulation.txt"
NAME = "青禾县"
TITLE = "青禾县政务信息化项目管理办法"
OFFICES = [("申请单位", True, False), ("县数据局", False, True), ("县财政局", False, False)]
UNITS = ["县教育局", "县数据局", "县财政局"]
# login name, name, unit, office: the people who will walk the county's cases
PEOPLE = [("qh_edu", "赵敏", "县教育局", "申请单位"), ("qh_data", "钱进", "县数据局", "县数据局"),
          ("qh_finance", "孙丽", "县财政局", "县财政局")]
PROCESS = "项目立项审批"
CASE = "青禾县智慧教育平台（浏览器建成的辖区）"


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


LONG = 240_000  # 校验 and 部署 simulate every path of the process on the server
# (title, article the form serves, [(label, kind as the designer's type list says it)])
FORMS = [
    ("项目申请", "第三条", [("项目名称", "单行文字"), ("建设内容", "多行文字"),
                         ("预算金额", "金额（元，填写时显示万元）"), ("项目建议书", "附件")]),
    ("技术审核", "第四条", [("审核结论", "选项"), ("审核意见", "多行文字")]),
]


def add_field(designer, label: str, kind: str) -> None:
    designer.get_by_label("新字段的标签").fill(label)
    designer.get_by_label("新字段的类型").select_option(label=kind)
    designer.get_by_role("button", name="添加字段").click()
    expect(designer.get_by_test_id("field-editor").get_by_label("标签")).to_have_value(label)


def design_forms(page: Page) -> None:
    """Step 4: the forms built in the designer (the application's with a document upload), each
    field required and the form citing the article it serves; saved into the draft."""
    for title, article, fields in FORMS:
        page.once("dialog", lambda dialog, title=title: dialog.accept(title))
        page.get_by_role("button", name="新建表单").click()
        designer = page.get_by_test_id("form-designer")
        expect(designer.get_by_label("表单标题")).to_have_value(title)
        designer.get_by_label("表单说明").fill(f"{article}：{title}")
        for label, kind in fields:
            add_field(designer, label, kind)
            editor = designer.get_by_test_id("field-editor")
            editor.get_by_label("必填", exact=True).check()
            editor.get_by_label("条文依据").select_option(value=article)
            expect(editor.get_by_test_id("article-text")).to_be_visible()
            expect(editor.get_by_test_id("article-text")).not_to_contain_text(f"{article}　{article}")  # said once
            if label == "审核结论":
                editor.get_by_label("选项 1").fill("通过")
                editor.get_by_label("选项 2").fill("退回补正")
        if title == FORMS[0][0]:
            preview = designer.get_by_test_id("form-preview")
            expect(preview.get_by_role("button", name="选择文件")).to_be_visible()
            preview.get_by_label("预算金额（元）").fill("800000")
            expect(preview.get_by_test_id("amount-wan")).to_have_text("合 80 万元")
            save_screenshot(page, "new-jurisdiction-5-application-form")
        page.get_by_role("button", name="保存", exact=True).click()
        expect(page.get_by_test_id("save-state")).to_have_text("已全部保存")


READ = """() => window.__govitModeler.modeler.get('elementRegistry').getAll()
    .filter((e) => e.type !== 'label' && !e.labelTarget)
    .map((e) => ({id: e.id, type: e.type, name: e.businessObject.name || '', x: e.x, y: e.y,
                  width: e.width, height: e.height}))"""


def shapes(page: Page) -> list[dict]:
    """What the canvas holds (read only: every change below is made as a user makes it)."""
    return page.evaluate(READ)


def shape_of(page: Page, kind: str, name: str = "") -> dict:
    found = [s for s in shapes(page) if s["type"] == kind and (not name or s["name"] == name)]
    assert len(found) == 1, (kind, name, shapes(page))
    return found[0]


def screen_point(page: Page, x: float, y: float) -> tuple[float, float]:
    """A diagram point where it is on the screen (the canvas's viewbox and the page's offset)."""
    return tuple(page.evaluate("""([x, y]) => {
        const canvas = window.__govitModeler.modeler.get('canvas');
        const box = canvas.viewbox();
        const at = canvas._container.getBoundingClientRect();
        return [at.left + (x - box.x) * box.scale, at.top + (y - box.y) * box.scale];
    }""", [x, y]))


def selected(page: Page) -> list[str]:
    return page.evaluate("() => window.__govitModeler.modeler.get('selection').get().map((e) => e.id)")


def click_shape(page: Page, shape: dict) -> None:
    """Click a shape; the page answers a selection with its own a moment later, so click again
    until the shape has stayed selected for a while."""
    point = screen_point(page, shape["x"] + shape["width"] / 2, shape["y"] + shape["height"] / 2)
    for _ in range(5):
        if selected(page) != [shape["id"]]:
            page.mouse.click(*point)
        page.wait_for_timeout(300)
        if selected(page) == [shape["id"]]:
            return
    raise AssertionError(f"{shape['name'] or shape['type']} does not stay selected: {selected(page)}")


def drag_into_lane(page: Page, shape: dict, office: str) -> None:
    """Drag a shape down (or up) into the lane of an office, as a mouse does."""
    lane = shape_of(page, "bpmn:Lane", office)
    start = screen_point(page, shape["x"] + shape["width"] / 2, shape["y"] + shape["height"] / 2)
    end = screen_point(page, shape["x"] + shape["width"] / 2, lane["y"] + lane["height"] / 2)
    page.mouse.move(*start)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(start[0], start[1] + (end[1] - start[1]) * step / 10)
    page.mouse.up()


def name_and_cite(page: Page, name: str, article: str, form: str | None = None) -> None:
    """The selected element's name, its article picked from the list and its form by title."""
    panel = page.get_by_test_id("properties-panel")
    field = panel.get_by_label("名称", exact=True)
    field.fill(name)
    field.blur()
    expect(panel.locator(".bio-properties-panel-header")).to_contain_text(name)
    picker = panel.get_by_test_id("article-picker")
    picker.get_by_test_id("article-add").select_option(article)
    expect(picker.get_by_test_id("cited-article").filter(has_text=article)).to_have_count(1)
    if form:
        panel.get_by_test_id("task-form").select_option(label=form)


def append(page: Page, action: str, name: str) -> dict:
    """From the selected shape, the context pad's append entry; a task or an event opens its label
    editor, where its name is typed (a gateway does not: it is named in the panel)."""
    before = {s["id"] for s in shapes(page)}
    page.locator(f'.djs-context-pad .entry[data-action="{action}"]').click()
    editor = page.locator(".djs-direct-editing-parent")
    if action != "append.gateway":
        expect(editor).to_be_visible()
        page.keyboard.type(name)
        page.keyboard.press("Enter")
        expect(editor).to_be_hidden()
    [new] = [s for s in shapes(page) if s["id"] not in before and s["type"] != "bpmn:SequenceFlow"]
    assert action == "append.gateway" or new["name"] == name, new
    return new


def replace_with(page: Page, shape: dict, entry: str) -> None:
    """The wrench of the context pad, then the kind wanted from its menu."""
    click_shape(page, shape)
    item = page.locator(f'.djs-popup [data-id="{entry}"]')
    for _ in range(3):
        page.locator('.djs-context-pad .entry[data-action="replace"]').click()
        try:
            item.wait_for(timeout=3000)
            break
        except PlaywrightTimeout:
            save_screenshot(page, f"new-jurisdiction-replace-{entry}")
            click_shape(page, shape)
    item.click()


def connection_of(page: Page, source: str, target: str) -> dict:
    """The flow between two named shapes, with the middle of its first segment to click on."""
    return page.evaluate("""([source, target]) => {
        const flow = window.__govitModeler.modeler.get('elementRegistry').find((e) =>
            e.type === 'bpmn:SequenceFlow' && e.source.businessObject.name === source
            && e.target.businessObject.name === target);
        const [a, b] = flow.waypoints;
        return {id: flow.id, name: flow.businessObject.name || '', type: flow.type,
                x: (a.x + b.x) / 2 - 1, y: (a.y + b.y) / 2 - 1, width: 2, height: 2};
    }""", [source, target])


def condition_in_words(page: Page, source: str, target: str, field: str, value: str) -> None:
    """A gateway's outgoing flow: its condition picked in words (field, then the option)."""
    click_shape(page, connection_of(page, source, target))
    words = page.get_by_test_id("properties-panel").get_by_test_id("condition-words")
    clause = words.get_by_test_id("condition-clause").first
    clause.get_by_test_id("condition-field").select_option(label=field)
    clause.get_by_test_id("condition-value").select_option(label=value)
    expect(words.get_by_test_id("condition-sentence")).to_have_text(f"条件：{field}为{value}")
    page.wait_for_function("([s, t, want]) => { const f = window.__govitModeler.modeler.get('elementRegistry')"
                           ".find((e) => e.type === 'bpmn:SequenceFlow' && e.source.businessObject.name === s"
                           " && e.target.businessObject.name === t); return f.businessObject.name === want; }",
                           arg=[source, target, f"{field}为{value}"])


def add_deadline(page: Page) -> None:
    """第四条's 5 working days: an intermediate event from the palette dropped on the review task's
    border, made a non-interrupting timer, its deadline picked in words; overdue, it ends 审核超期."""
    task = shape_of(page, "bpmn:UserTask", "县数据局审核")
    page.locator('.djs-palette .entry[data-action="create.intermediate-event"]').click()
    border = screen_point(page, task["x"] + task["width"] / 2, task["y"] + task["height"])
    for step in range(10, -1, -1):
        page.mouse.move(border[0] + step * 4, border[1] + step * 6)
    page.mouse.click(*border)
    event = shape_of(page, "bpmn:BoundaryEvent")
    replace_with(page, event, "replace-with-non-interrupting-timer-boundary")
    event = shape_of(page, "bpmn:BoundaryEvent")
    click_shape(page, event)
    name_and_cite(page, "审核期限", "第四条")
    words = page.get_by_test_id("properties-panel").get_by_test_id("timer-words")
    words.get_by_test_id("timer-kind").select_option("working_days")
    words.get_by_test_id("timer-n").fill("5")
    expect(words.get_by_test_id("timer-sentence")).to_have_text("期限：5 个工作日")
    overlay = page.get_by_test_id("modeler-canvas").locator(
        f'.djs-overlays[data-container-id="{event["id"]}"] .govit-timer-sentence')
    expect(overlay).to_have_text("5 个工作日")
    overdue = append(page, "append.end-event", "审核超期")
    click_shape(page, overdue)
    name_and_cite(page, "审核超期", "第四条")


def draw_process(page: Page) -> None:
    """Step 5: from the empty process's start event, the application (start) in 申请单位 into
    受理申请, the review as a user task in 县数据局 with its form, its 审核结论 either 项目立项 or
    退回补正 — a 补正申请 task of 申请单位 back to 受理申请; each named and citing its article, each
    outcome's condition in words."""
    page.get_by_test_id("file-tabs").get_by_text(f"流程图：{PROCESS}").click()
    page.wait_for_function("() => window.__govitModeler && window.__govitModeler.modeler")
    start = shape_of(page, "bpmn:StartEvent")
    click_shape(page, start)
    name_and_cite(page, "提交项目申请", "第三条", "项目申请")
    accept = append(page, "append.gateway", "受理申请")
    click_shape(page, accept)
    name_and_cite(page, "受理申请", "第五条")
    task = append(page, "append.append-task", "县数据局审核")
    replace_with(page, task, "replace-with-user-task")
    task = shape_of(page, "bpmn:UserTask", "县数据局审核")
    drag_into_lane(page, task, "县数据局")
    task = shape_of(page, "bpmn:UserTask", "县数据局审核")
    lane = shape_of(page, "bpmn:Lane", "县数据局")
    assert lane["y"] <= task["y"] and task["y"] + task["height"] <= lane["y"] + lane["height"], (task, lane)
    click_shape(page, task)
    name_and_cite(page, "县数据局审核", "第四条", "技术审核")
    outcome = append(page, "append.gateway", "审核结论")
    click_shape(page, outcome)
    name_and_cite(page, "审核结论", "第五条")
    end = append(page, "append.end-event", "项目立项")
    click_shape(page, end)
    name_and_cite(page, "项目立项", "第九条")
    click_shape(page, shape_of(page, "bpmn:ExclusiveGateway", "审核结论"))
    resubmit = append(page, "append.append-task", "补正申请")
    replace_with(page, resubmit, "replace-with-user-task")
    drag_into_lane(page, shape_of(page, "bpmn:UserTask", "补正申请"), "申请单位")
    resubmit = shape_of(page, "bpmn:UserTask", "补正申请")
    click_shape(page, resubmit)
    name_and_cite(page, "补正申请", "第五条", "项目申请")
    page.locator('.djs-context-pad .entry[data-action="connect"]').click()
    accept = shape_of(page, "bpmn:ExclusiveGateway", "受理申请")
    page.mouse.click(*screen_point(page, accept["x"] + accept["width"] / 2, accept["y"] + accept["height"] / 2))
    connection_of(page, "补正申请", "受理申请")
    condition_in_words(page, "审核结论", "项目立项", "审核结论", "通过")
    condition_in_words(page, "审核结论", "补正申请", "审核结论", "退回补正")
    add_deadline(page)
    expect(page.get_by_test_id("save-state")).to_have_text("有未保存的修改")
    page.get_by_test_id("modeler-page").get_by_role("button", name="保存", exact=True).first.click()
    expect(page.get_by_test_id("save-state")).to_have_text("已全部保存")
    save_screenshot(page, "new-jurisdiction-6-process")


def validate(page: Page) -> None:
    """Step 6: 校验 on the server (the simulation of every path) passes."""
    page.get_by_role("button", name="校验").click()
    expect(page.get_by_test_id("validation-findings")).to_contain_text("校验通过", timeout=LONG)
    save_screenshot(page, "new-jurisdiction-7-validated")


def deploy(page: Page) -> None:
    """Step 7: 部署 from today, confirmed in the dialog (a first bundle: nothing to compare)."""
    page.get_by_role("button", name="部署", exact=True).click()
    dialog = page.get_by_test_id("confirm-deploy")
    expect(dialog).to_contain_text("第一个流程包")
    save_screenshot(page, "new-jurisdiction-8-confirm-deploy")
    dialog.get_by_role("button", name="确认部署").click()
    expect(page.get_by_test_id("deploy-result")).to_contain_text(f"新版本：{PROCESS} 第 1 版", timeout=LONG)
    save_screenshot(page, "new-jurisdiction-9-deployed")


def switch_user(page: Page, username: str, name: str) -> None:
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    login(page, username)
    expect(page.get_by_test_id("current-user")).to_have_text(name)


def review(page: Page, outcome: str, opinion: str) -> None:
    """县数据局's reviewer finds 县数据局审核 in 我的待办 and decides it."""
    switch_user(page, "qh_data", "钱进")
    nav(page, "我的待办")
    # the case is listed without its project's name: nothing in the browser sets a process's
    # 案件标题字段 (the manifest's title_field) yet, so the row is found by its process
    row = page.get_by_test_id("task-row").filter(has_text=PROCESS)
    expect(row).to_have_count(1)
    save_screenshot(page, "new-jurisdiction-11-tasklist")
    row.get_by_role("link", name="县数据局审核").click()
    expect(page.get_by_role("heading", name="县数据局审核")).to_be_visible()
    page.get_by_role("radio", name=outcome).check()
    page.get_by_label("审核意见").fill(opinion)
    save_screenshot(page, f"new-jurisdiction-12-review-{outcome}")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.get_by_test_id("task-result")).to_contain_text("已提交")


def run_a_case(page: Page) -> int:
    """Step 8: the county's applicant files a project with its proposal as a PDF; 县数据局's
    reviewer sends it back (退回补正), the applicant amends it, the reviewer passes it: 项目立项."""
    switch_user(page, "qh_edu", "赵敏")
    nav(page, "发起申报")
    page.get_by_test_id("start-row").filter(has_text=PROCESS).get_by_role("link", name="填写申报").click()
    form = page.get_by_test_id("start-form")
    expect(form).to_be_visible()
    form.get_by_label("项目名称").fill(CASE)
    form.get_by_label("建设内容").fill("全县中小学教学平台升级")
    form.get_by_label("预算金额（元）").fill("800000")
    expect(form.get_by_test_id("amount-wan")).to_have_text("合 80 万元")
    form.locator('input[type="file"]').set_input_files(
        files=[{"name": "项目建议书.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes("proposal")}])
    expect(page.get_by_test_id("attachment").filter(has_text="项目建议书.pdf")).to_be_visible()
    save_screenshot(page, "new-jurisdiction-10-application")
    page.get_by_role("button", name="提交申报").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    case_id = int(page.url.rsplit("/", 1)[1])

    review(page, "退回补正", "请补充项目建议书中的运维方案。")
    switch_user(page, "qh_edu", "赵敏")
    nav(page, "我的待办")
    page.get_by_test_id("task-row").filter(has_text=PROCESS).get_by_role("link", name="补正申请").click()
    expect(page.get_by_role("heading", name="补正申请")).to_be_visible()
    page.get_by_label("建设内容").fill("全县中小学教学平台升级，含五年运维方案")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.get_by_test_id("task-result")).to_contain_text("已提交")
    review(page, "通过", "建设内容合理，同意。")
    return case_id


def test_an_administrator_creates_a_jurisdiction_its_offices_and_its_people(page: Page, live_server: LiveServer):
    login_fast(page, live_server, "admin")
    draft_id = create_jurisdiction(page)
    set_organisation(page)
    create_people(page)
    add_process(page, draft_id)
    design_forms(page)
    draw_process(page)
    validate(page)
    deploy(page)
    assert_no_page_errors(page)

    draft = live_server.call("GET", f"/drafts/{draft_id}", "admin").json()
    manifest = json.loads(draft["files"]["manifest.json"])
    assert manifest["name"] == NAME and manifest["regulation"]["title"] == TITLE
    assert [r["name"] for r in manifest["roles"]] == [office for office, *_ in OFFICES]
    assert [r.get("applicant", False) for r in manifest["roles"]] == [True, False, False]
    assert manifest["units"] == UNITS and manifest["processes"][0]["name"] == PROCESS
    diagram = draft["files"][manifest["bpmn_files"][0]]
    assert all(f'name="{office}"' in diagram for office, *_ in OFFICES)

    # the county's people walk a case through what the browser built
    case_id = run_a_case(page)
    live_server.tokens.pop("admin", None)  # 退出 in the browser ended the session its token belonged to
    case = live_server.call("GET", f"/instances/{case_id}", "admin")
    assert case.status_code == 200, case.text
    assert case.json()["status"] == "completed", case.json()
    documents = live_server.call("GET", f"/instances/{case_id}/attachments", "admin")
    assert [d["filename"] for d in documents.json()] == ["项目建议书.pdf"], documents.text
    assert_no_page_errors(page)
