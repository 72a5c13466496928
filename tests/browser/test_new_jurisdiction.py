"""新建辖区 in the browser, as an administrator, without touching a file, a Python literal or an
expression: the jurisdiction from the fixture regulation (tests/fixtures/new-jurisdiction/
regulation.txt, uploaded as a .txt and split into articles on the page), its three offices and
units, its people as accounts; four forms built in the designer (the application with a document
upload and an amount in 元 shown in 万元), their fields' keys unique across the draft; 第六条's
threshold as a decision table in words (the amount the article means declared from the table,
不低于 50 万元 → 须专家评审); the process drawn from an empty canvas as a user draws it (context
pad, wrench menu, palette, drags into lanes): 县数据局审核 with 退回补正, the decision as a business
rule task, 专家评审, 县财政局审核 — every node and every outcome citing its article, every outcome
a condition in words, 5 个工作日 a timer in words; the cases titled by 项目名称; validated,
deployed, and an 80 万元 case walked by the county's own people: sent back, amended, passed,
reviewed by experts, agreed by 县财政局."""

from __future__ import annotations

import json
import re

from lxml import etree
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from engine.safe_xml import parse

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
    ("专家评审", "第七条", [("评审结论", "选项"), ("评审意见", "多行文字")]),
    ("资金审核", "第九条", [("资金审核结论", "选项"), ("资金审核意见", "多行文字")]),
]
OPTIONS = {"审核结论": ("通过", "退回补正", "不予立项"), "评审结论": ("通过", "不通过"),
           "资金审核结论": ("同意", "不同意")}


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
            for n, option in enumerate(OPTIONS.get(label, ()), start=1):
                if n > 2:  # a choice starts with two options
                    editor.get_by_role("button", name="＋ 添加选项").click()
                editor.get_by_label(f"选项 {n}").fill(option)
        if title == FORMS[0][0]:
            preview = designer.get_by_test_id("form-preview")
            expect(preview.get_by_role("button", name="选择文件")).to_be_visible()
            preview.get_by_label("预算金额（元）").fill("800000")
            expect(preview.get_by_test_id("amount-wan")).to_have_text("合 80 万元")
            save_screenshot(page, "new-jurisdiction-5-application-form")
        page.get_by_role("button", name="保存", exact=True).click()
        expect(page.get_by_test_id("save-state")).to_have_text("已全部保存")


DECISION = "专家评审要求"
RESULT = "须专家评审"


def decision_table(page: Page) -> None:
    """Step 5: 第六条's threshold as a decision table made in words: named, judging 预算金额, its
    result 须专家评审 (是/否); 不低于 50 万元 → 是, 低于 50 万元 → 否, each rule citing 第六条."""
    page.get_by_role("button", name="新建决策表").click()
    creator = page.get_by_test_id("new-decision-table")
    creator.get_by_label("决策表名称").fill(DECISION)
    creator.get_by_label("判断的数据项").select_option(label="预算金额（元）")
    creator.get_by_label("条款所指的金额").select_option(label="申报的金额")  # 第六条: the budget applied for
    creator.get_by_label("金额的依据条文").select_option("第六条")
    creator.get_by_label("结果名称").fill(RESULT)
    creator.get_by_label("结果类型").select_option(label="是/否")
    creator.get_by_role("button", name="创建").click()
    editor = page.get_by_test_id("dmn-words-editor")
    expect(editor).to_be_visible()
    expect(page.get_by_test_id("file-tabs").locator('[aria-selected="true"]')).to_contain_text(DECISION)
    expect(editor.get_by_test_id("dmn-hit-policy")).to_contain_text("第一条适用的规则生效")  # in a sentence
    editor.get_by_test_id("dmn-add-rule").click()
    rules = editor.get_by_test_id("dmn-rule")
    expect(rules).to_have_count(2)
    for index, (comparison, answer, basis) in enumerate([("不低于", "是", "预算金额50万元以上的，组织专家评审"),
                                                         ("低于", "否", "预算金额低于50万元的，不组织专家评审")]):
        rule = rules.nth(index)
        amount, result = rule.get_by_test_id("dmn-field").nth(0), rule.get_by_test_id("dmn-field").nth(1)
        amount.get_by_test_id("cell-op").select_option(label=comparison)
        amount.locator('input[type="number"]').fill("50")
        expect(amount).to_contain_text("万元")
        result.locator("select").select_option(label=answer)
        rule.get_by_label(f"第{index + 1}条的条文依据").fill(f"第六条：{basis}")
    assert not re.search(r"[A-Za-z_]{4,}|True|False|>=|<", editor.inner_text()), editor.inner_text()
    page.get_by_test_id("dmn-words-save").click()
    expect(page.get_by_test_id("dmn-words-saved")).to_be_visible()
    expect(page.get_by_test_id("save-state")).to_have_text("已全部保存")
    save_screenshot(page, "new-jurisdiction-6-decision-table")


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
    page.evaluate("""(id) => { const modeler = window.__govitModeler.modeler;  // scrolled to, as a user does
        modeler.get('canvas').scrollToElement(modeler.get('elementRegistry').get(id), 80); }""", shape["id"])
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


