"""A gateway's outgoing condition in words and back: `review_result == "pass"` ↔ 「审核结论为通过」.

A process owner says when a flow is taken as the regulation does (审核结论为通过, 需要专家评审为是,
预算金额不低于 50 万元); the diagram keeps the expression the guarded evaluator runs. The words
object is the owner's side:

    {"join": "and" | "or",
     "clauses": [{"field": name, "op": eq | ne | in | not_in | lt | le | gt | ge | true | false,
                  "value": a literal | {"field": name} | None, "values": [literals] | None}]}

`value` is what eq/ne/lt/le/gt/ge compare with: a literal, or `{"field": name}` for another
field of the same kind (成交金额高于采购最高限价); `values` what `in` / `not_in` list; true/false need
neither. Expressions are read with Python's parser, never evaluated; any other shape (`not`,
mixed and/or, a call) gives no words, and the page keeps the expression as expert text. What a
clause says comes from the bundle: a field's Chinese name and kind, and a choice's Chinese name
(ConditionField, built by `condition_fields`).
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .amounts import plain_number, without_yuan_mark, yuan_in_words
from .bundles import FORMS_PREFIX, Bundle
from .vocabulary import CJK, Vocabulary

OPS = ("eq", "ne", "in", "not_in", "lt", "le", "gt", "ge", "true", "false")
LISTING = ("in", "not_in")  # the ops that take `values`
LISTED = {ast.In: "in", ast.NotIn: "not_in"}
COMPARED = {ast.Eq: "eq", ast.NotEq: "ne", ast.Lt: "lt", ast.LtE: "le", ast.Gt: "gt", ast.GtE: "ge"}
SYMBOLS = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
JOINS = {ast.And: "and", ast.Or: "or"}
SPACE = re.compile(r"\s+")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_TEXT, MAX_NUMBER = 200, 10**15
UNSAFE_TEXT = re.compile(r'["\\\x00-\x1f\x7f]')  # what a Python and a JSON string would escape differently
KIND_OPS = {
    # `text` is also what the words call a dictionary entry that states no kind (a script sets
    # it, often to True or False), so it may be tested for yes and no as well
    "choice": ("eq", "ne", "in", "not_in"), "text": ("eq", "ne", "in", "not_in", "true", "false"),
    "boolean": ("true", "false"),
    "amount": ("eq", "ne", "lt", "le", "gt", "ge"), "number": ("eq", "ne", "lt", "le", "gt", "ge"),
    "date": ("eq", "ne", "lt", "le", "gt", "ge"),
}
NUMBER_WORDS = {"eq": "为", "ne": "不为", "lt": "低于", "le": "不高于", "gt": "高于", "ge": "不低于"}
DATE_WORDS = {"eq": "为", "ne": "不为", "lt": "早于", "le": "不晚于", "gt": "晚于", "ge": "不早于"}
COUNTS = dict(enumerate("两三四五六七八九十", start=2))
JOIN_WORDS = {"and": " 且 ", "or": " 或 "}


class ConditionWordsInvalid(ValueError):
    """Words that cannot be written as a condition; `field` names the key at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass
class ConditionField:
    """A value a condition may test: its Chinese name, kind (choice, amount, number, boolean,
    date, text) and, for a choice, the values it may take with their Chinese names."""

    name: str
    label: str
    kind: str
    options: list[tuple[Any, str]] = field(default_factory=list)
    where: str = ""  # the form that asks for it or the table that yields it, to tell like names apart

    def option_label(self, value: Any) -> str | None:
        return next((t for v, t in self.options if v == value and type(v) is type(value)), None)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, "type": self.kind, "where": self.where,
                "options": [{"value": v, "label": t} for v, t in self.options]}


# ------------------------------------------------------------------------------ expression → words

def _literal(node: ast.AST) -> tuple[bool, Any]:
    """(readable, value): a string the bundles' style writes as is, or a number."""
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, str) and not UNSAFE_TEXT.search(value):
            return True, value
        if type(value) in (int, float):
            return True, value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        ok, value = _literal(node.operand)
        return ok and not isinstance(value, str), -value if ok and not isinstance(value, str) else None
    return False, None


