"""Forms by design (issue 17), in the modeler: every bundled form of every jurisdiction loaded into
the form designer and saved unchanged gives back the same JSON; a process owner builds a new form
with one field of every kind — a document upload and a choice from the directory among them —
sees the preview render each with its Chinese label as staff will get it, saves it, and the
draft's validation accepts it."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Page, expect

from ..conftest import ROOT
from .helpers import LiveServer, assert_no_page_errors, login_fast

LONG = 240_000  # 校验 simulates every path of the process on the server

# (label, kind as the designer's type list says it)
FIELDS = [
    ("项目名称", "单行文字"),
    ("建设内容", "多行文字"),
    ("项目预算", "金额（元，填写时显示万元）"),
    ("计划年度", "整数"),
    ("完成日期", "日期"),
    ("审核结论", "选项"),
    ("是否涉密", "是/否"),
    ("可行性研究报告", "附件"),
    ("承办科室", "单位/科室/人员（从名录选择）"),
]


def new_draft(server: LiveServer, title: str) -> dict:
    reply = server.call("POST", "/drafts", "admin", json={"jurisdiction": "gongshu", "title": title})
    assert reply.status_code == 201, reply.text
    return reply.json()


def open_designer(page: Page, server: LiveServer, draft: dict, form_title: str) -> None:
    login_fast(page, server, "admin", f"/drafts/{draft['id']}")
    expect(page.get_by_test_id("modeler-page")).to_be_visible()
    page.get_by_label("表单", exact=True).select_option(label=form_title)
    expect(page.get_by_test_id("form-designer")).to_be_visible()


def test_every_bundled_form_round_trips_through_the_designer(page: Page, live_server: LiveServer, shot) -> None:
    draft = new_draft(live_server, "表单设计器往返")
    open_designer(page, live_server, draft, "次年信息化项目申报")
    designer = page.get_by_test_id("form-designer")
    expect(designer.get_by_test_id("designer-field").first).to_contain_text("项目名称")
    # a bundled field in words: its 条件必填 read from the form's if/then
    designer.get_by_test_id("designer-field").get_by_role("button", name="紧急原因").click()
    editor = designer.get_by_test_id("field-editor")
    expect(editor.get_by_label("条件必填的字段")).to_have_value("emergency")
    expect(editor.get_by_label("条件必填的取值").locator("option:checked")).to_have_text("是（直接报区政府审批）")
    shot(page, "form-designer-bundled-form")

    schemas = sorted((ROOT / "forms").glob("*/*.schema.json"))
    assert len({p.parent.name for p in schemas}) == 5
    forms = []
    for path in schemas:
        ui = path.with_name(path.name.replace(".schema.json", ".uischema.json"))
        forms.append([path.read_text("utf-8"), ui.read_text("utf-8") if ui.exists() else None])
    saved = page.evaluate("""forms => forms.map(([s, u]) => {
        if (!window.__govitFormDesigner.load(s, u)) return null;
        return window.__govitFormDesigner.current();
    })""", forms)
    for path, (schema, ui), out in zip(schemas, forms, saved, strict=True):
        assert out is not None, path
        assert json.loads(out["schemaText"]) == json.loads(schema), path
        assert (out["uiText"] is None) if ui is None else json.loads(out["uiText"]) == json.loads(ui), path
    # loading is not editing: the draft has nothing unsaved
    expect(page.get_by_test_id("save-state")).to_have_text("已全部保存")

    # a field the designer cannot represent is kept and named as such
    merge = (ROOT / "forms" / "gongshu" / "merge_project.schema.json").read_text("utf-8")
    assert page.evaluate("s => window.__govitFormDesigner.load(s, null)", merge)
    row = designer.get_by_test_id("designer-field").filter(has_text="并入的项目")
    expect(row).to_contain_text("高级字段（在 JSON 中编辑）")
    row.get_by_role("button", name="并入的项目").click()
    expect(designer.get_by_test_id("advanced-field")).to_be_visible()

    # 专家视图: text that is not JSON is flagged (in Chinese) and not taken; JSON that parses is the form
    designer.get_by_role("tab", name="专家视图").click()
    raw = designer.get_by_label("字段定义")
    raw.fill("{")
    expect(designer.get_by_test_id("json-error")).to_contain_text("格式有误，修改未生效：")
    raw.fill(merge.replace('"title": "合并项目后重新申报"', '"title": "合并申报（专家修改）"', 1))
    expect(designer.get_by_test_id("json-error")).to_have_count(0)
    designer.get_by_role("tab", name="表单设计").click()
    expect(designer.get_by_label("表单标题")).to_have_value("合并申报（专家修改）")
    assert_no_page_errors(page)


def add_field(designer, label: str, kind: str) -> None:
    designer.get_by_label("新字段的标签").fill(label)
    designer.get_by_label("新字段的类型").select_option(label=kind)
    designer.get_by_role("button", name="添加字段").click()
    expect(designer.get_by_test_id("field-editor").get_by_label("标签")).to_have_value(label)


def test_a_new_form_built_by_design_previews_as_staff_see_it_and_validates(page: Page, live_server: LiveServer,
                                                                           shot) -> None:
    draft = new_draft(live_server, "表单设计器新表单")
    login_fast(page, live_server, "admin", f"/drafts/{draft['id']}")
    expect(page.get_by_test_id("modeler-page")).to_be_visible()
    # as a user does, once the draft's first diagram is on the canvas (a busy box imports slowly)
    expect(page.get_by_test_id("modeler-canvas").locator(".djs-element").first).to_be_attached()
    page.once("dialog", lambda dialog: dialog.accept("立项审核记录"))
    page.get_by_role("button", name="新建表单").click()
    designer = page.get_by_test_id("form-designer")
    expect(designer).to_be_visible()
    expect(designer.get_by_label("表单标题")).to_have_value("立项审核记录")
    designer.get_by_label("表单说明").fill("四（一）：领导小组办公室对申报项目进行审核")

    for label, kind in FIELDS:
        add_field(designer, label, kind)
        editor = designer.get_by_test_id("field-editor")
        if label == "项目名称":
            editor.get_by_label("必填", exact=True).check()
            articles = editor.get_by_label("条文依据").locator("option")
            expect(articles.nth(1)).to_be_attached()
            editor.get_by_label("条文依据").select_option(index=1)
            expect(editor.get_by_test_id("article-text")).to_be_visible()
        elif label == "审核结论":
            editor.get_by_label("选项 1").fill("通过")
            editor.get_by_label("选项 2").fill("退回")
            editor.get_by_label("必填", exact=True).check()
        elif label == "是否涉密":
            editor.get_by_label("必填", exact=True).check()
        elif label == "可行性研究报告":
            editor.get_by_label("图片").check()
            editor.get_by_label("单个文件大小上限（MB）").fill("10")
            editor.get_by_label("条件必填的字段").select_option(label="是否涉密")
            editor.get_by_label("条件必填的取值").select_option(label="是")
        elif label == "承办科室":
            editor.get_by_label("从名录选择").select_option(label="科室（处室）")

    # the preview is the form staff get: Chinese labels, the amount in 万元, the upload, the directory choice
    preview = designer.get_by_test_id("form-preview")
    for label in ["项目预算（元）", *(label for label, _ in FIELDS if label != "项目预算")]:
        expect(preview.locator("label", has_text=label).first).to_be_visible()
    expect(preview.get_by_role("radio", name="通过")).to_be_visible()
    expect(preview.get_by_role("radio", name="是")).to_be_visible()
    expect(preview.get_by_role("button", name="选择文件")).to_be_visible()
    preview.get_by_label("项目预算（元）").fill("3500000")
    expect(preview.get_by_test_id("amount-wan")).to_have_text("合 350 万元")
    expect(preview.get_by_label("承办科室").locator("option", has_text="区财政局")).to_be_attached()
    expect(designer.get_by_test_id("designer-field").filter(has_text="可行性研究报告")).to_contain_text("条件必填")
    text = designer.inner_text()
    assert not re.search(r"\b(text|amount|date|choice|yes_no|document|directory|number)_\d", text), text
    shot(page, "form-designer-new-form")

    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_test_id("modeler-status")).to_contain_text("已保存")
    expect(page.get_by_test_id("save-state")).to_have_text("已全部保存")
    files = live_server.call("GET", f"/drafts/{draft['id']}", "admin").json()["files"]
    [path] = [p for p, text in files.items() if p.endswith(".schema.json") and "立项审核记录" in text]
    schema = json.loads(files[path])
    props = {p["title"]: p for p in schema["properties"].values()}
    keys = {p["title"]: k for k, p in schema["properties"].items()}
    assert props["项目名称"]["x-article"] and keys["项目名称"] in schema["required"]
    attachment = props["可行性研究报告"]
    assert attachment["format"] == "attachment" and ".png" in attachment["x-attachment"]["accept"]
    assert attachment["x-attachment"]["maxBytes"] == 10 * 1024 * 1024
    assert props["承办科室"]["x-directory"] == "office"
    assert props["项目预算（元）"]["type"] == "integer"
    [rule] = schema["allOf"]
    assert rule["then"]["required"] == [keys["可行性研究报告"]]
    assert rule["if"]["properties"] == {keys["是否涉密"]: {"const": True}}

    page.get_by_role("button", name="校验").click()
    findings = page.get_by_test_id("validation-findings")
    expect(findings).to_contain_text("校验通过", timeout=LONG)
    assert_no_page_errors(page)
