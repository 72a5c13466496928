"""A draft's decision table edited as its owner reads it: columns by their Chinese labels and
kinds (choice, amount in 万元, number, yes/no, date, text; added, removed, reordered by
decision_columns), the hit policy as a sentence, each rule with its article and its cells as
values (decision_cells); and a new table from nothing.

Saving writes into the draft's DMN file in place: ids, namespaces, DMNDI and every element the
editor does not show stay as they were, and a cell whose value did not change keeps its text
exactly as written.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from lxml import etree

from .. import safe_xml
from ..errors import BundleInvalid, NotFound
from ..regulations.bundles import MANIFEST, Bundle
from ..regulations.cell_words import column
from ..regulations.decision_words import HIT_POLICIES, description_text
from ..regulations.vocabulary import CJK, Vocabulary
from ..users import Actor
from .decision_amounts import declare_amounts
from .decision_cells import CellInvalid, read_cell, write_cell
from .decision_columns import new_table, write_columns
from .drafts import draft_bundle, edit_files

NUMBER_TYPES = ("integer", "number", "double", "long", "int", "float")
TYPE_NAMES = {"choice": "选项", "amount": "金额（万元）", "number": "数字", "boolean": "是/否", "date": "日期",
              "text": "文字"}


def _problem(path: str, element: str | None, message: str) -> BundleInvalid:
    return BundleInvalid(f"决策表无法保存：{message}",
                         errors=[{"file": path, "element": element, "line": None, "message": message}])


def _kind(type_ref: str, col: Any, vocab: Vocabulary, cells: list[str]) -> str:
    type_ref = (type_ref or "").lower()
    if type_ref == "boolean":
        return "boolean"
    if col.amount:
        return "amount"
    if type_ref in NUMBER_TYPES:
        return "number"
    if type_ref == "date":
        return "date"
    coded = any(t.strip().startswith(('"', "? in", "? not in")) and not CJK.search(t) for t in cells)
    return "choice" if vocab.options(col.variable) or coded else "text"


def _options(kind: str, variable: str | None, vocab: Vocabulary, read: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The column's choices: the bundle's named values, then any value a cell uses (named by the
    bundle where it can be; else shown as the cell has it, which the deploy check flags)."""
    if kind != "choice":
        return []
    options = [{"value": v, "label": label} for v, label in vocab.options(variable)]
    seen = {repr(o["value"]) for o in options}
    for cell in read:
        for value in cell.get("values", []):
            if repr(value) not in seen:
                seen.add(repr(value))
                options.append({"value": value, "label": vocab.value_title(variable, value) or str(value)})
    return options


def _columns(table: etree._Element, vocab: Vocabulary, side: str) -> list[dict[str, Any]]:
    rules = table.findall("{*}rule")
    entry = "inputEntry" if side == "input" else "outputEntry"
    found = []
    for n, el in enumerate(table.findall(f"{{*}}{side}")):
        expression = el.find("{*}inputExpression") if side == "input" else el
        source = (el.findtext("{*}inputExpression/{*}text") or "") if side == "input" else el.get("name") or ""
        col = column(el.get("label"), source, vocab, f"{'条件' if side == 'input' else '结果'} {n + 1}")
        texts = [(r.findall(f"{{*}}{entry}")[n:n + 1] or [None])[0] for r in rules]
        cells = [(t.findtext("{*}text") or "") if t is not None else "" for t in texts]
        kind = _kind(expression.get("typeRef") if expression is not None else "", col, vocab, cells)
        read = [read_cell(c, kind, side == "input") for c in cells]
        found.append({"id": el.get("id"), "label": col.label, "variable": col.variable, "type": kind,
                      "type_label": TYPE_NAMES[kind], "options": _options(kind, col.variable, vocab, read),
                      "_cells": read})
    return found


def _name_codes_by_companions(outputs: list[dict[str, Any]]) -> None:
    """An output code no dictionary names (`route` "filing") takes the words its companion column
    (`route_label`) gives in the first rule that yields it."""
    by_variable = {c["variable"]: c for c in outputs if c["variable"]}
    for col in outputs:
        stem = (col["variable"] or "").rsplit("_", 1)[0]
        companion = next((by_variable[n] for n in (f"{col['variable']}_label", f"{col['variable']}_name",
                                                   f"{stem}_label", f"{stem}_name") if n in by_variable), None)
        if col["type"] != "choice" or companion is None or companion is col:
            continue
        for option in col["options"]:
            if CJK.search(option["label"]):
                continue
            said = [t["values"][0] for c, t in zip(col["_cells"], companion["_cells"], strict=True)
                    if c.get("values") == [option["value"]] and t["op"] == "eq" and CJK.search(str(t["values"][0]))]
            if said:
                option["label"] = said[0]


def _hit_policies() -> list[dict[str, str]]:
    return [{"value": key, "name": name, "sentence": sentence} for key, (name, sentence) in HIT_POLICIES.items()]


