"""One decision-table cell in words: `"software"` → 软件项目, `< 100000` → 低于 10 万元, `True` → 是.

Cells are read with Python's own parser (`ast`), never evaluated: the grammar is the one the
engine runs (a literal, a comparison missing its left side, `?` standing for the input, `in`,
`not`), plus the FEEL forms bpmn.io writes (`[a..b]`, `"a","b"`). A cell outside that grammar
keeps its text and is marked `raw`, so the page shows it as an expression rather than passing
it off as prose.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Any

from .amounts import is_amount, plain_number, without_yuan_mark, yuan_in_words
from .vocabulary import CJK, Vocabulary

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# `?` outside quotes is the input's value (SpiffWorkflow's DMNEngine uses the same rule).
QUESTION_MARK = re.compile(r"\?(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")
RANGE = re.compile(r"^([\[\]()])\s*(-?\d+(?:\.\d+)?)\s*\.\.\s*(-?\d+(?:\.\d+)?)\s*([\[\]()])$")
SUBJECT = "dmn_input_value"  # what `?` and a left-less comparison compare; never shown
RATIO_WORDS = ("比例", "比率", "占比", "百分比")
ANY = "任意"
NUMBER_COMPARISONS = {ast.Lt: "低于", ast.LtE: "不高于", ast.Gt: "高于", ast.GtE: "不低于", ast.Eq: "等于",
                      ast.NotEq: "不等于"}
MISSING = object()


@dataclass(frozen=True)
class Column:
    """A table column as its cells need it: heading, variable, and whether it holds yuan or a ratio."""

    label: str
    variable: str | None  # the one variable the column reads or writes, if it is a plain name
    amount: bool
    ratio: bool


def column(label: str | None, expression: str, vocab: Vocabulary, otherwise: str) -> Column:
    """A column from its DMN label and expression (an input's expression, an output's name): the
    label when it is Chinese, else the form's title of the variable, else `otherwise`. A column
    of yuan loses its （元）: its cells carry their own unit (10 万元)."""
    variable = expression.strip() if IDENTIFIER.match(expression.strip()) else None
    title = vocab.title(variable)
    shown = label if label and CJK.search(label) else title or otherwise
    amount = is_amount(variable, label, title) or vocab.declares_amount(variable)
    ratio = any(w in shown for w in RATIO_WORDS) or "/" in expression or (variable or "").endswith("_ratio")
    return Column(without_yuan_mark(shown) if amount else shown, variable, amount, ratio)


@dataclass(frozen=True)
class Cell:
    column: Column
    vocab: Vocabulary


def _number(value: float | int, cell: Cell) -> str:
    if cell.column.amount:
        return yuan_in_words(value)
    if cell.column.ratio and 0 <= value <= 1:
        return plain_number(round(value * 100, 6)) + "%"
    return plain_number(value)


def _value(value: Any, cell: Cell) -> str | None:
    """A literal in words: an option's title, 是/否, a number with its unit, Chinese text as is."""
    title = cell.vocab.value_title(cell.column.variable, value)
    if title:
        return title
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None or value == "":
        return "空"
    if isinstance(value, int | float):
        return _number(value, cell)
    if isinstance(value, str) and CJK.search(value):
        return value
    return None


def _literal(node: ast.AST) -> Any:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return MISSING


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _between(low: float, high: float, low_in: bool, high_in: bool, cell: Cell) -> str:
    if low_in != high_in:
        lower, upper = ("不低于" if low_in else "高于"), ("不高于" if high_in else "低于")
        return f"{lower} {_number(low, cell)}，{upper} {_number(high, cell)}"
    ends = "（含两端）" if low_in else "（不含两端）"
    if cell.column.amount and min(abs(low), abs(high)) >= 10000:
        return f"介于 {yuan_in_words(low, unit=False)} 与 {yuan_in_words(high)}{ends}"
    return f"介于 {_number(low, cell)} 与 {_number(high, cell)}{ends}"


def _is_subject(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == SUBJECT


def _negated(node: ast.AST, cell: Cell) -> str | None:
    """非软件项目; for several values 除软件项目、硬件项目以外 (非 before a list reads as one item)."""
    inner = _words(node, cell)
    several = isinstance(node, ast.Tuple | ast.List | ast.Set) and len(node.elts) > 1
    return inner and (f"除{inner}以外" if several else f"非{inner}")


def _comparison(node: ast.Compare, cell: Cell) -> str | None:
    if len(node.ops) == 1 and _is_subject(node.left):
        op, right = node.ops[0], node.comparators[0]
        if isinstance(op, ast.In):
            return _words(right, cell)
        if isinstance(op, ast.NotIn):
            return _negated(right, cell)
        value = _literal(right)
        if value is MISSING:
            return None
        if _is_number(value) and type(op) in NUMBER_COMPARISONS:
            return f"{NUMBER_COMPARISONS[type(op)]} {_number(value, cell)}"
        if isinstance(op, ast.Eq):
            return _value(value, cell)
        return _negated(right, cell) if isinstance(op, ast.NotEq) else None
    ordered = all(isinstance(o, ast.Lt | ast.LtE) for o in node.ops)
    if len(node.ops) == 2 and _is_subject(node.comparators[0]) and ordered:
        low, high = _literal(node.left), _literal(node.comparators[1])  # a < ? <= b
        if _is_number(low) and _is_number(high):
            return _between(low, high, isinstance(node.ops[0], ast.LtE), isinstance(node.ops[1], ast.LtE), cell)
    return None


def _words(node: ast.AST, cell: Cell) -> str | None:
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        items = [_words(e, cell) for e in node.elts]
        return None if not items or None in items else "、".join(items)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return _negated(node.operand, cell)
    if isinstance(node, ast.Compare):
        return _comparison(node, cell)
    if isinstance(node, ast.BoolOp):
        parts = [_words(v, cell) for v in node.values]
        return None if None in parts else ("，且" if isinstance(node.op, ast.And) else "，或").join(parts)
    value = _literal(node)
    return None if value is MISSING else _value(value, cell)


def _tree(text: str) -> ast.AST | None:
    source = QUESTION_MARK.sub(SUBJECT, text)
    for candidate in (source, f"{SUBJECT} {source}"):  # `< 100000` reads as `? < 100000`
        try:
            return ast.parse(candidate, mode="eval").body
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            continue
    return None


def cell_words(text: str, column: Column, vocab: Vocabulary, is_input: bool) -> dict[str, Any]:
    """One cell as {text, raw}: its words, or (raw) its expression when it has none."""
    source = text.strip()
    cell = Cell(column, vocab)
    if is_input and source in ("", "-"):
        return {"text": ANY, "raw": False}
    span = RANGE.match(source)
    if span:
        words = _between(float(span[2]), float(span[3]), span[1] == "[", span[4] == "]", cell)
    else:
        tree = _tree(source)
        words = None if tree is None else _words(tree, cell)
        if words and is_input and tree is not None and _is_number(_literal(tree)):
            words = f"等于 {words}"
    return {"text": words, "raw": False} if words else {"text": source, "raw": True}


def cell_tree(text: str) -> ast.AST | None:
    """A cell's syntax tree, `?` and a left-less comparison reading as SUBJECT; None if it has none."""
    return _tree(text.strip())


def literal(node: ast.AST) -> Any:
    """The node's literal value, or MISSING."""
    return _literal(node)
