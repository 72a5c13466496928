"""Static checks on the Python expressions and scripts embedded in diagrams."""

from __future__ import annotations

import ast

from .scripting import allowed_names


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