def decision_for_editing(decision: etree._Element, vocab: Vocabulary) -> dict[str, Any] | None:
    table = decision.find("{*}decisionTable")
    if table is None:
        return None
    inputs, outputs = _columns(table, vocab, "input"), _columns(table, vocab, "output")
    _name_codes_by_companions(outputs)
    rules = [{"id": rule.get("id"), "description": description_text(rule),
              "inputs": [c["_cells"][i] for c in inputs], "outputs": [c["_cells"][i] for c in outputs]}
             for i, rule in enumerate(table.findall("{*}rule"))]
    policy = (table.get("hitPolicy") or "UNIQUE").upper()
    name, sentence = HIT_POLICIES.get(policy, ("未知命中策略", "命中策略无法识别。"))
    strip = [{k: v for k, v in c.items() if k != "_cells"} for c in (*inputs, *outputs)]
    return {"id": decision.get("id"), "name": decision.get("name") if CJK.search(decision.get("name") or "")
            else "决策表", "hit_policy": policy, "hit_policy_name": name, "hit_policy_text": sentence,
            "hit_policies": _hit_policies(), "inputs": strip[:len(inputs)], "outputs": strip[len(inputs):],
            "rules": rules}


def _dmn(bundle: Bundle, path: str) -> etree._Element:
    if path not in bundle.files or not path.endswith(".dmn"):
        raise NotFound(f"草稿中没有该决策表：{path}")
    try:
        return safe_xml.parse(bundle.files[path])
    except etree.XMLSyntaxError as exc:
        raise _problem(path, None, f"决策表文件不是有效的 XML：{exc}") from exc


def table_for_editing(actor: Actor, draft_id: int, path: str) -> dict[str, Any]:
    """GET: every decision table of the draft's DMN file, structured for the words editor."""
    bundle, revision = draft_bundle(actor, draft_id)
    vocab = Vocabulary.of(bundle)
    root = _dmn(bundle, path)
    decisions = [d for d in (decision_for_editing(el, vocab) for el in root.iter("{*}decision")) if d]
    return {"path": path, "revision": revision, "decisions": decisions}


def _new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def _entry(rule: etree._Element, tag: str, prefix: str, text: str) -> etree._Element:
    ns = etree.QName(rule).namespace
    entry = etree.SubElement(rule, f"{{{ns}}}{tag}", id=_new_id(prefix))
    etree.SubElement(entry, f"{{{ns}}}text").text = text
    return entry


def _set_description(rule: etree._Element, text: str) -> None:
    if text == description_text(rule):
        return  # as shown: keep what the table holds (its notes for whoever edits the XML)
    found = rule.find("{*}description")
    if not text.strip():
        if found is not None:
            rule.remove(found)
        return
    if found is None:
        found = etree.Element(f"{{{etree.QName(rule).namespace}}}description")
        rule.insert(0, found)
    found.text = text.strip()


def _cell_text(old: str | None, cell: dict[str, Any], col: dict[str, Any], is_input: bool, where: str) -> str:
    """The cell's expression: unchanged values keep their text as written."""
    if old is not None and read_cell(old, col["type"], is_input) == cell:
        return old
    try:
        return write_cell(cell, col["type"], is_input, [o["value"] for o in col["options"]])
    except CellInvalid as exc:
        raise BundleInvalid(f"「{col['label']}」：{exc}", errors=[
            {"file": None, "element": where, "line": None, "message": f"「{col['label']}」：{exc}"}]) from exc


def _write_rule(rule: etree._Element, sent: dict[str, Any], columns: dict[str, list[dict[str, Any]]]) -> None:
    try:
        _write_cells(rule, sent, columns)
    except ValueError as exc:  # lxml refuses control characters an XML text cannot hold
        raise _problem("", rule.get("id"), "含有无法写入决策表的控制字符") from exc


def _write_cells(rule: etree._Element, sent: dict[str, Any], columns: dict[str, list[dict[str, Any]]]) -> None:
    _set_description(rule, str(sent.get("description") or ""))
    for side, tag, prefix in (("inputs", "inputEntry", "UnaryTests"), ("outputs", "outputEntry", "LiteralExpression")):
        cells = sent.get(side)
        if not isinstance(cells, list) or len(cells) != len(columns[side]):
            word = "条件" if side == "inputs" else "结果"
            raise _problem("", rule.get("id"), f"每条规则应有 {len(columns[side])} 个{word}")
        entries = rule.findall(f"{{*}}{tag}")
        for n, (cell, col) in enumerate(zip(cells, columns[side], strict=True)):
            entry = entries[n] if n < len(entries) else _entry(rule, tag, prefix, "")
            old = (entry.findtext("{*}text") or "") if n < len(entries) else None
            text_el = entry.find("{*}text")
            if text_el is None:
                text_el = etree.SubElement(entry, f"{{{etree.QName(entry).namespace}}}text")
            text_el.text = _cell_text(old, cell, col, side == "inputs", rule.get("id"))


