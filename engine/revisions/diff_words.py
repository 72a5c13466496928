"""What the version diff calls things: every value a change shows, in the words of the two bundles.

The diff (diff.py) compares program values — form file names, element ids, timer and condition
expressions, decision-table cells, field keys. Officials read the regulation, so each value the
page shows goes through `Names`: a form by its title, an element by its name, a deadline by its
sentence (timer_words), a condition by its sentence (condition_words), a cell by its words
(cell_words), a variable by the title the bundle gives it. A value with no words is said by what
it does (按流程规则判断), never as the program text. The newer bundle names first, then the older.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from .. import safe_xml
from ..regulations import condition_words, timer_words
from ..regulations.amounts import is_amount, plain_number, yuan_in_words
from ..regulations.bundles import FORMS_PREFIX, MANIFEST, Bundle
from ..regulations.cell_words import Column, cell_words, column
from ..regulations.condition_words import ConditionField
from ..regulations.decision_words import AGGREGATIONS, HIT_POLICIES
from ..regulations.rule_fields import bundle_condition_fields
from ..regulations.vocabulary import CJK, Vocabulary

ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
UNNAMED = {"form": "未命名表单", "node": "未命名环节", "process": "未命名流程", "decision": "未命名决策表",
           "variable": "按流程规则确定", "field": "未命名字段"}
NO_WORDS = {"timer": "按流程规则计算的期限", "condition": "按流程规则判断", "input": "按流程规则判断",
            "output": "按流程规则计算"}
TIMER_KINDS = {"timeDate": "到期日", "timeDuration": "等待时长", "timeCycle": "周期"}
DMN_TYPES = {"string": "文字", "boolean": "是/否", "number": "数字", "integer": "整数", "long": "整数",
             "double": "数字", "date": "日期"}
JSON_TYPES = {"string": "文字", "number": "数字", "integer": "整数", "boolean": "是/否", "array": "多项",
              "object": "分组"}
FORMATS = {"date": "日期", "date-time": "日期时间", "attachment": "附件", "email": "电子邮箱", "uri": "网址"}
# The attributes of an element, in the order a change reports them, with what the page calls them.
LABELS = {
    "type": "类型", "name": "名称", "lane": "泳道", "form": "表单", "ui_form": "界面布局",
    "called_element": "调用流程", "decision": "决策表", "script": "自动计算", "multi_instance": "逐一办理的对象",
    "candidate_unit": "办理单位", "candidate_user": "办理人", "event_definition": "事件类型",
    "timer_kind": "定时方式", "timer": "期限", "message": "消息", "attached_to": "附着于",
    "interrupting": "中断当前任务", "triggered_by_event": "事件子流程", "default": "默认分支",
    "source": "起点", "target": "终点", "condition": "条件", "articles": "依据条款", "parent": "所在子流程",
    "hit_policy": "命中策略", "label": "名称", "expression": "所读数据", "output_name": "结果", "type_ref": "类型",
    "description": "说明", "title": "标题", "enum": "可选值", "minimum": "最小值", "maximum": "最大值",
    "exclusiveMinimum": "下限（不含）", "exclusiveMaximum": "上限（不含）", "format": "格式", "pattern": "格式规则",
    "minLength": "最短长度", "maxLength": "最长长度", "minItems": "最少条目", "maxItems": "最多条目",
    "required": "必填", "effective_from": "生效日期", "status": "法规状态", "effective_from_note": "施行日期说明",
    "effective_until": "失效日期", "source_file": "法规原文", "applicant": "申报单位角色", "role": "角色",
    "title_field": "案件标题字段", "members": "环节", "roles": "角色", "experts": "成员",
}
# Too long or too technical to quote: the sentence says it changed, the page shows what it does.
UNQUOTED = {"script", "description", "pattern", "source_file", "effective_from_note"}
QUOTED = {"name", "title", "lane", "source", "target", "label", "attached_to", "form", "ui_form", "parent",
          "called_element", "decision", "default"}


def chinese_date(value: str) -> str:
    """2027-01-01 → 2027年1月1日; anything else as it is."""
    m = ISO_DATE.match(value)
    return f"{int(m[1])}年{int(m[2])}月{int(m[3])}日" if m else value


def plain(value: Any) -> str:
    """A value that is already words (names, dates, yes/no, numbers) as the page shows it."""
    if value is None or value == "" or value == []:
        return "（无）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return plain_number(value)
    if isinstance(value, list | tuple):
        return "、".join(plain(v) for v in value)
    return chinese_date(str(value))


def _xml(bundle: Bundle, name: str) -> etree._Element | None:
    try:
        return safe_xml.parse(bundle.files[name])
    except (KeyError, etree.XMLSyntaxError):
        return None


def _named(bundle: Bundle, kind: str, tag: str) -> dict[str, str]:
    """id → Chinese name of every `tag` element of the bundle's BPMN or DMN files."""
    found: dict[str, str] = {}
    for name in bundle.manifest.get(f"{kind}_files", []):
        root = _xml(bundle, name)
        for el in root.iter(f"{{*}}{tag}") if root is not None else []:
            if el.get("id") and CJK.search(el.get("name") or ""):
                found.setdefault(el.get("id"), el.get("name"))
    return found


