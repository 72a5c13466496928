"""Gateway conditions in words (engine/regulations/condition_words.py): a flow's condition reads
as the regulation says it (「审核结论为通过」「预算金额不低于 50 万元」), words are written back in
the bundles' style as an expression the guarded evaluator runs, both ways without loss; and the
same through `POST /api/v1/words/condition` (any signed-in user) and `/words/condition/expression`
(administrators only; 422 naming the field)."""

from __future__ import annotations

import re

import pytest

from engine.language import HELPERS, Vocabulary
from engine.regulations.bundles import Bundle, discover, from_folders
from engine.regulations.condition_words import (
    ConditionField,
    ConditionWordsInvalid,
    condition_fields,
    expression_of,
    normalized,
    sentence,
    words_of,
)
from engine.regulations.rule_fields import bundle_fields
from engine.regulations.vocabulary import CJK
from engine.regulations.vocabulary import Vocabulary as Names
from engine.safe_xml import parse

from ..conftest import ROOT

BUNDLES = {bpmn_dir.name: from_folders(bpmn_dir, forms_dir) for bpmn_dir, forms_dir in
           discover(ROOT / "bpmn", ROOT / "forms")}
PROGRAM_NAME = r"[a-z]+_[a-z_]+|True|False|==|\""


def bundled_conditions() -> list[tuple[str, str]]:
    found = []
    for jurisdiction, bundle in BUNDLES.items():
        for file in bundle.manifest["bpmn_files"]:
            for el in parse(bundle.files[file]).iter("{*}conditionExpression"):
                if (el.text or "").strip():
                    found.append((jurisdiction, el.text.strip()))
    return found


def fields_of(jurisdiction: str) -> dict[str, ConditionField]:
    bundle = BUNDLES[jurisdiction]
    return condition_fields([bundle], bundle_fields(bundle))


CONDITIONS = bundled_conditions()
READ = [(j, e) for j, e in CONDITIONS if words_of(e) is not None]
WORDS = [
    {"clauses": [{"field": "review_result", "op": "eq", "value": "pass"}]},
    {"clauses": [{"field": "review_result", "op": "ne", "value": "pass"}]},
    {"clauses": [{"field": "expert_review_required", "op": "true"}]},
    {"clauses": [{"field": "classified", "op": "false"}]},
    {"clauses": [{"field": "budget_yuan", "op": "ge", "value": 500000}]},
    {"clauses": [{"field": "budget_yuan", "op": "lt", "value": 1500.5}]},
    {"clauses": [{"field": "delay_days", "op": "gt", "value": -3}]},
    {"clauses": [{"field": "go_live_date", "op": "le", "value": "2027-01-01"}]},
    {"clauses": [{"field": "route", "op": "in", "values": ["approval", "filing"]}]},
    {"clauses": [{"field": "route", "op": "in", "values": ["approval"]}]},
    {"join": "and", "clauses": [{"field": "a", "op": "eq", "value": "agree"},
                                {"field": "b", "op": "eq", "value": "agree"}]},
    {"join": "or", "clauses": [{"field": "a", "op": "true"}, {"field": "budget_yuan", "op": "le", "value": 0}]},
    {"clauses": [{"field": "budget_yuan", "op": "gt", "value": {"field": "price_cap_yuan"}}]},
    {"clauses": [{"field": "a", "op": "ne", "value": {"field": "b"}}]},
    {"clauses": [{"field": "route", "op": "not_in", "values": ["approval", "filing"]}]},
]
CASE = {"review_result": "pass", "expert_review_required": True, "classified": False, "budget_yuan": 600000,
        "delay_days": 1, "go_live_date": "2026-12-01", "route": "filing", "a": "agree", "b": "agree",
        "price_cap_yuan": 500000}


@pytest.mark.no_database
@pytest.mark.parametrize("words", WORDS, ids=lambda w: expression_of(w))
def test_words_written_as_an_expression_read_back_as_the_same_words(words):
    expression = expression_of(words)
    assert words_of(expression) == normalized(words), expression


