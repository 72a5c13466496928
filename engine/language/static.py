"""The deploy-time check of diagram code: what can be refused before any case runs.

It compiles the code with the same policy the evaluator uses (so anything the policy refuses
is refused at deploy, with its line), then adds what a compiler cannot see: calls to names
that are neither helpers nor builtins nor defined by the script, attributes no allowed type
has, and constant arithmetic that is already too big (`10**10**10`, `"a" * 10**10`).
"""

from __future__ import annotations

import ast
import re
from typing import Any

from .allowlist import ALL_ATTRIBUTE_NAMES
from .evaluator import CompileRefused, compiled
from .guards import BINARY, running
from .limits import Budget, ScriptLimitExceeded
from .safe_builtins import SAFE_BUILTINS

_FOLDED = {ast.Pow: "Pow", ast.Mult: "Mult", ast.Add: "Add", ast.LShift: "LShift"}


class _NotConstant(Exception):
    pass


def _constant(node: ast.expr) -> Any:
    """The value of an all-constant arithmetic expression, computed with the run-time guards."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _FOLDED:
        return BINARY[_FOLDED[type(node.op)]](_constant(node.left), _constant(node.right))
    raise _NotConstant


def _static_bomb(node: ast.AST) -> str | None:
    if isinstance(node, ast.BinOp) and type(node.op) in _FOLDED:
        try:
            with running(Budget()):
                _constant(node)
        except ScriptLimitExceeded as exc:
            return f"常量运算结果过大：{exc}"
        except (_NotConstant, TypeError, ValueError, ArithmeticError):
            return None
    endless = isinstance(node, ast.While) and isinstance(node.test, ast.Constant) and node.test.value
    if endless and not any(isinstance(n, ast.Break) for n in ast.walk(node)):
        return "脚本含有无法结束的循环（while True 且没有 break）"
    return None


def _assigned(tree: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def _line(node: ast.AST) -> str:
    return f"第{getattr(node, 'lineno', 1)}行："


def check(source: str, helpers: set[str], mode: str = "eval") -> str | None:
    """A Chinese description of the first problem in `source`, or None if it may be deployed."""
    text = source.strip()
    try:
        tree = ast.parse(text, mode=mode)
    except SyntaxError as exc:
        return f"表达式语法错误（第{exc.lineno}行）：{exc.msg}"
    except (ValueError, RecursionError, MemoryError):
        return "表达式无法解析（嵌套过深或含有非法字符）"
    try:
        compiled(source, mode)
    except CompileRefused as exc:
        return "；".join(re.sub(r"^Line (\d+): ", r"第\1行：", p) for p in exc.problems)
    callable_names = helpers | set(SAFE_BUILTINS) | _assigned(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr not in ALL_ATTRIBUTE_NAMES:
            return f"{_line(node)}不允许访问属性 {node.attr}（可用的属性和方法见 docs/helpers.md）"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id not in callable_names:
            return f"{_line(node)}未知函数：{node.func.id}（可用的函数见 docs/helpers.md）"
        bomb = _static_bomb(node)
        if bomb is not None:
            return f"{_line(node)}{bomb}"
    return None


def dmn_input_entry(input_expression: str, entry: str) -> str:
    """The Python expression SpiffWorkflow builds from a DMN input cell, for checking."""
    entry = entry.strip()
    if entry in ("", "-"):
        return "True"
    if "?" in entry:
        return entry.replace("?", f"({input_expression})")
    if entry[0] in "<>=!":
        return f"({input_expression}) {entry}"
    return f"({input_expression}) == ({entry})"
