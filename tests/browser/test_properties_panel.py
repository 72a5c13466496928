"""The modeler's properties panel (bpmn-js-properties-panel with the product's provider) as an
administrator uses it on a draft of hunan-hrss: it opens on the process, titled by its Chinese
name; no English word, identifier or file name shows in it for any kind of element; an article is
cited by picking it from the regulation's article list (and shown with its text); a timer set to
「5 个工作日」 gets the expression the server writes for those words and the canvas shows the
sentence; a task's form is chosen by its title; the diagram lies clear of the palette; a broken
element gets a lint marker while the diagram is edited."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from .helpers import RAW_TOKEN, LiveServer, assert_no_page_errors, login_fast

JURISDICTION = "hunan-hrss"
PROJECT = "project.bpmn"
ACCEPTANCE = "acceptance.bpmn"
TASK = "requirements_survey"  # 需求调研: cites 第七条、第十五条, has a form
TIMER = "wait_trial_operation"  # 试运行期满 (acceptance.bpmn)
ADDED = "第二十七条"  # 全程接受厅纪检监察室的监督
ENGLISH = re.compile(r"[A-Za-z]{2,}")

BO = """id => {
    const m = window.__govitModeler.modeler;
    const bo = m.get('elementRegistry').get(id).businessObject;
    const props = {};
    for (const v of (bo.extensionElements?.values || [])) {
        if (v.$type === 'spiffworkflow:Properties') for (const p of v.values || []) props[p.name] = p.value;
    }
    const timer = (bo.eventDefinitions || []).find((d) => d.$type === 'bpmn:TimerEventDefinition');
    return {doc: (bo.documentation || [])[0]?.text || '', props, timeDate: timer?.timeDate?.body || null};
}"""


@pytest.fixture
def draft(live_server: LiveServer) -> int:
    created = live_server.call("POST", "/drafts", "admin", json={"jurisdiction": JURISDICTION, "title": "属性面板"})
    assert created.status_code == 201, created.text
    return created.json()["id"]


def open_diagram(page: Page, name: str) -> None:
    page.get_by_test_id("file-tabs").locator(f'[data-key="{name}"]').click()
    page.wait_for_function("file => window.__govitModeler && window.__govitModeler.file === file", arg=name)
    expect(panel(page).locator(".bio-properties-panel-header")).to_be_visible()


def panel(page: Page):
    return page.get_by_test_id("properties-panel")


def select(page: Page, element_id: str) -> None:
    """Select an element as a click does; the page answers with its own selection a moment later,
    so wait until the element has stayed selected for a while."""
    assert page.evaluate("id => window.__govitModeler.select(id)", element_id)
    page.wait_for_function("""id => new Promise((done) => setTimeout(() => {
        const now = window.__govitModeler.modeler.get('selection').get();
        const held = now.length === 1 && now[0].id === id;
        if (!held) window.__govitModeler.select(id);
        done(held);
    }, 150))""", arg=element_id)
    expect(panel(page).locator(".bio-properties-panel-header")).to_contain_text(
        page.evaluate("id => window.__govitModeler.modeler.get('elementRegistry').get(id).businessObject.name || ''",
                      element_id))


def test_panel_opens_on_the_process_in_chinese(page: Page, live_server: LiveServer, draft: int) -> None:
    login_fast(page, live_server, "admin", f"/drafts/{draft}")
    open_diagram(page, PROJECT)
    header = panel(page).locator(".bio-properties-panel-header")
    expect(header).to_have_text("信息化建设项目")  # the process's name, not Collaboration_…
    expect(panel(page).get_by_label("流程名称")).to_have_value("信息化建设项目")

    # every kind of element: Chinese only, no identifier, no file name
    kinds = page.evaluate("""() => {
        const m = window.__govitModeler.modeler;
        const first = {};
        for (const el of m.get('elementRegistry').getAll()) {
            if (el.type === 'label' || !el.businessObject.name) continue;
            const bo = el.businessObject;
            const key = el.type + ((bo.eventDefinitions || []).map((d) => d.$type).join('') || '')
                + (bo.loopCharacteristics ? 'loop' : '');
            if (!(key in first)) first[key] = el.id;
        }
        return first;
    }""")
    ids = set(page.evaluate("() => window.__govitModeler.modeler.get('elementRegistry').getAll().map((e) => e.id)"))
    assert len(kinds) >= 8, kinds
    for kind, element_id in kinds.items():
        select(page, element_id)
        text = panel(page).inner_text()
        assert not ENGLISH.findall(text), f"{kind}: {ENGLISH.findall(text)} in {text[:400]}"
        assert not RAW_TOKEN.findall(text), f"{kind}: {RAW_TOKEN.findall(text)}"
        assert not [i for i in ids if i in text], f"{kind}: an element id in the panel"

    # a lane shows its role by name; a task shows its lane's office
    lane = page.evaluate("() => window.__govitModeler.modeler.get('elementRegistry')"
                         ".find((e) => e.type === 'bpmn:Lane').id")
    select(page, lane)
    role = panel(page).get_by_test_id("lane-role")
    expect(role).not_to_have_value("")
    expect(role.locator("option:checked")).not_to_have_text(re.compile(r"[a-z_]"))
    select(page, TASK)
    expect(panel(page).get_by_test_id("task-office")).to_contain_text("办理科室")
    assert_no_page_errors(page)


def test_diagram_lies_clear_of_the_palette(page: Page, live_server: LiveServer, draft: int) -> None:
    login_fast(page, live_server, "admin", f"/drafts/{draft}")
    open_diagram(page, PROJECT)
    under = page.evaluate("""() => {
        const canvas = document.querySelector('[data-testid="modeler-canvas"]');
        const right = canvas.querySelector('.djs-palette').getBoundingClientRect().right;
        return [...canvas.querySelectorAll('g.djs-shape')]
            .map((g) => [g.dataset.elementId, g.getBoundingClientRect().left])
            .filter(([, left]) => left < right);
    }""")
    assert not under, f"shapes under the palette: {under[:5]}"


def test_article_picked_from_the_regulation(page: Page, live_server: LiveServer, draft: int) -> None:
    login_fast(page, live_server, "admin", f"/drafts/{draft}")
    open_diagram(page, PROJECT)
    select(page, TASK)
    before = page.evaluate(BO, TASK)["doc"]
    head, rest = before.split("：", 1)
    assert head == "第七条、第十五条", before
    picker = panel(page).get_by_test_id("article-picker")
    expect(picker.get_by_test_id("cited-article")).to_have_count(2)
    expect(picker.get_by_test_id("cited-article").first).to_contain_text("需求调研")  # 第七条's text
    description = panel(page).get_by_label("说明", exact=True)
    expect(description).to_have_value(rest)  # the citation is not typed in the description

    picker.get_by_test_id("article-add").select_option(ADDED)
    expect(picker.get_by_test_id("cited-article")).to_have_count(3)
    expect(picker.get_by_test_id("cited-article").last).to_contain_text("纪检监察室")
    assert page.evaluate(BO, TASK)["doc"] == f"第七条、第十五条、{ADDED}：{rest}"
    expect(page.get_by_test_id("save-state")).to_have_text("有未保存的修改")

    picker.get_by_test_id("cited-article").last.get_by_role("button", name="移除").click()
    expect(picker.get_by_test_id("cited-article")).to_have_count(2)
    assert page.evaluate(BO, TASK)["doc"] == before
    assert_no_page_errors(page)


def test_form_chosen_by_its_title(page: Page, live_server: LiveServer, draft: int) -> None:
    words = live_server.call("GET", f"/drafts/{draft}/words", "admin")
    assert words.status_code == 200, words.text
    forms = {f["file"].split("/")[-1]: f["title"] for f in words.json()["forms"]}
    login_fast(page, live_server, "admin", f"/drafts/{draft}")
    open_diagram(page, PROJECT)
    select(page, TASK)
    current = page.evaluate(BO, TASK)["props"]["formJsonSchemaFilename"]
    choice = panel(page).get_by_test_id("task-form")
    expect(choice.locator("option:checked")).to_have_text(forms[current])
    other = next(f for f in sorted(forms) if f != current and f.endswith(".schema.json"))
    choice.select_option(label=forms[other])
    props = page.evaluate(BO, TASK)["props"]
    assert props["formJsonSchemaFilename"] == other
    expect(panel(page)).not_to_contain_text(".json")
    choice.select_option(label=forms[current])
    props = page.evaluate(BO, TASK)["props"]
    assert props["formJsonSchemaFilename"] == current
    assert props["formUiSchemaFilename"] == current.replace(".schema.json", ".uischema.json")
    assert_no_page_errors(page)


def test_timer_set_in_words(page: Page, live_server: LiveServer, draft: int) -> None:
    expected = live_server.call("POST", "/words/timer/expression", "admin",
                                json={"kind": "working_days", "n": 5, "from_field": None, "draft_id": draft})
    assert expected.status_code == 200, expected.text
    login_fast(page, live_server, "admin", f"/drafts/{draft}")
    open_diagram(page, ACCEPTANCE)
    overlay = page.get_by_test_id("modeler-canvas").locator(
        f'.djs-overlays[data-container-id="{TIMER}"] .govit-timer-sentence')
    expect(overlay).to_have_count(1)  # the current deadline, as a sentence on the canvas
    select(page, TIMER)
    words = panel(page).get_by_test_id("timer-words")
    expect(words.get_by_test_id("timer-expert")).not_to_have_attribute("open", "")  # folded: it is a sentence
    sentence = words.get_by_test_id("timer-sentence")
    words.get_by_test_id("timer-n").fill("5")  # a number instead of the count the process computes
    expect(sentence).to_have_text("期限：自试运行开始日期起 5 个月")
    words.get_by_test_id("timer-kind").select_option("working_days")
    expect(sentence).to_contain_text("5 个工作日")
    words.get_by_test_id("timer-from").select_option("")  # from the day the waiting starts
    expect(words.get_by_test_id("timer-sentence")).to_have_text(f"期限：{expected.json()['sentence']}")
    assert expected.json()["sentence"] == "5 个工作日"
    page.wait_for_function("([id, want]) => { const m = window.__govitModeler.modeler;"
                           " const d = m.get('elementRegistry').get(id).businessObject.eventDefinitions[0];"
                           " return d.timeDate && d.timeDate.body === want; }",
                           arg=[TIMER, expected.json()["expression"]])
    expect(overlay).to_have_text("5 个工作日")
    expect(page.get_by_test_id("save-state")).to_have_text("有未保存的修改")
    assert_no_page_errors(page)


def test_lint_marks_a_broken_element(page: Page, live_server: LiveServer, draft: int) -> None:
    login_fast(page, live_server, "admin", f"/drafts/{draft}")
    open_diagram(page, PROJECT)
    lint = page.get_by_test_id("modeler-canvas").locator(f'.djs-overlays[data-container-id="{TASK}"] .bjsl-overlay')
    page.wait_for_function("() => window.__govitModeler.modeler.get('linting').isActive()")
    expect(lint).to_have_count(0)  # the bundled diagram is clean
    select(page, TASK)
    panel(page).get_by_label("名称", exact=True).fill("")  # a task without a name
    expect(lint).to_have_count(1)
    messages = lint.locator(".message").all_text_contents()
    assert messages and all(re.search(r"[\u4e00-\u9fff]", m) and not ENGLISH.search(m) for m in messages), messages
    assert_no_page_errors(page)


def test_lane_role_and_name_kept_in_the_manifest(page: Page, live_server: LiveServer, draft: int) -> None:
    def manifest() -> dict:
        reply = live_server.call("GET", f"/drafts/{draft}", "admin")
        assert reply.status_code == 200, reply.text
        return json.loads(reply.json()["files"]["manifest.json"])

    before = manifest()
    login_fast(page, live_server, "admin", f"/drafts/{draft}")
    open_diagram(page, PROJECT)
    lane_id, lane_name = page.evaluate("""() => {
        const lane = window.__govitModeler.modeler.get('elementRegistry').find((e) => e.type === 'bpmn:Lane');
        return [lane.id, lane.businessObject.name];
    }""")
    role = before["lanes"][lane_name]
    names = {r["id"]: r["name"] for r in before["roles"]}
    other = next(r for r in names if r != role)
    select(page, lane_id)
    choice = panel(page).get_by_test_id("lane-role")
    expect(choice.locator("option:checked")).to_have_text(names[role])  # the role by its name
    choice.select_option(label=names[other])
    renamed = f"{lane_name}（新）"
    panel(page).get_by_label("名称", exact=True).fill(renamed)
    expect(page.get_by_test_id("modeler-canvas").locator(f'[data-element-id="{lane_id}"]').first).to_contain_text(renamed)
    page.get_by_test_id("modeler-page").get_by_role("button", name="保存", exact=True).first.click()
    expect(page.get_by_test_id("save-state")).to_have_text("已全部保存")
    after = manifest()
    assert after["lanes"].get(renamed) == other, after["lanes"]
    assert lane_name not in after["lanes"], after["lanes"]
    assert_no_page_errors(page)


def test_condition_is_an_expert_field(page: Page, live_server: LiveServer, draft: int) -> None:
    login_fast(page, live_server, "admin", f"/drafts/{draft}")
    open_diagram(page, PROJECT)
    flow, body = page.evaluate("""() => {
        const flow = window.__govitModeler.modeler.get('elementRegistry')
            .find((e) => e.type === 'bpmn:SequenceFlow' && e.businessObject.conditionExpression);
        return [flow.id, flow.businessObject.conditionExpression.body];
    }""")
    select(page, flow)
    box = panel(page).get_by_label("专家：条件表达式")
    expect(box).to_have_value(body)
    changed = f"({body}) and True"
    box.fill(changed)
    box.blur()
    page.wait_for_function("([id, want]) => window.__govitModeler.modeler.get('elementRegistry').get(id)"
                           ".businessObject.conditionExpression.body === want", arg=[flow, changed])
    expect(page.get_by_test_id("save-state")).to_have_text("有未保存的修改")
    page.get_by_test_id("modeler-page").get_by_role("button", name="撤销", exact=True).click()
    page.wait_for_function("([id, want]) => window.__govitModeler.modeler.get('elementRegistry').get(id)"
                           ".businessObject.conditionExpression.body === want", arg=[flow, body])
    expect(box).to_have_value(body)
    assert_no_page_errors(page)
