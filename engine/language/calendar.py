"""Working-day calendar for mainland China (中国大陆工作日历).

A day is a working day when it is Monday-Friday and not a statutory holiday, or when it is
a weekend day the State Council turned into a make-up working day (调休上班).  The
``holidays`` package knows both for every year whose 国务院办公厅 notice it has shipped; the
override file (``engine/language/calendar_overrides.json``, or the path in the environment variable
``WORKING_CALENDAR_OVERRIDES``) lets an administrator enter next year's notice before the
package catches up.  Overrides win over the package.

Each year is turned once into a 365/366-byte table (1 = working day) so that date
arithmetic is a few C-level ``bytes.find``/``bytes.count`` calls instead of per-day Python
logic: timer expressions are evaluated on every engine step.
"""

from __future__ import annotations

import functools
import json
import os
import re
import threading
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date, timedelta
from pathlib import Path
from typing import Any

import holidays

OVERRIDES_ENV_VAR = "WORKING_CALENDAR_OVERRIDES"
DEFAULT_OVERRIDES_PATH = Path(__file__).with_name("calendar_overrides.json")

_LIST_KEYS = ("extra_holidays", "extra_working_days")
_ENTRY_KEYS = {"date", "note", "source"}
# date.fromisoformat() also takes "20270101" and week dates; an admin typo should fail instead.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_WORKING, _OFF = 1, 0


@dataclass(frozen=True)
class CalendarOverrides:
    """Dates that override the ``holidays`` package: extra days off and extra working days."""

    extra_holidays: frozenset[date] = frozenset()
    extra_working_days: frozenset[date] = frozenset()


