"""The builtins diagram code may call: pure functions, each bounded like an operator.

Everything here either returns something no bigger than its (already bounded) input, or
reserves the size of its result in the evaluation's budget before building it. There is no
`getattr`, `type`, `vars`, `open`, `import` or `eval`: names not listed do not exist.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from .guards import budget, cmpval_, format_, iter_
from .limits import MAX_ITEMS
from .values import size


def _materialized(items: Any, what: str) -> list[Any]:
    if hasattr(items, "__len__") and type(items) is not dict:
        budget().reserve(len(items), what)
    return list(iter_(items))


def safe_list(items: Any = ()) -> list[Any]:
    return _materialized(items, "列表")


def safe_tuple(items: Any = ()) -> tuple[Any, ...]:
    return tuple(_materialized(items, "元组"))


def safe_set(items: Any = ()) -> set[Any]:
    members = _materialized(items, "集合")
    for member in members:
        cmpval_(member)
    return set(members)


def safe_dict(items: Any = (), **named: Any) -> dict[Any, Any]:
    pairs = list(items.items()) if type(items) is dict else _materialized(items, "字典")
    budget().reserve(len(named), "字典")
    for pair in pairs:
        cmpval_(pair)
    return dict(pairs, **named)


def safe_sorted(items: Any, *, key: Callable[[Any], Any] | None = None, reverse: bool = False) -> list[Any]:
    members = _materialized(items, "排序")
    cost = size(members, budget(), MAX_ITEMS, "排序")
    budget().spend(cost * max(1, int(math.log2(len(members) + 1))))
    return sorted(members, key=key, reverse=reverse)


def _extreme(pick: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(*args: Any, **kwargs: Any) -> Any:
        members = _materialized(args[0] if len(args) == 1 else args, "比较")
        size(members, budget(), MAX_ITEMS, "比较")
        return pick(members, **kwargs)
    guarded.__name__ = pick.__name__
    return guarded


def safe_sum(items: Any, start: Any = 0) -> Any:
    """Numbers only: summing lists or strings (`sum(lists, [])`) copies quadratically."""
    if type(start) not in (int, float, Decimal, bool):
        raise budget().fail("sum 只能对数字求和；拼接列表或文字请用推导式或 join")
    total = start
    for item in iter_(items):
        if type(item) not in (int, float, Decimal, bool):
            raise budget().fail(f"sum 只能对数字求和，遇到了{type(item).__name__}")
        total = total + item
    return total


def safe_str(value: Any = "") -> str:
    return format_(value, ord("s"), "")


def safe_int(value: Any = 0, *base: Any) -> int:
    if isinstance(value, Decimal | float) and value == value and abs(value) > 10**300:
        raise budget().fail("数值过大，不能转换为整数")
    return int(value, *base)


def safe_round(value: Any, digits: Any = None) -> Any:
    if digits is not None and abs(int(digits)) > 100:
        raise budget().fail("round 的位数过大（上限 100）")
    return round(value) if digits is None else round(value, digits)


def safe_range(*args: int) -> range:
    """At most MAX_ITEMS numbers, so `sum(range(10**12))` cannot hang."""
    result = range(*args)
    if len(result) > MAX_ITEMS:
        raise budget().fail(f"脚本运算结果过大（range 超过 {MAX_ITEMS} 个数）")
    return result


class _GuardedType(type):
    """A builtin type as diagram code sees it: `isinstance(x, str)` still works, while calling
    it — directly, or from `map(str, ...)` inside C — runs the bounded version."""

    wraps: type
    guarded: Callable[..., Any]

    def __instancecheck__(cls, value: Any) -> bool:
        return isinstance(value, cls.wraps)

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        return cls.guarded(*args, **kwargs)


def _guarded_type(wraps: type, guarded: Callable[..., Any]) -> type:
    return _GuardedType(wraps.__name__, (), {"wraps": wraps, "guarded": staticmethod(guarded)})


def _drawing(lazy: Callable[..., Any], first_iterable: int) -> Callable[..., Any]:
    """map, filter, zip, enumerate, reversed, any, all: their inputs are drawn item by item
    through the counted iterator, so a loop run inside C still ticks the budget."""
    def guarded(*args: Any, **kwargs: Any) -> Any:
        head, tail = args[:first_iterable], args[first_iterable:]
        return lazy(*head, *(iter_(a) for a in tail), **kwargs)
    guarded.__name__ = lazy.__name__
    return guarded


def safe_enumerate(items: Any, start: int = 0) -> enumerate:
    return enumerate(iter_(items), start)


def safe_reversed(items: Any) -> Any:
    return reversed(safe_list(items))


RAW = ("abs", "bool", "float", "isinstance", "len", "ValueError", "KeyError", "Exception")
SAFE_BUILTINS: dict[str, Any] = {name: getattr(builtins, name) for name in RAW} | {
    "True": True, "False": False, "None": None,
    "list": _guarded_type(list, safe_list), "tuple": _guarded_type(tuple, safe_tuple),
    "set": _guarded_type(set, safe_set), "dict": _guarded_type(dict, safe_dict),
    "str": _guarded_type(str, safe_str), "int": _guarded_type(int, safe_int),
    "range": _guarded_type(range, safe_range),
    "map": _drawing(map, 1), "filter": _drawing(filter, 1), "zip": _drawing(zip, 0),
    "enumerate": safe_enumerate, "any": _drawing(any, 0), "all": _drawing(all, 0),
    "reversed": safe_reversed, "sorted": safe_sorted, "min": _extreme(min), "max": _extreme(max),
    "sum": safe_sum, "round": safe_round,
}
