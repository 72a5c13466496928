"""engine.revisions.diff: what changed between two versions of a regulation bundle (issue 4)."""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from engine.regulations.bundles import Bundle, from_folders
from engine.regulations.coverage import coverage
from engine.revisions.compiler import compile_bundle
from engine.revisions.diff import diff_bundles, summary_text, wan

ROOT = Path(__file__).resolve().parents[2]
# What officials never read: a program name, a literal, an operator as code, a file name
PROGRAM_TEXT = re.compile(r"[A-Za-z_]{2,}|==|!=|\"|\.(?:bpmn|dmn|json)\b")
FIXTURES = ROOT / "tests" / "fixtures"
V2 = FIXTURES / "revisions" / "gongshu-v2"


def _gongshu_v1() -> Bundle:
    return from_folders(ROOT / "bpmn" / "gongshu", ROOT / "forms" / "gongshu")


def _gongshu_v2() -> Bundle:
    return from_folders(V2 / "bpmn" / "gongshu", V2 / "forms" / "gongshu")


def _keys(diff: dict) -> set[tuple[str, str, str, str]]:
    return {(c["area"], c["kind"], c["change"], c["element"]) for c in diff["changes"]}


def _one(diff: dict, element: str) -> dict:
    found = [c for c in diff["changes"] if c["element"] == element]
    assert len(found) == 1, diff["summary"]
    return found[0]


# ------------------------------------------------------------------------ the gongshu revision

@pytest.fixture(scope="module")
def gongshu_diff() -> dict:
    return diff_bundles(_gongshu_v1(), _gongshu_v2(), "gongshu_project")


def test_gongshu_revision_names_exactly_the_revised_elements(gongshu_diff: dict) -> None:
    assert _keys(gongshu_diff) == {
        # (a) tender confirmation from 100万: the table, and the labels that state the amount
        ("dmn", "rule", "changed", "pc_rule_large"),
        ("dmn", "rule", "changed", "pc_rule_other"),
        ("bpmn", "gateway", "changed", "gw_tender_required"),
        ("bpmn", "flow", "changed", "f_tender_required"),
        ("bpmn", "flow", "changed", "f_tender_not_required"),
        # (b) contract filing within 7 working days: the timer and the overdue notice
        ("bpmn", "timer", "changed", "contract_filing_deadline"),
        ("bpmn", "task", "changed", "note_filing_overdue"),
        # (c) the new review step, its flows and its form
        ("bpmn", "task", "added", "review_contract_filing"),
        ("bpmn", "flow", "changed", "f_registered_contract"),
        ("bpmn", "flow", "added", "f_filing_reviewed"),
        ("form", "form", "added", "contract_filing_review.schema.json"),
        # (d) the revised regulation
        ("manifest", "regulation", "changed", "regulation"),
        ("file", "file", "changed", "regulation.txt"),
    }
    assert gongshu_diff["counts"] == {"added": 3, "removed": 0, "changed": 10}


def test_gongshu_threshold_in_wan(gongshu_diff: dict) -> None:
    rule = _one(gongshu_diff, "pc_rule_large")
    budget = "项目经费预算（元，最新审定/安排/调整）"  # the table reads the declared latest budget
    assert rule["before"][budget] == ">= 500000"
    assert rule["after"][budget] == ">= 1000000"
    assert rule["articles"] == ["五（一）"]
    assert rule["summary"].startswith("五（一）招标需求确认与最高限价（规则 1）由 ≥50万 改为 ≥100万")
    # the page's before → after: the column by its heading, each side in the table's words
    assert {"label": "项目经费预算（最新审定/安排/调整）", "before": "不低于 50 万元",
            "after": "不低于 100 万元"} in rule["details"]
    assert gongshu_diff["summary"][0] == rule["summary"], "the threshold is the most important change"


