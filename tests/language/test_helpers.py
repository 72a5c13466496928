"""Helpers diagrams call: contract of docs/bundle-format.md, and a real SpiffWorkflow timer."""

from __future__ import annotations

import inspect
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.clock import LOCAL_TZ, now_local, now_utc, today_local
from engine.language import helpers as h
from engine.language.calendar import OVERRIDES_ENV_VAR, reset_default_calendar
from engine.language.helpers import HELPERS

pytestmark = pytest.mark.no_database  # pure: run once, in the SQLite phase

CONTRACT_NAMES = {
    "today", "now", "is_working_day", "add_working_days", "working_days_deadline", "add_days",
    "add_months", "add_years", "start_of_day", "end_of_day", "next_month_day", "days_between",
    "working_days_between",
}  # fmt: skip

# 2026-03-01 23:30 in Beijing is still 2026-03-01 15:30 in UTC: the two dates differ.
BEIJING_LATE_EVENING = datetime(2026, 3, 1, 15, 30, tzinfo=UTC)
BEIJING_EARLY_MORNING = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)  # 2026-03-02 00:30 +08:00


@pytest.fixture(autouse=True)
def package_calendar_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Run against an empty override file so edits to the shipped one cannot break these tests."""
    empty = tmp_path / "no_overrides.json"
    empty.write_text('{"extra_holidays": [], "extra_working_days": []}', encoding="utf-8")
    monkeypatch.setenv(OVERRIDES_ENV_VAR, str(empty))
    reset_default_calendar()
    yield
    reset_default_calendar()


def test_helpers_dict_is_exactly_the_contract() -> None:
    assert set(HELPERS) == CONTRACT_NAMES
    for name, func in HELPERS.items():
        assert func.__name__ == name
        assert func.__doc__ and "Example" in func.__doc__


# --- clock ---------------------------------------------------------------------------------


def test_clock_follows_time_machine() -> None:
    with time_machine.travel(BEIJING_EARLY_MORNING, tick=False):
        assert now_utc() == BEIJING_EARLY_MORNING
        assert now_utc().tzinfo is UTC
        assert now_local().utcoffset() == timedelta(hours=8)
        assert now_local().tzinfo is LOCAL_TZ
        assert today_local() == date(2026, 3, 2)


@pytest.mark.parametrize(
    ("moment", "today", "now"),
    [
        (BEIJING_LATE_EVENING, "2026-03-01", "2026-03-01T23:30:00+08:00"),
        (BEIJING_EARLY_MORNING, "2026-03-02", "2026-03-02T00:30:00+08:00"),
    ],
)
def test_today_and_now_are_beijing_time(moment: datetime, today: str, now: str) -> None:
    with time_machine.travel(moment, tick=False):
        assert h.today() == today
        assert h.now() == now


# --- inputs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2026-03-02",
        " 2026-03-02 ",
        date(2026, 3, 2),
        datetime(2026, 3, 2, 9, 0, tzinfo=LOCAL_TZ),
        datetime(2026, 3, 1, 16, 30, tzinfo=UTC),  # 00:30 on the 2nd in Beijing
        datetime(2026, 3, 2, 23, 0),  # naive: already Beijing time
        "2026-03-02T09:15:00+08:00",
        "2026-03-01T16:30:00Z",
        "2026-03-01T16:30:00+00:00",
        "2026-03-02 23:59:59",
        "2026-03-02T10:00:00.123456+08:00",
    ],
)
def test_date_inputs_use_their_beijing_date(value: object) -> None:
    assert h.add_days(value, 0) == "2026-03-02"
    assert h.start_of_day(value) == "2026-03-02T00:00:00+08:00"


@pytest.mark.parametrize("n", [3, "3", " 3 ", 3.0])
def test_integer_inputs(n: object) -> None:
    assert h.add_days("2026-03-02", n) == "2026-03-05"


@pytest.mark.parametrize(
    ("call", "helper", "shown"),
    [
        (lambda: h.add_days(None, 1), "add_days", "None"),
        (lambda: h.add_days("", 1), "add_days", "''"),
        (lambda: h.add_days("abc", 1), "add_days", "'abc'"),
        (lambda: h.add_days("2026/03/02", 1), "add_days", "'2026/03/02'"),
        (lambda: h.add_days("20260302", 1), "add_days", "'20260302'"),
        (lambda: h.add_days("2026-02-30", 1), "add_days", "'2026-02-30'"),
        (lambda: h.add_days(20260302, 1), "add_days", "20260302"),
        (lambda: h.add_days("2026-03-02", None), "add_days", "None"),
        (lambda: h.add_days("2026-03-02", True), "add_days", "True"),
        (lambda: h.add_days("2026-03-02", 1.5), "add_days", "1.5"),
        (lambda: h.add_days("2026-03-02", "five"), "add_days", "'five'"),
        (lambda: h.is_working_day("yesterday"), "is_working_day", "'yesterday'"),
        (lambda: h.add_working_days(None, 5), "add_working_days", "None"),
        (lambda: h.working_days_deadline("2026-13-01", 5), "working_days_deadline", "'2026-13-01'"),
        (lambda: h.add_months("31/01/2026", 1), "add_months", "'31/01/2026'"),
        (lambda: h.add_years(None, 1), "add_years", "None"),
        (lambda: h.start_of_day("tomorrow"), "start_of_day", "'tomorrow'"),
        (lambda: h.end_of_day(None), "end_of_day", "None"),
        (lambda: h.next_month_day(13, 1), "next_month_day", "13"),
        (lambda: h.next_month_day(2, 30), "next_month_day", "30"),
        (lambda: h.next_month_day(4, 31), "next_month_day", "31"),
        (lambda: h.next_month_day(7, 31, "July"), "next_month_day", "'July'"),
        (lambda: h.days_between("2026-03-02", None), "days_between", "None"),
        (lambda: h.working_days_between(None, "2026-03-02"), "working_days_between", "None"),
        (lambda: h.add_days("9999-12-31", 1), "add_days", "9999-12-31"),
        (lambda: h.add_months("9999-12-31", 1), "add_months", "10000"),
        (lambda: h.add_working_days("9999-12-30", 5), "add_working_days", "9999-12-30"),
    ],
)
def test_bad_input_names_helper_and_value(call, helper: str, shown: str) -> None:
    with pytest.raises(ValueError) as excinfo:
        call()
    message = str(excinfo.value)
    assert message.startswith(f"{helper}(): ")
    assert shown in message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), "message must contain Chinese"
    assert any(word in message for word in ("invalid", "out of the date range"))


# --- calendar arithmetic ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "n", "expected"),
    [
        ("2026-01-31", 1, "2026-02-28"),
        ("2028-01-31", 1, "2028-02-29"),  # leap year
        ("2026-03-31", -1, "2026-02-28"),
        ("2026-03-31", 1, "2026-04-30"),
        ("2026-01-31", 13, "2027-02-28"),
        ("2026-11-30", 3, "2027-02-28"),
        ("2026-05-15", -5, "2025-12-15"),
        ("2026-12-15", 1, "2027-01-15"),
        ("2026-01-15", -1, "2025-12-15"),
        ("2026-01-15", 0, "2026-01-15"),
        ("2026-01-15", -24, "2024-01-15"),
    ],
)
def test_add_months_clamps_to_month_end(d: str, n: int, expected: str) -> None:
    assert h.add_months(d, n) == expected


@pytest.mark.parametrize(
    ("d", "n", "expected"),
    [
        ("2028-02-29", 1, "2029-02-28"),
        ("2028-02-29", 4, "2032-02-29"),
        ("2026-03-02", -2, "2024-03-02"),
        ("2026-03-02", 3, "2029-03-02"),
    ],
)
def test_add_years(d: str, n: int, expected: str) -> None:
    assert h.add_years(d, n) == expected


@pytest.mark.parametrize(
    ("month", "day", "d", "expected"),
    [
        (7, 31, "2026-07-31", "2026-07-31"),  # on the date: that same day
        (7, 31, "2026-08-01", "2027-07-31"),  # after it: next year
        (7, 31, "2026-03-02", "2026-07-31"),
        (1, 1, "2026-12-31", "2027-01-01"),
        (12, 31, "2026-12-31", "2026-12-31"),
        (2, 29, "2027-02-01", "2027-02-28"),  # common year: 28 February
        (2, 29, "2027-03-01", "2028-02-29"),
        ("7", "31", "2026-08-01T10:00:00+08:00", "2027-07-31"),
    ],
)
def test_next_month_day(month: object, day: object, d: str, expected: str) -> None:
    assert h.next_month_day(month, day, d) == expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 7, 30, 16, 0, tzinfo=UTC), "2026-07-31"),  # 31 July 00:00 Beijing
        (datetime(2026, 7, 31, 16, 0, tzinfo=UTC), "2027-07-31"),  # 1 August 00:00 Beijing
    ],
)
def test_next_month_day_defaults_to_today(moment: datetime, expected: str) -> None:
    with time_machine.travel(moment, tick=False):
        assert h.next_month_day(7, 31) == expected


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda: h.is_working_day("2025-09-28"), True),  # Sunday worked for National Day
        (lambda: h.is_working_day("2025-10-08"), False),
        (lambda: h.is_working_day("2026-02-14"), True),
        (lambda: h.is_working_day("2026-02-23"), False),
        (lambda: h.add_working_days("2025-09-30", 1), "2025-10-09"),
        (lambda: h.add_working_days("2025-10-01", 0), "2025-10-09"),
        (lambda: h.add_working_days("2026-02-12", 5), "2026-02-26"),
        (lambda: h.add_working_days("2026-02-24", "-1"), "2026-02-14"),
        (lambda: h.working_days_deadline("2026-03-02", 5), "2026-03-09T23:59:59+08:00"),
        (lambda: h.working_days_deadline("2025-09-26", 1), "2025-09-28T23:59:59+08:00"),
        (lambda: h.add_days("2026-02-27", 2), "2026-03-01"),
        (lambda: h.add_days("2028-02-27", 2), "2028-02-29"),
        (lambda: h.add_days("2026-03-01", -1), "2026-02-28"),
        (lambda: h.start_of_day("2026-03-06"), "2026-03-06T00:00:00+08:00"),
        (lambda: h.end_of_day("2026-03-06"), "2026-03-06T23:59:59+08:00"),
        (lambda: h.days_between("2026-02-27", "2026-03-01"), 2),
        (lambda: h.days_between("2026-03-01", "2026-02-27"), -2),
        (lambda: h.working_days_between("2025-09-30", "2025-10-09"), 1),
        # 14 Feb (Sat, worked), 24-27 Feb, 28 Feb (Sat, worked)
        (lambda: h.working_days_between("2026-02-13", "2026-02-28"), 6),
        (lambda: h.working_days_between("2026-02-28", "2026-02-13"), -6),
    ],
)
def test_helper_results(call, expected: object) -> None:
    result = call()
    assert result == expected
    assert type(result) is type(expected)  # never a date object, never a bool for an int


def test_dates_are_strings_for_the_serializer() -> None:
    for name, func in HELPERS.items():
        params = inspect.signature(func).parameters
        if "d" in params and len(params) <= 2 and name not in {"is_working_day"}:
            args = ["2026-03-02"] + [1] * (len(params) - 1)
            assert isinstance(func(*args), str), name
    assert isinstance(h.today(), str)
    assert isinstance(h.now(), str)


def test_override_file_reaches_helpers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "overrides.json"
    document = {
        "extra_holidays": [{"date": "2026-03-03", "note": "测试放假"}],
        "extra_working_days": [{"date": "2026-03-07", "note": "测试上班"}],
    }
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv(OVERRIDES_ENV_VAR, str(path))
    reset_default_calendar()
    assert not h.is_working_day("2026-03-03")
    assert h.is_working_day("2026-03-07")
    assert h.add_working_days("2026-03-02", 1) == "2026-03-04"
    assert h.working_days_between("2026-03-02", "2026-03-09") == 5


# --- SpiffWorkflow: a helper expression as a timeDate timer ------------------------------------

TIMER_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  id="Defs_timer" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="timer_check" name="期限检查" isExecutable="true">
    <bpmn:startEvent id="start" name="开始" />
    <bpmn:intermediateCatchEvent id="wait" name="等待期限">
      <bpmn:timerEventDefinition id="wait_timer">
        <bpmn:timeDate xsi:type="bpmn:tFormalExpression">{expression}</bpmn:timeDate>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:scriptTask id="record" name="记录">
      <bpmn:script>fired_on = today()
late = not is_working_day(fired_on)</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:endEvent id="end" name="结束" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="record" />
    <bpmn:sequenceFlow id="f3" sourceRef="record" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def _xml_text(expression: str) -> str:
    return expression.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@pytest.mark.parametrize(
    ("expression", "due_local", "due_utc"),
    [
        # Wed 28 Jan 2026 + 5 working days = Wed 4 Feb, end of day Beijing time.
        ("working_days_deadline(today(), 5)", "2026-02-04T23:59:59+08:00", "2026-02-04T15:59:59"),
        ('start_of_day(add_months("2026-01-31", 1))', "2026-02-28T00:00:00+08:00", "2026-02-27T16:00:00"),
        (
            "end_of_day(add_working_days(application_date, 1))",
            "2026-02-02T23:59:59+08:00",
            "2026-02-02T15:59:59",
        ),
    ],
)
def test_helper_expression_drives_timedate_timer(expression: str, due_local: str, due_utc: str) -> None:
    start_moment = datetime(2026, 1, 28, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
    parser = SpiffBpmnParser(validator=VALIDATOR)
    xml = TIMER_BPMN.format(expression=_xml_text(expression))
    parser.add_bpmn_str(xml.encode(), filename="timer_check.bpmn")
    engine = PythonScriptEngine(environment=TaskDataEnvironment(dict(HELPERS)))

    with time_machine.travel(start_moment, tick=False) as traveller:
        wf = BpmnWorkflow(parser.get_spec("timer_check"), script_engine=engine)
        wf.task_tree.data.update(application_date="2026-01-30")  # a Friday
        wf.do_engine_steps()

        [event] = wf.waiting_events()
        assert event.event_type == "TimeDateEventDefinition"
        # The stored value is the expression's result; it converts to the expected UTC instant.
        assert event.value == due_local
        due = datetime.fromisoformat(event.value)
        assert due == datetime.fromisoformat(due_utc).replace(tzinfo=UTC)

        # The due time is stored, not recomputed: it survives a save/load round trip.
        serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
        wf = serializer.deserialize_json(serializer.serialize_json(wf))
        wf.script_engine = engine

        traveller.move_to(due - timedelta(seconds=1))
        wf.refresh_timers()
        wf.do_engine_steps()
        assert not wf.is_completed()

        traveller.move_to(due + timedelta(seconds=1))
        wf.refresh_timers()
        wf.do_engine_steps()
        assert wf.is_completed()
        assert wf.data["fired_on"] == h.today()  # the script task ran after the timer fired
