"""A draft's vocabulary (`GET /drafts/{id}/words`): what the modeler's pickers offer — the
articles of the draft's own regulation text, date fields, forms, decisions, processes, roles
and named choices, all by their Chinese names; and it follows the draft's edits."""

from __future__ import annotations

import json

import pytest

from engine.regulations.vocabulary import CJK


@pytest.fixture
def bundle_set() -> str:
    return "bundled"


def test_the_vocabulary_of_a_draft_in_its_own_words(http):
    admin = http.as_("admin")
    draft = admin.post("/api/v1/drafts", {"jurisdiction": "hunan-hrss", "title": "词汇"}).body
    reply = admin.get(f"/api/v1/drafts/{draft['id']}/words")
    assert reply.status == 200, reply.body
    words = reply.body
    articles = {a["id"]: a["text"] for a in words["articles"]}
    assert articles["第十五条"].startswith("第十五条") and "10万" in articles["第十五条"].replace(" ", "")
    assert {"name": "trial_start_date", "label": "试运行开始日期"} in words["date_fields"]
    assert all(CJK.search(f["label"]) for f in words["date_fields"])
    assert all(f["file"].endswith(".schema.json") and CJK.search(f["title"]) for f in words["forms"])
    assert {d["file"] for d in words["decisions"]} == set(json.loads(draft["files"]["manifest.json"])["dmn_files"])
    assert {"id": "hunan_hrss_project", "name": "信息化建设项目", "file": "project.bpmn"} in words["processes"]
    assert {"id": "it_office", "name": "厅信息化办（厅统计信息中心）"} in words["roles"]
    category = next(c for c in words["choices"] if c["name"] == "category")
    assert category["label"] and all(CJK.search(o["label"]) for o in category["options"])


def test_the_vocabulary_follows_the_drafts_text(http):
    admin = http.as_("admin")
    draft = admin.post("/api/v1/drafts", {"jurisdiction": "hunan-hrss", "title": "词汇"}).body
    text = draft["files"]["regulation.txt"] + "\n第九十九条 本办法由新增条款补充。\n"
    saved = admin._call("PUT", f"/api/v1/drafts/{draft['id']}/files/regulation.txt",
                        json={"content": text, "revision": draft["revision"]})
    assert saved.status == 200, saved.body
    words = admin.get(f"/api/v1/drafts/{draft['id']}/words").body
    assert words["articles"][-1] == {"id": "第九十九条", "text": "第九十九条 本办法由新增条款补充。"}
    assert http.as_("hrss_division_a").get(f"/api/v1/drafts/{draft['id']}/words").status == 403
    assert admin.get("/api/v1/drafts/999999/words").status == 404
