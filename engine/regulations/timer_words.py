"""A timer's deadline in words and back: `working_days_deadline(today(), 5)` ↔ 「5 个工作日」.

A process owner sets a deadline as a regulation states it (N 个工作日, N 个月 from a date the
case records, 每季度末, 到某日, 到申报截止日期); the diagram keeps the expression the guarded
evaluator runs. The words object is the owner's side:

    {"kind": working_days | days | months | years | quarter_end | month_end | date | field,
     "n": int | None, "from_field": str | None, "date": "YYYY-MM-DD" | None,
     "n_field": str | None, "at": "start" | "end" | None, "working_day": bool}

`from_field` None counts from the day the waiting starts; `n_field` is a count the case holds
(used when `n` is None); `at` is whether the timer fires when the day begins or ends;
`working_day` moves a date that falls on a holiday to the next working day. Expressions are
read with Python's parser, never evaluated; a shape outside these gives no words, and the page
shows the expression as expert text.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from .bundles import Bundle
from .vocabulary import Vocabulary

KINDS = ("working_days", "days", "months", "years", "quarter_end", "month_end", "date", "field")
COUNTED = {"days": "add_days", "months": "add_months", "years": "add_years"}
UNITS = {"working_days": ("个工作日", "工作日数"), "days": ("天", "天数"), "months": ("个月", "月数"),
         "years": ("年", "年数")}
QUARTER_ENDS = ((3, 31), (6, 30), (9, 30), (12, 31))
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)?$")
MAX_COUNT = 10000
FIRES = {"start": "start_of_day", "end": "end_of_day"}
Labels = Callable[[str], "str | None"]


class TimerWordsInvalid(ValueError):
    """Words that cannot be written as a deadline; `field` names the key at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def normalized(words: dict[str, Any]) -> dict[str, Any]:
    """The words with every key present and each kind's defaults filled in: a count fires when
    its day begins, a date or a field when its day ends (到…为止)."""
    kind = words.get("kind")
    at = words.get("at") or ("start" if kind in COUNTED else "end" if kind in ("date", "field") else None)
    return {"kind": kind, "n": words.get("n"), "from_field": words.get("from_field") or None,
            "date": words.get("date") or None, "n_field": None if words.get("n") is not None
            else words.get("n_field") or None,
            "at": None if kind in ("working_days", "quarter_end", "month_end") else at,
            "working_day": bool(words.get("working_day")) and kind in (*COUNTED, "field")}


# ------------------------------------------------------------------------------ expression → words

def _call(node: ast.AST, name: str, arity: tuple[int, ...]) -> list[ast.AST] | None:
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name
            and not node.keywords and len(node.args) in arity):
        return node.args
    return None


def _field(node: ast.AST) -> str | None:
    """`name` or `name["key"]` (a value inside a record), as `name` / `name.key`."""
    if isinstance(node, ast.Name):
        return node.id
    if (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name)
            and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str)
            and NAME.match(node.slice.value) and "." not in node.slice.value):
        return f"{node.value.id}.{node.slice.value}"
    return None


def _origin(node: ast.AST) -> tuple[bool, str | None]:
    """(readable, from_field): `today()` is the day the waiting starts."""
    if _call(node, "today", (0,)) is not None:
        return True, None
    name = _field(node)
    return name is not None, name


def _count(node: ast.AST) -> tuple[bool, int | None, str | None]:
    """(readable, n, n_field)."""
    if isinstance(node, ast.Constant) and type(node.value) is int and 1 <= node.value <= MAX_COUNT:
        return True, node.value, None
    name = _field(node)
    return name is not None, None, name


def _counted(node: ast.AST) -> dict[str, Any] | None:
    for kind, helper in COUNTED.items():
        args = _call(node, helper, (2,))
        if args:
            (ok, from_field), (counted, n, n_field) = _origin(args[0]), _count(args[1])
            if ok and counted:
                return {"kind": kind, "n": n, "n_field": n_field, "from_field": from_field}
    return None


