"""The functions compiled diagram code calls instead of touching values directly.

`policy.py` rewrites every attribute read, item read and write, iteration, call, operator,
comparison, display and f-string field into a call of one of these. Each checks the value's
type against the allow-list, pays the evaluation's budget for the work and the memory the
operation is about to use, and only then does it. The budget of the running evaluation is
thread-local (`running`), so the compiled code and these functions are shared by all cases.
"""

from __future__ import annotations

import math
import operator
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from types import BuiltinMethodType, FunctionType
from typing import Any

from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence

from .allowlist import ATTRIBUTES, SIZED_METHODS
from .limits import MAX_BITS, MAX_FORMAT_WIDTH, MAX_HELPER_ARGUMENT, MAX_ITEMS, Budget, ScriptLimitExceeded
from .values import DATA_TYPES, ITERABLE_TYPES, SCALARS, size, type_name

SOURCE_NAME = "<流程表达式>"  # the file name of compiled diagram code: its lambdas are callable
_SCALAR_SET = frozenset(SCALARS)
_SEQUENCES = (str, list, tuple)
_local = threading.local()


class ExpressionRefused(ValueError):
    """Diagram code tried something outside the allow-list (a type, attribute or call)."""


def budget() -> Budget:
    return _local.budget


@contextmanager
def running(fresh: Budget) -> Iterator[Budget]:
    """Make `fresh` the budget of the code evaluated inside the block (nesting restores)."""
    outer = getattr(_local, "budget", None)
    _local.budget = fresh
    try:
        yield fresh
    finally:
        _local.budget = outer


def _tick() -> Budget:
    spent = _local.budget
    spent.steps += 1
    if spent.steps >= spent.next_check:
        spent.check()
    return spent


def tick_() -> None:
    """The first statement of every `while` body."""
    _tick()


def _refuse(message: str) -> ExpressionRefused:
    return ExpressionRefused(message)


# ---- attributes, items, writes ------------------------------------------------------------

def getattr_(obj: Any, name: str) -> Any:
    kind = type(obj)
    allowed = ATTRIBUTES.get(kind)
    if allowed is None or name not in allowed:
        raise _refuse(f"不允许访问{type_name(obj)}的属性 {name}")
    if name in SIZED_METHODS.get(kind, ()):
        return partial(_METHOD_GUARDS[name], obj)
    return getattr(obj, name)


def _key(key: Any, what: str) -> Any:
    """A dict key or set member: hashing a nested tuple costs its whole tree."""
    if type(key) is tuple:
        size(key, _local.budget, MAX_ITEMS, what)
    return key


def getitem_(obj: Any, key: Any) -> Any:
    kind = type(obj)
    if kind is dict:
        return obj[_key(key, "字典的键")]
    if kind not in (list, tuple, str, range):
        raise _refuse(f"不允许按下标读取{type_name(obj)}")
    if type(key) is slice:
        _local.budget.reserve(len(range(*key.indices(len(obj)))), "切片")
    return obj[key]


class _Writable:
    """What `x[k] = v` and `del x[k]` see: a list or dict whose writes are sized first."""

    __slots__ = ("_target",)

    def __init__(self, target: list | dict) -> None:
        self._target = target

    def __setitem__(self, key: Any, value: Any) -> None:
        target = self._target
        if type(key) is slice:
            items = list(iter_(value))
            _local.budget.reserve(len(target) + len(items), "切片赋值")
            target[key] = items
            return
        if type(target) is dict:
            _local.budget.reserve(1, "字典")
            _key(key, "字典的键")
        target[key] = value

    def __delitem__(self, key: Any) -> None:
        del self._target[key]


def write_(obj: Any) -> _Writable:
    if type(obj) not in (list, dict):
        raise _refuse(f"不允许修改{type_name(obj)}")
    return _Writable(obj)


# ---- iteration --------------------------------------------------------------------------

