"""Deadlines in words (engine/regulations/timer_words.py): a timer expression reads as the
regulation states it (「自合同签订日期起 5 个工作日」), words are written back as an expression the
guarded evaluator runs on the working-day calendar, both ways without loss; and the same
through `POST /api/v1/words/timer` and `/words/timer/expression` (422 naming the field)."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from engine.language import HELPERS, Vocabulary
from engine.regulations.bundles import discover, from_folders
from engine.regulations.timer_words import (
    TimerWordsInvalid,
    expression_of,
    field_labels,
    normalized,
    sentence,
    words_of,
)
from engine.regulations.vocabulary import CJK
from engine.safe_xml import parse

from ..conftest import ROOT

BUNDLES = discover(ROOT / "bpmn", ROOT / "forms")
PROGRAM_NAME = r"[a-z]+_[a-z_]+|\(|today"


def bundled_timers() -> list[tuple[str, str]]:
    found = []
    for bpmn_dir, forms_dir in BUNDLES:
        bundle = from_folders(bpmn_dir, forms_dir)
        for file in bundle.manifest["bpmn_files"]:
            for el in parse(bundle.files[file]).iter("{*}timeDate", "{*}timeDuration", "{*}timeCycle"):
                found.append((bpmn_dir.name, el.text.strip()))
    return found


TIMERS = bundled_timers()
READ = [(j, e) for j, e in TIMERS if words_of(e) is not None]
WORDS = [
    {"kind": "working_days", "n": 5},
    {"kind": "working_days", "n": 5, "from_field": "contract_signed_date"},
    {"kind": "working_days", "n_field": "review_days", "from_field": "contract_signed_date"},
    {"kind": "days", "n": 30},
    {"kind": "days", "n": 15, "from_field": "application_date", "working_day": True},
    {"kind": "months", "n": 6},
    {"kind": "months", "n": 6, "working_day": True},
    {"kind": "months", "n": 3, "from_field": "trial_start_date"},
    {"kind": "months", "n_field": "trial_months", "from_field": "trial_start_date", "at": "end"},
    {"kind": "years", "n": 1, "working_day": True},
    {"kind": "years", "n": 2, "from_field": "order.deadline", "at": "end"},
    {"kind": "quarter_end"},
    {"kind": "quarter_end", "from_field": "acceptance_date"},
    {"kind": "month_end"},
    {"kind": "month_end", "from_field": "acceptance_date"},
    {"kind": "date", "date": "2027-01-01"},
    {"kind": "date", "date": "2027-01-01", "at": "start"},
    {"kind": "field", "from_field": "declaration_due_date"},
    {"kind": "field", "from_field": "trial_end_date", "at": "start"},
    {"kind": "field", "from_field": "order.rectification_deadline", "working_day": True},
]
CASE = {"contract_signed_date": "2026-09-28", "application_date": "2026-09-30", "trial_start_date": "2026-01-31",
        "trial_months": 3, "review_days": 4, "acceptance_date": "2026-05-14", "declaration_due_date": "2026-12-31",
        "trial_end_date": "2026-04-30", "order": {"deadline": "2026-06-30", "rectification_deadline": "2026-10-01"}}


@pytest.mark.no_database
@pytest.mark.parametrize("words", WORDS, ids=lambda w: "-".join(str(v) for v in w.values()))
def test_words_written_as_an_expression_read_back_as_the_same_words(words):
    expression = expression_of(words)
    assert words_of(expression) == normalized(words), expression


@pytest.mark.no_database
@pytest.mark.parametrize("words", WORDS, ids=lambda w: "-".join(str(v) for v in w.values()))
def test_every_written_expression_runs_in_the_guarded_evaluator(words):
    moment = Vocabulary(HELPERS).evaluate(expression_of(words), dict(CASE))
    assert datetime.fromisoformat(moment).tzinfo is not None


@pytest.mark.no_database
@pytest.mark.parametrize(("jurisdiction", "expression"), READ, ids=[f"{j}:{e[:40]}" for j, e in READ])
def test_a_bundled_timer_that_reads_in_words_is_written_back_as_it_stands(jurisdiction, expression):
    assert expression_of(words_of(expression)) == expression


@pytest.mark.no_database
def test_only_timers_outside_the_shapes_stay_expressions():
    unread = sorted(e for _, e in TIMERS if words_of(e) is None)
    assert unread == [
        'end_of_day(next_month_day(12, 31, started_at))',
        'end_of_day(str(plan_year - 1) + "-12-31")',
        'start_of_day(next_month_day(declaration_window_start_month, declaration_window_start_day))',
    ]


@pytest.mark.no_database
def test_bundled_timers_read_in_the_bundles_own_labels():
    said = {}
    for bpmn_dir, forms_dir in BUNDLES:
        bundle = from_folders(bpmn_dir, forms_dir)
        labels = field_labels(bundle)
        for jurisdiction, expression in TIMERS:
            if jurisdiction == bpmn_dir.name and (words := words_of(expression)):
                said[expression] = sentence(words, labels)
    assert said["working_days_deadline(today(), 5)"] == "5 个工作日"
    assert said["working_days_deadline(contract_signed_date, 5)"] == "自合同签订日期起 5 个工作日"
    assert said["start_of_day(add_working_days(add_months(today(), 6), 0))"] == "6 个月（遇节假日顺延至工作日）"
    assert said["end_of_day(declaration_due_date)"] == "到申报截止日"
    assert said["end_of_day(add_months(self_evaluation_start, self_evaluation_months))"] == \
        "自竣工验收并投入使用之日起，按自评价期限（月）（至当日结束）"
    assert said["start_of_day(next_periodic_assessment_date)"] == "到下一次定期评估日（当日开始时）"
    for text in said.values():  # every field a deadline reads is named: no 所填日期, no 流程算出的月数
        assert CJK.search(text) and not re.search(PROGRAM_NAME + "|所填|流程算出", text), text


@pytest.mark.no_database
def test_sentences_for_each_kind():
    labels = {"contract_signed_date": "合同签订日期", "declaration_due_date": "申报截止日期"}.get
    assert sentence({"kind": "working_days", "n": 5, "from_field": "contract_signed_date"}, labels) == \
        "自合同签订日期起 5 个工作日"
    assert sentence({"kind": "months", "n": 6}, labels) == "6 个月"
    assert sentence({"kind": "quarter_end"}, labels) == "每季度末"
    assert sentence({"kind": "month_end"}, labels) == "每月末"
    assert sentence({"kind": "date", "date": "2027-01-01"}, labels) == "到 2027年1月1日"
    assert sentence({"kind": "field", "from_field": "declaration_due_date"}, labels) == "到申报截止日期"
    assert sentence({"kind": "field", "from_field": "unlabelled_date"}, labels) == "到所填日期"


@pytest.mark.no_database
def test_the_deadline_falls_on_the_china_working_day_calendar():
    run = Vocabulary(HELPERS).evaluate
    # 1–8 October 2026 are the National Day holidays: five working days from 28 September
    # end on 12 October (9 October is a working day, 10–11 the weekend, 12 the fifth).
    deadline = run(expression_of({"kind": "working_days", "n": 5, "from_field": "contract_signed_date"}), CASE)
    assert deadline.startswith("2026-10-1")
    assert date.fromisoformat(deadline[:10]) > date(2026, 10, 8)
    quarter = run(expression_of({"kind": "quarter_end", "from_field": "acceptance_date"}), CASE)
    assert quarter == "2026-06-30T23:59:59+08:00"
    month = run(expression_of({"kind": "month_end", "from_field": "acceptance_date"}), CASE)
    assert month == "2026-05-31T23:59:59+08:00"


@pytest.mark.no_database
@pytest.mark.parametrize(("words", "field"), [
    ({"kind": "working_days", "n": 0}, "n"),
    ({"kind": "working_days", "n": -3}, "n"),
    ({"kind": "months"}, "n"),
    ({"kind": "fortnights", "n": 2}, "kind"),
    ({"kind": "field"}, "from_field"),
    ({"kind": "days", "n": 3, "from_field": "__class__"}, "from_field"),
    ({"kind": "date", "date": "2027-02-30"}, "date"),
])
def test_words_that_cannot_be_a_deadline_name_their_key(words, field):
    with pytest.raises(TimerWordsInvalid) as refused:
        expression_of(words)
    assert refused.value.field == field and CJK.search(refused.value.message)


@pytest.fixture
def bundle_set() -> str:
    return "bundled"


def test_timer_words_through_http_labelled_by_the_draft(http):
    admin = http.as_("admin")
    draft = admin.post("/api/v1/drafts", {"jurisdiction": "gongshu", "title": "期限"}).body
    read = admin.post("/api/v1/words/timer", {"expression": "working_days_deadline(contract_signed_date, 5)",
                                              "draft_id": draft["id"]})
    assert read.status == 200, read.body
    assert read.body["sentence"] == "自合同签订日期起 5 个工作日"
    assert read.body["words"]["kind"] == "working_days" and read.body["words"]["n"] == 5
    written = admin.post("/api/v1/words/timer/expression", {**read.body["words"], "n": 10, "draft_id": draft["id"]})
    assert written.status == 200, written.body
    assert written.body == {"expression": "working_days_deadline(contract_signed_date, 10)",
                            "sentence": "自合同签订日期起 10 个工作日"}
    expert = admin.post("/api/v1/words/timer", {"expression": 'end_of_day(str(plan_year - 1) + "-12-31")'})
    assert expert.status == 200 and expert.body == {"words": None, "sentence": None}


def test_bad_timer_words_are_a_422_naming_the_field(http):
    admin = http.as_("admin")
    draft = admin.post("/api/v1/drafts", {"jurisdiction": "gongshu", "title": "期限"}).body
    for body, field in (({"kind": "working_days", "n": 0}, "n"),
                        ({"kind": "field", "from_field": "no_such_date", "draft_id": draft["id"]}, "from_field")):
        reply = admin.post("/api/v1/words/timer/expression", body)
        assert reply.status == 422, reply.body
        assert reply.body["errors"][0]["field"] == field and CJK.search(reply.body["title"])
    unknown_kind = admin.post("/api/v1/words/timer/expression", {"kind": "fortnights", "n": 2})
    assert unknown_kind.status == 422 and "kind" in str(unknown_kind.body)


def test_anyone_signed_in_reads_a_deadline_in_words_only_administrators_write_one(http):
    """The catalogue shows every user a timer's sentence; a draft and writing stay the
    administrators'."""
    staff, admin = http.as_("gs_unit_a"), http.as_("admin")
    body = {"expression": "working_days_deadline(contract_signed_date, 5)"}
    read = staff.post("/api/v1/words/timer", body)
    assert read.status == 200, read.body
    assert read.body == admin.post("/api/v1/words/timer", body).body and read.body["sentence"].endswith("5 个工作日")
    assert staff.post("/api/v1/words/timer/expression", read.body["words"]).status == 403
    draft = admin.post("/api/v1/drafts", {"jurisdiction": "gongshu", "title": "期限"}).body
    assert staff.post("/api/v1/words/timer", {**body, "draft_id": draft["id"]}).status == 403
    assert http.anonymous.post("/api/v1/words/timer", body).status == 401