def cite(page: Page, article: str) -> None:
    """The selected element's article, picked from the regulation's list."""
    picker = page.get_by_test_id("properties-panel").get_by_test_id("article-picker")
    picker.get_by_test_id("article-add").select_option(article)
    expect(picker.get_by_test_id("cited-article").filter(has_text=article)).to_have_count(1)


def name_and_cite(page: Page, name: str, article: str, form: str | None = None) -> None:
    """The selected element's name, its article picked from the list and its form by title."""
    panel = page.get_by_test_id("properties-panel")
    field = panel.get_by_label("名称", exact=True)
    field.fill(name)
    field.blur()
    expect(panel.locator(".bio-properties-panel-header")).to_contain_text(name)
    cite(page, article)
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


def condition_in_words(page: Page, source: str, target: str, field: str, value: str, article: str) -> None:
    """A gateway's outgoing flow: its condition picked in words (the field, then the option, or
    为是/为否 for a yes-or-no value) and the article it applies."""
    click_shape(page, connection_of(page, source, target))
    words = page.get_by_test_id("properties-panel").get_by_test_id("condition-words")
    clause = words.get_by_test_id("condition-clause").first
    clause.get_by_test_id("condition-field").select_option(label=field)
    if value in ("为是", "为否"):
        clause.get_by_test_id("condition-op").select_option(label=value)
        said = f"{field}{value}"
    else:
        clause.get_by_test_id("condition-value").select_option(label=value)
        said = f"{field}为{value}"
    expect(words.get_by_test_id("condition-sentence")).to_have_text(f"条件：{said}")
    page.wait_for_function("([s, t, want]) => { const f = window.__govitModeler.modeler.get('elementRegistry')"
                           ".find((e) => e.type === 'bpmn:SequenceFlow' && e.source.businessObject.name === s"
                           " && e.target.businessObject.name === t); return f.businessObject.name === want; }",
                           arg=[source, target, said])
    cite(page, article)


def add_deadline(page: Page) -> None:
    """第四条's 5 working days: an intermediate event from the palette dropped on the review task's
    border, made a non-interrupting timer, its deadline picked in words; overdue, it ends 审核超期."""
    click_shape(page, shape_of(page, "bpmn:UserTask", "县数据局审核"))  # scrolled into view
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


KINDS = {"replace-with-user-task": "bpmn:UserTask", "replace-with-rule-task": "bpmn:BusinessRuleTask"}


def inside(shape: dict, lane: dict) -> bool:
    return lane["y"] <= shape["y"] and shape["y"] + shape["height"] <= lane["y"] + lane["height"]


def task(page: Page, name: str, office: str, article: str, form: str | None = None,
         kind: str = "replace-with-user-task") -> None:
    """From the selected shape, a task appended, made a user (or business rule) task with the
    wrench, dragged into its office's lane if it is not there, named, citing its article."""
    replace_with(page, append(page, "append.append-task", name), kind)
    if not inside(shape_of(page, KINDS[kind], name), shape_of(page, "bpmn:Lane", office)):
        drag_into_lane(page, shape_of(page, KINDS[kind], name), office)
    assert inside(shape_of(page, KINDS[kind], name), shape_of(page, "bpmn:Lane", office)), name
    click_shape(page, shape_of(page, KINDS[kind], name))
    name_and_cite(page, name, article, form)


def gateway(page: Page, name: str, article: str) -> None:
    """From the selected shape, an exclusive gateway appended, named and citing its article."""
    click_shape(page, append(page, "append.gateway", name))
    name_and_cite(page, name, article)


def end_event(page: Page, name: str, article: str) -> None:
    click_shape(page, append(page, "append.end-event", name))
    name_and_cite(page, name, article)