@pytest.mark.no_database
@pytest.mark.parametrize("words", WORDS, ids=lambda w: expression_of(w))
def test_every_written_condition_runs_in_the_guarded_evaluator(words):
    outcome = Vocabulary(HELPERS).evaluate(expression_of(words), dict(CASE))
    assert isinstance(outcome, bool)


@pytest.mark.no_database
def test_the_bundles_style_is_written():
    assert [expression_of(w) for w in WORDS[:5]] == [
        'review_result == "pass"', 'review_result != "pass"', "expert_review_required == True",
        "classified == False", "budget_yuan >= 500000"]
    assert expression_of(WORDS[9]) == 'route in ("approval",)'
    assert expression_of(WORDS[10]) == 'a == "agree" and b == "agree"'
    assert [expression_of(w) for w in WORDS[12:]] == ["budget_yuan > price_cap_yuan", "a != b",
                                                      'route not in ("approval", "filing")']


@pytest.mark.no_database
@pytest.mark.parametrize(("jurisdiction", "expression"), READ, ids=[f"{j}:{e[:50]}" for j, e in READ])
def test_a_bundled_condition_that_reads_in_words_is_written_back_as_it_stands(jurisdiction, expression):
    words = words_of(expression)
    assert expression_of(words) == expression
    said = sentence(words, fields_of(jurisdiction))
    if said is not None:  # what the bundle names, it names in Chinese only
        assert CJK.search(said)
        assert not re.search(PROGRAM_NAME, said), said
        assert expression_of(words, fields_of(jurisdiction)) == expression  # and the check accepts it


@pytest.mark.no_database
def test_a_number_too_large_to_write_back_is_no_words():
    assert words_of(f"budget_yuan >= {10**400}") is None


@pytest.mark.no_database
def test_every_bundled_condition_of_a_readable_shape_reads_in_words():
    """A value a condition tests has a Chinese name (a form's title, the dictionary's label or the
    heading of the table column that yields it), and a code its name: what the words can hold,
    the bundles say."""
    unsaid = [(j, e) for j, e in READ if not sentence(words_of(e), fields_of(j))]
    assert len(CONDITIONS) > 170 and len(READ) > 160 and not unsaid, unsaid


@pytest.mark.no_database
def test_only_conditions_outside_the_shapes_stay_expressions():
    unread = sorted({e for _, e in CONDITIONS if words_of(e) is None})
    assert "len(countersign_units) > 0" in unread
    assert "data_owner_unit != applicant_unit" not in unread  # two fields compared read as words
    assert "construction_completed == True and completion_date > today()" in unread
    assert "(pre_review_expert_review_required == True or pre_review_experts_requested == True)" in unread
    assert all(" and " in e or " or " in e or "(" in e or "!=" in e for e in unread)


@pytest.mark.no_database
@pytest.mark.parametrize(("jurisdiction", "expression", "said"), [
    ("hunan-hrss", 'review_result == "pass"', "审核结论为通过"),
    ("hunan-hrss", "classified == True", "是否涉密项目：涉密"),
    ("hunan-hrss", "contractor_qualified == True", "资质是否符合：符合"),
    ("gongshu", "tender_confirmation_required == True", "需专家确认招标需求为是"),
    ("hunan-hrss", "small_project == True", "小额项目为是"),
    ("gongshu", 'review_conclusion == "pass" and library_decision == "exclude"',
     "审查结论为审查通过 且 审定意见为不予入库"),
    ("gongshu", 'review_conclusion != "pass"', "审查结论不为审查通过"),
    ("jingzhou", 'smart_city_countersign == "agree" and egov_countersign == "agree" and finance_countersign == "agree"',
     "三个会签意见均为同意"),
    ("jingzhou", 'route == "filing"', "适用程序为非财政性资金重大项目：向市智慧办（经信委）备案（第十一条）"),
    ("hunan-provincial", 'cross_department == True and coordination_mechanism in ("", "不涉及", "无")',
     "跨部门跨领域共建共享项目为是 且 跨部门协调和共建共享机制为空、“不涉及”或“无”"),
    ("gongshu", "price_cap_required == True and winning_bid_yuan > price_cap_yuan",
     "需确定最高限价为是 且 成交金额高于采购最高限价"),
    ("jiangyin-hrss", "data_owner_unit != applicant_unit", "数据归口管理科室与申请单位不同"),
    ("hunan-provincial", 'completion_acceptance_result == "pass" and go_live_date < cryptography_assessment_date '
     'and operation_cryptography_assessment_conclusion not in ("pass", "basic_pass")',
     "验收结论为验收合格 且 投入使用日期早于评估日期 且 投入运行前的密评结论不为符合或基本符合"),
    ("jingzhou", 'plan_status == "funded"', "年度计划安排为资金已纳入部门预算"),
    ("hunan-provincial", "application_blocked == True", "有未完成竣工验收或自评价的项目为是"),
])
def test_bundled_conditions_read_in_the_bundles_own_words(jurisdiction, expression, said):
    assert sentence(words_of(expression), fields_of(jurisdiction)) == said


