"""One decision-table cell as an editor holds it, and back to the expression the engine runs.

A cell is `{"op": ..., "values": [...]}`: `any` (empty), `in` / `not_in` (choices), `eq`,
`lt` 低于, `le` 不高于, `gt` 高于, `ge` 不低于, `ne`, `between` 介于 (both ends included), `none`
(an empty result), or `raw` with `text` when the cell is outside these shapes. Amounts travel in
万元 and are written in yuan, as the bundles keep them (`< 200000`).
"""

from __future__ import annotations

import ast
import json
import math
from datetime import date
from decimal import Decimal
from typing import Any

from ..regulations.amounts import plain_number
from ..regulations.cell_words import MISSING, SUBJECT, cell_tree, literal

COMPARE = {ast.Lt: "lt", ast.LtE: "le", ast.Gt: "gt", ast.GtE: "ge", ast.Eq: "eq", ast.NotEq: "ne"}
SIGNS = {"lt": "<", "le": "<=", "gt": ">", "ge": ">=", "ne": "!="}
ORDERED = ("amount", "number", "date")
ALLOWED = {"choice": ("any", "in", "not_in"), "boolean": ("any", "eq"), "text": ("any", "eq", "ne"),
           **{kind: ("any", "eq", "ne", "lt", "le", "gt", "ge", "between") for kind in ORDERED}}
TEN_THOUSAND = Decimal(10000)


class CellInvalid(ValueError):
    """A cell the editor sent that cannot be written; the message says why, in Chinese."""


def _number_out(value: Any, kind: str) -> Any:
    if kind == "amount" and isinstance(value, int | float) and not isinstance(value, bool):
        wan = Decimal(str(value)) / TEN_THOUSAND
        return int(wan) if wan == wan.to_integral_value() else float(wan)
    return value


def _fits(value: Any, kind: str) -> bool:
    if kind == "boolean":
        return isinstance(value, bool)
    if kind in ("amount", "number"):
        return isinstance(value, int | float) and not isinstance(value, bool) and (
            isinstance(value, int) or math.isfinite(value))
    if kind == "date":
        return isinstance(value, str) and _iso(value) is not None
    return isinstance(value, str | int | float | bool)


def _iso(value: str) -> str | None:
    try:
        return date.fromisoformat(value).isoformat() if len(value) == 10 else None
    except ValueError:
        return None


def _is_subject(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == SUBJECT


def _compared(node: ast.Compare, kind: str) -> dict[str, Any] | None:
    if len(node.ops) == 1 and _is_subject(node.left):
        op, value = node.ops[0], literal(node.comparators[0])
        if isinstance(op, ast.In | ast.NotIn) and isinstance(value, tuple | list | set) and value:
            items = list(value)
            if all(_fits(v, kind) for v in items) and kind in ("choice", "text"):
                return {"op": "in" if isinstance(op, ast.In) else "not_in", "values": items}
            return None
        if kind == "choice" and isinstance(op, ast.Eq | ast.NotEq) and _fits(value, kind):
            return {"op": "in" if isinstance(op, ast.Eq) else "not_in", "values": [value]}
        if type(op) in COMPARE and value is not MISSING and _fits(value, kind):
            return {"op": COMPARE[type(op)], "values": [_number_out(value, kind)]}
        return None
    if len(node.ops) == 2 and _is_subject(node.comparators[0]) and all(isinstance(o, ast.LtE) for o in node.ops):
        low, high = literal(node.left), literal(node.comparators[1])
        if _fits(low, kind) and _fits(high, kind) and kind in ORDERED:
            return {"op": "between", "values": [_number_out(low, kind), _number_out(high, kind)]}
    return None


def read_cell(text: str, kind: str, is_input: bool) -> dict[str, Any]:
    """The editor's value of a cell whose column holds `kind` values."""
    source = text.strip()
    if source in ("", "-"):
        return {"op": "any" if is_input else "none", "values": []}
    tree = cell_tree(source)
    found = None
    if isinstance(tree, ast.Compare) and is_input:
        found = _compared(tree, kind)
    elif tree is not None and (value := literal(tree)) is not MISSING and _fits(value, kind):
        op = "in" if is_input and kind == "choice" else "eq"
        found = {"op": op, "values": [_number_out(value, kind)]}
    return found or {"op": "raw", "values": [], "text": source}


def _literal_text(value: Any, kind: str) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if kind == "amount":
        return plain_number(Decimal(str(value)) * TEN_THOUSAND)
    if isinstance(value, int | float):
        return plain_number(value)
    return json.dumps(value, ensure_ascii=False)


def _checked(cell: dict[str, Any], kind: str, options: list[Any]) -> tuple[str, list[Any]]:
    op, values = cell.get("op"), cell.get("values") or []
    if not isinstance(values, list) or not all(_fits(v, kind) for v in values):
        raise CellInvalid("取值与该列的类型不符")
    if kind == "amount" and any(v < 0 for v in values):
        raise CellInvalid("金额不能为负数")
    if kind == "choice" and options and any(v not in options for v in values):
        raise CellInvalid("所选的值不在该列的选项中")
    wanted = {"any": 0, "none": 0, "between": 2}.get(op, 1)
    if op in ("in", "not_in") and not values:
        raise CellInvalid("请至少选择一项")
    if op not in ("in", "not_in") and len(values) != wanted:
        raise CellInvalid("取值个数不对")
    return op, values


def write_cell(cell: dict[str, Any], kind: str, is_input: bool, options: list[Any]) -> str:
    """The expression for an editor's cell; CellInvalid when it cannot be one."""
    if not isinstance(cell, dict):
        raise CellInvalid("单元格格式不对")
    if cell.get("op") == "raw":
        text = cell.get("text")
        if not isinstance(text, str):
            raise CellInvalid("专家表达式应为文本")
        return text.strip()
    known = ALLOWED.get(kind, ALLOWED["text"]) if is_input else ("none", "eq")
    if cell.get("op") not in known:
        raise CellInvalid("该列不能使用这种比较方式")
    op, values = _checked(cell, kind, options)
    written = [_literal_text(v, kind) for v in values]
    if op in ("any", "none"):
        return ""
    if op == "between":
        return f"{written[0]} <= ? <= {written[1]}"
    if op in ("in", "eq"):
        return written[0] if len(written) == 1 else f"? in ({', '.join(written)})"
    if op == "not_in":
        return f"? != {written[0]}" if len(written) == 1 else f"? not in ({', '.join(written)})"
    return f"{SIGNS[op]} {written[0]}"

