"""Date helpers that BPMN diagrams may call (timer expressions, scripts, conditions, DMN cells).

The contract is docs/bundle-format.md, "Helper functions available to diagrams"; the
process-owner guide is docs/helpers.md.  The engine injects ``HELPERS`` into
SpiffWorkflow's ``TaskDataEnvironment``.

Rules every helper follows:

* Inputs may be ISO strings (case data is JSON) or ``date``/``datetime`` objects.  A datetime
  where a date is expected counts as its Asia/Shanghai date; a naive one is taken to be
  Beijing time already.
* Outputs are ISO strings or int/bool, never ``date`` objects: SpiffWorkflow's serializer
  cannot store ``date``, and a timer's ``timeDate`` must be a string.  Datetimes carry an
  explicit ``+08:00`` because SpiffWorkflow reads a naive timer in the *server's* timezone.
* Bad input raises ``HelperError`` (a ``ValueError``) whose message, in Chinese and English,
  names the helper and the value, because it ends up in front of a process owner.

These functions are not versioned with the diagrams: running instances call the current
code.  Changing a helper's meaning needs a new name (e.g. ``add_working_days_v2``).
"""

from __future__ import annotations

import functools
import re
from calendar import monthrange  # the standard library module, not engine.language.calendar
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from ..clock import LOCAL_TZ, now_local, today_local
from .calendar import default_calendar

DateLike = str | date  # datetime is a subclass of date
IntLike = int | str

# Strings must start with a dashed date: date.fromisoformat() would also accept "20260301"
# or "2026-W10-1", which in case data are far more likely typos than intent.
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_PREFIX = re.compile(r"\d{4}-\d{2}-\d{2}[T ]")
_INTEGER = re.compile(r"[+-]?\d+")
_LATEST = time(23, 59, 59)

_F = TypeVar("_F", bound=Callable[..., Any])


class HelperError(ValueError):
    """A helper was called with a value it cannot use."""


def _error(helper: str, arg: str, expected: str, value: object) -> HelperError:
    return HelperError(f"{helper}(): 参数 {arg} 无效 / invalid argument {arg}: {value!r}; {expected}")


def _date_range_checked(func: _F) -> _F:
    """Turn a bare 'date value out of range' into a HelperError that names the helper."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except OverflowError as exc:
            raise HelperError(
                f"{func.__name__}(): 结果超出日期范围 / result out of the date range "
                f"for arguments {args!r}: {exc}"
            ) from exc

    return wrapper  # type: ignore[return-value]


def _as_date(helper: str, value: object, arg: str = "d") -> date:
    expected = "需要日期 YYYY-MM-DD 或 ISO 日期时间 / expected a YYYY-MM-DD date or an ISO datetime"
    if isinstance(value, datetime):
        return _in_beijing(value).date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise _error(helper, arg, expected, value)
    text = value.strip()
    try:
        if _DATE_ONLY.fullmatch(text):
            return date.fromisoformat(text)
        if _DATE_PREFIX.match(text):
            return _in_beijing(datetime.fromisoformat(text)).date()
    except ValueError:
        pass  # e.g. "2026-02-30": same message as any other unusable string
    raise _error(helper, arg, expected, value)


def _in_beijing(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=LOCAL_TZ)
    return moment.astimezone(LOCAL_TZ)


def _as_int(helper: str, value: object, arg: str = "n") -> int:
    # bool is an int subclass, but add_days(d, True) is a diagram bug, not a day count.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value)
    raise _error(helper, arg, "需要整数 / expected an integer", value)


def _clamped_date(helper: str, year: int, month: int, day: int) -> date:
    """The date, with the day lowered to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    if not 1 <= year <= 9999:
        raise HelperError(f"{helper}(): 结果超出日期范围 / result out of the date range: year {year}")
    return date(year, month, min(day, monthrange(year, month)[1]))


def _at(day: date, moment: time) -> str:
    return datetime.combine(day, moment, LOCAL_TZ).isoformat()


def today() -> str:
    """Today's date in Asia/Shanghai.

    Example: ``today()`` -> ``"2026-03-02"``
    """
    return today_local().isoformat()


def now() -> str:
    """The current date and time in Asia/Shanghai, to the second.

    Example: ``now()`` -> ``"2026-03-02T14:05:09+08:00"``
    """
    return now_local().isoformat(timespec="seconds")


def is_working_day(d: DateLike) -> bool:
    """Whether ``d`` is a working day, 调休 make-up days and overrides included.

    Example: ``is_working_day("2025-09-28")`` -> ``True`` (a Sunday worked for National Day)
    """
    return default_calendar().is_working_day(_as_date("is_working_day", d))