def _form_titles(bundle: Bundle) -> dict[str, str]:
    """Form file name (as a diagram names it and with forms/) → the form's title."""
    found: dict[str, str] = {}
    for name in bundle.form_names():
        schema = _json(bundle.files.get(FORMS_PREFIX + name, b""))
        title = schema.get("title") if isinstance(schema, dict) else None
        if isinstance(title, str) and CJK.search(title):
            found[name] = found[FORMS_PREFIX + name] = title
    return found


def _json(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def _person(user: dict[str, Any]) -> str:
    unit = user.get("unit") or ""
    return f"{user['name']}（{unit}）" if CJK.search(unit) else user["name"]


@dataclass
class Names:
    """The Chinese names two versions of a bundle give their files, elements and values."""

    new: Bundle
    old: Bundle
    forms: dict[str, str] = field(default_factory=dict)
    processes: dict[str, str] = field(default_factory=dict)
    decisions: dict[str, str] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    people: dict[str, str] = field(default_factory=dict)  # login name → 姓名（单位）
    vocabularies: list[Vocabulary] = field(default_factory=list)
    labels: timer_words.Labels = lambda _name: None
    fields_of: Callable[[list[Bundle]], dict[str, ConditionField]] = bundle_condition_fields
    conditions: dict[str, ConditionField] | None = None  # fields_of's answer, once a condition asks

    @classmethod
    def of(cls, new: Bundle, old: Bundle) -> Names:
        names = cls(new, old)
        for bundle in (old, new):  # the newer names win
            names.forms.update(_form_titles(bundle))
            names.processes.update(_named(bundle, "bpmn", "process"))
            names.processes.update({p["key"]: p["name"] for p in bundle.manifest.get("processes", [])
                                    if isinstance(p, dict) and p.get("key") and p.get("name")})
            names.decisions.update(_named(bundle, "dmn", "decision"))
            names.roles.update({r["id"]: r["name"] for r in bundle.manifest.get("roles", [])
                                if isinstance(r, dict) and r.get("id") and r.get("name")})
            names.people.update({u["username"]: _person(u) for u in bundle.manifest.get("demo_users", [])
                                 if isinstance(u, dict) and u.get("username") and CJK.search(u.get("name") or "")})
        names.vocabularies = [Vocabulary.of(new), Vocabulary.of(old)]
        names.labels = timer_words.field_labels(new, old)
        return names

    # ---------------------------------------------------------------- things by name

    def form(self, name: str | None) -> str:
        return self.forms.get(name or "") or UNNAMED["form"]

    def process(self, key: str | None) -> str:
        return self.processes.get(key or "") or UNNAMED["process"]

    def decision(self, did: str | None) -> str:
        return self.decisions.get(did or "") or UNNAMED["decision"]

    def role(self, rid: str | None) -> str:
        return self.roles.get(rid or "") or "未命名角色"

    def person(self, username: str | None) -> str:
        return self.people.get(username or "") or "未登记的人员"

    def variable(self, name: str | None) -> str:
        """A case variable by its title (a form's field, the dictionary, a declared amount)."""
        return next((t for v in self.vocabularies if (t := v.title(name))), None) or UNNAMED["variable"]

    def file(self, name: str) -> str:
        """A bundle file by what it holds: a diagram by its process, a table by its decision."""
        if name == MANIFEST:
            return "流程包设置"
        if any(name == (b.manifest.get("regulation") or {}).get("source") for b in (self.new, self.old)):
            return "法规原文"
        for bundle in (self.new, self.old):
            root = _xml(bundle, name) if name.endswith((".bpmn", ".dmn")) else None
            if root is not None:
                tag = "process" if name.endswith(".bpmn") else "decision"
                found = [el.get("name") for el in root.iter(f"{{*}}{tag}") if CJK.search(el.get("name") or "")]
                if found:
                    return ("流程图：" if tag == "process" else "决策表：") + "、".join(found)
        if name.endswith(".uischema.json"):
            return f"表单「{self.form(name.replace('.uischema.json', '.schema.json'))}」的界面布局"
        if name.startswith(FORMS_PREFIX):
            return f"表单「{self.form(name)}」"
        return "附加文件"

    # ---------------------------------------------------------------- expressions by their sentence

    def timer(self, expression: str | None) -> str:
        if not expression:
            return "（无）"
        words = timer_words.words_of(expression)
        return timer_words.sentence(words, self.labels) if words else NO_WORDS["timer"]

    def timer_said(self, expression: str | None) -> bool:
        return bool(expression and timer_words.words_of(expression))

    def condition(self, expression: str | None) -> str:
        if not expression:
            return "（无条件）"
        return self._condition_sentence(expression) or NO_WORDS["condition"]

    def condition_said(self, expression: str | None) -> bool:
        return bool(expression and self._condition_sentence(expression))

    def _condition_sentence(self, expression: str) -> str | None:
        words = condition_words.words_of(expression)
        if not words:
            return None
        if self.conditions is None:
            self.conditions = self.fields_of([self.new, self.old])
        return condition_words.sentence(words, self.conditions)

    # ---------------------------------------------------------------- decision tables

    def column(self, label: str | None, expression: str | None, is_input: bool, number: int) -> Column:
        """A table column by its Chinese heading (its label, else the title of what it reads)."""
        otherwise = f"条件 {number}" if is_input else f"结果 {number}"
        return column(label, expression or "", self.vocabularies[0], otherwise)

    def cell(self, text: str | None, col: Column, is_input: bool) -> str:
        if text is None:
            return "（无）"
        said = cell_words(text, col, self.vocabularies[0], is_input)
        return NO_WORDS["input" if is_input else "output"] if said["raw"] else said["text"]

    @staticmethod
    def hit_policy(policy: str | None, aggregation: str | None = None) -> tuple[str, str]:
        """(首条命中, 自上而下，第一条适用的规则生效。)"""
        name, sentence = HIT_POLICIES.get((policy or "UNIQUE").upper(), ("未知命中策略", "命中策略无法识别。"))
        if (policy or "").upper() == "COLLECT" and (aggregation or "").upper() in AGGREGATIONS:
            sentence = AGGREGATIONS[aggregation.upper()]
        return name, sentence

    # ---------------------------------------------------------------- form fields

    def field_value(self, key: str, value: Any, field_name: str, title: str | None,
                    options: dict[Any, str]) -> str:
        """One attribute of a form field in words: its kind, its options by name, an amount in 万元."""
        if value is None or value == []:
            return "（无）"
        if key == "type":
            return JSON_TYPES.get(str(value), "其他")
        if key == "format":
            return FORMATS.get(str(value), "特定格式")
        if key == "enum":
            return "、".join(options.get(v) or (v if isinstance(v, str) and CJK.search(v) else "未命名选项")
                            for v in value)
        if key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum") and isinstance(value, int | float):
            return yuan_in_words(value) if is_amount(field_name, title) else plain_number(value)
        if key == "pattern":
            return "按规定格式填写"
        return plain(value)
