"""The bounds of one evaluation and the budget that enforces them.

Every guarded operation (see `guards.py`) charges this budget *before* it does its work:
iterations and calls tick, size-producing operations reserve what they will allocate, and
work done in C (sorting, walking a structure) is paid for up front. Because the charge comes
first and every loop, call and allocation passes a guard, the evaluated code cannot lift a
bound: there is no operation that does unbounded work between two checks.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

MAX_STEPS = 1_000_000          # loop iterations, items drawn and calls, per evaluation
MAX_WORK = 20_000_000          # elements touched by work done in C (sorting, comparing, copying)
MAX_SECONDS = 2.0              # CPU time of the evaluating thread per evaluation
MAX_ITEMS = 1_000_000          # length of one string, list, set or dict an operation may build
MAX_ALLOCATED = 10_000_000     # items reserved by all the operations of one evaluation together
MAX_BITS = 64_000              # size of an integer result (about 19,000 decimal digits)
MAX_SOURCE = 20_000            # characters of one expression or script
MAX_FORMAT_WIDTH = 1_000       # width or precision in a format specification
MAX_HELPER_ARGUMENT = 1_000    # items in one argument passed to a product helper
_CHECK_EVERY = 128             # ticks between two looks at the clock


_outer = threading.local()


class ScriptLimitExceeded(ValueError):
    """An expression or script went beyond a bound; the message says which, in Chinese."""


class RunOutOfTime(ScriptLimitExceeded):
    """The evaluation stopped because the run that started it (see `ceiling`) is out of time,
    not because of anything the evaluated code did."""


@contextmanager
def ceiling(deadline: float) -> Iterator[None]:
    """Cap every evaluation started inside at `deadline` (a `time.monotonic()` value).

    One evaluation is bounded by MAX_SECONDS, but a run of many — the pre-deployment
    simulation walks hundreds of states, each evaluating the bundle's expressions — would
    otherwise be bounded only by their number times MAX_SECONDS. Nested ceilings keep the
    earliest."""
    outer = getattr(_outer, "deadline", None)
    _outer.deadline = deadline if outer is None else min(outer, deadline)
    try:
        yield
    finally:
        _outer.deadline = outer


class Budget:
    """One evaluation's allowance. Once a bound is hit the budget stays tripped: any later
    guarded operation of the same evaluation fails at once."""

    __slots__ = ("allocated", "cap", "cpu_deadline", "next_check", "steps", "tripped", "work")

    def __init__(self) -> None:
        self.steps = 0
        self.work = 0
        self.allocated = 0
        self.next_check = _CHECK_EVERY
        # CPU time, not the wall clock: runaway code burns CPU, while a busy machine or a product
        # helper waiting on the database does not, and must not fail a case's script.
        self.cpu_deadline = time.thread_time() + MAX_SECONDS
        self.cap: float | None = getattr(_outer, "deadline", None)  # a run's wall-clock ceiling
        self.tripped: ScriptLimitExceeded | None = None

    def fail(self, message: str) -> ScriptLimitExceeded:
        self.tripped = ScriptLimitExceeded(message)
        return self.tripped

    def tick(self) -> None:
        """One loop iteration, one item drawn or one call."""
        self.steps += 1
        if self.steps >= self.next_check:
            self.check()

    def check(self) -> None:
        if self.tripped is not None:
            raise self.tripped
        if self.steps > MAX_STEPS:
            raise self.fail(f"脚本循环次数超过上限（{MAX_STEPS} 次）")
        if self.cap is not None and time.monotonic() > self.cap:
            self.tripped = RunOutOfTime("本次检查的总时间预算已用完，表达式未算完")
            raise self.tripped
        if time.thread_time() > self.cpu_deadline:
            raise self.fail(f"脚本运行时间超过上限（{MAX_SECONDS:g} 秒）")
        self.next_check = self.steps + _CHECK_EVERY

    def spend(self, work: int) -> None:
        """Pay for `work` elements touched in C before touching them."""
        self.work += work
        if self.work > MAX_WORK:
            raise self.fail(f"脚本运算量超过上限（{MAX_WORK} 个元素）")
        self.check()

    def reserve(self, items: int, what: str) -> None:
        """Reserve room for a result of `items` elements before building it."""
        if items > MAX_ITEMS:
            raise self.fail(f"脚本运算结果过大（{what}：{items} 个元素，上限 {MAX_ITEMS}）")
        self.allocated += items
        if self.allocated > MAX_ALLOCATED:
            raise self.fail(f"脚本占用内存超过上限（共 {MAX_ALLOCATED} 个元素）")
        self.spend(items)