TABLE = """<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="评审" namespace="x">
  <decision id="review" name="评审要求"><decisionTable id="t">
    <input id="i" label="预算">
      <inputExpression id="e" typeRef="integer"><text>budget_yuan</text></inputExpression></input>
    <output id="o1" label="评审方式" name="review_mode" typeRef="string">
      <outputValues id="v"><text>"会议评审","函审"</text></outputValues></output>
    <output id="o2" label="须专家评审" name="expert_review" typeRef="boolean"/>
    <output id="o3" label="评审费用上限（元）" name="fee_cap" typeRef="integer"/>
    <output id="o4" label="评审层级" name="level" typeRef="string"/>
    <output id="o5" label="评审层级说明" name="level_label" typeRef="string"/>
    <output id="o6" label="评审备注" name="note" typeRef="string"/>
    <rule id="r1"><inputEntry id="a"><text>&gt;= 500000</text></inputEntry>
      <outputEntry id="b"><text>"会议评审"</text></outputEntry><outputEntry id="c"><text>True</text></outputEntry>
      <outputEntry id="f"><text>20000</text></outputEntry><outputEntry id="g"><text>"city"</text></outputEntry>
      <outputEntry id="h"><text>"市级评审"</text></outputEntry>
      <outputEntry id="k"><text>"须报分管领导"</text></outputEntry>
    </rule></decisionTable></decision></definitions>"""


def table_bundle(dictionary: dict | None = None) -> Bundle:
    manifest = {"id": "t", "dmn_files": ["review.dmn"], "data_dictionary": dictionary or {}}
    return Bundle({"review.dmn": TABLE.encode()}, manifest)


@pytest.mark.no_database
def test_what_a_table_yields_is_named_by_its_columns():
    names = Names.of(table_bundle())
    assert [names.title(n) for n in ("review_mode", "expert_review", "fee_cap", "level")] == [
        "评审方式", "须专家评审", "评审费用上限（元）", "评审层级"]
    assert [names.output_kind(n) for n in ("review_mode", "expert_review", "fee_cap", "level", "note")] == [
        "choice", "boolean", "amount", "choice", "text"]  # a Chinese text a rule yields is no code
    assert names.options("review_mode") == [("会议评审", "会议评审"), ("函审", "函审")]
    assert names.value_title("level", "city") == "市级评审" and names.output_kind("budget_yuan") is None
    dictionary = Names.of(table_bundle({"level": {"label": "评审级别", "values": {"city": "市级"}}}))
    assert dictionary.title("level") == "评审级别" and dictionary.options("level") == [("city", "市级")]


