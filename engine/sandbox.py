"""Run-time bounds for diagram scripts, conditions and DMN cells.

The lint refuses what it can see (imports, `_` names, `format`, constant bombs); what depends
on case data is bounded here. Each expression is compiled once through an AST rewrite that
routes `**`, `*`, `+`, `<<` through size checks, counts every loop iteration and item drawn
by a `for` or a comprehension, and stops at a wall-clock deadline. A breach raises
ScriptLimitExceeded, which the runtime turns into a ProcessError naming the element.
"""

from __future__ import annotations

import ast
import copy
import time
from collections.abc import Iterable, Iterator
from functools import lru_cache
from types import CodeType
from typing import Any

MAX_STEPS = 1_000_000        # loop iterations and items drawn, per evaluation
MAX_SECONDS = 2.0            # wall clock per evaluation, checked every few hundred steps
MAX_ITEMS = 1_000_000        # length of a string, list or range built by arithmetic
MAX_BITS = 64_000            # size of an integer result (about 19,000 decimal digits)
SEQUENCES = (str, bytes, list, tuple)


class ScriptLimitExceeded(ValueError):
    """A script or expression went beyond the run-time bounds."""


class Budget:
    """One evaluation's allowance; its bound methods are what the rewritten code calls."""

    def __init__(self) -> None:
        self.steps = 0
        self.deadline = time.monotonic() + MAX_SECONDS

    def tick(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise ScriptLimitExceeded(f"脚本循环次数超过上限（{MAX_STEPS} 次）")
        if self.steps % 256 == 0 and time.monotonic() > self.deadline:
            raise ScriptLimitExceeded(f"脚本运行时间超过上限（{MAX_SECONDS} 秒）")

    def iterate(self, items: Iterable[Any]) -> Iterator[Any]:
        for item in items:
            self.tick()
            yield item

    def names(self) -> dict[str, Any]:
        return {"_sb_tick": self.tick, "_sb_iter": self.iterate, "_sb_pow": bounded_pow,
                "_sb_mul": bounded_mul, "_sb_add": bounded_add, "_sb_lshift": bounded_lshift}


def _too_big(what: str) -> ScriptLimitExceeded:
    return ScriptLimitExceeded(f"脚本运算结果过大（{what}）")


def bounded_pow(base: Any, exp: Any) -> Any:
    ints = isinstance(base, int) and isinstance(exp, int)
    if ints and exp > 0 and abs(base) > 1 and base.bit_length() * exp > MAX_BITS:
        raise _too_big("乘方")
    return base ** exp


def bounded_mul(left: Any, right: Any) -> Any:
    if isinstance(left, int) and isinstance(right, int):
        if left.bit_length() + right.bit_length() > MAX_BITS:
            raise _too_big("乘法")
    elif isinstance(left, SEQUENCES) or isinstance(right, SEQUENCES):
        seq, times = (left, right) if isinstance(left, SEQUENCES) else (right, left)
        if isinstance(times, int) and len(seq) * times > MAX_ITEMS:
            raise _too_big(f"重复后长度超过 {MAX_ITEMS}")
    return left * right


def bounded_add(left: Any, right: Any) -> Any:
    if isinstance(left, SEQUENCES) and isinstance(right, SEQUENCES) and len(left) + len(right) > MAX_ITEMS:
        raise _too_big(f"拼接后长度超过 {MAX_ITEMS}")
    return left + right


def bounded_lshift(left: Any, right: Any) -> Any:
    if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right > MAX_BITS:
        raise _too_big("移位")
    return left << right


def bounded_range(*args: int) -> range:
    """`range` for diagrams: at most MAX_ITEMS numbers, so `sum(range(10**12))` cannot hang."""
    result = range(*args)
    if len(result) > MAX_ITEMS:
        raise _too_big(f"range 超过 {MAX_ITEMS} 个数")
    return result


_OPERATORS = {ast.Pow: "_sb_pow", ast.Mult: "_sb_mul", ast.Add: "_sb_add", ast.LShift: "_sb_lshift"}


def _call(name: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=list(args), keywords=[])


def _as_load(target: ast.expr) -> ast.expr:
    loaded = copy.deepcopy(target)
    for node in ast.walk(loaded):
        if hasattr(node, "ctx"):
            node.ctx = ast.Load()
    return loaded


class _Bound(ast.NodeTransformer):
    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        self.generic_visit(node)
        name = _OPERATORS.get(type(node.op))
        return _call(name, node.left, node.right) if name else node

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.stmt:
        self.generic_visit(node)
        name = _OPERATORS.get(type(node.op))
        if name is None:
            return node
        return ast.Assign(targets=[node.target], value=_call(name, _as_load(node.target), node.value))

    def visit_While(self, node: ast.While) -> ast.While:
        self.generic_visit(node)
        node.body.insert(0, ast.Expr(_call("_sb_tick")))
        return node

    def visit_For(self, node: ast.For) -> ast.For:
        self.generic_visit(node)
        node.iter = _call("_sb_iter", node.iter)
        return node

    def visit_comprehension(self, node: ast.comprehension) -> ast.comprehension:
        self.generic_visit(node)
        node.iter = _call("_sb_iter", node.iter)
        return node


@lru_cache(maxsize=4096)
def compiled(source: str, mode: str) -> CodeType:
    """`source` rewritten with the bounds, compiled once (diagrams repeat their expressions)."""
    tree = ast.parse(source.strip() if mode == "eval" else source, mode=mode)
    tree = ast.fix_missing_locations(_Bound().visit(tree))
    return compile(tree, "<string>", mode)