def test_gongshu_timer(gongshu_diff: dict) -> None:
    timer = _one(gongshu_diff, "contract_filing_deadline")
    assert timer["before"]["timer"] == "working_days_deadline(contract_signed_date, 5)"
    assert timer["after"]["timer"] == "working_days_deadline(contract_signed_date, 7)"
    assert timer["process"] == "gongshu_procurement"
    assert ("五（三）备案期限（签订后7个工作日） 期限由 自合同签订日期起 5 个工作日 改为 "
            "自合同签订日期起 7 个工作日") in timer["summary"]


def test_gongshu_new_task(gongshu_diff: dict) -> None:
    task = _one(gongshu_diff, "review_contract_filing")
    assert task["name"] == "合同备案材料审查"
    assert task["after"]["lane"] == "区数据资源局（领导小组办公室）"
    assert task["after"]["form"] == "contract_filing_review.schema.json"
    assert task["articles"] == ["五（三）"]
    assert "新增人工任务「合同备案材料审查」" in task["summary"]
    assert "泳道 区数据资源局（领导小组办公室）" in task["summary"]
    flow = _one(gongshu_diff, "f_registered_contract")
    assert flow["before"] == {"target": "end_contract_filed"}
    assert flow["after"] == {"target": "review_contract_filing"}
    assert "终点由「合同已备案」改为「合同备案材料审查」" in flow["summary"]


def test_gongshu_regulation(gongshu_diff: dict) -> None:
    # The draft for comment (status draft; its effective_from, if any, a placeholder) becomes the
    # enacted 2027 revision in force from 2027-01-01.
    reg = _one(gongshu_diff, "regulation")
    draft = _gongshu_v1().manifest["regulation"]
    assert reg["before"] == {"title": "拱墅区信息化项目管理办法（征求意见稿）", "status": "征求意见稿",
                             "effective_from": draft.get("effective_from"),
                             "effective_from_note": draft.get("effective_from_note")}
    assert reg["after"] == {"title": "拱墅区信息化项目管理办法（2027年修订版）", "status": "现行有效",
                            "effective_from": "2027-01-01", "effective_from_note": None}
    assert "生效日期由" in reg["summary"] and "改为 2027年1月1日" in reg["summary"]
    assert "征求意见稿" in reg["summary"] and "现行有效" in reg["summary"], reg["summary"]


def test_gongshu_summary_text(gongshu_diff: dict) -> None:
    text = summary_text(gongshu_diff)
    lines = text.splitlines()
    assert lines[0] == "共 13 项变更：新增 3 项，删除 0 项，修改 10 项。"
    assert lines[1].startswith("1. 五（一）招标需求确认与最高限价")
    assert "≥100万" in text
    assert "<" not in text, "no raw XML in the report"


def test_gongshu_v2_layout_was_regenerated_but_is_not_reported() -> None:
    # The fixture's procurement.bpmn was laid out anew: many shapes moved, none of it is a change.
    old = (ROOT / "bpmn" / "gongshu" / "procurement.bpmn").read_text("utf-8")
    new = (V2 / "bpmn" / "gongshu" / "procurement.bpmn").read_text("utf-8")
    bounds = re.compile(r"<dc:Bounds [^>]*>")
    assert len(set(bounds.findall(old)) - set(bounds.findall(new))) > 5


def test_gongshu_v2_is_a_valid_bundle() -> None:
    # The revision must deploy: compiled whole, every article still cited.
    bundle = _gongshu_v2()
    assert [p.key for p in compile_bundle(bundle)] == ["gongshu_project"]
    assert coverage(bundle).uncited == []
    assert bundle.hash != _gongshu_v1().hash


def test_every_change_has_a_chinese_sentence(gongshu_diff: dict) -> None:
    for change in gongshu_diff["changes"]:
        assert re.search(r"[\u4e00-\u9fff]", change["summary"]), change
        assert change["summary"] in gongshu_diff["summary"]
    assert len(gongshu_diff["summary"]) == len(gongshu_diff["changes"])


