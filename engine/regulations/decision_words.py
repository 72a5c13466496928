"""A bundle's decision tables (DMN) in words, for officials who read the regulation, not Python.

Per decision: its Chinese name, the hit policy in one sentence, the columns by their Chinese
labels, and each rule by its number (第1条, never its id) with its description and its cells in
words (cell_words). Everything the words need comes from the bundle itself (vocabulary), so a
revised bundle is shown in its own words without a change here.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from .. import safe_xml
from .bundles import Bundle
from .cell_words import Column, cell_words, column
from .vocabulary import CJK, QUOTED, Vocabulary

# A parenthesis without a Chinese word that names program variables — （plan_delay_justified、
# acceptance_delay_justified）, （manifest amounts.declared_budget_yuan） — is a note for whoever edits
# the table; officials read the sentence without it.
PARENTHESIS = re.compile(r"\s*[（(]([^（）()\u4e00-\u9fff]*)[）)]")
PROGRAM_NAME = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b|\b[A-Za-z_]\w*\.[A-Za-z_]\w*")

# (short name, one sentence) per DMN hit policy; the default policy is UNIQUE.
HIT_POLICIES = {
    "UNIQUE": ("唯一命中", "只有一条规则会适用：各条规则的条件互不重叠。"),
    "FIRST": ("首条命中", "自上而下，第一条适用的规则生效。"),
    "PRIORITY": ("优先命中", "可能有多条规则适用，取结果优先级最高的一条。"),
    "ANY": ("任一命中", "可能有多条规则适用，但它们给出的结果必须相同。"),
    "COLLECT": ("汇总命中", "所有适用的规则都生效，结果汇集成一组。"),
    "RULE ORDER": ("按规则顺序", "所有适用的规则都生效，结果按规则的先后排列。"),
    "OUTPUT ORDER": ("按结果优先级", "所有适用的规则都生效，结果按优先级从高到低排列。"),
}
AGGREGATIONS = {
    "SUM": "所有适用的规则都生效，结果相加。",
    "MIN": "所有适用的规则都生效，取其中最小的结果。",
    "MAX": "所有适用的规则都生效，取其中最大的结果。",
    "COUNT": "所有适用的规则都生效，结果为适用规则的条数。",
}


def _companions(columns: list[Column]) -> dict[int, int]:
    """Output column → the column that says the same result in a sentence (`route` → `route_label`,
    `project_scale_class` → `project_scale_label`): its words stand in for an unnamed code."""
    names = {c.variable: i for i, c in enumerate(columns) if c.variable}
    found = {}
    for i, col in enumerate(columns):
        if not col.variable:
            continue
        stem = col.variable.rsplit("_", 1)[0]
        for candidate in (f"{col.variable}_label", f"{col.variable}_name", f"{stem}_label", f"{stem}_name"):
            if candidate in names and names[candidate] != i:
                found[i] = names[candidate]
                break
    return found


def _outputs_in_words(texts: list[str], columns: list[Column], vocab: Vocabulary) -> list[dict[str, Any]]:
    cells = [cell_words(t, c, vocab, is_input=False) for t, c in zip(texts, columns, strict=True)]
    for i, j in _companions(columns).items():
        said = cells[j]
        if cells[i]["raw"] and QUOTED.match(texts[i]) and not said["raw"] and CJK.search(said["text"]):
            cells[i] = {"text": said["text"], "raw": False}
    return cells


def description_text(element: etree._Element) -> str:
    """An element's description as officials read it: notes naming program variables left out."""
    text = (element.findtext("{*}description") or "").strip()
    return PARENTHESIS.sub(lambda m: "" if PROGRAM_NAME.search(m[1]) else m[0], text)


def _hit_policy(table: etree._Element) -> tuple[str, str]:
    policy = (table.get("hitPolicy") or "UNIQUE").upper()
    name, sentence = HIT_POLICIES.get(policy, ("未知命中策略", "命中策略无法识别，请在流程修订中检查此表。"))
    if policy == "COLLECT" and table.get("aggregation", "").upper() in AGGREGATIONS:
        sentence = AGGREGATIONS[table.get("aggregation").upper()]
    return name, sentence


def decision_in_words(decision: etree._Element, vocab: Vocabulary) -> dict[str, Any] | None:
    """One decision as the regulation desk shows it, or None when it is not a decision table."""
    table = decision.find("{*}decisionTable")
    if table is None:
        return None  # literal expressions: no bundle or the modeler writes them
    inputs = [column(el.get("label"), el.findtext("{*}inputExpression/{*}text") or "", vocab, f"条件 {n}")
              for n, el in enumerate(table.findall("{*}input"), start=1)]
    outputs = [column(el.get("label"), el.get("name") or "", vocab, f"结果 {n}")
               for n, el in enumerate(table.findall("{*}output"), start=1)]
    rules = []
    for number, rule in enumerate(table.findall("{*}rule"), start=1):
        ins = [e.findtext("{*}text") or "" for e in rule.findall("{*}inputEntry")]
        outs = [e.findtext("{*}text") or "" for e in rule.findall("{*}outputEntry")]
        rules.append({
            "number": number, "label": f"第{number}条",
            "description": description_text(rule),
            "inputs": [cell_words(t, c, vocab, is_input=True) for t, c in zip(ins, inputs, strict=False)],
            "outputs": _outputs_in_words(outs[:len(outputs)], outputs[:len(outs)], vocab),
        })
    policy, sentence = _hit_policy(table)
    return {
        "name": decision.get("name") if CJK.search(decision.get("name") or "") else "决策表",
        "description": description_text(decision),
        "hit_policy": policy, "hit_policy_text": sentence,
        "inputs": [{"label": c.label} for c in inputs], "outputs": [{"label": c.label} for c in outputs],
        "rules": rules,
        "raw_cells": sum(c["raw"] for r in rules for c in r["inputs"] + r["outputs"]),
    }


def decisions_in_words(bundle: Bundle) -> list[dict[str, Any]]:
    """Per DMN file of the bundle (the manifest's order): {file, title, decisions in words}.
    `file` is for the program to match a tab; it is not shown."""
    vocab = Vocabulary.of(bundle)
    found = []
    for file in bundle.manifest.get("dmn_files", []):
        try:
            root = safe_xml.parse(bundle.files[file])
        except (KeyError, etree.XMLSyntaxError):
            continue  # a deployed bundle has passed the XML check; a broken draft is the modeler's business
        decisions = [d for d in (decision_in_words(el, vocab) for el in root.iter("{*}decision")) if d]
        named = root.get("name") or ""
        title = named if CJK.search(named) else decisions[0]["name"] if decisions else "决策表"
        found.append({"file": file, "title": title, "decisions": decisions})
    return found