def _new_rule(table: etree._Element, columns: dict[str, list[dict[str, Any]]]) -> etree._Element:
    ns = etree.QName(table).namespace
    rule = etree.Element(f"{{{ns}}}rule", id=_new_id("DecisionRule"))
    for _col in columns["inputs"]:
        _entry(rule, "inputEntry", "UnaryTests", "")
    for _col in columns["outputs"]:
        _entry(rule, "outputEntry", "LiteralExpression", "")
    return rule


def _write_policy(table: etree._Element, policy: Any) -> None:
    policy = str(policy or "UNIQUE").upper()
    if policy not in HIT_POLICIES:
        raise _problem("", table.get("id"), "命中策略无法识别")
    if policy == (table.get("hitPolicy") or "UNIQUE").upper():
        return
    table.set("hitPolicy", policy)
    if policy != "COLLECT" and "aggregation" in table.attrib:
        del table.attrib["aggregation"]


def _write_decision(decision: etree._Element, sent: dict[str, Any], vocab: Vocabulary) -> None:
    table = decision.find("{*}decisionTable")
    shown = decision_for_editing(decision, vocab)
    if table is None or shown is None:
        raise _problem("", decision.get("id"), "该决策不是决策表，不能在此编辑")
    _write_policy(table, sent.get("hit_policy"))
    for side, key in (("input", "inputs"), ("output", "outputs")):
        if key in sent:
            write_columns(table, side, sent[key], {c["id"]: c for c in shown[key]})
    if "inputs" in sent or "outputs" in sent:
        shown = decision_for_editing(decision, vocab) or shown
    columns = {"inputs": shown["inputs"], "outputs": shown["outputs"]}
    old = {r.get("id"): r for r in table.findall("{*}rule")}
    rules = sent.get("rules")
    if not isinstance(rules, list):
        raise _problem("", decision.get("id"), "缺少规则列表")
    ids = [r.get("id") for r in rules if isinstance(r, dict) and r.get("id")]
    if len(set(map(str, ids))) != len(ids) or any(not isinstance(i, str) or i not in old for i in ids):
        raise _problem("", decision.get("id"), "规则标识重复或不属于该表")
    written = []
    for sent_rule in rules:
        if not isinstance(sent_rule, dict):
            raise _problem("", decision.get("id"), "规则格式不对")
        rule = old.get(sent_rule.get("id")) if sent_rule.get("id") else _new_rule(table, columns)
        _write_rule(rule, sent_rule, columns)
        written.append(rule)
    _place_rules(table, list(old.values()), written)


def _place_rules(table: etree._Element, old: list[etree._Element], rules: list[etree._Element]) -> None:
    """The rules in their new order where the old ones stood (after the columns)."""
    anchor = old[0].getprevious() if old else (table.findall("{*}output") or table.findall("{*}input") or [None])[-1]
    tail = old[-1].tail if old else None
    for rule in old:
        table.remove(rule)
    index = table.index(anchor) + 1 if anchor is not None else 0
    for offset, rule in enumerate(rules):
        if rule.tail is None and tail is not None:
            rule.tail = tail
        table.insert(index + offset, rule)


def save_table(actor: Actor, draft_id: int, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """PUT: the edited tables written into the draft's DMN file (revision rules as for a file)."""
    def change(files: dict[str, bytes]) -> tuple[str, dict[str, Any]]:
        bundle = Bundle(files=files, manifest=_manifest(files))
        vocab = Vocabulary.of(bundle)
        root = _dmn(bundle, path)
        by_id = {d.get("id"): d for d in root.iter("{*}decision")}
        for sent in body.get("decisions") or []:
            decision = by_id.get(str(sent.get("id"))) if isinstance(sent, dict) else None
            if decision is None:
                raise _problem(path, str(sent.get("id") if isinstance(sent, dict) else None), "决策不存在于该文件")
            if "inputs" in sent:
                sent = {**sent, "inputs": declare_amounts(files, sent["inputs"])}
            try:
                _write_decision(decision, sent, vocab)
            except BundleInvalid as exc:
                for error in exc.errors:
                    error["file"] = path
                raise
        files[path] = etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")
        return "draft_decision_saved", {"decisions": [d.get("id") for d in body.get("decisions") or []
                                                      if isinstance(d, dict)]}

    return edit_files(actor, draft_id, path, body.get("revision"), change)


def create_table(actor: Actor, draft_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """POST: a new decision table from nothing (its name and columns), listed in the manifest;
    the draft detail with the new file's `path`."""
    created: dict[str, str] = {}

    def change(files: dict[str, bytes]) -> tuple[str, dict[str, Any]]:
        created["path"] = new_table(files, body.get("name"), body.get("inputs"), body.get("outputs"))
        return "draft_decision_created", {"file": created["path"]}

    detail = edit_files(actor, draft_id, MANIFEST, body.get("revision"), change)
    return {**detail, "path": created["path"]}


def _manifest(files: dict[str, bytes]) -> dict[str, Any]:
    try:
        return json.loads(files[MANIFEST])
    except (KeyError, ValueError):
        return {}