def test_identical_bundles_have_no_changes() -> None:
    diff = diff_bundles(_gongshu_v1(), _gongshu_v1())
    assert diff == {"changes": [], "summary": [], "counts": {"added": 0, "removed": 0, "changed": 0}}
    assert summary_text(diff) == "两个版本的流程包内容相同，无变更。"


def test_reverse_diff_mirrors(gongshu_diff: dict) -> None:
    back = diff_bundles(_gongshu_v2(), _gongshu_v1())
    assert back["counts"] == {"added": 0, "removed": 3, "changed": 10}
    assert ("bpmn", "task", "removed", "review_contract_filing") in _keys(back)
    assert "删除人工任务「合同备案材料审查」" in " ".join(back["summary"])


# ------------------------------------------------------------------------ small cases on the sample bundle

def _sample_copy(tmp_path: Path) -> tuple[Path, Path]:
    bpmn_dir, forms_dir = tmp_path / "bpmn" / "sample", tmp_path / "forms" / "sample"
    shutil.copytree(FIXTURES / "bpmn" / "sample", bpmn_dir)
    shutil.copytree(FIXTURES / "forms" / "sample", forms_dir)
    return bpmn_dir, forms_dir


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new), "utf-8")


def _edit_form(path: Path, change: Callable[[dict], None]) -> None:
    schema = json.loads(path.read_text("utf-8"))
    change(schema)
    path.write_text(json.dumps(schema, ensure_ascii=False, indent=2), "utf-8")


def _remove_task(b: Path, f: Path) -> None:
    _edit(b / "sample.bpmn", '<bpmn:flowNodeRef>resubmit</bpmn:flowNodeRef>', "")
    text = (b / "sample.bpmn").read_text("utf-8")
    text = re.sub(r'<bpmn:userTask id="resubmit".*?</bpmn:userTask>', "", text, flags=re.S)
    text = re.sub(r'<bpmn:sequenceFlow id="f_resubmitted"[^>]*/>', "", text)
    (b / "sample.bpmn").write_text(text, "utf-8")


def _change_condition(b: Path, f: Path) -> None:
    _edit(b / "sample.bpmn", 'review_result == "reject"', 'review_result in ("reject", "send_back")')


def _move_task_to_other_lane(b: Path, f: Path) -> None:
    _edit(b / "sample.bpmn", "<bpmn:flowNodeRef>accept</bpmn:flowNodeRef>", "")
    _edit(b / "sample.bpmn", "<bpmn:flowNodeRef>trial_wait</bpmn:flowNodeRef>",
          "<bpmn:flowNodeRef>trial_wait</bpmn:flowNodeRef><bpmn:flowNodeRef>accept</bpmn:flowNodeRef>")


def _rename_lane(b: Path, f: Path) -> None:
    _edit(b / "sample.bpmn", '<bpmn:lane id="lane_reviewer" name="审核处">',
          '<bpmn:lane id="lane_reviewer" name="审批处">')


def _change_dmn_cell(b: Path, f: Path) -> None:
    _edit(b / "scale.dmn", "&lt; 100000", "&lt; 1500000")


def _change_timer(b: Path, f: Path) -> None:
    _edit(b / "sample.bpmn", "working_days_deadline(today(), 5)", "working_days_deadline(today(), 10)")


def _add_field(b: Path, f: Path) -> None:
    _edit_form(f / "apply.schema.json", lambda s: s["properties"].update(
        contact_phone={"type": "string", "title": "联系电话", "pattern": "^[0-9-]+$"}))


def _remove_field(b: Path, f: Path) -> None:
    _edit_form(f / "apply.schema.json", lambda s: s["properties"].pop("category"))


def _change_field(b: Path, f: Path) -> None:
    def change(s: dict) -> None:
        s["properties"]["budget_yuan"]["minimum"] = 50000
        s["properties"]["category"]["oneOf"].append({"const": "service", "title": "服务"})
        s["required"].append("category")
    _edit_form(f / "apply.schema.json", change)


def _change_form_title(b: Path, f: Path) -> None:
    _edit_form(f / "apply.schema.json", lambda s: s.update(title="项目立项申请"))


