"""The values diagram code may hold, and how big a value is.

An expression sees case data (JSON: None, bool, int, float, str, list, dict), dates and
amounts the helpers work with, and what it builds from them. Only these types have readable
attributes (see `allowlist.py`); everything else — functions, generators, types, exceptions —
is opaque to diagram code.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from types import GeneratorType
from typing import Any

from .limits import Budget, ScriptLimitExceeded

SCALARS = (type(None), bool, int, float, Decimal, str, date, datetime, timedelta)
CONTAINERS = (list, tuple, dict, set, frozenset)
DATA_TYPES = frozenset(SCALARS + CONTAINERS)
_SCALAR_SET = frozenset(SCALARS)
# What `for`, comprehensions and unpacking may draw from: data, lazy views of data and the
# iterators the allowed builtins return.
ITERABLE_TYPES = frozenset((
    str, list, tuple, dict, set, frozenset, range, GeneratorType,
    type({}.keys()), type({}.values()), type({}.items()),
    map, filter, zip, enumerate, reversed, type(reversed([])), type(iter([])), type(iter(())),
    type(iter("")), type(iter(range(0))), type(iter(set())), type(iter({})),
))
TYPE_NAMES = {
    type(None): "空值", bool: "是否值", int: "整数", float: "小数", Decimal: "金额", str: "字符串",
    date: "日期", datetime: "日期时间", timedelta: "时间间隔", list: "列表", tuple: "元组",
    dict: "字典", set: "集合", frozenset: "集合", range: "数列",
}


def type_name(value: Any) -> str:
    return TYPE_NAMES.get(type(value), "不可访问的对象")


def size(value: Any, budget: Budget, limit: int, what: str) -> int:
    """Elements in `value` counted as a tree (a list holding one list twice counts it twice,
    which is what comparing, hashing or printing it costs), stopping past `limit`."""
    if type(value) in _SCALAR_SET:
        return len(value) if type(value) is str else 1
    total, stack = 0, [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is str:
            total += 1 + len(item)
        elif kind is dict:
            total += 1 + len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif kind in (list, tuple, set, frozenset):
            total += 1 + len(item)
            stack.extend(item)
        else:
            total += 1
        if total > limit:
            raise budget.fail(f"{what}的数据结构过大（超过 {limit} 个元素）")
    budget.spend(total)
    return total


def check_plain(value: Any, budget: Budget, name: str) -> None:
    """A value leaving diagram code for the case data must be plain data of bounded size:
    a generator or a function cannot be stored, and a structure that shares one list many
    times would be stored as many copies."""
    stack = [value]
    seen = 0
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind not in DATA_TYPES:
            raise ScriptLimitExceeded(f"变量 {name} 的值不能保存到案件数据中（{type_name(item)}）")
        seen += 1 + (len(item) if kind is str else 0)
        if seen > MAX_STORED:
            raise budget.fail(f"变量 {name} 的值过大，无法保存（超过 {MAX_STORED} 个元素）")
        if kind is dict:
            stack.extend(item.keys())
            stack.extend(item.values())
        elif kind in (list, tuple, set, frozenset):
            stack.extend(item)


MAX_STORED = 1_000_000
