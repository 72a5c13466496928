"""What bpmn.io drops on save must survive the in-product modeler: every bundled BPMN file is
opened in the modeler of a draft (its tab in /drafts/<id>), saved with the modeler's saveXML (what
保存 sends), and compared with the file the modeler was given — every SpiffWorkflow extension
element (forms, calledDecisionId, scripts, properties …), every loop data reference, every
documentation (the article citations), every timer expression, script, condition and call target;
and the saved bundle compiles to the same executable specs as the given one (tests/compiled.py),
so every scenario test runs on it as on the repository's files.

Looking at an element in the panel changes nothing: in the jurisdictions of `panel_cover` — the
fewest whose diagrams between them hold every kind of element the bundles have (`element_kinds`:
its type, event definition, timer, loop, SpiffWorkflow extensions) — every element is selected once
before the save, so that the properties panel (bpmn-js-properties-panel with the product's
provider) renders its groups for it. Selecting each of some 2000 elements is most of this file's
time; the other jurisdictions hold only kinds of element the cover already shows."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from lxml import etree
from playwright.sync_api import Page, expect

from ..compiled import compiled_specs
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


# Select every element of the open diagram once and read which groups the panel rendered for it.
VISIT_EVERY_ELEMENT = """async () => {
    const m = window.__govitModeler.modeler;
    const canvas = m.get('canvas');
    const registry = m.get('elementRegistry');
    const selection = m.get('selection');
    const home = canvas.getRootElement();
    const roots = canvas.getRootElements();
    const panel = document.querySelector('[data-testid="properties-panel"]');
    let shown = selection.get().length ? selection.get()[0] : home; // what the panel shows now
    m.get('eventBus').on('propertiesPanel.updated', (e) => { shown = e.element; });
    const settle = () => new Promise((done) => setTimeout(done, 20));
    // A collapsed sub-process's content is drawn on its own plane (root): show that plane first.
    // The page answers a selection by selecting it again (its `selected` state) a moment later:
    // select until the selection and the panel have held the element for a while.
    const show = async (el) => {
        const isRoot = roots.includes(el);
        const plane = isRoot ? el : canvas.findRoot(el);
        if (plane && canvas.getRootElement() !== plane) canvas.setRootElement(plane);
        const holds = () => shown === el && (isRoot ? !selection.get().length
            : selection.get().length === 1 && selection.get()[0] === el);
        for (let attempt = 0; attempt < 10; attempt += 1) {
            if (!holds()) selection.select(isRoot ? null : el);
            let stable = 0;
            for (let t = 0; t < 25 && stable < 3; t += 1) {
                await settle();
                stable = holds() ? stable + 1 : 0;
            }
            if (stable >= 3) return true;
        }
        return false;
    };
    const seen = {};
    for (const el of [home, ...registry.getAll().filter((e) => e !== home && e.type !== 'label')]) {
        const reached = await show(el);
        const bo = el.businessObject;
        seen[el.id] = {
            type: el.type,
            reached,
            groups: [...panel.querySelectorAll('[data-group-id]')].map((g) => g.dataset.groupId.replace(/^group-/, '')),
            title: panel.querySelector('.bio-properties-panel-header')?.textContent || '',
            timer: (bo.eventDefinitions || []).some((d) => d.$type === 'bpmn:TimerEventDefinition'),
            multi: bo.loopCharacteristics?.$type === 'bpmn:MultiInstanceLoopCharacteristics',
        };
    }
    canvas.setRootElement(home);
    selection.select(null);
    return {seen, changed: m.get('commandStack').canUndo()};
}"""
# The group each kind of element must show (beside 基本信息, which every element but a flow's
# association has).
GROUP_OF_TYPE = {"bpmn:Lane": "govitLane", "bpmn:UserTask": "govitForm", "bpmn:SequenceFlow": "govitCondition",
                 "bpmn:BusinessRuleTask": "govitDecision", "bpmn:CallActivity": "govitCall",
                 "bpmn:ScriptTask": "govitScript"}


def panel_gaps(seen: dict) -> list[str]:
    """Elements whose panel lacks a group it must render (or is titled by nothing)."""
    gaps = []
    for element_id, info in seen.items():
        needed = {"general"} if info["type"] not in ("bpmn:Association", "bpmn:DataInputAssociation",
                                                     "bpmn:DataOutputAssociation") else set()
        if info["type"] in GROUP_OF_TYPE:
            needed.add(GROUP_OF_TYPE[info["type"]])
        if info["timer"]:
            needed.add("timer")
        if info["multi"]:
            needed.add("multiInstance")
        missing = needed - set(info["groups"])
        if missing or not info["title"].strip() or not info["reached"]:
            gaps.append(f"{element_id} ({info['type']}): missing {sorted(missing)}, title {info['title']!r}, "
                        f"shown {info['reached']}")
    return gaps


def bpmn_files(jurisdiction: str) -> list[str]:
    return json.loads((ROOT / "bpmn" / jurisdiction / "manifest.json").read_text("utf-8"))["bpmn_files"]


def _kind(element: etree._Element) -> str:
    """An element's type with what changes its panel: event definitions (a timer by its kind),
    loop characteristics, SpiffWorkflow extensions, an event sub-process."""
    parts = [etree.QName(element).localname]
    if element.get("triggeredByEvent") == "true":
        parts.append("triggeredByEvent")
    for child in element.iterchildren(f"{{{BPMN}}}*"):
        name = etree.QName(child).localname
        if name.endswith(("EventDefinition", "LoopCharacteristics")):
            parts += [name, *sorted(etree.QName(g).localname for g in child.iterchildren(f"{{{BPMN}}}*")
                                    if etree.QName(g).localname.startswith("time"))]
            parts += sorted({etree.QName(g).localname for g in child.iter(f"{{{SPIFF}}}*")})
        elif name == "extensionElements":
            parts += sorted({etree.QName(g).localname for g in child.iter(f"{{{SPIFF}}}*")})
    return " ".join(parts)


def element_kinds(jurisdiction: str) -> tuple[set[str], int]:
    """The kinds of element (`_kind`) in a jurisdiction's diagrams, and how many elements they have."""
    kinds, count = set(), 0
    for name in bpmn_files(jurisdiction):
        root = etree.fromstring((ROOT / "bpmn" / jurisdiction / name).read_bytes())
        for element in root.iter(f"{{{BPMN}}}*"):
            if element.get("id") and element is not root and not etree.QName(element).localname.endswith(
                    ("EventDefinition", "LoopCharacteristics", "laneSet", "DataItem")):
                kinds.add(_kind(element))
                count += 1
    return kinds, count


