"""Routing by the directory, never by typed text: a task bound to a unit or a person takes its
holder from a field chosen from the directory (`"x-directory": "unit" | "user"`); a typed unit
name with a typo strands the task (a data owner's 归口管理科室). The same holds for a
rule comparing a field with the applicant's unit.
"""

from __future__ import annotations

from lxml import etree

from ...regulations.bundles import Problem
from ..lint import properties
from .facts import Facts, Field, label

KINDS = {"candidateUnitVariable": ("unit", "办理单位"), "candidateUserVariable": ("user", "办理人")}

COMPARED = "「{element}」拿手填的「{field}」与申报单位比较：请改为从通讯录选择（字段加 \"x-directory\": \"unit\"）"


def directory_of(f: Field) -> str | None:
    items = f.schema.get("items") if f.schema.get("type") == "array" else None
    return f.schema.get("x-directory") or (items or {}).get("x-directory")


def _source(task: etree._Element, variable: str) -> str:
    """The variable a multi-instance task draws `variable` from (its collection), else itself."""
    loop = task.find("{*}multiInstanceLoopCharacteristics")
    if loop is not None:
        item = loop.find("{*}inputDataItem")
        collection = (loop.findtext("{*}loopDataInputRef") or "").strip()
        if item is not None and variable in (item.get("id"), item.get("name")) and collection:
            return collection
    return variable


def _typed(facts: Facts, name: str, kind: str) -> list[Field]:
    return [f for f in facts.field_named(name) if directory_of(f) != kind]


def problems(facts: Facts) -> list[Problem]:
    found = []
    for doc, task in facts.tasks:
        for prop, value in properties(task).items():
            if prop not in KINDS or not value:
                continue
            kind, role = KINDS[prop]
            for f in _typed(facts, _source(task, value), kind):
                found.append(doc.problem(task, f"任务「{label(task)}」按「{f.title}」确定{role}，而该字段是手填文字，"
                                               f"写错一个字任务就无人能办：请改为从通讯录选择"
                                               f"（字段加 \"x-directory\": \"{kind}\"）"))
    for e in facts.expressions:
        if "applicant_unit" not in e.names:
            continue
        for name in sorted(e.names - {"applicant_unit"}):
            for f in _typed(facts, name, "unit"):
                if f.schema.get("type") == "string":
                    found.append(e.doc.problem(e.element, COMPARED.format(element=label(e.element), field=f.title)))
    return found
