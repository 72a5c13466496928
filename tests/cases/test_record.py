"""The 审批单 record (`GET /instances/{id}/record`): every submitted form in order, labelled by
the form that produced it; the 流转记录 in sentences, people by name and unit; nothing raw."""

from __future__ import annotations

import re

from .test_api_cases import APPLY, complete, only_task, start

RAW = re.compile(r"\b[a-z]+_[a-z_]+\b|\b(True|False|None|send_back|approve|software)\b|s_[a-z_0-9]+")


def _texts(value) -> list[str]:
    if isinstance(value, dict):
        return [t for k, v in value.items() if k not in ("action", "id", "sha256", "content_url", "media_type")
                for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return [value] if isinstance(value, str) else []


def test_the_record_is_labelled_by_the_forms_and_names_people(http):
    case = start(http, data={**APPLY, "budget_yuan": 800000})
    review = only_task(case, "review")["id"]
    complete(http, "s_reviewer", review, {"review_result": "send_back", "review_opinion": "补充预算明细"})
    reply = http.as_("s_unit_a").get(f"/api/v1/instances/{case['id']}/record")
    assert reply.status == 200, reply.body
    record = reply.body
    application, first_review = record["submissions"]
    assert application["form_title"] == "项目申请" and application["step"] == "申报"
    assert {f["label"]: f["value"] for f in application["fields"]} == {
        "项目名称": "社保卡应用升级", "预算金额（元）": "80 万元", "项目类别": "软件"}
    assert first_review["decision"] == "审核结论：退回补正" and first_review["opinion"] == "补充预算明细"
    assert first_review["office"] == "审核处" and first_review["step"] == "初审"
    assert first_review["by"]["label"].endswith("）") and "s_reviewer" not in first_review["by"]["label"]
    assert [t["text"] for t in record["timeline"]][:2] == ["提交申报", "办理「初审」"]
    assert record["started_by"]["unit"] == "甲单位"
    shown = " ".join(_texts(record))
    assert not RAW.search(shown), RAW.search(shown)


def test_a_case_nobody_may_see_has_no_record(http):
    case = start(http)
    assert http.as_("s_unit_b").get(f"/api/v1/instances/{case['id']}/record").status == 404


def test_values_the_diagram_derives_are_shown_by_their_dictionary_names(http):
    case = start(http)  # 80,000 元: the sample's decision table makes it a small project
    derived = http.as_("s_unit_a").get(f"/api/v1/instances/{case['id']}/record").body["derived"]
    assert derived == [{"label": "小额项目", "value": "是"}]
