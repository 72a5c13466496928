"""What the diagrams look at: the names their expressions read and the values they compare
those names with. Payload variants are built from this, so only fields that can change a
route are varied (varying a free-text field would only multiply identical paths)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from lxml import etree

from ... import safe_xml
from ...regulations.bundles import Bundle
from ..lint import BPMN, FLOW_NODE_TAGS

EVAL_TAGS = ("conditionExpression", "completionCondition", "timeDate", "timeDuration", "timeCycle",
             "loopCardinality", "loopDataInputRef")
EXEC_TAGS = ("script", "preScript", "postScript")
DMN_INPUT = "dmninputexpr"  # what SpiffWorkflow substitutes for `?` in a DMN cell
UNIT_CASE_HELPERS = ("count_unit_cases", "unit_cases")


@dataclass
class Decisions:
    """Names read by any expression, and the constants each name is compared with."""

    names: set[str] = field(default_factory=set)
    constants: dict[str, set[Any]] = field(default_factory=dict)
    calls: set[str] = field(default_factory=set)
    # Decision tables as their rules in order, each {input name: cell}: rules combine inputs,
    # and a form must reach each rule even when that takes two fields off their base values.
    tables: list[list[dict[str, str]]] = field(default_factory=list)

    def add_constant(self, name: str, value: Any) -> None:
        if isinstance(value, bool | int | float | str):
            self.constants.setdefault(name, set()).add(value)

    @property
    def uses_unit_cases(self) -> bool:
        return bool(self.calls & set(UNIT_CASE_HELPERS))


def parse_python(text: str) -> ast.AST | None:
    for mode in ("eval", "exec"):
        try:
            return ast.parse(text.strip(), mode=mode)
        except SyntaxError:
            continue
    return None


def _subject(node: ast.AST) -> str | None:
    """The data name a comparison is about: `x`, `x["k"]`/`o["k"]` (the key), `x.get("k")`."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
        return node.slice.value
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
            and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
        return node.args[0].value
    return None


def _constants(node: ast.AST) -> list[Any]:
    if isinstance(node, ast.Constant):
        return [node.value]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        return [-node.operand.value] if isinstance(node.operand.value, int | float) else []
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [c for elt in node.elts for c in _constants(elt)]
    return []


def scan(text: str, found: Decisions, alias: dict[str, str] | None = None) -> None:
    """Record names, called helpers and compared constants of one expression or script."""
    tree = parse_python(text)
    if tree is None:
        return
    alias = alias or {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.names.add(node.id)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.isidentifier():
            found.names.add(node.value)  # o["verdict"], data.get("verdict")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            found.calls.add(node.func.id)
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            for left, right in pairwise(operands):
                for subject, other in ((left, right), (right, left)):
                    name = _subject(subject)
                    for value in _constants(other) if name else ():
                        found.add_constant(alias.get(name, name), value)


def _xml(bundle: Bundle, name: str) -> etree._Element | None:
    try:
        return safe_xml.parse(bundle.files[name])
    except (etree.XMLSyntaxError, KeyError):
        return None


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _bpmn_texts(root: etree._Element) -> Iterator[str]:
    for el in root.iter():
        if _local(el) in EVAL_TAGS + EXEC_TAGS and (el.text or "").strip():
            yield el.text


def _dmn_columns(root: etree._Element) -> Iterator[tuple[str, list[str]]]:
    """(input expression, its cells) for every input column of every decision table."""
    for table in root.iter("{*}decisionTable"):
        inputs = table.findall("{*}input")
        rules = table.findall("{*}rule")
        for idx, inp in enumerate(inputs):
            expression = inp.findtext("{*}inputExpression/{*}text", default="").strip()
            cells = []
            for rule in rules:
                entries = rule.findall("{*}inputEntry")
                if idx < len(entries):
                    cells.append(entries[idx].findtext("{*}text", default="").strip())
            yield expression, cells
        for rule in rules:
            for out in rule.findall("{*}outputEntry"):
                yield "", [out.findtext("{*}text", default="")]


def _dmn_tables(root: etree._Element) -> list[list[dict[str, str]]]:
    tables = []
    for table in root.iter("{*}decisionTable"):
        names = [inp.findtext("{*}inputExpression/{*}text", default="").strip() for inp in table.findall("{*}input")]
        rules = []
        for rule in table.findall("{*}rule"):
            cells = [e.findtext("{*}text", default="").strip() for e in rule.findall("{*}inputEntry")]
            rules.append({n: c for n, c in zip(names, cells, strict=False) if n.isidentifier() and c not in ("", "-")})
        tables.append(rules)
    return tables


def _scan_dmn_cell(expression: str, cell: str, found: Decisions) -> None:
    if cell in ("", "-"):
        return
    subject = expression if expression.isidentifier() else DMN_INPUT
    if "?" in cell:
        text = cell.replace("?", DMN_INPUT)
    elif cell[0] in "<>=!":
        text = f"{DMN_INPUT} {cell}"
    elif expression:
        text = f"{DMN_INPUT} == ({cell})"
    else:
        text = cell
    scan(text, found, alias={DMN_INPUT: subject})


def decisions(bundle: Bundle) -> Decisions:
    found = Decisions()
    for name in bundle.manifest.get("bpmn_files", []):
        root = _xml(bundle, name)
        for text in _bpmn_texts(root) if root is not None else ():
            scan(text, found)
    for name in bundle.manifest.get("dmn_files", []):
        root = _xml(bundle, name)
        found.tables += _dmn_tables(root) if root is not None else []
        for expression, cells in _dmn_columns(root) if root is not None else ():
            scan(expression, found)
            for cell in cells:
                _scan_dmn_cell(expression, cell, found)
    found.names.discard(DMN_INPUT)
    return found


def flow_nodes(bundle: Bundle) -> dict[str, dict[str, str]]:
    """{process or subprocess id: {flow node id: name}} from the XML: SpiffWorkflow builds no
    spec for a node nothing leads to, and that is exactly what `unreachable` must report."""
    out: dict[str, dict[str, str]] = {}
    for name in bundle.manifest.get("bpmn_files", []):
        root = _xml(bundle, name)
        containers = root.iter(BPMN + "process", BPMN + "subProcess") if root is not None else ()
        for container in containers:
            nodes = out.setdefault(container.get("id"), {})
            for el in container.iter():
                if el is not container and _local(el) in FLOW_NODE_TAGS and el.get("id"):
                    nodes[el.get("id")] = el.get("name") or el.get("id")
    return out
