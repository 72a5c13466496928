"""Working-day calendar: statutory holidays, 调休 make-up days, override file, speed."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from engine.language.calendar import (
    DEFAULT_OVERRIDES_PATH,
    OVERRIDES_ENV_VAR,
    CalendarOverrides,
    WorkingCalendar,
    default_calendar,
    load_overrides,
    reset_default_calendar,
)

pytestmark = pytest.mark.no_database  # pure: run once, in the SQLite phase

D = date.fromisoformat


@pytest.fixture
def cal() -> WorkingCalendar:
    """The package calendar alone, so these tests do not depend on the shipped override file."""
    return WorkingCalendar()


@pytest.fixture
def override_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Write an override file, point WORKING_CALENDAR_OVERRIDES at it, and drop the cached calendar."""

    def write(document: object) -> Path:
        path = tmp_path / "overrides.json"
        text = document if isinstance(document, str) else json.dumps(document, ensure_ascii=False)
        path.write_text(text, encoding="utf-8")
        monkeypatch.setenv(OVERRIDES_ENV_VAR, str(path))
        reset_default_calendar()
        return path

    yield write
    reset_default_calendar()


def entry(day: str, note: str = "测试") -> dict[str, str]:
    return {"date": day, "note": note}


# 国务院办公厅关于2025年部分节假日安排的通知: 10月1日至8日放假调休，共8天。
# 9月28日（周日）、10月11日（周六）上班。
NATIONAL_DAY_2025 = [
    ("2025-09-26", True),  # Friday
    ("2025-09-27", False),  # Saturday
    ("2025-09-28", True),  # Sunday, make-up working day
    ("2025-09-29", True),
    ("2025-09-30", True),
    *[(f"2025-10-0{day}", False) for day in range(1, 9)],
    ("2025-10-09", True),
    ("2025-10-10", True),
    ("2025-10-11", True),  # Saturday, make-up working day
    ("2025-10-12", False),  # Sunday
]

# 2026年春节：2月15日（农历腊月二十八）至23日放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
SPRING_FESTIVAL_2026 = [
    ("2026-02-13", True),
    ("2026-02-14", True),  # Saturday, make-up working day
    *[(f"2026-02-{day}", False) for day in range(15, 24)],
    ("2026-02-24", True),
    ("2026-02-27", True),
    ("2026-02-28", True),  # Saturday, make-up working day
    ("2026-03-01", False),  # Sunday
]


@pytest.mark.parametrize(("day", "working"), NATIONAL_DAY_2025 + SPRING_FESTIVAL_2026)
def test_is_working_day(cal: WorkingCalendar, day: str, working: bool) -> None:
    assert cal.is_working_day(D(day)) is working


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2025-09-30", 1, "2025-10-09"),  # over the whole National Day week
        ("2025-09-26", 1, "2025-09-28"),  # Friday -> the make-up Sunday
        ("2025-10-09", 2, "2025-10-11"),  # the make-up Saturday counts
        ("2025-09-26", 5, "2025-10-10"),
        ("2026-02-13", 1, "2026-02-14"),
        ("2026-02-14", 1, "2026-02-24"),  # over the Spring Festival
        ("2026-02-12", 5, "2026-02-26"),
        ("2025-12-31", 1, "2026-01-04"),  # across the year: 1-3 Jan off, Sunday 4 Jan worked
        ("2025-09-30", 30, "2025-11-18"),
        # n = 0: the day itself when it is a working day, else the next working day.
        ("2025-09-30", 0, "2025-09-30"),
        ("2025-10-01", 0, "2025-10-09"),
        ("2025-09-28", 0, "2025-09-28"),
        # Negative n counts backwards.
        ("2025-10-09", -1, "2025-09-30"),
        ("2026-02-24", -1, "2026-02-14"),
        ("2026-01-04", -1, "2025-12-31"),
        ("2025-10-11", -3, "2025-09-30"),
    ],
)
def test_add_working_days(cal: WorkingCalendar, start: str, n: int, expected: str) -> None:
    assert cal.add_working_days(D(start), n) == D(expected)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("2025-09-30", "2025-10-09", 1),
        ("2025-10-09", "2025-09-30", -1),
        ("2025-10-01", "2025-10-08", 0),
        ("2025-09-30", "2025-09-30", 0),
        ("2025-09-27", "2025-09-28", 1),  # b is included, a is not
        ("2025-12-31", "2026-01-04", 1),
        # 261 weekdays - 18 weekday holidays + 5 make-up days
        ("2024-12-31", "2025-12-31", 248),
        # 261 weekdays - 19 weekday holidays + 6 make-up days
        ("2025-12-31", "2026-12-31", 248),
    ],
)
def test_working_days_between(cal: WorkingCalendar, a: str, b: str, expected: int) -> None:
    assert cal.working_days_between(D(a), D(b)) == expected