def panel_cover() -> list[str]:
    """The fewest jurisdictions (chosen greedily, the smaller first on a tie) whose diagrams hold
    every kind of element of all the bundled ones."""
    found = {j: element_kinds(j) for j in JURISDICTIONS}
    missing = set().union(*(kinds for kinds, _ in found.values()))
    chosen: list[str] = []
    while missing:
        best = max(found, key=lambda j: (len(found[j][0] & missing), -found[j][1]))
        chosen.append(best)
        missing -= found[best][0]
    return chosen


PANEL_COVER = panel_cover()


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


@pytest.mark.no_database
def test_the_panel_cover_leaves_out_no_kind_of_element() -> None:
    """Recomputed from the files, so that a new kind in any bundle joins the cover's; and the
    cover must leave some jurisdiction out, or it saves nothing."""
    every = set().union(*(element_kinds(j)[0] for j in JURISDICTIONS))
    assert set().union(*(element_kinds(j)[0] for j in PANEL_COVER)) == every
    assert {"userTask", "sequenceFlow", "lane", "callActivity", "businessRuleTask"} <= {k.split()[0] for k in every}
    assert any("timerEventDefinition" in k for k in every) and any("multiInstance" in k for k in every)
    assert 0 < len(PANEL_COVER) < len(JURISDICTIONS)


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
    lost, saved_files = {}, {}
    names = bpmn_files(jurisdiction)
    assert names
    for name in names:
        tab = tabs.locator(f'[data-key="{name}"]')
        expect(tab).to_contain_text("流程图：")  # named by its process, not its file
        tab.click()
        page.wait_for_function("file => window.__govitModeler && window.__govitModeler.file === file", arg=name)
        expect(page.get_by_test_id("properties-panel").locator(".bio-properties-panel-header")).to_be_visible()
        if jurisdiction in PANEL_COVER:
            visit = page.evaluate(VISIT_EVERY_ELEMENT)
            assert len(visit["seen"]) > 3, name
            gaps = panel_gaps(visit["seen"])
            assert not gaps, f"{name}: " + "; ".join(gaps[:10])
            assert not visit["changed"], f"{name}: looking at the elements in the panel changed the diagram"
        saved = saved_files[name] = page.evaluate("() => window.__govitModeler.saveXML()")
        original = facts(given[name].encode("utf-8"))
        after = facts(saved.encode("utf-8"))
        assert sum(original.values()) > 0, name
        missing, added = original - after, after - original
        if missing or added:
            lost[name] = {"missing": sorted(missing)[:10], "added": sorted(added)[:10]}
    assert not lost, json.dumps(lost, ensure_ascii=False)
    # the saved bundle compiles to the very specs the given one does: every scenario test of the
    # jurisdiction runs on it as it runs on the files in the repository
    assert compiled_specs({**given, **saved_files}) == compiled_specs(given), jurisdiction
    assert_no_page_errors(page)