def connect(page: Page, source: str, target: str) -> None:
    """The context pad's connect entry from one named shape, then a click on the other."""
    page.get_by_role("button", name="显示全图").click()
    click_shape(page, next(s for s in shapes(page) if s["name"] == source and s["type"] != "bpmn:SequenceFlow"))
    page.locator('.djs-context-pad .entry[data-action="connect"]').click()
    to = next(s for s in shapes(page) if s["name"] == target and s["type"] != "bpmn:SequenceFlow")
    page.mouse.click(*screen_point(page, to["x"] + to["width"] / 2, to["y"] + to["height"] / 2))
    connection_of(page, source, target)


def select(page: Page, kind: str, name: str) -> None:
    click_shape(page, shape_of(page, kind, name))


# (gateway, target, field, value, article): every outcome of the process, in words
CONDITIONS = [
    ("审核结论", "判断是否专家评审", "审核结论", "通过", "第五条"),
    ("审核结论", "补正申请", "审核结论", "退回补正", "第五条"),
    ("审核结论", "不符合规划不予立项", "审核结论", "不予立项", "第五条"),
    ("是否专家评审", "专家评审", RESULT, "为是", "第六条"),
    ("是否专家评审", "报县财政局审核", RESULT, "为否", "第六条"),
    ("评审结论", "报县财政局审核", "评审结论", "通过", "第八条"),
    ("评审结论", "评审未通过", "评审结论", "不通过", "第七条"),
    ("资金审核结论", "项目立项", "资金审核结论", "同意", "第九条"),
    ("资金审核结论", "不予立项", "资金审核结论", "不同意", "第九条"),
]


def draw_process(page: Page) -> None:
    """Step 6: from the empty process's start event, as 第三条 to 第九条 say: the application (start)
    in 申请单位 into 受理申请; 县数据局审核 with its form, its 审核结论 退回补正 — a 补正申请 task
    of 申请单位 back to 受理申请 —, 不予立项 (不符合规划) or 通过; then the decision table says whether 专家评审 is
    needed (第六条), whose 不通过 ends 评审未通过; 报县财政局审核, where 县财政局审核 ends 项目立项
    or 不予立项. Every node named and citing its article, every outcome a condition in words
    citing its own."""
    page.get_by_test_id("file-tabs").get_by_text(f"流程图：{PROCESS}").click()
    page.wait_for_function("() => window.__govitModeler && window.__govitModeler.modeler")
    click_shape(page, shape_of(page, "bpmn:StartEvent"))
    name_and_cite(page, "提交项目申请", "第三条", "项目申请")
    gateway(page, "受理申请", "第五条")
    task(page, "县数据局审核", "县数据局", "第四条", "技术审核")
    gateway(page, "审核结论", "第五条")
    task(page, "判断是否专家评审", "县数据局", "第六条", kind="replace-with-rule-task")
    page.get_by_test_id("properties-panel").get_by_test_id("called-decision").select_option(label=DECISION)
    gateway(page, "是否专家评审", "第六条")
    task(page, "专家评审", "县数据局", "第七条", "专家评审")
    gateway(page, "评审结论", "第七条")
    end_event(page, "评审未通过", "第七条")
    select(page, "bpmn:ExclusiveGateway", "评审结论")
    gateway(page, "报县财政局审核", "第八条")
    task(page, "县财政局审核", "县财政局", "第九条", "资金审核")
    gateway(page, "资金审核结论", "第九条")
    end_event(page, "项目立项", "第九条")
    select(page, "bpmn:ExclusiveGateway", "资金审核结论")
    end_event(page, "不予立项", "第九条")
    select(page, "bpmn:ExclusiveGateway", "审核结论")
    task(page, "补正申请", "申请单位", "第五条", "项目申请")
    select(page, "bpmn:ExclusiveGateway", "审核结论")
    end_event(page, "不符合规划不予立项", "第五条")
    connect(page, "补正申请", "受理申请")
    connect(page, "是否专家评审", "报县财政局审核")
    for condition in CONDITIONS:
        condition_in_words(page, *condition)
    add_deadline(page)
    page.get_by_role("button", name="显示全图").click()
    expect(page.get_by_test_id("save-state")).to_have_text("有未保存的修改")
    page.get_by_test_id("modeler-page").get_by_role("button", name="保存", exact=True).first.click()
    expect(page.get_by_test_id("save-state")).to_have_text("已全部保存")
    save_screenshot(page, "new-jurisdiction-7-process")