@pytest.mark.parametrize("start", ["2025-09-20", "2025-12-24", "2026-02-10", "2026-09-18"])
def test_add_and_between_are_inverse(cal: WorkingCalendar, start: str) -> None:
    for n in range(1, 41):
        end = cal.add_working_days(D(start), n)
        assert cal.is_working_day(end)
        assert cal.working_days_between(D(start), end) == n
        assert cal.add_working_days(end, -n) <= D(start)


def test_matches_holidays_package(cal: WorkingCalendar) -> None:
    import holidays

    cn = holidays.country_holidays("CN", years=range(2020, 2027))
    day = D("2020-01-01")
    while day <= D("2026-12-31"):
        assert cal.is_working_day(day) == cn.is_working_day(day), day
        day += timedelta(days=1)


def test_overrides_win_over_package() -> None:
    cal = WorkingCalendar(
        CalendarOverrides(
            extra_holidays=frozenset({D("2025-09-28"), D("2025-09-30")}),
            extra_working_days=frozenset({D("2025-10-08")}),
        )
    )
    assert not cal.is_working_day(D("2025-09-28"))  # package: make-up working day
    assert not cal.is_working_day(D("2025-09-30"))  # package: ordinary Tuesday
    assert cal.is_working_day(D("2025-10-08"))  # package: holiday
    assert cal.add_working_days(D("2025-09-26"), 1) == D("2025-09-29")
    assert cal.add_working_days(D("2025-09-29"), 1) == D("2025-10-08")


def test_override_file_adds_holiday_and_working_day(override_file) -> None:
    # 2027 is not yet in the holidays package: an administrator enters the notice.
    override_file(
        {
            "_comment": "测试 / test",
            "extra_holidays": [entry("2027-02-12", "2027年春节调休放假（测试）")],
            "extra_working_days": [entry("2027-02-20", "2027年春节调休上班（测试）")],
        }
    )
    cal = default_calendar()
    assert not cal.is_working_day(D("2027-02-12"))  # a Friday
    assert cal.is_working_day(D("2027-02-20"))  # a Saturday
    assert cal.add_working_days(D("2027-02-11"), 1) == D("2027-02-15")
    assert cal.add_working_days(D("2027-02-19"), 1) == D("2027-02-20")


def test_default_calendar_is_cached_until_reset(override_file) -> None:
    path = override_file({"extra_holidays": [entry("2027-03-03")]})
    first = default_calendar()
    assert default_calendar() is first
    assert not first.is_working_day(D("2027-03-03"))

    path.write_text(json.dumps({"extra_holidays": []}), encoding="utf-8")
    assert not default_calendar().is_working_day(D("2027-03-03"))  # still cached
    reset_default_calendar()
    assert default_calendar() is not first
    assert default_calendar().is_working_day(D("2027-03-03"))


def test_shipped_override_file_and_its_example_are_valid(tmp_path: Path) -> None:
    load_overrides(DEFAULT_OVERRIDES_PATH)
    shipped = json.loads(DEFAULT_OVERRIDES_PATH.read_text(encoding="utf-8"))
    example = tmp_path / "example.json"
    example.write_text(json.dumps(shipped["_example"], ensure_ascii=False), encoding="utf-8")
    overrides = load_overrides(example)
    assert overrides.extra_holidays and overrides.extra_working_days


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{not json", "not valid JSON"),
        ([], "top level must be a JSON object"),
        ({"extra_holiday": []}, "unknown key"),
        ({"extra_holidays": {"date": "2027-02-12"}}, "extra_holidays must be a list"),
        ({"extra_holidays": ["2027-02-12"]}, r'extra_holidays\[0\] "2027-02-12"'),
        ({"extra_holidays": [entry("2027/02/12")]}, r"extra_holidays\[0\] .*2027/02/12.*YYYY-MM-DD"),
        ({"extra_working_days": [entry("2027-02-20"), entry("20270221")]}, r"extra_working_days\[1\]"),
        ({"extra_holidays": [entry("2027-02-30")]}, "date does not exist"),
        ({"extra_holidays": [{"date": "2027-02-12"}]}, "note is required"),
        ({"extra_holidays": [entry("2027-02-12", " ")]}, "note is required"),
        ({"extra_holidays": [{**entry("2027-02-12"), "dat": "x"}]}, "unknown field"),
        (
            {"extra_holidays": [entry("2027-02-12")], "extra_working_days": [entry("2027-02-12")]},
            "both as holiday and as working day: 2027-02-12",
        ),
    ],
)
def test_invalid_override_file(override_file, document: object, message: str) -> None:
    path = override_file(document)
    with pytest.raises(ValueError, match=message) as excinfo:
        default_calendar()
    assert str(path) in str(excinfo.value)
    assert "工作日历覆盖文件有误" in str(excinfo.value)


def test_missing_override_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "nope.json"
    monkeypatch.setenv(OVERRIDES_ENV_VAR, str(missing))
    reset_default_calendar()
    try:
        with pytest.raises(ValueError, match="file not found"):
            default_calendar()
    finally:
        reset_default_calendar()


def test_out_of_range_raises_overflow(cal: WorkingCalendar) -> None:
    with pytest.raises(OverflowError):
        cal.add_working_days(D("9999-12-30"), 5)