@_date_range_checked
def add_working_days(d: DateLike, n: IntLike) -> str:
    """The date of the n-th working day after ``d``.

    Example: ``add_working_days("2025-09-30", 1)`` -> ``"2025-10-09"``
    ``n = 0`` gives ``d`` if it is a working day, else the next working day; a negative ``n``
    counts backwards.
    """
    start = _as_date("add_working_days", d)
    count = _as_int("add_working_days", n)
    return default_calendar().add_working_days(start, count).isoformat()


@_date_range_checked
def working_days_deadline(d: DateLike, n: IntLike) -> str:
    """End (23:59:59 Beijing time) of the n-th working day after ``d``, for a ``timeDate`` timer.

    Example: ``working_days_deadline("2026-03-02", 5)`` -> ``"2026-03-09T23:59:59+08:00"``
    """
    start = _as_date("working_days_deadline", d)
    count = _as_int("working_days_deadline", n)
    return _at(default_calendar().add_working_days(start, count), _LATEST)


@_date_range_checked
def add_days(d: DateLike, n: IntLike) -> str:
    """The date ``n`` calendar days after ``d`` (before it if ``n`` < 0).

    Example: ``add_days("2026-02-27", 2)`` -> ``"2026-03-01"``
    """
    start = _as_date("add_days", d)
    return (start + timedelta(days=_as_int("add_days", n))).isoformat()


def add_months(d: DateLike, n: IntLike) -> str:
    """The date ``n`` calendar months after ``d``, clamped to the end of a shorter month.

    Example: ``add_months("2026-01-31", 1)`` -> ``"2026-02-28"``
    """
    start = _as_date("add_months", d)
    months = start.month - 1 + _as_int("add_months", n)
    return _clamped_date("add_months", start.year + months // 12, months % 12 + 1, start.day).isoformat()


def add_years(d: DateLike, n: IntLike) -> str:
    """The date ``n`` years after ``d``; 29 February becomes 28 February in a common year.

    Example: ``add_years("2028-02-29", 1)`` -> ``"2029-02-28"``
    """
    start = _as_date("add_years", d)
    year = start.year + _as_int("add_years", n)
    return _clamped_date("add_years", year, start.month, start.day).isoformat()


def start_of_day(d: DateLike) -> str:
    """``d`` at 00:00:00 Beijing time, for a ``timeDate`` timer.

    Example: ``start_of_day("2026-03-06")`` -> ``"2026-03-06T00:00:00+08:00"``
    """
    return _at(_as_date("start_of_day", d), time(0, 0, 0))


def end_of_day(d: DateLike) -> str:
    """``d`` at 23:59:59 Beijing time, for a ``timeDate`` timer.

    Example: ``end_of_day("2026-03-06")`` -> ``"2026-03-06T23:59:59+08:00"``
    """
    return _at(_as_date("end_of_day", d), _LATEST)


def next_month_day(month: IntLike, day: IntLike, d: DateLike | None = None) -> str:
    """The first date on or after ``d`` (default: today) with that month and day.

    Example: ``next_month_day(7, 31, "2026-08-01")`` -> ``"2027-07-31"``
    ``(2, 29)`` falls on 28 February in common years, so a yearly deadline happens every year.
    """
    m = _as_int("next_month_day", month, "month")
    if not 1 <= m <= 12:
        raise _error("next_month_day", "month", "需要 1-12 / expected 1-12", month)
    dd = _as_int("next_month_day", day, "day")
    if not 1 <= dd <= monthrange(2000, m)[1]:  # 2000 is a leap year: 29 Feb is allowed
        raise _error("next_month_day", "day", "该月没有这一天 / no such day in that month", day)
    start = today_local() if d is None else _as_date("next_month_day", d)
    candidate = _clamped_date("next_month_day", start.year, m, dd)
    if candidate < start:
        candidate = _clamped_date("next_month_day", start.year + 1, m, dd)
    return candidate.isoformat()


def days_between(a: DateLike, b: DateLike) -> int:
    """Calendar days from ``a`` to ``b`` (negative if ``b`` is earlier).

    Example: ``days_between("2026-02-27", "2026-03-01")`` -> ``2``
    """
    return (_as_date("days_between", b, "b") - _as_date("days_between", a, "a")).days


def working_days_between(a: DateLike, b: DateLike) -> int:
    """Working days after ``a`` up to and including ``b`` (negative if ``b`` is earlier).

    Example: ``working_days_between("2025-09-30", "2025-10-09")`` -> ``1``
    """
    start = _as_date("working_days_between", a, "a")
    end = _as_date("working_days_between", b, "b")
    return default_calendar().working_days_between(start, end)


HELPERS: dict[str, Callable[..., Any]] = {
    "today": today,
    "now": now,
    "is_working_day": is_working_day,
    "add_working_days": add_working_days,
    "working_days_deadline": working_days_deadline,
    "add_days": add_days,
    "add_months": add_months,
    "add_years": add_years,
    "start_of_day": start_of_day,
    "end_of_day": end_of_day,
    "next_month_day": next_month_day,
    "days_between": days_between,
    "working_days_between": working_days_between,
}