CASES = [
    pytest.param(_remove_task, ("bpmn", "task", "removed", "resubmit"), None, None,
                 "第四条 删除人工任务「补正材料」", id="task-removed"),
    pytest.param(_change_condition, ("bpmn", "flow", "changed", "f_reject"),
                 {"condition": 'review_result == "reject"'}, {"condition": 'review_result in ("reject", "send_back")'},
                 "顺序流「不予立项」（初审结论 → 未予立项） 条件由 审核结论为不予立项 改为 "
                 "审核结论为不予立项或退回补正",
                 id="flow-condition"),
    pytest.param(_move_task_to_other_lane, ("bpmn", "task", "changed", "accept"),
                 {"lane": "审核处"}, {"lane": "申报单位"}, "第六条 验收 泳道由「审核处」改为「申报单位」",
                 id="task-lane"),
    pytest.param(_rename_lane, ("bpmn", "lane", "changed", "lane_reviewer"),
                 {"name": "审核处"}, {"name": "审批处"}, "泳道「审核处」更名为「审批处」（流程「示例项目」）",
                 id="lane-renamed"),
    pytest.param(_change_dmn_cell, ("dmn", "rule", "changed", "r_small"),
                 {"预算（元）": "< 100000"}, {"预算（元）": "< 1500000"},
                 "项目规模判定（规则 1）由 <10万 改为 <150万", id="dmn-cell"),
    pytest.param(_change_timer, ("bpmn", "timer", "changed", "review_late"),
                 {"timer": "working_days_deadline(today(), 5)"}, {"timer": "working_days_deadline(today(), 10)"},
                 "第三条 初审期限 期限由 5 个工作日 改为 10 个工作日", id="timer"),
    pytest.param(_add_field, ("form", "field", "added", "contact_phone"), None,
                 {"title": "联系电话", "type": "string", "pattern": "^[0-9-]+$", "required": False},
                 "表单「项目申请」新增字段「联系电话」", id="field-added"),
    pytest.param(_remove_field, ("form", "field", "removed", "category"),
                 {"title": "项目类别", "enum": ["software", "hardware"], "required": False}, None,
                 "表单「项目申请」删除字段「项目类别」", id="field-removed"),
    pytest.param(_change_form_title, ("form", "form", "changed", "apply.schema.json"),
                 {"title": "项目申请"}, {"title": "项目立项申请"}, "标题由「项目申请」改为「项目立项申请」",
                 id="form-title"),
]


@pytest.mark.parametrize(("mutate", "key", "before", "after", "phrase"), CASES)
def test_single_change(tmp_path: Path, mutate: Callable[[Path, Path], None], key: tuple, before: dict | None,
                       after: dict | None, phrase: str) -> None:
    old = from_folders(FIXTURES / "bpmn" / "sample", FIXTURES / "forms" / "sample")
    bpmn_dir, forms_dir = _sample_copy(tmp_path)
    mutate(bpmn_dir, forms_dir)
    diff = diff_bundles(old, from_folders(bpmn_dir, forms_dir))
    if key == ("bpmn", "task", "removed", "resubmit"):
        # the task's flows go with it
        assert _keys(diff) == {key, ("bpmn", "flow", "removed", "f_resubmitted")}
    else:
        assert _keys(diff) == {key}, diff["summary"]
    change = diff["changes"][0] if _keys(diff) == {key} else _one(diff, key[3])
    if before is not None:
        assert {k: change["before"].get(k) for k in before} == before
    else:
        assert change["before"] is None or key[2] == "removed"
    if after is not None:
        assert {k: change["after"].get(k) for k in after} == after
    else:
        assert change["after"] is None
    assert phrase in change["summary"], change["summary"]


