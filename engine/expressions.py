"""Static checks on the Python expressions and scripts embedded in diagrams."""

from __future__ import annotations

import ast
from typing import Any

from .sandbox import ScriptLimitExceeded, bounded_add, bounded_lshift, bounded_mul, bounded_pow
from .scripting import allowed_names

# `"{0.__class__}".format(x)` walks attributes inside the format string, out of the lint's sight.
FORBIDDEN_ATTRIBUTES = {"format", "format_map"}
_FOLD = {ast.Pow: bounded_pow, ast.Mult: bounded_mul, ast.Add: bounded_add, ast.LShift: bounded_lshift}


class _NotConstant(Exception):
    pass


def _constant(node: ast.expr) -> Any:
    """The value of an all-constant arithmetic expression, computed with the run-time bounds."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _FOLD:
        return _FOLD[type(node.op)](_constant(node.left), _constant(node.right))
    raise _NotConstant


def _static_bomb(node: ast.AST) -> str | None:
    """`10**10**10`, `"a"*10**10`, `while True:` without a `break`: refused before deployment."""
    if isinstance(node, ast.BinOp) and type(node.op) in _FOLD:
        try:
            _constant(node)
        except ScriptLimitExceeded as exc:
            return f"常量运算结果过大：{exc}"
        except (_NotConstant, TypeError, ValueError, ArithmeticError):
            return None
    endless = isinstance(node, ast.While) and isinstance(node.test, ast.Constant) and node.test.value
    if endless and not any(isinstance(n, ast.Break) for n in ast.walk(node)):
        return "脚本含有无法结束的循环（while True 且没有 break）"
    return None


def check(source: str, mode: str = "eval") -> str | None:
    """Return a Chinese description of the first problem in `source`, or None if it is fine.

    Refused: syntax errors, `import`, any name or attribute starting with `_` (the way out
    of a restricted eval), and calls to a bare name that is neither a helper nor a safe
    builtin (case data is never callable, so that is a typo or a forbidden function).
    """
    try:
        tree = ast.parse(source.strip(), mode=mode)
    except SyntaxError as exc:
        return f"表达式语法错误（第{exc.lineno}行）：{exc.msg}"
    allowed = allowed_names()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            return "脚本不得使用 import"
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            return f"不得使用以下划线开头的名称：{node.id}"
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            return f"不得访问以下划线开头的属性：{node.attr}"
        if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRIBUTES:
            return f"不得使用字符串格式化方法：{node.attr}（请用 f-string 或 + 拼接）"
        bomb = _static_bomb(node)
        if bomb is not None:
            return bomb
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id not in allowed:
            return f"未知函数：{node.func.id}（可用的函数见 docs/helpers.md）"
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
