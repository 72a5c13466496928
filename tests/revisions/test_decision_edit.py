"""A draft's decision tables edited in words through HTTP (`GET/PUT /drafts/{id}/decisions/{path}`):
every bundled table comes back unchanged when saved as read (and the bundle so saved compiles to
the specs every scenario test runs); a threshold raised in 万元 is
written in yuan as the bundles write it; choices, yes/no, rules added, removed and reordered,
the hit policy; bad cells are a 422 naming the rule; stale revisions a 409."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from engine.regulations.bundles import discover
from engine.regulations.vocabulary import CJK
from engine.safe_xml import parse

from ..compiled import compiled_specs
from ..conftest import ROOT, Reply

JURISDICTIONS = [d.name for d, _ in discover(ROOT / "bpmn", ROOT / "forms")]
CODE = re.compile(r"^[a-z]+(_[a-z]+)*$")


@pytest.fixture
def bundle_set() -> str:
    return "bundled"


def call(http, method: str, path: str, body: Any = None) -> Reply:
    return http.as_("admin")._call(method, f"/api/v1/drafts{path}", json=body)


def new_draft(http, jurisdiction: str) -> dict:
    reply = call(http, "POST", "", {"jurisdiction": jurisdiction, "title": "规则修订"})
    assert reply.status == 201, reply.body
    return reply.body


def cells(dmn: str) -> list[tuple[str, str]]:
    root = parse(dmn.encode())
    return [(e.get("id"), e.findtext("{*}text") or "") for e in root.iter("{*}inputEntry", "{*}outputEntry")]


def table(http, draft: dict, path: str) -> dict:
    reply = call(http, "GET", f"/{draft['id']}/decisions/{path}")
    assert reply.status == 200, reply.body
    return reply.body


def save(http, draft_id: int, path: str, revision: int, decisions: list[dict], status: int = 200) -> Reply:
    reply = call(http, "PUT", f"/{draft_id}/decisions/{path}", {"revision": revision, "decisions": decisions})
    assert reply.status == status, reply.body
    return reply


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
def test_every_bundled_table_saved_as_read_keeps_every_cell(http, jurisdiction):
    draft = new_draft(http, jurisdiction)
    revision, files = draft["revision"], draft["files"]
    for path in json.loads(draft["files"]["manifest.json"])["dmn_files"]:
        shown = table(http, draft, path)
        for decision in shown["decisions"]:
            columns = decision["inputs"] + decision["outputs"]
            assert all(CJK.search(c["label"]) for c in columns), path
            assert all(CJK.search(o["label"]) for c in columns for o in c["options"]), path
            assert CJK.search(decision["hit_policy_text"])
        saved = save(http, draft["id"], path, revision, shown["decisions"]).body
        assert saved["revision"] == revision + 1
        revision = saved["revision"]
        assert cells(saved["files"][path]) == cells(draft["files"][path]), path
        before, after = parse(draft["files"][path].encode()), parse(saved["files"][path].encode())
        assert [e.tag for e in before.iter()] == [e.tag for e in after.iter()], path
        assert [dict(e.attrib) for e in before.iter()] == [dict(e.attrib) for e in after.iter()], path
        files = saved["files"]
    # the bundle with every table saved through the editor runs every scenario as the repository's
    assert compiled_specs(files) == compiled_specs(draft["files"]), jurisdiction


def small_project(http, draft: dict) -> dict:
    shown = table(http, draft, "project_scale.dmn")
    return shown["decisions"][0]


def test_a_threshold_raised_in_wan_is_written_in_yuan(http):
    draft = new_draft(http, "hunan-hrss")
    decision = small_project(http, draft)
    amount = next(i for i, c in enumerate(decision["inputs"]) if c["type"] == "amount")
    assert decision["inputs"][amount]["label"] == "申报预算资金"
    thresholds = [(n, r["inputs"][amount]) for n, r in enumerate(decision["rules"])
                  if r["inputs"][amount]["op"] == "lt"]
    assert [c for _, c in thresholds] == [{"op": "lt", "values": [10]}, {"op": "lt", "values": [20]}]
    for n, _cell in thresholds:
        decision["rules"][n]["inputs"][amount] = {"op": "lt", "values": [decision["rules"][n]["inputs"][amount]
                                                                         ["values"][0] + 10]}
    saved = save(http, draft["id"], "project_scale.dmn", draft["revision"], [decision]).body
    texts = [t for _, t in cells(saved["files"]["project_scale.dmn"])]
    assert "< 200000" in texts and "< 300000" in texts and "< 100000" not in texts
    again = small_project(http, {**draft, "revision": saved["revision"]})
    assert [r["inputs"][amount] for r in again["rules"] if r["inputs"][amount]["op"] == "lt"] == [
        {"op": "lt", "values": [20]}, {"op": "lt", "values": [30]}]
    report = call(http, "POST", f"/{draft['id']}/validate").body
    change = [c["summary"] for c in report["diff"]["changes"] if c["file"] == "project_scale.dmn"]
    assert any("由 <10万 改为 <20万" in s for s in change), change


def test_choices_yes_no_between_policy_and_rules_added_removed_reordered(http):
    draft = new_draft(http, "hunan-hrss")
    decision = small_project(http, draft)
    category = next(i for i, c in enumerate(decision["inputs"]) if c["type"] == "choice")
    options = decision["inputs"][category]["options"]
    assert all(CJK.search(o["label"]) for o in options) and {"软件", "硬件"} <= {o["label"][:2] for o in options}
    wide = next(i for i, c in enumerate(decision["inputs"]) if c["type"] == "boolean")
    amount = next(i for i, c in enumerate(decision["inputs"]) if c["type"] == "amount")
    first, *rest = decision["rules"]
    added = {"description": "第十五条 新增规则", "inputs": [{"op": "any", "values": []} for _ in decision["inputs"]],
             "outputs": [dict(c) for c in first["outputs"]]}
    added["inputs"][category] = {"op": "in", "values": [o["value"] for o in options[:2]]}
    added["inputs"][wide] = {"op": "eq", "values": [False]}
    added["inputs"][amount] = {"op": "between", "values": [5, 8.5]}
    decision["rules"] = [*reversed(rest[:-1]), added, first]  # the last rule removed
    decision["hit_policy"] = "UNIQUE"
    saved = save(http, draft["id"], "project_scale.dmn", draft["revision"], [decision]).body
    root = parse(saved["files"]["project_scale.dmn"].encode())
    table_el = root.find(".//{*}decisionTable")
    assert table_el.get("hitPolicy") == "UNIQUE"
    rules = table_el.findall("{*}rule")
    assert [r.get("id") for r in rules][-1] == first["id"] and len(rules) == len(decision["rules"])
    new = rules[-2]
    texts = [e.findtext("{*}text") for e in new.findall("{*}inputEntry")]
    assert texts[wide] == "False" and texts[amount] == "50000 <= ? <= 85000"
    assert texts[category] == f"? in ({', '.join(json.dumps(o['value']) for o in options[:2])})"
    assert new.findtext("{*}description") == "第十五条 新增规则" and new.get("id")
    after = small_project(http, {**draft, "revision": saved["revision"]})
    assert after["rules"][-2]["inputs"] == added["inputs"] and after["hit_policy_name"] == "唯一命中"


@pytest.mark.parametrize(("cell", "column_type"), [
    ({"op": "lt", "values": ["十万"]}, "amount"),
    ({"op": "lt", "values": [-1]}, "amount"),
    ({"op": "between", "values": [1]}, "amount"),
    ({"op": "in", "values": ["no_such_code"]}, "choice"),
    ({"op": "lt", "values": [True]}, "boolean"),
    ({"op": "drop table", "values": []}, "choice"),
])
def test_a_bad_cell_is_a_422_naming_the_rule(http, cell, column_type):
    draft = new_draft(http, "hunan-hrss")
    decision = small_project(http, draft)
    index = next(i for i, c in enumerate(decision["inputs"]) if c["type"] == column_type)
    decision["rules"][0]["inputs"][index] = cell
    reply = save(http, draft["id"], "project_scale.dmn", draft["revision"], [decision], status=422)
    error = reply.body["errors"][0]
    assert error["element"] == decision["rules"][0]["id"] and error["file"] == "project_scale.dmn"
    assert decision["inputs"][index]["label"] in error["message"]
    assert call(http, "GET", f"/{draft['id']}").body["revision"] == draft["revision"]


def test_stale_revision_unknown_table_and_non_admin(http):
    draft = new_draft(http, "hunan-hrss")
    decision = small_project(http, draft)
    save(http, draft["id"], "project_scale.dmn", draft["revision"], [decision])
    assert save(http, draft["id"], "project_scale.dmn", draft["revision"], [decision], status=409)
    assert call(http, "GET", f"/{draft['id']}/decisions/nothing.dmn").status == 404
    assert call(http, "GET", f"/{draft['id']}/decisions/../manifest.json").status in (404, 422)
    unknown = dict(decision, id="Decision_unknown")
    assert save(http, draft["id"], "project_scale.dmn", draft["revision"] + 1, [unknown], status=422)
    odd_id = dict(decision, rules=[dict(decision["rules"][0], id=["list"])])
    assert save(http, draft["id"], "project_scale.dmn", draft["revision"] + 1, [odd_id], status=422)
    control = dict(decision, rules=[dict(decision["rules"][0], description="第十五条\x01")])
    assert save(http, draft["id"], "project_scale.dmn", draft["revision"] + 1, [control], status=422)
    staff = http.as_("hrss_division_a")._call("GET", f"/api/v1/drafts/{draft['id']}/decisions/project_scale.dmn")
    assert staff.status in (401, 403)


def test_a_table_from_nothing_takes_its_threshold_in_wan(http):
    draft = new_draft(http, "hunan-hrss")
    words = call(http, "GET", f"/{draft['id']}/words").body
    declared = next(f for f in words["fields"] if f["name"] == "declared_budget_yuan")  # the manifest's amount
    assert declared["type"] == "amount" and CJK.search(declared["label"])
    created = call(http, "POST", f"/{draft['id']}/decisions", {
        "revision": draft["revision"], "name": "专家评审要求",
        "inputs": [{"label": "预算资金", "variable": "declared_budget_yuan", "type": "amount"}],
        "outputs": [{"label": "须专家评审", "type": "boolean"}]})
    assert created.status == 201, created.body
    path = created.body["path"]
    assert path in json.loads(created.body["files"]["manifest.json"])["dmn_files"]
    shown = table(http, {**draft, "revision": created.body["revision"]}, path)
    [decision] = shown["decisions"]
    assert decision["name"] == "专家评审要求" and decision["hit_policy"] == "FIRST"
    assert [(c["label"], c["type"]) for c in decision["inputs"] + decision["outputs"]] == [
        ("预算资金", "amount"), ("须专家评审", "boolean")]
    decision["rules"] = [
        {"id": decision["rules"][0]["id"], "description": "第十五条：20万元以上须专家评审",
         "inputs": [{"op": "ge", "values": [20]}], "outputs": [{"op": "eq", "values": [True]}]},
        {"id": None, "description": "第十五条：其余项目", "inputs": [{"op": "any", "values": []}],
         "outputs": [{"op": "eq", "values": [False]}]}]
    saved = save(http, draft["id"], path, created.body["revision"], [decision]).body
    assert [t for _, t in cells(saved["files"][path])] == [">= 200000", "True", "", "False"]
    report = call(http, "POST", f"/{draft['id']}/validate").body
    assert not [p for p in report["problems"] if p.get("file") == path], report["problems"]
    refused = call(http, "POST", f"/{draft['id']}/decisions", {
        "revision": saved["revision"], "name": "专家评审要求",
        "inputs": [{"label": "预算资金", "type": "amount"}]})
    assert refused.status == 422 and "数据项" in refused.body["detail"], refused.body


RESULT = {"label": "须评审", "type": "boolean"}


def test_a_forms_money_field_is_judged_as_the_amount_its_article_means(http):
    """A condition column on a form's money field asks which amount the article means: the draft's
    manifest declares it (once, reused by a second table saying the same) and the column reads the
    declaration; without the meaning or the article it is a 422 naming the column."""
    draft = new_draft(http, "hunan-hrss")
    words = call(http, "GET", f"/{draft['id']}/words").body
    form_amount = next(f for f in words["fields"] if f["type"] == "amount" and not f["declared"])
    column = {"label": "预算金额", "variable": form_amount["name"], "type": "amount",
              "amount": {"meaning": "reviewed", "article": "第十五条"}}
    revision, declared = draft["revision"], []
    for name in ("审定金额评审要求", "审定金额监理要求"):
        created = call(http, "POST", f"/{draft['id']}/decisions", {
            "revision": revision, "name": name, "inputs": [column], "outputs": [RESULT]})
        assert created.status == 201, created.body
        revision = created.body["revision"]
        amounts = json.loads(created.body["files"]["manifest.json"])["amounts"]
        [variable] = [k for k, v in amounts.items()
                      if v["from"] == [form_amount["name"]] and v["meaning"] == "reviewed"]
        assert amounts[variable] == {"label": "预算金额", "meaning": "reviewed", "article": "第十五条",
                                     "from": [form_amount["name"]]}
        read = parse(created.body["files"][created.body["path"]].encode()).findtext(".//{*}inputExpression/{*}text")
        declared.append((variable, read))
    assert declared[0] == declared[1] and declared[0][0] == declared[0][1], declared
    shown = call(http, "GET", f"/{draft['id']}/words").body["fields"]
    assert next(f for f in shown if f["name"] == declared[0][0])["declared"] is True
    for amount, said in (({"article": "第十五条"}, "条款所指的金额"), ({"meaning": "funded"}, "依据条文")):
        refused = call(http, "POST", f"/{draft['id']}/decisions", {
            "revision": revision, "name": "专家评审要求", "inputs": [{**column, "amount": amount}]})
        assert refused.status == 422 and said in refused.body["detail"], refused.body
        assert refused.body["errors"][0]["element"] == "条件第1列"


def test_columns_added_renamed_reordered_and_removed_carry_their_cells(http):
    draft = new_draft(http, "hunan-hrss")
    decision = small_project(http, draft)
    before = {r["id"]: json.loads(json.dumps(r)) for r in decision["rules"]}
    wide, category, amount = decision["inputs"]
    decision["inputs"] = [amount, dict(category, label="项目类别（按第十五条）"),
                          {"label": "涉密项目", "variable": "classified", "type": "boolean"}]
    for rule in decision["rules"]:
        old = rule["inputs"]
        rule["inputs"] = [old[2], old[1], {"op": "any", "values": []}]
    saved = save(http, draft["id"], "project_scale.dmn", draft["revision"], [decision]).body
    after = small_project(http, {**draft, "revision": saved["revision"]})
    assert [c["label"] for c in after["inputs"]] == ["申报预算资金", "项目类别（按第十五条）", "涉密项目"]
    assert [c["type"] for c in after["inputs"]] == ["amount", "choice", "boolean"]
    for rule in after["rules"]:
        assert rule["inputs"][:2] == [before[rule["id"]]["inputs"][2], before[rule["id"]]["inputs"][1]]
        assert rule["inputs"][2] == {"op": "any", "values": []}
    root = parse(saved["files"]["project_scale.dmn"].encode())
    assert wide["id"] not in {el.get("id") for el in root.iter("{*}input")}
    assert all(len(r.findall("{*}inputEntry")) == 3 for r in root.iter("{*}rule"))