def test_changed_field_lists_each_attribute(tmp_path: Path) -> None:
    old = from_folders(FIXTURES / "bpmn" / "sample", FIXTURES / "forms" / "sample")
    bpmn_dir, forms_dir = _sample_copy(tmp_path)
    _change_field(bpmn_dir, forms_dir)
    diff = diff_bundles(old, from_folders(bpmn_dir, forms_dir))
    assert _keys(diff) == {("form", "field", "changed", "budget_yuan"), ("form", "field", "changed", "category")}
    budget, category = _one(diff, "budget_yuan"), _one(diff, "category")
    assert (budget["before"], budget["after"]) == ({"minimum": 1}, {"minimum": 50000})
    assert "最小值由 1 元 改为 5 万元" in budget["summary"]
    assert category["before"] == {"enum": ["software", "hardware"], "required": False}
    assert category["after"] == {"enum": ["software", "hardware", "service"], "required": True}
    assert "必填由 否 改为 是" in category["summary"]


def test_form_description_and_formatting_are_not_changes(tmp_path: Path) -> None:
    old = from_folders(FIXTURES / "bpmn" / "sample", FIXTURES / "forms" / "sample")
    bpmn_dir, forms_dir = _sample_copy(tmp_path)
    _edit_form(forms_dir / "apply.schema.json", lambda s: s.update(description="第一条：申报单位提出申请。"))
    _edit(bpmn_dir / "sample.bpmn", "<bpmn:documentation>第三条：审核处五个工作日内初审。",
          "<bpmn:documentation>第三条：审核处应当在五个工作日内完成初审。")
    assert diff_bundles(old, from_folders(bpmn_dir, forms_dir))["changes"] == []


def test_layout_only_change_is_ignored(tmp_path: Path) -> None:
    bpmn_dir, forms_dir = tmp_path / "bpmn" / "gongshu", tmp_path / "forms" / "gongshu"
    shutil.copytree(ROOT / "bpmn" / "gongshu", bpmn_dir)
    shutil.copytree(ROOT / "forms" / "gongshu", forms_dir)
    path = bpmn_dir / "procurement.bpmn"
    text = path.read_text("utf-8")
    moved = re.sub(r'x="(\d+)"', lambda m: f'x="{int(m.group(1)) + 40}"', text)
    assert moved != text
    path.write_text(moved, "utf-8")
    new = from_folders(bpmn_dir, forms_dir)
    assert new.hash != _gongshu_v1().hash
    assert diff_bundles(_gongshu_v1(), new)["changes"] == []


def test_rules_matched_by_position_when_ids_are_regenerated(tmp_path: Path) -> None:
    old = from_folders(FIXTURES / "bpmn" / "sample", FIXTURES / "forms" / "sample")
    bpmn_dir, forms_dir = _sample_copy(tmp_path)
    _edit(bpmn_dir / "scale.dmn", 'rule id="r_small"', 'rule id="DecisionRule_0a1b2c"')
    _edit(bpmn_dir / "scale.dmn", 'rule id="r_other"', 'rule id="DecisionRule_9z8y7x"')
    assert diff_bundles(old, from_folders(bpmn_dir, forms_dir))["changes"] == []
    _edit(bpmn_dir / "scale.dmn", "&lt; 100000", "&lt; 80000")
    diff = diff_bundles(old, from_folders(bpmn_dir, forms_dir))
    assert _keys(diff) == {("dmn", "rule", "changed", "DecisionRule_0a1b2c")}
    assert "由 <10万 改为 <8万" in diff["summary"][0]