def _clause(node: ast.AST) -> dict[str, Any] | None:
    if not (isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.left, ast.Name)):
        return None
    name, op, right = node.left.id, node.ops[0], node.comparators[0]
    if isinstance(op, ast.Eq) and isinstance(right, ast.Constant) and isinstance(right.value, bool):
        return clause(name, "true" if right.value else "false")
    if type(op) in LISTED and isinstance(right, ast.Tuple) and right.elts:
        read = [_literal(e) for e in right.elts]
        return clause(name, LISTED[type(op)], values=[v for _, v in read]) if all(ok for ok, _ in read) else None
    if isinstance(right, ast.Name) and type(op) in COMPARED:
        return clause(name, COMPARED[type(op)], {"field": right.id})  # two fields compared
    ok, value = _literal(right)
    if not ok or type(op) not in COMPARED:
        return None
    return clause(name, COMPARED[type(op)], value)


def clause(name: str, op: str, value: Any = None, values: list[Any] | None = None) -> dict[str, Any]:
    """One clause with every key present."""
    return {"field": name, "op": op, "value": value if op not in (*LISTING, "true", "false") else None,
            "values": list(values or []) if op in LISTING else None}


def words_of(expression: str) -> dict[str, Any] | None:
    """The words of a condition, or None when its shape has none."""
    try:
        node = ast.parse(expression.strip(), mode="eval").body
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    join, parts = ("and", [node])
    if isinstance(node, ast.BoolOp):
        join, parts = JOINS[type(node.op)], node.values
    clauses = [_clause(p) for p in parts]
    if not all(clauses):
        return None
    found = {"join": join, "clauses": clauses}
    # Written back it must read the same (spacing aside): parentheses or `1.0` for `1` would be
    # changed by an owner who only looked at the words.
    try:
        written = expression_of(found)
    except ConditionWordsInvalid:
        return None  # a value the words cannot hold (a number out of range, a long text)
    return found if SPACE.sub("", written) == SPACE.sub("", expression) else None


def normalized(words: dict[str, Any]) -> dict[str, Any]:
    """The words with every key present (what `words_of` gives back for them)."""
    return {"join": words.get("join") or "and",
            "clauses": [clause(c.get("field"), c.get("op"), c.get("value"), c.get("values"))
                        for c in words.get("clauses") or []]}


# ------------------------------------------------------------------------------ words → expression

def _text(value: Any) -> str:
    if isinstance(value, dict):
        return value["field"]
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def _check_value(key: str, value: Any, found: ConditionField | None, op: str) -> None:
    """A literal the field can hold: a choice among its options, a number, an ISO date, a text."""
    kind = found.kind if found else None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ConditionWordsInvalid(key, "比较的值应为文字、数字或日期")
    if isinstance(value, str) and (UNSAFE_TEXT.search(value) or len(value) > MAX_TEXT):
        raise ConditionWordsInvalid(key, f"比较的文字不能含引号、反斜杠或控制字符，且不超过 {MAX_TEXT} 字")
    if not isinstance(value, str) and not abs(value) < MAX_NUMBER:  # NaN compares false too
        raise ConditionWordsInvalid(key, "比较的数字超出范围")
    if kind == "choice" and found.option_label(value) is None:
        raise ConditionWordsInvalid(key, f"「{found.label}」没有这个选项")
    if kind in ("amount", "number") and isinstance(value, str):
        raise ConditionWordsInvalid(key, f"「{found.label}」应与数字比较")
    if kind == "date" or (op in ("lt", "le", "gt", "ge") and isinstance(value, str)):
        try:
            date.fromisoformat(str(value))
        except ValueError:
            raise ConditionWordsInvalid(key, "日期应为 YYYY-MM-DD") from None


def _check_other(key: str, name: str, other: dict[str, Any], fields: dict[str, ConditionField] | None) -> None:
    """Another field compared with this one: a known name, not the same, of the same kind."""
    ref = other.get("field") if set(other) == {"field"} else None
    if not isinstance(ref, str) or not NAME.match(ref) or ref == name or (fields is not None and ref not in fields):
        raise ConditionWordsInvalid(key, "比较的另一数据项不存在于本流程包的表单、数据字典或决策表中")
    if fields is not None and name in fields and fields[ref].kind != fields[name].kind:
        raise ConditionWordsInvalid(key, f"「{fields[name].label}」只能与同类的数据项比较")


