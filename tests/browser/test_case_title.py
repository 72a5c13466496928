"""案件标题取自 on the organisation page of a jurisdiction built from nothing: the administrator
picks, by its Chinese label, the start-form field a process's cases are titled by; it is saved
into the draft (the manifest's `title_field`) and shown back after a reload, and the offices can
still be saved afterwards (the page follows the draft's revision)."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Page, expect

from ..revisions.test_new_jurisdiction import FIXTURE, FIXTURE_KEY, OFFICES, REGULATION, TITLE, UNITS
from .helpers import LiveServer, assert_no_page_errors, login_fast, save_screenshot

NAME = "云溪县"  # not the 青禾县 another browser test builds on the same server
PROCESS = "项目立项审批"


def _ok(reply, status: int = 200) -> dict:
    assert reply.status_code == status, reply.text
    return reply.json()


def drafted_jurisdiction(server: LiveServer) -> tuple[int, str]:
    """Through the API, as an administrator: the draft, its offices, an empty process, then the
    fixture's diagram and forms saved into it (its start form: 项目名称, 建设内容, an amount, a
    document). No title field is set."""
    draft = _ok(server.call("POST", "/drafts", "admin", json={"new_jurisdiction": {
        "name": NAME, "regulation_title": TITLE, "regulation_text": REGULATION}}), 201)
    _ok(server.call("PUT", f"/drafts/{draft['id']}/organisation", "admin", json={"offices": OFFICES, "units": UNITS}))
    draft = _ok(server.call("POST", f"/drafts/{draft['id']}/processes", "admin", json={"name": PROCESS}), 201)
    key = json.loads(draft["files"]["manifest.json"])["processes"][0]["key"]
    files = {f"{key}.bpmn": (FIXTURE / "project.bpmn").read_text("utf-8").replace(FIXTURE_KEY, key),
             **{f"forms/{f.name}": f.read_text("utf-8") for f in sorted((FIXTURE / "forms").iterdir())}}
    for path, content in files.items():
        draft = _ok(server.call("PUT", f"/drafts/{draft['id']}/files/{path}", "admin",
                                json={"content": content, "revision": draft["revision"]}))
    return draft["id"], key


def title_field(server: LiveServer, draft_id: int) -> str | None:
    manifest = json.loads(_ok(server.call("GET", f"/drafts/{draft_id}", "admin"))["files"]["manifest.json"])
    return manifest["processes"][0].get("title_field")


def test_the_case_title_is_picked_by_label_saved_and_shown_back(page: Page, live_server: LiveServer):
    draft_id, _ = drafted_jurisdiction(live_server)
    login_fast(page, live_server, "admin", f"/drafts/{draft_id}/organisation")
    expect(page.get_by_role("heading", name=f"{NAME}：机构与单位")).to_be_visible()

    processes = page.get_by_test_id("draft-processes")
    expect(processes.get_by_role("columnheader", name="案件标题取自")).to_be_visible()
    choice = page.get_by_label(f"「{PROCESS}」的案件标题取自")
    # the start form's two text fields by their labels; the amount and the document are not offered
    expect(choice.locator("option")).to_have_text(["（未设置）", "项目名称", "建设内容"])
    expect(choice.locator("option:checked")).to_have_text("（未设置）")

    choice.select_option(label="项目名称")
    expect(page.get_by_role("status")).to_have_text("已保存：案件标题取自「项目名称」")
    assert title_field(live_server, draft_id) == "project_name"
    save_screenshot(page, "case-title-chosen")

    page.reload()
    choice = page.get_by_label(f"「{PROCESS}」的案件标题取自")
    expect(choice.locator("option:checked")).to_have_text("项目名称")
    expect(page.locator("body")).not_to_contain_text(re.compile(r"[a-z]+_[a-z_]+"), use_inner_text=True)

    # the offices save on the revision the title moved to (no 请刷新后重试)
    page.get_by_role("button", name="添加单位").click()
    page.get_by_label(f"第{len(UNITS) + 1}个单位").fill("县审计局")
    page.get_by_role("button", name="保存机构与单位").click()
    expect(page.get_by_role("status").filter(has_text="已保存")).to_be_visible()
    choice.select_option(label="建设内容")
    expect(page.get_by_role("status").filter(has_text="案件标题")).to_have_text("已保存：案件标题取自「建设内容」")
    assert title_field(live_server, draft_id) == "construction_content"
    assert_no_page_errors(page)