def test_added_rule_and_manifest_role(tmp_path: Path) -> None:
    old = from_folders(FIXTURES / "bpmn" / "sample", FIXTURES / "forms" / "sample")
    bpmn_dir, forms_dir = _sample_copy(tmp_path)
    _edit(bpmn_dir / "scale.dmn", '<rule id="r_other">',
          '<rule id="r_mid"><description>第二条：中型项目</description><inputEntry id="rmi"><text>&lt; 2000000</text>'
          '</inputEntry><outputEntry id="rmo"><text>False</text></outputEntry></rule><rule id="r_other">')
    manifest = json.loads((bpmn_dir / "manifest.json").read_text("utf-8"))
    manifest["roles"] = [r for r in manifest["roles"] if r["id"] != "finance"]
    (bpmn_dir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    diff = diff_bundles(old, from_folders(bpmn_dir, forms_dir))
    assert _keys(diff) == {("dmn", "rule", "added", "r_mid"), ("manifest", "role", "removed", "finance")}
    rule = _one(diff, "r_mid")
    assert rule["articles"] == ["第二条"]
    assert rule["summary"] == "第二条 项目规模判定新增规则 2：当 预算 <200万 时，小额项目为否"
    assert rule["details"] == [{"label": "预算", "before": None, "after": "低于 200 万元"},
                               {"label": "小额项目", "before": None, "after": "否"}]
    assert _one(diff, "finance")["summary"] == "删除角色「财务处」"


@pytest.mark.parametrize(("text", "expected"), [
    ("500000", "50万"), ("1500000", "150万"), (">= 1000000", ">= 100万"), ("15000", "1.5万"),
    ("9999", "9999"), ("2026-03-01", "2026-03-01"), ("budget_yuan_100000", "budget_yuan_100000"),
])
def test_wan(text: str, expected: str) -> None:
    assert wan(text) == expected


# ------------------------------------------------------------------------ what the page reads

def _said(diff: dict) -> list[str]:
    """Every text the diff page shows of a change: its name, sentence and before → after."""
    texts = []
    for change in diff["changes"]:
        texts += [change["name"], change["summary"]]
        for detail in change["details"]:
            texts += [detail["label"], detail["before"] or "", detail["after"] or ""]
    return texts


def _program_text(diff: dict) -> list[str]:
    return [t for t in _said(diff) if PROGRAM_TEXT.search(t)]


def _hunan_hrss() -> Bundle:
    return from_folders(ROOT / "bpmn" / "hunan-hrss", ROOT / "forms" / "hunan-hrss")


def _revised(bundle: Bundle, edits: dict[str, list[tuple[str, str]]]) -> Bundle:
    files = dict(bundle.files)
    for name, pairs in edits.items():
        text = files[name].decode("utf-8")
        for old, new in pairs:
            assert old in text, (name, old)
            text = text.replace(old, new, 1)
        files[name] = text.encode("utf-8")
    return Bundle(files=files, manifest=bundle.manifest)


HUNAN_EDITS = {
    "project_scale.dmn": [('<text>"software"</text>', '<text>"hardware"</text>'), ("&lt; 100000", "&lt; 200000"),
                          ('hitPolicy="FIRST"', 'hitPolicy="UNIQUE"')],
    "acceptance.bpmn": [("start_of_day(add_months(trial_start_date, trial_months))",
                         "start_of_day(add_months(trial_start_date, 6))")],
}


def test_decision_cells_hit_policy_and_timer_read_before_and_after_in_words() -> None:
    diff = diff_bundles(_hunan_hrss(), _revised(_hunan_hrss(), HUNAN_EDITS))
    rule = next(c for c in diff["changes"] if c["kind"] == "rule")
    # each changed cell: its column, the old words and the new (the codes stay in before/after)
    assert rule["details"] == [
        {"label": "项目类别", "before": "软件项目（信息应用系统）", "after": "硬件项目（设备配置）"},
        {"label": "申报预算资金", "before": "低于 10 万元", "after": "低于 20 万元"}]
    assert rule["before"]["项目类别"] == '"software"'
    assert "「项目类别」由 软件项目（信息应用系统） 改为 硬件项目（设备配置）；「申报预算资金」由 <10万 改为 <20万" \
        in rule["summary"]
    policy = next(c for c in diff["changes"] if c["kind"] == "decision")
    assert policy["details"] == [{"label": "命中策略", "before": "首条命中：自上而下，第一条适用的规则生效。",
                                  "after": "唯一命中：只有一条规则会适用：各条规则的条件互不重叠。"}]
    assert "命中策略由「首条命中」改为「唯一命中」" in policy["summary"]
    timer = next(c for c in diff["changes"] if c["kind"] == "timer")
    assert timer["details"] == [{"label": "期限", "before": "自试运行开始日期起，按本项目试运行期限（月）",
                                 "after": "自试运行开始日期起 6 个月"}]
    assert _program_text(diff) == []


def test_a_timer_or_condition_without_words_is_said_by_what_it_does(tmp_path: Path) -> None:
    old = from_folders(FIXTURES / "bpmn" / "sample", FIXTURES / "forms" / "sample")
    bpmn_dir, forms_dir = _sample_copy(tmp_path)
    _edit(bpmn_dir / "sample.bpmn", "working_days_deadline(today(), 5)", "working_days_deadline(today(), 5) + 0")
    _edit(bpmn_dir / "sample.bpmn", 'review_result == "reject"', 'len(review_result) == 6')
    diff = diff_bundles(old, from_folders(bpmn_dir, forms_dir))
    timer, flow = _one(diff, "review_late"), _one(diff, "f_reject")
    assert timer["details"] == [{"label": "期限", "before": "5 个工作日", "after": "按流程规则计算的期限"}]
    assert "期限由 5 个工作日 改为 按流程规则计算的期限" in timer["summary"]
    assert flow["details"] == [{"label": "条件", "before": "审核结论为不予立项", "after": "按流程规则判断"}]
    assert _program_text(diff) == []


def test_added_and_removed_elements_by_name_and_kind(tmp_path: Path) -> None:
    old = from_folders(FIXTURES / "bpmn" / "sample", FIXTURES / "forms" / "sample")
    bpmn_dir, forms_dir = _sample_copy(tmp_path)
    _remove_task(bpmn_dir, forms_dir)
    _add_field(bpmn_dir, forms_dir)
    _edit_form(forms_dir / "apply.schema.json", lambda s: s["properties"]["budget_yuan"].update(type="string"))
    diff = diff_bundles(old, from_folders(bpmn_dir, forms_dir))
    task = _one(diff, "resubmit")
    assert task["name"] == "补正材料" and task["change"] == "removed"
    assert {"label": "类型", "before": "人工任务", "after": None} in task["details"]
    assert {"label": "表单", "before": "补正材料", "after": None} in task["details"]
    assert "表单 补正材料" in task["summary"]  # the form by its title, not its file
    flow = _one(diff, "f_resubmitted")
    assert flow["name"] == "补正材料 → 初审" and "resubmit" not in flow["summary"]
    phone = _one(diff, "contact_phone")
    assert phone["summary"] == "表单「项目申请」新增字段「联系电话」（文字）"
    assert phone["details"] == [{"label": "类型", "before": None, "after": "文字"},
                                {"label": "必填", "before": None, "after": "否"}]
    budget = _one(diff, "budget_yuan")
    assert budget["details"] == [{"label": "类型", "before": "整数", "after": "文字"}]
    assert _program_text(diff) == []


def test_choices_of_a_field_by_their_names(tmp_path: Path) -> None:
    old = from_folders(FIXTURES / "bpmn" / "sample", FIXTURES / "forms" / "sample")
    bpmn_dir, forms_dir = _sample_copy(tmp_path)
    _change_field(bpmn_dir, forms_dir)
    category = _one(diff_bundles(old, from_folders(bpmn_dir, forms_dir)), "category")
    assert category["details"] == [{"label": "可选值", "before": "软件、硬件", "after": "软件、硬件、服务"},
                                   {"label": "必填", "before": "否", "after": "是"}]


def test_settings_by_name_people_as_name_and_unit(tmp_path: Path) -> None:
    old = from_folders(FIXTURES / "bpmn" / "sample", FIXTURES / "forms" / "sample")
    bpmn_dir, forms_dir = _sample_copy(tmp_path)
    manifest = json.loads((bpmn_dir / "manifest.json").read_text("utf-8"))
    manifest["lanes"]["审核处"] = "finance"
    manifest["expert_pools"]["general"] = manifest["expert_pools"]["general"][:2]
    manifest["processes"].append({"key": "sample_extra", "name": "额外流程", "title_field": "project_name"})
    (bpmn_dir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    diff = diff_bundles(old, from_folders(bpmn_dir, forms_dir))
    lane = _one(diff, "审核处")
    assert lane["summary"] == "泳道对应角色「审核处」角色由 审核处 改为 财务处"
    pool = _one(diff, "general")
    assert pool["name"] == "专家库" and pool["summary"].startswith("专家库成员由 ")
    assert pool["details"][0]["after"] == "、".join(
        f"{u['name']}（{u['unit']}）" for u in manifest["demo_users"] if u["username"] in ("s_expert_1", "s_expert_2"))
    assert _one(diff, "sample_extra")["summary"] == "新增流程「额外流程」（案件标题字段 项目名称）"
    assert _program_text(diff) == []


@pytest.mark.parametrize("mutate", [p.values[0] for p in CASES] + [_change_field, _change_form_title])
def test_no_program_text_in_any_single_change(tmp_path: Path, mutate: Callable[[Path, Path], None]) -> None:
    old = from_folders(FIXTURES / "bpmn" / "sample", FIXTURES / "forms" / "sample")
    bpmn_dir, forms_dir = _sample_copy(tmp_path)
    mutate(bpmn_dir, forms_dir)
    diff = diff_bundles(old, from_folders(bpmn_dir, forms_dir))
    assert diff["changes"] and _program_text(diff) == []
    assert all(c["details"] or c["change"] == "removed" or c["kind"] == "form" for c in diff["changes"])


def test_gongshu_revision_has_no_program_text(gongshu_diff: dict) -> None:
    assert _program_text(gongshu_diff) == []
    # a script has no words: it is said by what it does, the newer side marked as changed
    assert _one(gongshu_diff, "note_filing_overdue")["details"] == [
        {"label": "自动计算", "before": "按流程规则自动计算", "after": "按流程规则自动计算（已修改）"}]
    assert not PROGRAM_TEXT.search(summary_text(gongshu_diff))


# ------------------------------------------------------------------------ through the API

@pytest.fixture
def bundle_set() -> str:
    return "bundled"


def test_the_version_diff_says_each_change_in_words(http) -> None:
    """GET …/diff/{a}/{b}, which the diff page shows: a sentence and before → after in words for
    every change, no expression, code, id or file name."""
    key = "gongshu_project"
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        for top in ("bpmn", "forms"):
            for path in sorted((V2 / top / "gongshu").rglob("*")):
                if path.is_file():
                    zipped.writestr(f"{top}/gongshu/{path.relative_to(V2 / top / 'gongshu').as_posix()}",
                                    path.read_bytes())
    reply = http.client.post("/api/v1/deployments", headers={"Authorization": f"Bearer {http.as_('admin').token}"},
                             data={"file": (io.BytesIO(archive.getvalue()), "gongshu.zip"), "simulate": "false"},
                             content_type="multipart/form-data")
    assert reply.status_code in (200, 201), reply.get_json()
    diff = http.as_("gs_office").get(f"/api/v1/processes/{key}/versions/1/diff/2")
    assert diff.status == 200, diff.body
    assert _program_text(diff.body) == []
    rule = next(c for c in diff.body["changes"] if c["kind"] == "rule")
    assert {"label": "项目经费预算（最新审定/安排/调整）", "before": "不低于 50 万元",
            "after": "不低于 100 万元"} in rule["details"]
    timer = next(c for c in diff.body["changes"] if c["kind"] == "timer")
    assert timer["details"][0] == {"label": "期限", "before": "自合同签订日期起 5 个工作日",
                                   "after": "自合同签订日期起 7 个工作日"}
    text = http.as_("gs_office").get(f"/api/v1/processes/{key}/versions/1/diff/2", format="text")
    assert text.status == 200 and not PROGRAM_TEXT.search(text.body)
