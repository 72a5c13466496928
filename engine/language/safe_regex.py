"""Form `pattern`s that cannot stall a worker.

At deploy a pattern with nested unbounded repetition — `(a+)+`, `(a*)*b`, `(x+y*)+` — is
refused: that is the shape of catastrophic backtracking. Whatever passes is still matched
with the `regex` module's timeout, so an ambiguous alternation under a repeat (`(a|a)+$`)
costs at most MATCH_TIMEOUT per field and then counts as a mismatch.
"""

from __future__ import annotations

import re
import re._constants as sre
import re._parser as sre_parse
from functools import lru_cache
from typing import Any

import regex

MATCH_TIMEOUT = 0.1  # seconds per match
_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT)}


def _children(op: Any, av: Any) -> list[Any]:
    """The sub-patterns directly inside one parsed item."""
    if op in _REPEATS:
        return [av[2]]
    if op is sre.SUBPATTERN:
        return [av[-1]]
    if op is sre.BRANCH:
        return list(av[1])
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        return [av[1]]
    return []


def _repeats(items: Any) -> bool:
    """Whether a parsed (sub)pattern holds, at any depth, a repetition of more than one."""
    return any((op in _REPEATS and av[1] > 1) or any(_repeats(c) for c in _children(op, av))
               for op, av in items)


def _nested(op: Any, av: Any) -> str | None:
    if op in _REPEATS and av[1] > 1 and _repeats(av[2]):
        return "嵌套的重复（如 (a+)+），可能导致灾难性回溯"
    return next((found for child in _children(op, av) if (found := _walk(child))), None)


def _walk(items: Any) -> str | None:
    return next((found for op, av in items if (found := _nested(op, av))), None)


def unsafe_reason(pattern: str) -> str | None:
    """Why `pattern` is refused (invalid, or catastrophic backtracking), or None."""
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, OverflowError, RecursionError) as exc:
        return f"不是有效的正则表达式：{exc}"
    return _walk(parsed)


@lru_cache(maxsize=1024)
def _compiled(pattern: str) -> regex.Pattern:
    return regex.compile(pattern)


def search(pattern: str, text: str) -> bool:
    """re.search with a time bound: a match that takes too long counts as no match."""
    try:
        return _compiled(pattern).search(text, timeout=MATCH_TIMEOUT) is not None
    except TimeoutError:
        return False
