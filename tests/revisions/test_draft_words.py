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


def test_a_new_tables_results_are_fields_a_gateway_may_test(http):
    """A result column added in the table editor is named by its heading: the words list it with
    its kind, and a gateway's condition on it reads as a sentence and is written back."""
    admin = http.as_("admin")
    draft = admin.post("/api/v1/drafts", {"jurisdiction": "hunan-hrss", "title": "词汇"}).body
    created = admin.post(f"/api/v1/drafts/{draft['id']}/decisions", {
        "revision": draft["revision"], "name": "专家评审要求",
        "inputs": [{"label": "预算资金", "variable": "declared_budget_yuan", "type": "amount"}],
        "outputs": [{"label": "须专家评审", "type": "boolean"}, {"label": "评审费用上限", "type": "amount"},
                    {"label": "评审专家人数", "type": "number"}]})
    assert created.status == 201, created.body
    fields = {f["label"]: f for f in admin.get(f"/api/v1/drafts/{draft['id']}/words").body["fields"]}
    kinds = [fields[k]["type"] for k in ("须专家评审", "评审费用上限（元）", "评审专家人数")]
    assert kinds == ["boolean", "amount", "number"]
    required, cap = fields["须专家评审"]["name"], fields["评审费用上限（元）"]["name"]
    read = admin.post("/api/v1/words/condition", {"expression": f"{required} == True and {cap} >= 20000",
                                                  "draft_id": draft["id"]})
    assert read.status == 200, read.body
    assert read.body["sentence"] == "须专家评审为是 且 评审费用上限不低于 2 万元"
    offered = {f["name"]: f for f in read.body["fields"]}
    assert offered[required]["where"] == "专家评审要求" and offered[cap]["label"] == "评审费用上限"
    written = admin.post("/api/v1/words/condition/expression", {
        "clauses": [{"field": required, "op": "false"}], "draft_id": draft["id"]})
    assert written.body == {"expression": f"{required} == False", "sentence": "须专家评审为否"}
    compared = admin.post("/api/v1/words/condition/expression", {"draft_id": draft["id"], "clauses": [
        {"field": cap, "op": "lt", "value": {"field": "declared_budget_yuan"}}]})
    assert compared.body == {"expression": f"{cap} < declared_budget_yuan", "sentence": "评审费用上限低于申报预算资金"}
    unlike = admin.post("/api/v1/words/condition/expression", {"draft_id": draft["id"], "clauses": [
        {"field": cap, "op": "lt", "value": {"field": required}}]})
    assert unlike.status == 422 and unlike.body["errors"][0]["field"] == "clauses[0].value"
