"""The attributes diagram code may read, per value type — everything else is refused.

An attribute is reachable only if its value's exact type is listed here and the name is in
that type's set; subclasses, types, functions, generators, frames and exceptions have no
entry, so nothing reaches an interpreter internal whatever the attribute is called. Methods
that build a result whose size depends on their arguments are listed in `SIZED_METHODS` and
run through a guard that reserves the result's size first (see `guards.py`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

_STR_READ = {
    "capitalize", "casefold", "count", "endswith", "find", "index", "isalnum", "isalpha", "isascii",
    "isdecimal", "isdigit", "islower", "isnumeric", "isspace", "istitle", "isupper", "lower", "lstrip",
    "partition", "removeprefix", "removesuffix", "rfind", "rindex", "rpartition", "rstrip", "startswith",
    "strip", "swapcase", "title", "upper",
}
_DATE_READ = {"year", "month", "day", "weekday", "isoweekday", "isoformat", "toordinal", "isocalendar", "replace"}

# Every method of str is guarded: each is O(len) and most build a string of about that size.
SIZED_METHODS: dict[type, set[str]] = {
    str: _STR_READ | {"center", "ljust", "rjust", "zfill", "replace", "join", "split", "rsplit", "splitlines",
                      "expandtabs"},
    list: {"append", "extend", "insert", "copy", "count", "index", "remove", "sort", "reverse"},
    tuple: {"count", "index"},
    dict: {"get", "pop", "setdefault", "update", "copy"},
    set: {"add", "discard", "remove", "update", "copy", "union", "intersection", "difference",
          "symmetric_difference", "issubset", "issuperset", "isdisjoint"},
    date: {"strftime"},
    datetime: {"strftime"},
}

ATTRIBUTES: dict[type, frozenset[str]] = {
    str: frozenset(SIZED_METHODS[str]),
    list: frozenset({"pop", "clear"} | SIZED_METHODS[list]),
    tuple: frozenset(SIZED_METHODS[tuple]),
    dict: frozenset({"clear", "popitem", "items", "keys", "values"} | SIZED_METHODS[dict]),
    set: frozenset({"pop", "clear"} | SIZED_METHODS[set]),
    frozenset: frozenset({"issubset", "issuperset", "isdisjoint"}),
    int: frozenset({"bit_length"}),
    bool: frozenset(),
    float: frozenset({"is_integer"}),
    Decimal: frozenset({"quantize", "to_integral_value", "is_zero", "is_signed"}),
    date: frozenset(_DATE_READ | SIZED_METHODS[date]),
    datetime: frozenset(_DATE_READ | {"hour", "minute", "second", "microsecond", "date", "timestamp"}
                        | SIZED_METHODS[datetime]),
    timedelta: frozenset({"days", "seconds", "microseconds", "total_seconds"}),
}

ALL_ATTRIBUTE_NAMES = frozenset().union(*ATTRIBUTES.values())