@pytest.mark.no_database
def test_conditions_on_what_a_table_yields_read_in_words():
    bundle = table_bundle()
    fields = condition_fields([bundle], bundle_fields(bundle))
    cases = [('review_mode == "函审" and expert_review == True', "评审方式为函审 且 须专家评审为是"),
             ("fee_cap < 20000", "评审费用上限低于 2 万元"), ('level != "city"', "评审层级不为市级评审")]
    assert [sentence(words_of(e), fields) for e, _ in cases] == [s for _, s in cases]
    assert fields["expert_review"].where == "评审要求"
    with pytest.raises(ConditionWordsInvalid):
        expression_of({"clauses": [{"field": "review_mode", "op": "eq", "value": "书面"}]}, fields)


@pytest.mark.no_database
def test_sentences_for_amounts_numbers_dates_and_or():
    fields = {"budget_yuan": ConditionField("budget_yuan", "预算金额", "amount"),
              "days": ConditionField("days", "逾期天数", "number"),
              "go_live_date": ConditionField("go_live_date", "上线日期", "date"),
              "expert_review_required": ConditionField("expert_review_required", "需要专家评审", "boolean")}
    cases = [("budget_yuan >= 500000", "预算金额不低于 50 万元"), ("budget_yuan < 8000", "预算金额低于 8000 元"),
             ("days > 30", "逾期天数高于 30"), ('go_live_date <= "2027-03-01"', "上线日期不晚于 2027年3月1日"),
             ("expert_review_required == True or budget_yuan > 1500000", "需要专家评审为是 或 预算金额高于 150 万元")]
    assert [sentence(words_of(e), fields) for e, _ in cases] == [s for _, s in cases]


@pytest.mark.no_database
@pytest.mark.parametrize(("words", "field"), [
    ({"clauses": [{"field": "no_such_field", "op": "eq", "value": "pass"}]}, "clauses[0].field"),
    ({"clauses": [{"field": "review_result", "op": "eq", "value": "maybe"}]}, "clauses[0].value"),
    ({"clauses": [{"field": "review_result", "op": "ge", "value": "pass"}]}, "clauses[0].op"),
    ({"clauses": [{"field": "classified", "op": "eq", "value": "pass"}]}, "clauses[0].op"),
    ({"clauses": [{"field": "review_result", "op": "in", "values": []}]}, "clauses[0].values"),
    ({"clauses": [{"field": "review_result", "op": "in", "values": ["pass", "x"]}]}, "clauses[0].values[1]"),
    ({"join": "xor", "clauses": [{"field": "classified", "op": "true"}]}, "join"),
    ({"clauses": []}, "clauses"),
    ({"clauses": [{"field": "review_result", "op": "eq", "value": 'pass" or True or "'}]}, "clauses[0].value"),
    ({"clauses": [{"field": "__import__", "op": "true"}]}, "clauses[0].field"),
    ({"clauses": [{"field": "budget_yuan", "op": "ge", "value": float("nan")}]}, "clauses[0].value"),
    ({"clauses": [{"field": "budget_yuan", "op": "ge", "value": "五十万"}]}, "clauses[0].value"),
    ({"clauses": [{"field": "budget_yuan", "op": "ge", "value": 10**400}]}, "clauses[0].value"),
    ({"clauses": [{"field": "budget_yuan", "op": "ge", "value": float("inf")}]}, "clauses[0].value"),
    ({"clauses": [{"field": "budget_yuan", "op": "ge", "value": True}]}, "clauses[0].value"),
    ({"clauses": [{"field": "declared_budget_yuan", "op": "gt", "value": {"field": "no_such_field"}}]},
     "clauses[0].value"),
    ({"clauses": [{"field": "declared_budget_yuan", "op": "gt", "value": {"field": "declared_budget_yuan"}}]},
     "clauses[0].value"),
    ({"clauses": [{"field": "declared_budget_yuan", "op": "gt", "value": {"field": "review_result"}}]},
     "clauses[0].value"),  # an amount is compared with an amount only
    ({"clauses": [{"field": "review_result", "op": "eq", "value": {"field": "x or True"}}]}, "clauses[0].value"),
    ({"clauses": [{"field": "review_result", "op": "eq", "value": {"field": "classified", "x": 1}}]},
     "clauses[0].value"),
    ({"clauses": [{"field": "review_result", "op": "in", "values": [{"field": "classified"}]}]},
     "clauses[0].values[0]"),
    ({"clauses": [{"field": "review_result", "op": "not_in", "values": []}]}, "clauses[0].values"),
    ({"clauses": [{"field": "budget_yuan", "op": "not_in", "values": [1]}]}, "clauses[0].op"),
])
def test_words_that_cannot_be_a_condition_name_their_key(words, field):
    with pytest.raises(ConditionWordsInvalid) as refused:
        expression_of(words, fields_of("hunan-hrss"))
    assert refused.value.field == field and CJK.search(refused.value.message)