class WorkingCalendar:
    """Working days in mainland China: weekends, statutory holidays, 调休 and local overrides."""

    def __init__(self, overrides: CalendarOverrides | None = None) -> None:
        self.overrides = overrides or CalendarOverrides()
        self._tables: dict[int, bytes] = {}

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> WorkingCalendar:
        """A calendar with the overrides of a JSON file (see ``load_overrides``)."""
        return cls(load_overrides(path))

    def is_working_day(self, d: date) -> bool:
        """Whether ``d`` is a working day."""
        return self._year_table(d.year)[_day_index(d)] == _WORKING

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day strictly after ``d`` (strictly before it when ``n`` < 0).

        ``n == 0`` returns ``d`` itself when it is a working day, else the next working day:
        "due within 0 working days" of a Sunday submission means Monday, never the Sunday.
        """
        if n == 0:
            return self.add_working_days(d - timedelta(days=1), 1)
        if n > 0:
            return self._forward(d, n)
        return self._backward(d, -n)

    def working_days_between(self, a: date, b: date) -> int:
        """Working days after ``a`` up to and including ``b``; negative when ``b`` < ``a``.

        It is the inverse of ``add_working_days``: for a working day ``b`` after ``a``,
        ``add_working_days(a, working_days_between(a, b)) == b``.
        """
        if b < a:
            return -self.working_days_between(b, a)
        total = 0
        for year in range(a.year, b.year + 1):
            start = _day_index(a) + 1 if year == a.year else 0
            table = self._year_table(year)
            end = _day_index(b) + 1 if year == b.year else len(table)
            total += table.count(_WORKING, start, end)
        return total

    def _forward(self, d: date, n: int) -> date:
        year, index = d.year, _day_index(d)
        while True:
            table = self._year_table(year)
            index = table.find(_WORKING, index + 1)
            while index != -1:
                n -= 1
                if n == 0:
                    return date(year, 1, 1) + timedelta(days=index)
                index = table.find(_WORKING, index + 1)
            year, index = year + 1, -1

    def _backward(self, d: date, n: int) -> date:
        year, index = d.year, _day_index(d)
        while True:
            table = self._year_table(year)
            index = table.rfind(_WORKING, 0, index)
            while index != -1:
                n -= 1
                if n == 0:
                    return date(year, 1, 1) + timedelta(days=index)
                index = table.rfind(_WORKING, 0, index)
            year = year - 1
            index = len(self._year_table(year))

    def _year_table(self, year: int) -> bytes:
        table = self._tables.get(year)
        if table is None:
            if not MINYEAR <= year <= MAXYEAR:
                # Same error as the date arithmetic that walked off the calendar would raise.
                raise OverflowError("date value out of range")
            # A race only builds the same immutable table twice; no lock needed.
            table = self._tables[year] = _build_year_table(year, self.overrides)
        return table


def _day_index(d: date) -> int:
    # Cheaper than d.timetuple().tm_yday, which builds a struct_time.
    return d.toordinal() - date(d.year, 1, 1).toordinal()


def _build_year_table(year: int, overrides: CalendarOverrides) -> bytes:
    days_off, make_up_days = _package_year(year)
    jan1 = date(year, 1, 1)
    length = _day_index(date(year, 12, 31)) + 1
    table = bytearray(length)
    for index in range(length):
        d = jan1 + timedelta(days=index)
        if d in overrides.extra_working_days:
            working = True
        elif d in overrides.extra_holidays:
            working = False
        elif d in make_up_days:
            working = True
        else:
            working = d.weekday() < 5 and d not in days_off
        table[index] = _WORKING if working else _OFF
    return bytes(table)


@functools.cache
def _package_year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """Days off and weekend make-up working days of ``year`` according to ``holidays``."""
    # Next year's notice can move working days into late December (e.g. 2001-12-29 for the
    # 2002 New Year), so the following year is loaded too.
    cn = holidays.country_holidays("CN", years=(year, min(year + 1, MAXYEAR)))
    days_off = frozenset(d for d in cn if d.year == year)
    make_up_days = frozenset(d for d in cn.weekend_workdays if d.year == year)
    return days_off, make_up_days


def overrides_path() -> Path:
    """The override file in use: ``$WORKING_CALENDAR_OVERRIDES`` or the one next to this module."""
    configured = os.environ.get(OVERRIDES_ENV_VAR, "").strip()
    return Path(configured) if configured else DEFAULT_OVERRIDES_PATH


def load_overrides(path: str | os.PathLike[str]) -> CalendarOverrides:
    """Read and validate an override file; any problem is a ValueError naming file and entry."""
    path = Path(path)
    document = _read_json(path)
    if not isinstance(document, dict):
        raise _file_error(path, "顶层必须是 JSON 对象 / the top level must be a JSON object")
    unknown = sorted(k for k in document if not k.startswith("_") and k not in _LIST_KEYS)
    if unknown:
        raise _file_error(
            path,
            f"未知的键 / unknown key(s) {unknown}; 允许 / allowed: {list(_LIST_KEYS)} 及以 _ 开头的注释键",
        )
    extra_holidays = _parse_date_list(path, document, "extra_holidays")
    extra_working_days = _parse_date_list(path, document, "extra_working_days")
    both = sorted(extra_holidays & extra_working_days)
    if both:
        listed = ", ".join(d.isoformat() for d in both)
        raise _file_error(
            path,
            f"日期同时出现在两个列表中 / date(s) listed both as holiday and as working day: {listed}",
        )
    return CalendarOverrides(extra_holidays, extra_working_days)


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _file_error(path, "文件不存在 / file not found") from None
    except OSError as exc:
        raise _file_error(path, f"无法读取 / cannot read: {exc}") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _file_error(path, f"不是有效的 JSON / not valid JSON: {exc}") from exc


def _parse_date_list(path: Path, document: dict[str, Any], key: str) -> frozenset[date]:
    entries = document.get(key, [])
    if not isinstance(entries, list):
        raise _file_error(path, f"{key} 必须是列表 / {key} must be a list")
    return frozenset(_parse_entry(path, key, i, entry) for i, entry in enumerate(entries))


def _parse_entry(path: Path, key: str, index: int, entry: Any) -> date:
    def bad(problem: str) -> ValueError:
        shown = json.dumps(entry, ensure_ascii=False)
        return _file_error(path, f"{key}[{index}] {shown}: {problem}")

    if not isinstance(entry, dict):
        raise bad('条目必须是 {"date": ..., "note": ...} 对象 / entry must be an object with date and note')
    unknown = sorted(set(entry) - _ENTRY_KEYS)
    if unknown:
        raise bad(f"未知的字段 / unknown field(s) {unknown}; 允许 / allowed: {sorted(_ENTRY_KEYS)}")
    raw = entry.get("date")
    if not isinstance(raw, str) or not _ISO_DATE.fullmatch(raw):
        raise bad("date 必须是 YYYY-MM-DD 格式 / date must be YYYY-MM-DD")
    try:
        parsed = date.fromisoformat(raw)
    except ValueError:
        raise bad("date 不是存在的日期 / date does not exist") from None
    note = entry.get("note")
    if not isinstance(note, str) or not note.strip():
        raise bad("缺少说明 note（例如通知名称）/ note is required (e.g. which notice)")
    return parsed


def _file_error(path: Path, problem: str) -> ValueError:
    return ValueError(f"工作日历覆盖文件有误 / invalid working calendar override file {path}: {problem}")


_default_lock = threading.Lock()
_default: WorkingCalendar | None = None


def default_calendar() -> WorkingCalendar:
    """The process-wide calendar with the configured override file, built on first use."""
    global _default
    calendar = _default
    if calendar is None:
        # The lock keeps two threads from reading the file twice and using different results.
        with _default_lock:
            if _default is None:
                _default = WorkingCalendar.from_file(overrides_path())
            calendar = _default
    return calendar


def reset_default_calendar() -> None:
    """Forget the cached calendar so the next use re-reads the override file (tests, admin reload)."""
    global _default
    with _default_lock:
        _default = None


def warm(today: date) -> None:
    """Build the calendar and the tables around `today` before an evaluation's clock runs: the
    first build reads the override file and the holiday package, which took more than the 2 s an
    expression may use on a loaded machine."""
    calendar = default_calendar()
    for year in (today.year - 1, today.year, today.year + 1):
        calendar._year_table(year)