def _iso_date(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            return date.fromisoformat(node.value).isoformat() if len(node.value) == 10 else None
        except ValueError:
            return None
    return None


def _quarter_end(node: ast.AST) -> dict[str, Any] | None:
    args = _call(node, "min", (len(QUARTER_ENDS),))
    origins = set()
    for arg, (month, day) in zip(args or [], QUARTER_ENDS, strict=False):
        inner = _call(arg, "next_month_day", (2, 3))
        if not inner or [getattr(a, "value", None) for a in inner[:2]] != [month, day]:
            return None
        ok, origin = _origin(inner[2]) if len(inner) == 3 else (True, None)
        if not ok or (len(inner) == 3 and origin is None):
            return None  # next_month_day(3, 31, today()) is not how the writer says it
        origins.add(origin)
    return {"kind": "quarter_end", "from_field": origins.pop()} if args and len(origins) == 1 else None


def _month_end(node: ast.AST) -> dict[str, Any] | None:
    """add_days(add_months(X[:8] + "01", 1), -1): the last day of X's month."""
    back = _call(node, "add_days", (2,))
    if not back or ast.unparse(back[1]) != "-1":
        return None
    ahead = _call(back[0], "add_months", (2,))
    if not ahead or ast.unparse(ahead[1]) != "1":
        return None
    first = ahead[0]
    if not (isinstance(first, ast.BinOp) and isinstance(first.op, ast.Add) and isinstance(first.left, ast.Subscript)
            and ast.unparse(first.right) == "'01'" and ast.unparse(first.left.slice) == ":8"):
        return None
    ok, origin = _origin(first.left.value)
    return {"kind": "month_end", "from_field": origin} if ok else None


def _dated(node: ast.AST, at: str) -> dict[str, Any] | None:
    """What a start_of_day/end_of_day wraps: a count, a quarter or month end, a date, a field."""
    rolled = _call(node, "add_working_days", (2,))
    if rolled and isinstance(rolled[1], ast.Constant) and rolled[1].value == 0 and type(rolled[1].value) is int:
        name = _field(rolled[0])
        inner = _counted(rolled[0]) or ({"kind": "field", "from_field": name} if name else None)
        return inner and {**inner, "at": at, "working_day": True}
    if at == "end" and (found := _quarter_end(node) or _month_end(node)):
        return found
    if counted := _counted(node):
        return {**counted, "at": at}
    if iso := _iso_date(node):
        return {"kind": "date", "date": iso, "at": at}
    name = _field(node)
    return {"kind": "field", "from_field": name, "at": at} if name else None


def words_of(expression: str) -> dict[str, Any] | None:
    """The words of a timer expression, or None when its shape has none."""
    try:
        node = ast.parse(expression.strip(), mode="eval").body
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    args = _call(node, "working_days_deadline", (2,))
    if args:
        (ok, from_field), (counted, n, n_field) = _origin(args[0]), _count(args[1])
        found = ok and counted and {"kind": "working_days", "n": n, "n_field": n_field, "from_field": from_field}
    else:
        found = next((_dated(a[0], at) for at, helper in FIRES.items() if (a := _call(node, helper, (1,)))), None)
    return normalized(found) if found else None


# ------------------------------------------------------------------------------ words → expression

def _check(words: dict[str, Any], known: Callable[[str], bool]) -> dict[str, Any]:
    w = normalized(words)
    if w["kind"] not in KINDS:
        raise TimerWordsInvalid("kind", f"期限方式无法识别，应为：{'、'.join(KINDS)}")
    counted = w["kind"] in (*COUNTED, "working_days")
    if counted and w["n"] is None and w["n_field"] is None:
        raise TimerWordsInvalid("n", "请填写数量")
    if w["n"] is not None and (type(w["n"]) is not int or not 1 <= w["n"] <= MAX_COUNT):
        raise TimerWordsInvalid("n", f"数量应为 1 到 {MAX_COUNT} 之间的整数")
    if w["kind"] == "field" and not w["from_field"]:
        raise TimerWordsInvalid("from_field", "请选择日期字段")
    for key in ("from_field", "n_field"):
        if w[key] and (not isinstance(w[key], str) or not NAME.match(w[key]) or not known(w[key])):
            raise TimerWordsInvalid(key, "字段不存在于本流程包的表单或数据字典中")
    if w["kind"] == "date":
        try:
            w["date"] = date.fromisoformat(str(w["date"])).isoformat()
        except ValueError:
            raise TimerWordsInvalid("date", "日期应为 YYYY-MM-DD") from None
    return w


def _name(field: str) -> str:
    record, _, key = field.partition(".")
    return f'{record}["{key}"]' if key else record


def expression_of(words: dict[str, Any], known: Callable[[str], bool] = lambda _name: True) -> str:
    """The expression for the words, in the style the bundles write; TimerWordsInvalid (naming
    the key) for a count out of range, an unknown field or a bad date."""
    w = _check(words, known)
    origin = _name(w["from_field"]) if w["from_field"] else "today()"
    count = str(w["n"]) if w["n"] is not None else _name(w["n_field"] or "")
    if w["kind"] == "working_days":
        return f"working_days_deadline({origin}, {count})"
    if w["kind"] == "quarter_end":
        tail = "" if w["from_field"] is None else f", {origin}"
        ends = ", ".join(f"next_month_day({m}, {d}{tail})" for m, d in QUARTER_ENDS)
        return f"end_of_day(min({ends}))"
    if w["kind"] == "month_end":
        return f'end_of_day(add_days(add_months({origin}[:8] + "01", 1), -1))'
    if w["kind"] in COUNTED:
        inner = f"{COUNTED[w['kind']]}({origin}, {count})"
    else:
        inner = f'"{w["date"]}"' if w["kind"] == "date" else origin
    if w["working_day"]:
        inner = f"add_working_days({inner}, 0)"
    return f"{FIRES[w['at']]}({inner})"


# ------------------------------------------------------------------------------ words → sentence

def _date_words(iso: str) -> str:
    d = date.fromisoformat(iso)
    return f"{d.year}年{d.month}月{d.day}日"


def sentence(words: dict[str, Any], labels: Labels) -> str:
    """「自合同签订日期起 5 个工作日」「6 个月（遇节假日顺延至工作日）」「每季度末」「到申报截止日期」."""
    w = normalized(words)

    def label(name: str | None) -> str:
        return (labels(name) or labels(name.rsplit(".", 1)[-1]) or "所填日期") if name else ""

    kind = w["kind"]
    if kind in UNITS:
        unit, noun = UNITS[kind]
        if w["n"] is not None:
            text = f"自{label(w['from_field'])}起 {w['n']} {unit}" if w["from_field"] else f"{w['n']} {unit}"
        else:
            since = f"自{label(w['from_field'])}起，" if w["from_field"] else ""
            text = f"{since}按{labels(w['n_field'] or '') or '流程算出的' + noun}"
    elif kind in ("quarter_end", "month_end"):
        period = "季度" if kind == "quarter_end" else "月"
        text = f"{label(w['from_field'])}所在{period}末" if w["from_field"] else f"每{period}末"
    else:
        text = f"到 {_date_words(w['date'])}" if kind == "date" else f"到{label(w['from_field'])}"
    if w["working_day"]:
        text += "（遇节假日顺延至工作日）"
    if kind in COUNTED and w["at"] == "end":
        text += "（至当日结束）"
    if kind in ("date", "field") and w["at"] == "start":
        text += "（当日开始时）"
    return text


def field_labels(*bundles: Bundle) -> Labels:
    """The Chinese name of a field: a form's title, the dictionary's label or the heading of the
    table column that yields it (Vocabulary); the first bundle that names it wins. The bundles
    are read on the first question (a diff without timer changes never asks)."""
    known: list[Vocabulary] = []

    def label(name: str) -> str | None:
        if not known:
            known.extend(Vocabulary.of(b) for b in bundles)
        return next((t for v in known if (t := v.title(name))), None)
    return label