def _check_clause(n: int, c: dict[str, Any], fields: dict[str, ConditionField] | None) -> None:
    key = f"clauses[{n}]"
    name, op = c.get("field"), c.get("op")
    if not isinstance(name, str) or not NAME.match(name) or (fields is not None and name not in fields):
        raise ConditionWordsInvalid(f"{key}.field", "条件字段不存在于本流程包的表单、数据字典或决策表中")
    found = fields.get(name) if fields is not None else None
    allowed = KIND_OPS.get(found.kind, OPS) if found else OPS
    if op not in allowed:
        raise ConditionWordsInvalid(f"{key}.op", "这种比较不适用于此字段" if op in OPS else "比较方式无法识别")
    if op in LISTING:
        if not isinstance(c.get("values"), list) or not c["values"]:
            raise ConditionWordsInvalid(f"{key}.values", "请至少选择一个值")
        for i, value in enumerate(c["values"]):
            _check_value(f"{key}.values[{i}]", value, found, op)
    elif isinstance(c.get("value"), dict):
        _check_other(f"{key}.value", name, c["value"], fields)
    elif op not in ("true", "false"):
        _check_value(f"{key}.value", c.get("value"), found, op)


def expression_of(words: dict[str, Any], fields: dict[str, ConditionField] | None = None) -> str:
    """The expression for the words in the bundles' style (`x == "pass"`, `x == True`,
    `x >= 500000`); ConditionWordsInvalid naming the key for an unknown field, a comparison the
    field's kind does not allow, or a value it cannot hold. `fields` None checks shapes only."""
    w = normalized(words)
    if w["join"] not in JOIN_WORDS:
        raise ConditionWordsInvalid("join", "条件之间应为「且」或「或」")
    if not w["clauses"] or len(w["clauses"]) > 20:
        raise ConditionWordsInvalid("clauses", "请设置 1 到 20 个条件")
    parts = []
    for n, c in enumerate(w["clauses"]):
        _check_clause(n, c, fields)
        if c["op"] in ("true", "false"):
            parts.append(f"{c['field']} == {c['op'] == 'true'}")
        elif c["op"] in LISTING:
            listed = ", ".join(_text(v) for v in c["values"])
            keyword = "in" if c["op"] == "in" else "not in"
            parts.append(f"{c['field']} {keyword} ({listed}{',' if len(c['values']) == 1 else ''})")
        else:
            parts.append(f"{c['field']} {SYMBOLS[c['op']]} {_text(c['value'])}")
    return f" {w['join']} ".join(parts)


# ------------------------------------------------------------------------------ words → sentence

def _value_words(value: Any, found: ConditionField) -> str | None:
    """A literal as officials read it, or None when the bundle gives it no Chinese name."""
    if found.kind == "choice" or found.option_label(value):
        return found.option_label(value)
    if found.kind == "amount" and isinstance(value, int | float):
        return yuan_in_words(value)
    if isinstance(value, int | float):
        return plain_number(value)
    if found.kind == "date" or re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        d = date.fromisoformat(value)
        return f"{d.year}年{d.month}月{d.day}日"
    return "空" if value == "" else f"“{value}”" if CJK.search(value) else None


def _predicate(c: dict[str, Any], found: ConditionField, fields: dict[str, ConditionField]) -> str | None:
    """What a clause says after the field's name: 为通过, 不低于 50 万元, 为是; 高于采购最高限价,
    与申请科室不同 (another field)."""
    if isinstance(c["value"], dict):
        other = fields.get(c["value"].get("field"))
        if other is None:
            return None
        if c["op"] in ("eq", "ne"):
            return f"与{_label(other)}{'相同' if c['op'] == 'eq' else '不同'}"
        return f"{(DATE_WORDS if found.kind == 'date' else NUMBER_WORDS)[c['op']]}{_label(other)}"
    if c["op"] in ("true", "false"):
        return "为是" if c["op"] == "true" else "为否"
    if c["op"] in LISTING:
        said = [_value_words(v, found) for v in c["values"]]
        if not all(said):
            return None
        verb = "为" if c["op"] == "in" else "不为"
        return f"{verb}{said[0]}" if len(said) == 1 else f"{verb}{'、'.join(said[:-1])}或{said[-1]}"
    said = _value_words(c["value"], found)
    verbs = DATE_WORDS if found.kind == "date" else NUMBER_WORDS
    return f"{verbs[c['op']]}{' ' if said[0].isdigit() else ''}{said}" if said else None


