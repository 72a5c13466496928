"""The columns of a draft's decision table edited in words, and a new table from nothing.

A column is `{"id", "label", "variable", "type"}`: the Chinese heading officials read, the case
value it reads (a condition) or writes (a result), and its kind (choice, amount, number,
boolean, date, text). Columns are matched by id; a column left out is removed with its cells
in every rule, a column without an id is added with empty cells. A new table is one decision
(首条命中) with one rule, its file listed in the manifest's `dmn_files`.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from lxml import etree

from ..errors import BundleInvalid
from ..regulations.amounts import YUAN_MARKS
from ..regulations.bundles import MANIFEST, manifest_bytes
from ..regulations.vocabulary import CJK
from .decision_amounts import declare_amounts

TYPE_REFS = {"choice": "string", "text": "string", "amount": "integer", "number": "number", "boolean": "boolean",
             "date": "date"}
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
DMN_NS = "https://www.omg.org/spec/DMN/20191111/MODEL/"
MAX_COLUMNS = 30


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def _problem(element: str | None, message: str) -> BundleInvalid:
    return BundleInvalid(f"决策表无法保存：{message}",
                         errors=[{"file": None, "element": element, "line": None, "message": message}])


def _checked(column: Any, side: str, n: int) -> dict[str, Any]:
    where = f"{'条件' if side == 'input' else '结果'}第{n}列"
    if not isinstance(column, dict):
        raise _problem(where, f"{where}格式不对")
    label, variable, kind = column.get("label"), column.get("variable"), column.get("type")
    if not isinstance(label, str) or not CJK.search(label) or len(label) > 200:
        raise _problem(where, f"{where}的名称应为中文（不超过 200 字）")
    if kind not in TYPE_REFS:
        raise _problem(where, f"{where}的类型无法识别")
    if variable is not None and (not isinstance(variable, str) or not NAME.match(variable)):
        raise _problem(where, f"{where}所读写的数据项无法识别")
    known = column.get("id") if isinstance(column.get("id"), str) else None
    if side == "input" and not variable and not known:
        raise _problem(where, f"请为{where}选择它判断的数据项")
    return {"id": known, "label": label.strip(), "variable": variable or (None if known else new_id("result")),
            "type": kind}


def _heading(column: dict[str, Any]) -> str:
    """An amount column's heading says （元）: the table keeps yuan, the editor shows 万元."""
    label = column["label"]
    return label if column["type"] != "amount" or any(m in label for m in YUAN_MARKS) else label + "（元）"


def _column_element(table: etree._Element, side: str, column: dict[str, Any]) -> etree._Element:
    ns = etree.QName(table).namespace
    if side == "output":
        return etree.Element(f"{{{ns}}}output", id=new_id("Output"), label=_heading(column), name=column["variable"],
                             typeRef=TYPE_REFS[column["type"]])
    el = etree.Element(f"{{{ns}}}input", id=new_id("Input"), label=_heading(column))
    expression = etree.SubElement(el, f"{{{ns}}}inputExpression", id=new_id("InputExpression"),
                                  typeRef=TYPE_REFS[column["type"]])
    etree.SubElement(expression, f"{{{ns}}}text").text = column["variable"]
    return el


def _update(el: etree._Element, side: str, column: dict[str, Any], shown: dict[str, Any]) -> None:
    """A kept column takes what changed of its heading, variable and type (a changed type
    empties nothing: cells that no longer fit show as expert text until they are set again)."""
    if column["label"] != shown.get("label") or (column["type"] != shown.get("type") and column["type"] == "amount"):
        el.set("label", _heading(column))
    target = el if side == "output" else el.find("{*}inputExpression")
    if target is None or (side == "input" and target.find("{*}text") is None):
        raise _problem(el.get("id"), f"「{column['label']}」列缺少表达式，请在专家视图中修复")
    if column["variable"] and column["variable"] != shown.get("variable"):
        if side == "output":
            el.set("name", column["variable"])
        else:
            target.find("{*}text").text = column["variable"]
    if column["type"] != shown.get("type"):
        target.set("typeRef", TYPE_REFS[column["type"]])