def _counted(items: Iterable[Any]) -> Iterator[Any]:
    for item in items:
        _tick()
        yield item


def iter_(obj: Any) -> Iterator[Any]:
    if type(obj) not in ITERABLE_TYPES:
        raise _refuse(f"不能逐项取出{type_name(obj)}")
    return _counted(obj)


def unpack_sequence(value: Any, spec: Any, _getiter: Callable[[Any], Any]) -> Any:
    return guarded_unpack_sequence(value, spec, iter_)


def iter_unpack_sequence(value: Any, spec: Any, _getiter: Callable[[Any], Any]) -> Any:
    return guarded_iter_unpack_sequence(value, spec, iter_)


# ---- displays, comparisons, unpacking ----------------------------------------------------

def alloc_(display: Any) -> Any:
    """A list, tuple, set or dict written in the code: counted against the memory bound."""
    _local.budget.reserve(len(display), "列表或字典")
    return display


def cmpval_(value: Any) -> Any:
    """An operand of a comparison (or a set member): comparing nested containers costs their
    whole tree, paid for before the comparison runs."""
    if type(value) in _SCALAR_SET:
        return value
    size(value, _local.budget, MAX_ITEMS, "比较")
    return value


def mapping_(value: Any) -> dict:
    """`**value` in a dict display or a call."""
    if type(value) is not dict:
        raise _refuse(f"** 只能用于字典，不能用于{type_name(value)}")
    _local.budget.reserve(len(value), "字典展开")
    return value


# ---- operators -------------------------------------------------------------------------

def _int_bits(left: Any, right: Any) -> int:
    return abs(int(left)).bit_length() + abs(int(right)).bit_length()


def _sequence_pair(left: Any, right: Any) -> bool:
    return isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES)


def add_(left: Any, right: Any) -> Any:
    if _sequence_pair(left, right):
        _local.budget.reserve(len(left) + len(right), "拼接")
    return left + right


def _repeat(seq: Any, times: Any) -> Any:
    count = times if type(times) in (int, bool) else 0
    _local.budget.reserve(len(seq) * max(count, 0), "重复")
    return seq * times


def mul_(left: Any, right: Any) -> Any:
    if isinstance(left, _SEQUENCES):
        return _repeat(left, right)
    if isinstance(right, _SEQUENCES):
        return _repeat(right, left)
    if type(left) in (int, bool) and type(right) in (int, bool) and _int_bits(left, right) > MAX_BITS:
        raise _local.budget.fail("脚本运算结果过大（乘法）")
    return left * right


def pow_(left: Any, right: Any, modulo: Any = None) -> Any:
    ints = type(left) in (int, bool) and type(right) in (int, bool)
    if ints and right > 0 and abs(left) > 1 and abs(left).bit_length() * right > MAX_BITS:
        raise _local.budget.fail("脚本运算结果过大（乘方）")
    if (isinstance(left, Decimal) or isinstance(right, Decimal)) and abs(right) > MAX_BITS:
        raise _local.budget.fail("脚本运算结果过大（乘方）")
    return left ** right if modulo is None else pow(left, right, modulo)


def lshift_(left: Any, right: Any) -> Any:
    if type(left) in (int, bool) and type(right) in (int, bool) and abs(left).bit_length() + right > MAX_BITS:
        raise _local.budget.fail("脚本运算结果过大（移位）")
    return left << right


def mod_(left: Any, right: Any) -> Any:
    if isinstance(left, str):
        return _percent_format(left, right)
    return left % right


def _percent_format(pattern: str, args: Any) -> str:
    """`"%04d-%02d" % (y, m)`: every number in the pattern is at most MAX_FORMAT_WIDTH (so no
    width or precision is larger, however the conversion is spelled) and no `*` width."""
    if "*" in pattern or any(int(n) > MAX_FORMAT_WIDTH for n in _NUMBERS_IN_SPEC.findall(pattern)):
        raise _local.budget.fail(f"% 格式中的宽度或精度过大（上限 {MAX_FORMAT_WIDTH}，且不能用 *）")
    values = args.values() if type(args) is dict else args if type(args) is tuple else (args,)
    for value in values:
        _formattable(value, "格式化")
    text = pattern % args
    _local.budget.reserve(len(text), "格式化")
    return text