def _label(found: ConditionField) -> str:
    """A yes/no field's question as a statement: 是否涉密项目 → 涉密项目 (为是 answers it)."""
    if found.kind == "boolean" and found.label.startswith("是否") and len(found.label) > 3:
        return found.label[2:]
    return found.label


def _name_list(labels: list[str]) -> str:
    """甲、乙和丙; the same name n times (three offices' 会签意见) as 三个会签意见."""
    if len(set(labels)) == 1:
        return f"{COUNTS.get(len(labels), str(len(labels)) + ' ')}个{labels[0]}"
    return f"{'、'.join(labels[:-1])}和{labels[-1]}"


def sentence(words: dict[str, Any], fields: dict[str, ConditionField]) -> str | None:
    """「审核结论为通过」「预算金额不低于 50 万元」「A 且 B」; several fields and-joined to the same
    value read as one: 「甲、乙和丙均为同意」. None when a field or a value has no Chinese name."""
    w = normalized(words)
    if any(c["field"] not in fields for c in w["clauses"]):
        return None
    said = [_said(c, fields[c["field"]], fields) for c in w["clauses"]]
    if not said or not all(p for _, p in said):
        return None
    predicates = {p for _, p in said}
    if w["join"] == "and" and len(said) > 1 and len(predicates) == 1 and predicates.pop().startswith("为"):
        return f"{_name_list([label for label, _ in said])}均{said[0][1]}"
    return JOIN_WORDS[w["join"]].join(f"{label}{predicate}" for label, predicate in said)


def _said(c: dict[str, Any], found: ConditionField, fields: dict[str, ConditionField]) -> tuple[str, str | None]:
    """(the field's name, the predicate); a yes/no field whose form names its answers (涉密 /
    非涉密) is said with the answer: 是否涉密项目：涉密."""
    if c["op"] in ("true", "false"):
        answer = found.option_label(c["op"] == "true")
        if answer and answer not in ("是", "否"):
            return found.label, f"：{answer}"
    return _label(found), _predicate(c, found, fields)


# ------------------------------------------------------------------------------ what a condition may test

def _form_titles(bundle: Bundle) -> dict[str, str]:
    """Field name → the title of the first form that asks for it."""
    found: dict[str, str] = {}
    for name in bundle.form_names():
        try:
            schema = json.loads(bundle.files[FORMS_PREFIX + name])
        except (KeyError, UnicodeDecodeError, ValueError):
            continue
        title = schema.get("title") if isinstance(schema, dict) else None
        if isinstance(title, str) and CJK.search(title):
            for field_name in schema.get("properties") or {}:
                found.setdefault(field_name, title)
    return found


def condition_fields(bundles: list[Bundle], listed: list[dict[str, Any]]) -> dict[str, ConditionField]:
    """Every value a condition may test, by name: the vocabulary's fields (`listed`, each with
    name, label and type as the draft's words list them, what the decision tables yield among
    them; choices with their options), each with the form that asks for it or the table that
    yields it. The first bundle that names a field wins."""
    vocabs = [Vocabulary.of(b) for b in bundles]
    where: dict[str, str] = {}
    for bundle, vocab in zip(bundles, vocabs, strict=True):
        tables = {name: output.decision for name, output in vocab.outputs.items() if output.decision}
        where = {**tables, **_form_titles(bundle), **where}
    found: dict[str, ConditionField] = {}
    for f in listed:
        options = next((o for v in vocabs if (o := v.options(f["name"]))), [])
        label = without_yuan_mark(f["label"]) if f["type"] == "amount" else f["label"]
        yes_no = bool(options) and all(isinstance(v, bool) for v, _ in options)  # 涉密 / 非涉密
        found.setdefault(f["name"], ConditionField(f["name"], label, "boolean" if yes_no else f["type"], options,
                                                   where.get(f["name"], "")))
    return found