def write_columns(table: etree._Element, side: str, sent: Any, shown: dict[str, dict[str, Any]]) -> None:
    """The table's inputs or outputs as sent (order, headings, additions, removals), and every
    rule's cells moved with their columns. `shown`: each existing column as the editor got it."""
    if not isinstance(sent, list) or len(sent) > MAX_COLUMNS:
        raise _problem(None, f"列的数量应为 0 到 {MAX_COLUMNS} 个")
    columns = [_checked(c, side, n) for n, c in enumerate(sent, start=1)]
    old = table.findall(f"{{*}}{side}")
    by_id = {el.get("id"): i for i, el in enumerate(old)}
    if any(c["id"] and c["id"] not in by_id for c in columns) or len({c["id"] for c in columns if c["id"]}) != \
            len([c for c in columns if c["id"]]):
        raise _problem(None, "列标识重复或不属于该表")
    if side == "input" and not columns:
        raise _problem(None, "决策表至少要有一个条件列")
    anchor = _anchor(table, side, old)
    for el in old:
        table.remove(el)
    placed = []
    for column in columns:
        el = old[by_id[column["id"]]] if column["id"] else _column_element(table, side, column)
        if column["id"]:
            _update(el, side, column, shown.get(column["id"], {}))
        placed.append(el)
    index = table.index(anchor) + 1 if anchor is not None else 0
    for offset, el in enumerate(placed):
        table.insert(index + offset, el)
    _move_cells(table, side, [by_id.get(c["id"]) if c["id"] else None for c in columns])


def _anchor(table: etree._Element, side: str, old: list[etree._Element]) -> etree._Element | None:
    """The element the columns of this side follow (a description, or the inputs for outputs)."""
    if old:
        return old[0].getprevious()
    if side == "output":
        inputs = table.findall("{*}input")
        return inputs[-1] if inputs else None
    return table.find("{*}description")


def _move_cells(table: etree._Element, side: str, sources: list[int | None]) -> None:
    tag = "inputEntry" if side == "input" else "outputEntry"
    prefix = "UnaryTests" if side == "input" else "LiteralExpression"
    ns = etree.QName(table).namespace
    for rule in table.findall("{*}rule"):
        entries = rule.findall(f"{{*}}{tag}")
        anchor = entries[0].getprevious() if entries else (rule.findall("{*}inputEntry") or [None])[-1] \
            if side == "output" else rule.find("{*}description")
        for entry in entries:
            rule.remove(entry)
        placed = []
        for source in sources:
            if source is not None and source < len(entries):
                placed.append(entries[source])
                continue
            entry = etree.Element(f"{{{ns}}}{tag}", id=new_id(prefix))
            etree.SubElement(entry, f"{{{ns}}}text").text = ""
            placed.append(entry)
        index = rule.index(anchor) + 1 if anchor is not None else 0
        for offset, entry in enumerate(placed):
            rule.insert(index + offset, entry)


def new_table(files: dict[str, bytes], name: Any, inputs: Any, outputs: Any) -> str:
    """A new DMN file (one decision table, one rule) added to the draft and its manifest; its path."""
    if not isinstance(name, str) or not CJK.search(name) or len(name) > 200:
        raise _problem(None, "决策表名称应为中文（不超过 200 字）")
    inputs = declare_amounts(files, inputs)  # the manifest, read after it may have declared an amount
    try:
        manifest = json.loads(files[MANIFEST])
    except (KeyError, ValueError) as exc:
        raise _problem(None, "草稿的清单无法读取") from exc
    decision = new_id("decision")
    root = etree.Element(f"{{{DMN_NS}}}definitions", nsmap={None: DMN_NS}, id=f"Definitions_{decision}",
                         name=name.strip(), namespace="http://govit-bpm/dmn")
    element = etree.SubElement(root, f"{{{DMN_NS}}}decision", id=decision, name=name.strip())
    table = etree.SubElement(element, f"{{{DMN_NS}}}decisionTable", id=f"DecisionTable_{decision}", hitPolicy="FIRST")
    rule = etree.SubElement(table, f"{{{DMN_NS}}}rule", id=new_id("DecisionRule"))
    etree.SubElement(rule, f"{{{DMN_NS}}}description").text = ""
    write_columns(table, "input", inputs, {})
    write_columns(table, "output", outputs or [], {})
    path = f"{decision}.dmn"
    etree.indent(root, space="  ")
    files[path] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    manifest["dmn_files"] = [*manifest.get("dmn_files", []), path]
    files[MANIFEST] = manifest_bytes(manifest)
    return path
