"""Amounts of money as officials read them: which variables hold yuan, and a yuan figure in 万元.

Bundles keep money in yuan (`budget_yuan`, a form field titled 「预算资金（元）」) so that the data
and the regulation's thresholds stay exact integers; people read 万元. One rule for telling an
amount from any other number, shared by whatever shows a value or a threshold in words.
"""

from __future__ import annotations

import re
from decimal import Decimal

YUAN_MARKS = ("（元）", "(元)")
YUAN_FIRST = re.compile(r"([（(])元[，,、]\s*")  # （元，最新审定/安排/调整） keeps its note


def is_amount(name: str | None, *titles: str | None) -> bool:
    """True for a variable that holds yuan: its name ends in `_yuan`, or a title naming it (a
    form field's title, a table column's label) carries the unit （元）."""
    if name and name.endswith("_yuan"):
        return True
    return any(mark in (title or "") for title in titles for mark in YUAN_MARKS)


def without_yuan_mark(title: str) -> str:
    """A column heading without its （元）, for columns whose cells carry their own unit."""
    for mark in YUAN_MARKS:
        title = title.replace(mark, "")
    return YUAN_FIRST.sub(r"\1", title).strip()


def plain_number(value: float | int) -> str:
    """A number without trailing zeros or exponent: 0.15 → 0.15, 500.0 → 500, 1e6 → 1000000."""
    return format(Decimal(str(value)).normalize(), "f")


def yuan_in_words(value: float | int, unit: bool = True) -> str:
    """10 万元 for 100000, 1.5 万元 for 15000; below 1 万 in 元 (5000 元). `unit=False` leaves
    the unit off (for 「介于 10 与 50 万元」, which names it once)."""
    if abs(value) >= 10000:
        return plain_number(round(Decimal(str(value)) / 10000, 4)) + (" 万元" if unit else "")
    return plain_number(value) + (" 元" if unit else "")
