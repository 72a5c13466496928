"""What bpmn.io drops on save must survive the in-product modeler: every bundled BPMN file is
opened in the modeler of a draft (its tab in /drafts/<id>), saved with the modeler's saveXML (what
保存 sends), and compared with the file the modeler was given — every SpiffWorkflow extension element
(forms, calledDecisionId, scripts, properties …), every loop data reference, every documentation
(the article citations), every timer expression, script, condition and call target."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from lxml import etree
from playwright.sync_api import Page, expect

from ..conftest import ROOT
from .helpers import LiveServer, assert_no_page_errors, login_fast

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
# BPMN elements whose text or attributes the engine reads, beside every spiffworkflow:* element
BPMN_KEPT = {f"{{{BPMN}}}{name}" for name in (
    "loopDataInputRef", "loopDataOutputRef", "inputDataItem", "outputDataItem", "loopCardinality",
    "completionCondition", "documentation", "timeDuration", "timeDate", "timeCycle", "script",
    "conditionExpression", "multiInstanceLoopCharacteristics", "standardLoopCharacteristics",
    "callActivity", "businessRuleTask", "dataObject", "dataObjectReference", "messageEventDefinition",
    "signalEventDefinition", "errorEventDefinition", "escalationEventDefinition", "message", "signal",
    "lane", "flowNodeRef", "boundaryEvent", "sequenceFlow")}
# attribute values the BPMN schema defaults to, which bpmn.io leaves out on save (same meaning)
DEFAULTS = {("cancelActivity", "true"), ("isInterrupting", "true"), ("isSequential", "false"),
            ("isForCompensation", "false"), ("startQuantity", "1"), ("completionQuantity", "1"),
            ("parallelMultiple", "false"), ("isImmediate", "true"), ("isCollection", "false")}
JURISDICTIONS = sorted(p.name for p in (ROOT / "bpmn").iterdir() if (p / "manifest.json").is_file())


def facts(xml: bytes) -> Counter:
    """(owner id, tag, text, attributes) of every element that carries meaning for the engine,
    outside the diagram interchange; the owner is the nearest element with an id."""
    root = etree.fromstring(xml)
    out: Counter = Counter()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments, processing instructions
        tag = etree.QName(element)
        if tag.namespace != SPIFF and element.tag not in BPMN_KEPT:
            continue
        owner = next((a.get("id") for a in element.iterancestors() if a.get("id")), None)
        attrs = tuple(sorted((k, v) for k, v in element.attrib.items() if k != XSI_TYPE and (k, v) not in DEFAULTS))
        text = (element.text or "").strip()
        out[(owner, element.tag, text, attrs)] += 1
    return out


def bpmn_files(jurisdiction: str) -> list[str]:
    return json.loads((ROOT / "bpmn" / jurisdiction / "manifest.json").read_text("utf-8"))["bpmn_files"]


@pytest.mark.no_database
def test_every_bundled_diagram_has_spiff_extensions() -> None:
    """The comparison below would be empty, and pass, if the bundles had nothing to lose."""
    total = Counter()
    for jurisdiction in JURISDICTIONS:
        for name in bpmn_files(jurisdiction):
            for (_owner, tag, _text, _attrs), n in facts((ROOT / "bpmn" / jurisdiction / name).read_bytes()).items():
                total[etree.QName(tag).localname if etree.QName(tag).namespace != SPIFF else "spiff"] += n
    assert total["spiff"] > 100 and total["loopDataInputRef"] > 0 and total["documentation"] > 100
    assert total["timeDuration"] + total["timeDate"] + total["timeCycle"] > 0


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
def test_modeler_round_trip_keeps_what_the_engine_reads(page: Page, live_server: LiveServer,
                                                          jurisdiction: str) -> None:
    created = live_server.call("POST", "/drafts", "admin", json={"jurisdiction": jurisdiction, "title": "往返测试"})
    assert created.status_code == 201, created.text
    draft = live_server.call("GET", f"/drafts/{created.json()['id']}", "admin")
    assert draft.status_code == 200, draft.text
    # what the modeler is given: the jurisdiction's current bundle (the repository's files, unless
    # another test of this session deployed a revision of it meanwhile)
    given = draft.json()["files"]
    login_fast(page, live_server, "admin", f"/drafts/{created.json()['id']}")
    tabs = page.get_by_test_id("file-tabs")
    lost = {}
    names = bpmn_files(jurisdiction)
    assert names
    for name in names:
        tab = tabs.locator(f'[data-key="{name}"]')
        expect(tab).to_contain_text("流程图：")  # named by its process, not its file
        tab.click()
        page.wait_for_function("file => window.__govitModeler && window.__govitModeler.file === file", arg=name)
        saved = page.evaluate("() => window.__govitModeler.saveXML()")
        original = facts(given[name].encode("utf-8"))
        after = facts(saved.encode("utf-8"))
        assert sum(original.values()) > 0, name
        missing, added = original - after, after - original
        if missing or added:
            lost[name] = {"missing": sorted(missing)[:10], "added": sorted(added)[:10]}
    assert not lost, json.dumps(lost, ensure_ascii=False)
    assert_no_page_errors(page)
