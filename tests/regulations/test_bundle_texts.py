"""Officials read words, not program text: every text a bundled diagram, decision table or form
shows to people — documentation, element names, column labels, descriptions, form titles,
option titles, help texts — says what it means in Chinese, never a file name
(`project_scale.dmn`, `*.schema.json`) nor a snake_case identifier (`declared_budget_yuan`).

What is program text by nature is not read here: expressions (conditions, scripts, timers,
decision cells), a decision output's variable `name`, and the names BPMN matches on (a message's
or signal's name, a multi-instance data item's) — they are keys, not words."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

pytestmark = pytest.mark.no_database

ROOT = Path(__file__).resolve().parents[2]
BPMN_ROOT, FORMS_ROOT = ROOT / "bpmn", ROOT / "forms"
JURISDICTIONS = sorted(p.parent.name for p in BPMN_ROOT.glob("*/manifest.json"))

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DMN_NAMESPACES = ("https://www.omg.org/spec/DMN/", "http://www.omg.org/spec/DMN/")
# Tags whose `name` is a key the engine matches on, not a word anyone reads.
KEYED_NAMES = {"message", "signal", "inputDataItem", "outputDataItem", "dataInput", "dataOutput"}
DMN_WORDS = {"definitions": "name", "decision": "name", "input": "label", "output": "label",
             "inputData": "name", "businessKnowledgeModel": "name"}
TEXT_ELEMENTS = {"documentation", "description", "text"}  # bpmn:textAnnotation/text; DMN annotation text
FORM_WORDS = {"title", "description", "ui:title", "ui:description", "ui:help", "ui:placeholder", "x-informational"}

FILE_NAME = re.compile(r"[\w.*-]*\.(?:dmn|bpmn|json)(?![A-Za-z0-9])")
SNAKE_CASE = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+(?![A-Za-z0-9_])")


def program_text(text: str) -> list[str]:
    """The file names and identifiers in a text meant for people."""
    return FILE_NAME.findall(text) + SNAKE_CASE.findall(text)


def _where(file: str, element: etree._Element) -> str:
    return f"{file} {etree.QName(element).localname}「{element.get('id') or element.get('name') or '?'}」"


def diagram_texts(file: str, data: bytes) -> Iterator[tuple[str, str]]:
    """(where, text) of every text a BPMN diagram shows: names, documentation, annotations."""
    for element in etree.fromstring(data).iter(f"{{{BPMN}}}*"):
        tag = etree.QName(element).localname
        if element.get("name") and tag not in KEYED_NAMES:
            yield f"{_where(file, element)} 名称", element.get("name")
        if tag in TEXT_ELEMENTS and element.text and element.getparent() is not None:
            yield f"{_where(file, element.getparent())} {tag}", element.text


def decision_texts(file: str, data: bytes) -> Iterator[tuple[str, str]]:
    """(where, text) of every text a DMN table shows: names, column labels, descriptions (the
    cells and input expressions are expressions)."""
    for element in etree.fromstring(data).iter():
        if not isinstance(element.tag, str) or not element.tag.startswith(tuple(f"{{{ns}" for ns in DMN_NAMESPACES)):
            continue
        tag = etree.QName(element).localname
        attribute = DMN_WORDS.get(tag)
        if attribute and element.get(attribute):
            yield f"{_where(file, element)} {attribute}", element.get(attribute)
        parent = element.getparent()
        if tag == "description" and element.text:
            yield f"{_where(file, parent)} description", element.text
        if tag == "text" and element.text and parent is not None and etree.QName(parent).localname == "annotationEntry":
            yield f"{_where(file, parent)} annotation", element.text


def form_texts(file: str, node: object, path: str = "") -> Iterator[tuple[str, str]]:
    """(where, text) of every title, description, option title and help text of a form (its
    JSON Schema or its uiSchema), at any depth."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in FORM_WORDS and isinstance(value, str):
                yield f"{file} {path or '/'} {key}", value
            else:
                yield from form_texts(file, value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from form_texts(file, value, f"{path}/{index}")


def bundle_texts(jurisdiction: str) -> Iterator[tuple[str, str]]:
    folder = BPMN_ROOT / jurisdiction
    for path in sorted(folder.glob("*.bpmn")):
        yield from diagram_texts(f"{jurisdiction}/{path.name}", path.read_bytes())
    for path in sorted(folder.glob("*.dmn")):
        yield from decision_texts(f"{jurisdiction}/{path.name}", path.read_bytes())
    for path in sorted((FORMS_ROOT / jurisdiction).glob("*.json")):
        yield from form_texts(f"forms/{jurisdiction}/{path.name}", json.loads(path.read_text("utf-8")))


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
def test_no_text_shown_to_people_names_a_file_or_an_identifier(jurisdiction: str):
    texts = list(bundle_texts(jurisdiction))
    assert len(texts) > 100, "the bundle's texts were not found"
    found = [f"{where}: {', '.join(program_text(text))} — {text.strip()[:80]}"
             for where, text in texts if program_text(text)]
    assert not found, "say it in Chinese (决策表「项目规模」, not project_scale.dmn):\n" + "\n".join(found)


def test_the_check_finds_file_names_and_identifiers_and_leaves_expressions_alone():
    diagram = f"""<bpmn:definitions xmlns:bpmn="{BPMN}"><bpmn:message id="m" name="case_closed"/>
      <bpmn:process id="p" name="立项">
        <bpmn:userTask id="t" name="审核"><bpmn:documentation>第三条：见决策表 project_scale.dmn</bpmn:documentation>
        </bpmn:userTask>
        <bpmn:sequenceFlow id="f" name="通过">
          <bpmn:conditionExpression>review_result == "pass"</bpmn:conditionExpression></bpmn:sequenceFlow>
        <bpmn:textAnnotation id="a"><bpmn:text>金额取自 budget_yuan</bpmn:text></bpmn:textAnnotation>
      </bpmn:process></bpmn:definitions>""".encode()
    found = {where: program_text(text) for where, text in diagram_texts("d.bpmn", diagram) if program_text(text)}
    assert found == {"d.bpmn userTask「t」 documentation": ["project_scale.dmn", "project_scale"],
                     "d.bpmn textAnnotation「a」 text": ["budget_yuan"]}

    table = b"""<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="scale">
      <decision id="s" name="\xe8\xa7\x84\xe6\xa8\xa1"><description>see manifest.json</description>
        <decisionTable id="dt"><input id="i" label="budget_yuan"><inputExpression id="e"><text>budget_yuan</text>
        </inputExpression></input><output id="o" name="is_small" label="\xe5\xb0\x8f\xe9\xa2\x9d"/>
        <rule id="r"><inputEntry id="c"><text>&lt; 100000</text></inputEntry>
        <outputEntry id="x"><text>"small_project"</text></outputEntry></rule></decisionTable></decision>
      </definitions>"""
    found = {where: program_text(text) for where, text in decision_texts("t.dmn", table) if program_text(text)}
    assert found == {"t.dmn decision「s」 description": ["manifest.json"], "t.dmn input「i」 label": ["budget_yuan"]}

    form = {"title": "申请", "properties": {"kind": {"title": "类别", "oneOf": [
        {"const": "software", "title": "software_project"}, {"const": "hardware", "title": "硬件"}]},
        "note": {"title": "说明", "description": "见 apply.schema.json", "x-informational": "由 gw_review 决定"}}}
    found = {where: program_text(text) for where, text in form_texts("f.json", form) if program_text(text)}
    assert found == {"f.json /properties/kind/oneOf/0 title": ["software_project"],
                     "f.json /properties/note description": ["apply.schema.json"],
                     "f.json /properties/note x-informational": ["gw_review"]}
