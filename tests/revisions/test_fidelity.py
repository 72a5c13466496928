"""The six classes of fidelity defect (issue 16), each refused at deploy in a fixture bundle
that has it, with a message naming the element; the sample bundle without them deploys, and a
bundle may record a choice (informational field, owner's threshold, declared date) openly."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from engine.errors import BundleInvalid
from engine.regulations.bundles import from_files
from engine.revisions.compiler import compile_bundle

from ..language.hostile.corpus import sample_files

pytestmark = pytest.mark.no_database

Edit = Callable[[str, str], str]


def _edit(file: str, old: str, new: str) -> Edit:
    def edit(name: str, text: str) -> str:
        if name != file:
            return text
        assert old in text, (file, old)
        return text.replace(old, new)
    return edit


def _manifest(change: Callable[[dict], None]) -> Edit:
    def edit(name: str, text: str) -> str:
        if name != "manifest.json":
            return text
        manifest = json.loads(text)
        change(manifest)
        return json.dumps(manifest, ensure_ascii=False)
    return edit


def _both(*edits: Edit) -> Edit:
    def edit(name: str, text: str) -> str:
        for one in edits:
            text = one(name, text)
        return text
    return edit


def _refusals(edit: Edit) -> list[dict]:
    with pytest.raises(BundleInvalid) as caught:
        compile_bundle(from_files(sample_files(edit)))
    return caught.value.errors


INFORMATIONAL = ', "x-informational": "示例办法第一条：会签意见供审核处参考，不改变流转"'
UNREAD_CHECK = _edit("forms/countersign.schema.json", INFORMATIONAL, "")
TYPED_UNITS = _edit("forms/review.schema.json", '"x-directory": "unit", "x-directory-role": "unit"', '"minLength": 1')
RAW_AMOUNT = _edit("scale.dmn", "<text>project_budget_yuan</text>", "<text>budget_yuan</text>")
TEN_DAYS = '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"P10D"</bpmn:timeDuration>'
FROM_STAMP = '<bpmn:timeDate xsi:type="bpmn:tFormalExpression">end_of_day(report_due)</bpmn:timeDate>'
STAMPED_DATE = _both(_edit("timers.bpmn", "<bpmn:script>reminded = True</bpmn:script>",
                           "<bpmn:script>report_due = today()</bpmn:script>"),
                     _edit("timers.bpmn", TEN_DAYS, FROM_STAMP))
ONE_SHOT = _edit("timers.bpmn", 'id="t_wait" name="等待两天"', 'id="t_wait" name="每月报送期届满"')
INVENTED = _edit("scale.dmn", "&lt; 100000", "&lt; 300000")

CLASSES = {
    "a check that cannot gate": (UNREAD_CHECK, "forms/countersign.schema.json", "agree", "不把关"),
    "routing by typed text": (TYPED_UNITS, "sample.bpmn", "countersign", "通讯录"),
    "a threshold on an undeclared amount": (RAW_AMOUNT, "scale.dmn", "in_budget", "条款所指的金额"),
    "a deadline from a stamped date": (STAMPED_DATE, "timers.bpmn", "t_timeout", "办理当天"),
    "a periodic duty that happens once": (ONE_SHOT, "timers.bpmn", "t_wait", "定期义务"),
    "an amount the text does not have": (INVENTED, "scale.dmn", "r_small", "30 万"),
}


@pytest.mark.parametrize("defect", list(CLASSES), ids=list(CLASSES))
def test_each_class_of_defect_is_refused_naming_the_element(defect: str) -> None:
    edit, file, element, words = CLASSES[defect]
    found = [e for e in _refusals(edit) if e["file"] == file and e["element"] == element]
    assert found, f"no refusal of {element} in {file}"
    assert any(words in e["message"] for e in found), found


def test_the_sample_without_the_defects_deploys() -> None:
    assert compile_bundle(from_files(sample_files()))


def test_a_recorded_choice_is_accepted() -> None:
    """The owner may keep a number the text lacks, saying so in the rule; may declare which date a
    script's date is; may keep a yes/no for the record with its reason."""
    reason = "<description>解释与取舍：示例单位以 30 万元为界</description>"
    owner_choice = _both(INVENTED, _edit("scale.dmn", '<rule id="r_small">', f'<rule id="r_small">{reason}'))
    assert compile_bundle(from_files(sample_files(owner_choice)))

    def declare(manifest: dict) -> None:
        manifest["data_dictionary"] = {**manifest.get("data_dictionary", {}),
                                       "report_due": {"label": "报送期限", "date": "催办之日（第七条）"}}
    assert compile_bundle(from_files(sample_files(_both(STAMPED_DATE, _manifest(declare)))))


def test_a_declared_amount_must_come_from_an_amount_field() -> None:
    def wrong_source(manifest: dict) -> None:
        manifest["amounts"]["project_budget_yuan"]["from"] = ["project_name"]
    found = [e for e in _refusals(_manifest(wrong_source)) if e["element"] == "project_budget_yuan"]
    assert found and "金额字段" in found[0]["message"]


def test_a_gate_by_form_rule_or_const_counts() -> None:
    pinned = _edit("forms/countersign.schema.json", INFORMATIONAL, ', "const": true')
    assert compile_bundle(from_files(sample_files(pinned)))
