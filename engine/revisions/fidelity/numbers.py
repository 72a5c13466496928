"""A threshold the text does not have is a rule the system invented: a bureau's
「50万元以上为重大项目」 that appears nowhere in its text. An amount a decision table compares a declared
amount with must be written in the regulation text (as 10万元 or 100000元), unless the rule's
description records it as the owner's choice (「解释与取舍」), which the documentation then explains.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from ...regulations.bundles import Problem
from ..lint import Document
from .facts import Facts, names_in

NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])")
CHOICE = "解释与取舍"
INVENTED = ("规则以 {amount}为界，而办法原文没有这个金额：若这是本单位的取舍，"
            "请在规则说明中写明「{choice}」并在文档中说明依据")


def _spellings(value: float) -> Iterator[str]:
    yield f"{value:g}元"
    if value >= 10000:
        wan = value / 10000
        yield f"{wan:g}万"
        yield f"{wan:g} 万"


def _in_words(value: float) -> str:
    return f"{value / 10000:g} 万元" if value >= 10000 else f"{value:g} 元"


def _amount_columns(table: etree._Element, declared: set[str]) -> list[int]:
    columns = []
    for index, column in enumerate(table.findall("{*}input")):
        text = column.findtext("{*}inputExpression/{*}text") or ""
        if names_in(text) & declared:
            columns.append(index)
    return columns


def _rule_problems(doc: Document, rule: etree._Element, columns: list[int], text: str) -> Iterator[Problem]:
    if CHOICE in (rule.findtext("{*}description") or ""):
        return
    entries = rule.findall("{*}inputEntry")
    for index in columns:
        cell = entries[index].findtext("{*}text") if index < len(entries) else ""
        for literal in NUMBER.findall(cell or ""):
            if not any(s in text for s in _spellings(float(literal))):
                yield doc.problem(rule, INVENTED.format(amount=_in_words(float(literal)), choice=CHOICE))


def problems(facts: Facts) -> list[Problem]:
    declared = set(facts.bundle.manifest.get("amounts", {}))
    text = facts.regulation_text.replace(",", "").replace("，", "")
    found: list[Problem] = []
    for doc in facts.decision_documents:
        for table in doc.root.iter("{*}decisionTable"):
            columns = _amount_columns(table, declared)
            for rule in table.findall("{*}rule") if columns else []:
                found += _rule_problems(doc, rule, columns, text)
    return found