@pytest.fixture
def bundle_set() -> str:
    return "bundled"


def test_condition_words_through_http_labelled_by_the_draft(http):
    admin = http.as_("admin")
    draft = admin.post("/api/v1/drafts", {"jurisdiction": "hunan-hrss", "title": "条件"}).body
    read = admin.post("/api/v1/words/condition", {"expression": 'review_result == "pass"', "draft_id": draft["id"]})
    assert read.status == 200, read.body
    assert read.body["sentence"] == "审核结论为通过"
    assert read.body["words"] == {"join": "and", "clauses": [
        {"field": "review_result", "op": "eq", "value": "pass", "values": None}]}
    offered = {f["name"]: f for f in read.body["fields"]}
    assert {"value": "pass", "label": "通过"} in offered["review_result"]["options"]
    changed = {**read.body["words"], "clauses": [{"field": "review_result", "op": "eq", "value": "reject"},
                                                 {"field": "classified", "op": "true"}]}
    written = admin.post("/api/v1/words/condition/expression", {**changed, "draft_id": draft["id"]})
    assert written.status == 200, written.body
    assert written.body == {"expression": 'review_result == "reject" and classified == True',
                            "sentence": "审核结论为不予立项 且 是否涉密项目：涉密"}
    expert = admin.post("/api/v1/words/condition", {"expression": "len(countersign_units) > 0"})
    assert expert.status == 200 and expert.body["words"] is None and expert.body["sentence"] is None


def test_bad_condition_words_are_a_422_naming_the_field(http):
    admin = http.as_("admin")
    draft = admin.post("/api/v1/drafts", {"jurisdiction": "hunan-hrss", "title": "条件"}).body
    for clause, field in (({"field": "no_such_field", "op": "true"}, "clauses[0].field"),
                          ({"field": "review_result", "op": "eq", "value": "maybe"}, "clauses[0].value"),
                          ({"field": "review_result", "op": "lt", "value": 3}, "clauses[0].op")):
        reply = admin.post("/api/v1/words/condition/expression", {"clauses": [clause], "draft_id": draft["id"]})
        assert reply.status == 422, reply.body
        assert reply.body["errors"][0]["field"] == field and CJK.search(reply.body["title"])
    unknown_op = admin.post("/api/v1/words/condition/expression", {"clauses": [{"field": "classified", "op": "xor"}]})
    assert unknown_op.status == 422 and "op" in str(unknown_op.body)


def test_anyone_signed_in_reads_a_condition_in_words_only_administrators_write_one(http):
    """The catalogue shows every user a flow's condition as a sentence; a draft and writing stay
    the administrators'."""
    staff, admin = http.as_("hrss_it"), http.as_("admin")
    body = {"expression": 'review_result == "pass"'}
    read = staff.post("/api/v1/words/condition", body)
    assert read.status == 200, read.body
    assert read.body == admin.post("/api/v1/words/condition", body).body and CJK.search(read.body["sentence"])
    written = staff.post("/api/v1/words/condition/expression", read.body["words"])
    assert written.status == 403 and CJK.search(written.body["title"])
    draft = admin.post("/api/v1/drafts", {"jurisdiction": "hunan-hrss", "title": "条件"}).body
    assert staff.post("/api/v1/words/condition", {**body, "draft_id": draft["id"]}).status == 403
    assert http.anonymous.post("/api/v1/words/condition", body).status == 401