def case_title(page: Page, draft_id: int) -> None:
    """Step 7: on the organisation page, the process's cases titled by the application's 项目名称;
    back in the modeler."""
    page.goto(f"/drafts/{draft_id}/organisation")
    page.get_by_label(f"「{PROCESS}」的案件标题取自").select_option(label="项目名称")
    expect(page.get_by_role("status").filter(has_text="案件标题")).to_have_text("已保存：案件标题取自「项目名称」")
    page.goto(f"/drafts/{draft_id}")
    expect(page.get_by_test_id("save-state")).to_have_text("已全部保存")


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


CITED = re.compile(r"^第[一二三四五六七八九十]+条(、第[一二三四五六七八九十]+条)*：")


def citations(diagram: str) -> tuple[list[str], list[str]]:
    """The names of the process's nodes and conditional flows that cite an article, and of those
    that do not."""
    cited, uncited = [], []
    for element in parse(diagram.encode()).iter("{*}*"):
        kind = etree.QName(element).localname
        node = kind.endswith(("Task", "Event", "Gateway"))
        if node or (kind == "sequenceFlow" and element.find("{*}conditionExpression") is not None):
            said = CITED.match(element.findtext("{*}documentation") or "")
            (cited if said else uncited).append(element.get("name") or kind)
    return cited, uncited


def switch_user(page: Page, username: str, name: str) -> None:
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    login(page, username)
    expect(page.get_by_test_id("current-user")).to_have_text(name)


def decide(page: Page, who: tuple[str, str], task_name: str, answers: dict[str, str]) -> None:
    """A county official finds the task in 我的待办 and decides it: a radio picked, an opinion typed."""
    switch_user(page, *who)
    nav(page, "我的待办")
    row = page.get_by_test_id("task-row").filter(has_text=CASE)  # titled by its project's name
    expect(row).to_have_count(1)
    row.get_by_role("link", name=task_name).click()
    expect(page.get_by_role("heading", name=task_name)).to_be_visible()
    for label, answer in answers.items():
        if label in OPTIONS:
            page.get_by_role("radio", name=answer, exact=True).check()
        else:
            page.get_by_label(label).fill(answer)
    save_screenshot(page, f"new-jurisdiction-{task_name}-{'-'.join(answers.values())[:12]}")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.get_by_test_id("task-result")).to_contain_text("已提交")


DATA, FINANCE = ("qh_data", "钱进"), ("qh_finance", "孙丽")


def run_a_case(page: Page) -> int:
    """Step 9: the county's applicant files an 80 万元 project with its proposal as a PDF; 县数据局's
    reviewer sends it back (退回补正), the applicant amends it, the reviewer passes it; being over
    50 万元 it goes to 专家评审 (passed), then 县财政局 agrees: 项目立项."""
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

    decide(page, DATA, "县数据局审核", {"审核结论": "退回补正", "审核意见": "请补充项目建议书中的运维方案。"})
    decide(page, ("qh_edu", "赵敏"), "补正申请", {"建设内容": "全县中小学教学平台升级，含五年运维方案"})
    decide(page, DATA, "县数据局审核", {"审核结论": "通过", "审核意见": "建设内容合理，同意。"})
    decide(page, DATA, "专家评审", {"评审结论": "通过", "评审意见": "专家组一致同意立项。"})
    decide(page, FINANCE, "县财政局审核", {"资金审核结论": "同意", "资金审核意见": "资金来源明确，同意。"})
    return case_id


def test_an_administrator_creates_a_jurisdiction_its_offices_and_its_people(page: Page, live_server: LiveServer):
    login_fast(page, live_server, "admin")
    draft_id = create_jurisdiction(page)
    set_organisation(page)
    create_people(page)
    add_process(page, draft_id)
    design_forms(page)
    decision_table(page)
    draw_process(page)
    case_title(page, draft_id)
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
    cited, uncited = citations(diagram)
    assert not uncited and len(cited) >= 27, (uncited, cited)  # 18 nodes, 9 outcomes
    forms = [json.loads(text) for path, text in draft["files"].items() if path.endswith(".schema.json")]
    keys = [key for form in forms for key in form["properties"]]
    assert len(forms) == len(FORMS) and len(keys) == len(set(keys)), keys  # no form overwrites another's field

    # the county's people walk a case through what the browser built
    case_id = run_a_case(page)
    live_server.tokens.pop("admin", None)  # 退出 in the browser ended the session its token belonged to
    case = live_server.call("GET", f"/instances/{case_id}", "admin")
    assert case.status_code == 200, case.text
    assert case.json()["status"] == "completed", case.json()
    documents = live_server.call("GET", f"/instances/{case_id}/attachments", "admin")
    assert [d["filename"] for d in documents.json()] == ["项目建议书.pdf"], documents.text
    assert_no_page_errors(page)
