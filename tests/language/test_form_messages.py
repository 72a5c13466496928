"""Chinese field messages for the JSON Schema forms (engine/language/forms.py)."""

from __future__ import annotations

import json

import pytest

from engine.errors import FormInvalid
from engine.language import forms

pytestmark = pytest.mark.no_database

# A send-back makes its reason required only through an if/then branch.
SCHEMA = {
    "type": "object",
    "required": ["review_result"],
    "properties": {
        "review_result": {"type": "string", "title": "审核结论",
                          "oneOf": [{"const": "pass", "title": "通过"}, {"const": "send_back", "title": "退回修改"}]},
        "send_back_reason": {"type": "string", "title": "退回理由"},
        "items": {"type": "array", "title": "明细",
                  "items": {"type": "object", "required": ["amount"],
                            "properties": {"amount": {"type": "integer", "title": "金额（元）"}}}},
    },
    "if": {"properties": {"review_result": {"const": "send_back"}}},
    "then": {"required": ["send_back_reason"]},
}


def errors_for(data: dict) -> list[dict]:
    with pytest.raises(FormInvalid) as caught:
        forms.validate(json.dumps(SCHEMA, ensure_ascii=False), data)
    return caught.value.errors


@pytest.mark.parametrize(("data", "expected"), [
    ({}, {"field": "review_result", "message": "「审核结论」为必填项"}),
    ({"review_result": "send_back"}, {"field": "send_back_reason", "message": "「退回理由」为必填项"}),
    ({"review_result": "pass", "items": [{}]}, {"field": "items/0/amount", "message": "「金额（元）」为必填项"}),
])
def test_a_missing_field_is_named_by_its_title_wherever_it_became_required(data: dict, expected: dict) -> None:
    assert expected in errors_for(data)
