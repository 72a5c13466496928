"""What the fidelity checks read from a bundle, gathered once: every form field, every
expression with the element a process owner would click on, every routed task, every timer and
every decision-table input. Names in an expression are found with Python's own parser (the
guarded evaluator accepts only Python), so a field's name inside a string does not count as a read.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from ...regulations.bundles import Bundle
from ..lint import BPMN, Document, local, parse_xml, properties
from ..simulation.analysis import parse_python

EXPRESSION_TAGS = {"conditionExpression": "condition", "completionCondition": "condition",
                   "loopCardinality": "condition", "timeDate": "timer", "timeDuration": "timer",
                   "timeCycle": "timer", "preScript": "script", "postScript": "script"}
AMOUNT_TITLE = re.compile(r"[（(]\s*元\s*[)）]")


@dataclass(frozen=True)
class Field:
    form: str
    name: str
    schema: dict[str, Any]

    @property
    def title(self) -> str:
        return self.schema.get("title") or self.name

    @property
    def is_amount(self) -> bool:
        return bool(AMOUNT_TITLE.search(self.title)) or self.name.endswith("_yuan")

    @property
    def is_date(self) -> bool:
        return self.schema.get("format") in ("date", "date-time")


@dataclass(frozen=True)
class Expression:
    doc: Document
    element: etree._Element
    text: str
    kind: str  # condition | timer | script | decision_input | property

    @property
    def names(self) -> set[str]:
        return names_in(self.text)

    @property
    def keys(self) -> set[str]:
        return keys_in(self.text)


@dataclass
class Facts:
    bundle: Bundle
    fields: dict[str, list[Field]] = field(default_factory=dict)
    schemas: dict[str, dict[str, Any]] = field(default_factory=dict)
    expressions: list[Expression] = field(default_factory=list)
    tasks: list[tuple[Document, etree._Element]] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    decision_documents: list[Document] = field(default_factory=list)

    @property
    def regulation_text(self) -> str:
        source = (self.bundle.manifest.get("regulation") or {}).get("source", "")
        return (self.bundle.files.get(source) or b"").decode("utf-8", "replace")

    def field_named(self, name: str) -> list[Field]:
        return self.fields.get(name, [])

    def scripts(self) -> Iterator[Expression]:
        return (e for e in self.expressions if e.kind == "script")


def names_in(text: str) -> set[str]:
    """The variable names an expression or script reads or writes (empty if it is not Python,
    e.g. a DMN cell such as `< 100000`, which the evaluator's own check reports)."""
    tree = parse_python(text)
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} if tree else set()


def keys_in(text: str) -> set[str]:
    """Names and the identifier-like strings an expression uses as keys (`r["verdict"]`,
    `r.get("verdict")`): how a script reads the fields of each expert's form."""
    tree = parse_python(text)
    if tree is None:
        return set()
    strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    return names_in(text) | {s for s in strings if s.isidentifier()}


def owner(el: etree._Element) -> etree._Element:
    """The nearest ancestor with an id that a person sees in the modeler."""
    while el is not None and (el.get("id") is None or local(el).endswith(("EventDefinition", "LoopCharacteristics"))):
        el = el.getparent()
    return el


def label(el: etree._Element) -> str:
    return el.get("name") or el.get("label") or el.get("id") or ""


def _read_forms(facts: Facts) -> None:
    for name in facts.bundle.form_names():
        if not name.endswith(".schema.json"):
            continue
        try:
            schema = json.loads(facts.bundle.form_bytes(name) or b"{}")
        except ValueError:
            continue  # reported by the form check
        facts.schemas[name] = schema
        for key, sub in (schema.get("properties") or {}).items():
            if isinstance(sub, dict):
                facts.fields.setdefault(key, []).append(Field(name, key, sub))


def _bpmn_expressions(doc: Document) -> Iterator[Expression]:
    for el in doc.root.iter():
        if not isinstance(el.tag, str):
            continue
        tag, text = local(el), (el.text or "").strip()
        if tag == "script" and el.tag.startswith(BPMN) and text:
            yield Expression(doc, owner(el), text, "script")
        elif tag in EXPRESSION_TAGS and text:
            yield Expression(doc, owner(el), text, EXPRESSION_TAGS[tag])
        elif tag in ("loopDataInputRef", "loopDataOutputRef") and text:
            yield Expression(doc, owner(el), text, "property")
    for el in doc.root.iter("{*}userTask", "{*}callActivity", "{*}businessRuleTask"):
        for value in properties(el).values():
            if value:
                yield Expression(doc, el, value, "property")


def _dmn_expressions(doc: Document) -> Iterator[Expression]:
    for entry in doc.root.iter("{*}inputExpression"):
        text = (entry.findtext("{*}text") or "").strip()
        if text:
            yield Expression(doc, entry.getparent(), text, "decision_input")


def gather(bundle: Bundle) -> Facts:
    facts = Facts(bundle)
    _read_forms(facts)
    for file in bundle.manifest.get("bpmn_files", []):
        doc, _ = parse_xml(bundle, file)
        if doc is None:
            continue  # reported by the XML check
        facts.documents.append(doc)
        facts.expressions += _bpmn_expressions(doc)
        facts.tasks += [(doc, el) for el in doc.root.iter("{*}userTask")]
    for file in bundle.manifest.get("dmn_files", []):
        doc, _ = parse_xml(bundle, file)
        if doc is not None:
            facts.decision_documents.append(doc)
            facts.expressions += _dmn_expressions(doc)
    return facts