def _setlike(op: Callable[[Any, Any], Any], what: str) -> Callable[[Any, Any], Any]:
    def guarded(left: Any, right: Any) -> Any:
        if isinstance(left, set | frozenset | dict) and isinstance(right, set | frozenset | dict):
            _local.budget.reserve(len(left) + len(right), what)
        return op(left, right)
    return guarded


or_ = _setlike(operator.or_, "并集")
and_ = _setlike(operator.and_, "交集")
xor_ = _setlike(operator.xor, "对称差")
sub_ = _setlike(operator.sub, "差集")


def _plain(op: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def guarded(left: Any, right: Any) -> Any:
        return op(left, right)
    return guarded


truediv_ = _plain(operator.truediv)
floordiv_ = _plain(operator.floordiv)
rshift_ = _plain(operator.rshift)
matmul_ = _plain(operator.matmul)

BINARY = {"Add": add_, "Sub": sub_, "Mult": mul_, "Div": truediv_, "FloorDiv": floordiv_, "Mod": mod_,
          "Pow": pow_, "LShift": lshift_, "RShift": rshift_, "BitOr": or_, "BitAnd": and_, "BitXor": xor_,
          "MatMult": matmul_}
_INPLACE = {"+=": add_, "-=": sub_, "*=": mul_, "/=": truediv_, "//=": floordiv_, "%=": mod_, "**=": pow_,
            "<<=": lshift_, ">>=": rshift_, "|=": or_, "&=": and_, "^=": xor_, "@=": matmul_}


def inplacevar_(op: str, left: Any, right: Any) -> Any:
    return _INPLACE[op](left, right)


# ---- formatting -----------------------------------------------------------------------

_NUMBERS_IN_SPEC = re.compile(r"\d+")


def _formattable(value: Any, what: str) -> None:
    if type(value) not in DATA_TYPES:
        raise _refuse(f"不能格式化{type_name(value)}")
    size(value, _local.budget, MAX_ITEMS, what)


def format_(value: Any, conversion: int, spec: str) -> str:
    """One `{value!conversion:spec}` field of an f-string, with its width bounded."""
    _formattable(value, "格式化")
    if len(spec) > 100 or any(int(n) > MAX_FORMAT_WIDTH for n in _NUMBERS_IN_SPEC.findall(spec)):
        raise _local.budget.fail(f"格式说明中的宽度或精度过大（上限 {MAX_FORMAT_WIDTH}）：{spec[:40]}")
    if conversion == ord("r"):
        value = repr(value)
    elif conversion in (ord("s"), ord("a")):
        value = str(value) if conversion == ord("s") else ascii(value)
    text = format(value, spec)
    _local.budget.reserve(len(text), "格式化")
    return text


# ---- sized methods ----------------------------------------------------------------------

def _width(text: str, width: Any, *rest: Any) -> int:
    _local.budget.reserve(max(int(width), len(text)), "填充")
    return int(width)


def _center(text: str, width: Any, *fill: Any) -> str:
    return text.center(_width(text, width), *fill)


def _ljust(text: str, width: Any, *fill: Any) -> str:
    return text.ljust(_width(text, width), *fill)


def _rjust(text: str, width: Any, *fill: Any) -> str:
    return text.rjust(_width(text, width), *fill)


def _zfill(text: str, width: Any) -> str:
    return text.zfill(_width(text, width))


def _replace(text: str, old: str, new: str, count: int = -1) -> str:
    found = text.count(old) if count < 0 else min(count, text.count(old))
    _local.budget.reserve(len(text) + found * max(len(new) - len(old), 0), "替换")
    return text.replace(old, new, count)


def _join(text: str, items: Any) -> str:
    parts = list(iter_(items))
    _local.budget.reserve(sum(len(p) if type(p) is str else 0 for p in parts) + len(text) * len(parts), "连接")
    return text.join(parts)


def _split(text: str, *args: Any, **kwargs: Any) -> list[str]:
    _local.budget.reserve(len(text) + 1, "拆分")
    return text.split(*args, **kwargs)


def _rsplit(text: str, *args: Any, **kwargs: Any) -> list[str]:
    _local.budget.reserve(len(text) + 1, "拆分")
    return text.rsplit(*args, **kwargs)


def _splitlines(text: str, *args: Any) -> list[str]:
    _local.budget.reserve(len(text) + 1, "拆分")
    return text.splitlines(*args)


def _expandtabs(text: str, tabsize: int = 8) -> str:
    _local.budget.reserve(len(text) + text.count("\t") * max(int(tabsize), 0), "展开制表符")
    return text.expandtabs(tabsize)


def _append(items: list, value: Any) -> None:
    _local.budget.reserve(1, "列表")
    items.append(value)


def _extend(items: list, more: Any) -> None:
    added = list(iter_(more))
    _local.budget.reserve(len(items) + len(added), "列表")
    items.extend(added)


def _insert(items: list, index: Any, value: Any) -> None:
    _local.budget.reserve(1, "列表")
    _local.budget.spend(len(items))
    items.insert(index, value)


def _copy(container: Any) -> Any:
    _local.budget.reserve(len(container), "复制")
    return container.copy()


def _searching(method: str) -> Callable[..., Any]:
    """count / index / remove: each element is compared with the argument."""
    def guarded(items: Any, value: Any, *args: Any) -> Any:
        _local.budget.spend(len(items) * size(value, _local.budget, MAX_ITEMS, "查找"))
        return getattr(items, method)(value, *args)
    return guarded


def _sort(items: list, *, key: Any = None, reverse: bool = False) -> None:
    cost = size(items, _local.budget, MAX_ITEMS, "排序")
    _local.budget.spend(cost * max(1, int(math.log2(len(items) + 1))))
    items.sort(key=key, reverse=reverse)


def _reverse(items: list) -> None:
    _local.budget.spend(len(items))
    items.reverse()


def _dict_get(mapping: dict, key: Any, default: Any = None) -> Any:
    return mapping.get(_key(key, "字典的键"), default)


def _dict_pop(mapping: dict, key: Any, *default: Any) -> Any:
    return mapping.pop(_key(key, "字典的键"), *default)


def _setdefault(mapping: dict, key: Any, default: Any = None) -> Any:
    _local.budget.reserve(1, "字典")
    return mapping.setdefault(_key(key, "字典的键"), default)


def _update(container: Any, *others: Any, **more: Any) -> None:
    merged = [dict(mapping_(o)) if type(container) is dict else set(iter_(o)) for o in others]
    _local.budget.reserve(len(container) + sum(len(o) for o in merged) + len(more), "合并")
    for other in merged:
        size(other, _local.budget, MAX_ITEMS, "合并")
        container.update(other)
    if more:
        container.update(more)


def _set_add(items: set, value: Any) -> None:
    _local.budget.reserve(1, "集合")
    items.add(_key(value, "集合的元素"))


def _set_discard(items: set, value: Any) -> None:
    items.discard(_key(value, "集合的元素"))


def _set_remove(items: Any, value: Any) -> None:
    if type(items) is list:
        _searching("remove")(items, value)
        return
    items.remove(_key(value, "集合的元素"))


def _set_op(method: str) -> Callable[..., Any]:
    def guarded(items: set, *others: Any) -> Any:
        sets = [set(iter_(o)) for o in others]
        for other in sets:
            size(other, _local.budget, MAX_ITEMS, "集合")
        _local.budget.reserve(len(items) + sum(len(s) for s in sets), "集合")
        return getattr(items, method)(*sets)
    return guarded


def _str_method(name: str) -> Callable[..., Any]:
    """Any other str method: O(len) work, and a result at most a few times the text's length
    (case mapping can turn one character into three)."""
    def guarded(text: str, *args: Any) -> Any:
        _local.budget.reserve(3 * len(text), "文字处理")
        return getattr(text, name)(*args)
    return guarded


def _strftime(moment: date | datetime, pattern: str) -> str:
    if len(pattern) > 200:
        raise _local.budget.fail("日期格式过长（上限 200 个字符）")
    return moment.strftime(pattern)


_METHOD_GUARDS: dict[str, Callable[..., Any]] = {
    "center": _center, "ljust": _ljust, "rjust": _rjust, "zfill": _zfill, "replace": _replace,
    "join": _join, "split": _split, "rsplit": _rsplit, "splitlines": _splitlines, "expandtabs": _expandtabs,
    "append": _append, "extend": _extend, "insert": _insert, "copy": _copy, "count": _searching("count"),
    "index": _searching("index"), "remove": _set_remove, "sort": _sort, "reverse": _reverse,
    "get": _dict_get, "pop": _dict_pop, "setdefault": _setdefault, "update": _update, "add": _set_add,
    "discard": _set_discard, "union": _set_op("union"), "intersection": _set_op("intersection"),
    "difference": _set_op("difference"), "symmetric_difference": _set_op("symmetric_difference"),
    "issubset": _set_op("issubset"), "issuperset": _set_op("issuperset"), "isdisjoint": _set_op("isdisjoint"),
    "strftime": _strftime,
}
_METHOD_GUARDS.update({name: _str_method(name) for name in SIZED_METHODS[str] if name not in _METHOD_GUARDS})
_GUARD_FUNCTIONS = frozenset(map(id, _METHOD_GUARDS.values()))


# ---- calls ------------------------------------------------------------------------------

class Callables:
    """The functions an environment offers by name: safe builtins and the product's helpers
    (whose arguments are bounded: a helper may turn a list into a database query)."""

    def __init__(self, builtins: dict[str, Any], helpers: dict[str, Any]) -> None:
        self.trusted = frozenset(id(f) for f in (*builtins.values(), *helpers.values()) if callable(f))
        self.helpers = frozenset(id(f) for f in helpers.values())


def _bound_method_allowed(func: Any) -> bool:
    owner = getattr(func, "__self__", None)
    allowed = ATTRIBUTES.get(type(owner))
    return allowed is not None and func.__name__ in allowed and func.__name__ not in SIZED_METHODS.get(type(owner), ())


def make_call(callables: Callables) -> Callable[..., Any]:
    """The `_call_` of an environment: every call in diagram code goes through it."""

    def call_(func: Any, *args: Any, **kwargs: Any) -> Any:
        _tick()
        kind = type(func)
        if kind is FunctionType and func.__code__.co_filename == SOURCE_NAME:
            return func(*args, **kwargs)
        if kind is partial and id(func.func) in _GUARD_FUNCTIONS:
            return func(*args, **kwargs)
        if id(func) in callables.trusted:
            if id(func) in callables.helpers:
                for value in (*args, *kwargs.values()):
                    size(value, _local.budget, MAX_HELPER_ARGUMENT, "传给函数的参数")
            return func(*args, **kwargs)
        if kind is BuiltinMethodType and _bound_method_allowed(func):
            return func(*args, **kwargs)
        raise _refuse(f"不允许调用{type_name(func)}")

    return call_


__all__ = ["BINARY", "SOURCE_NAME", "Callables", "ExpressionRefused", "ScriptLimitExceeded", "alloc_", "budget",
           "cmpval_", "format_", "getattr_", "getitem_", "inplacevar_", "iter_", "iter_unpack_sequence",
           "make_call", "mapping_", "running", "unpack_sequence", "write_"]
