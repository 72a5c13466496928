"""Presentation checks for every regulation bundle under ``bpmn/``.

Generic over ``bpmn/*/manifest.json`` and every BPMN file a manifest lists: the diagrams parse
with the validating SpiffWorkflow parser, carry complete and tidy BPMNDI, Chinese names, article
citations, mapped lanes and valid forms.  The engine's own lint covers the semantics.
"""

from __future__ import annotations

import collections
import itertools
import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from lxml import etree
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

ROOT = Path(__file__).resolve().parents[2]
BPMN_ROOT = ROOT / "bpmn"
FORMS_ROOT = ROOT / "forms"

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "spiff": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
FLOW_NODES = {
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "task", "userTask", "serviceTask", "scriptTask", "businessRuleTask", "manualTask", "sendTask",
    "receiveTask", "callActivity", "subProcess", "transaction", "adHocSubProcess",
    "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway",
}
DECISION_GATEWAYS = {"exclusiveGateway", "inclusiveGateway"}
CJK = re.compile(r"[\u3400-\u9fff]")
ARTICLE = re.compile(
    r"第[一二三四五六七八九十百零〇]+条"
    r"|[一二三四五六七八九十]+[（(][一二三四五六七八九十]+[）)]"
    r"|流程图"
)


def _manifests() -> list[Path]:
    return sorted(BPMN_ROOT.glob("*/manifest.json"))


def _load(manifest: Path) -> dict:
    return json.loads(manifest.read_text(encoding="utf-8"))


BUNDLES = [pytest.param(m.parent, id=m.parent.name) for m in _manifests()]
FILES = [
    pytest.param(m.parent, m.parent / name, id=f"{m.parent.name}/{name}")
    for m in _manifests()
    for name in _load(m).get("bpmn_files", [])
]


def _tree(path: Path) -> etree._Element:
    return etree.parse(str(path)).getroot()


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def _flow_nodes(root: etree._Element) -> list[etree._Element]:
    return [
        el for process in root.findall("bpmn:process", NS) for el in process.iter()
        if isinstance(el.tag, str) and etree.QName(el).namespace == NS["bpmn"] and _local(el) in FLOW_NODES
    ]


def _lanes(root: etree._Element) -> list[etree._Element]:
    return root.findall(".//bpmn:lane", NS)


def _bounds(shape: etree._Element) -> tuple[float, float, float, float]:
    b = shape.find("dc:Bounds", NS)
    return tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))


def _shapes(root: etree._Element) -> dict[str, etree._Element]:
    return {s.get("bpmnElement"): s for s in root.iter(f"{{{NS['bpmndi']}}}BPMNShape")}


def _properties(el: etree._Element) -> dict[str, str]:
    return {
        p.get("name"): p.get("value", "")
        for p in el.findall("bpmn:extensionElements/spiff:properties/spiff:property", NS)
    }


def _own_documentation(el: etree._Element) -> str:
    return " ".join((d.text or "") for d in el.findall("bpmn:documentation", NS)).strip()


# ---------------------------------------------------------------------------------------------


def test_bundles_found() -> None:
    assert _manifests(), "no bpmn/*/manifest.json found"


@pytest.mark.parametrize("bundle", BUNDLES)
def test_bundle_parses_with_validating_parser(bundle: Path) -> None:
    manifest = _load(bundle / "manifest.json")
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_files([str(bundle / f) for f in manifest["bpmn_files"]])
    parser.add_dmn_files([str(bundle / f) for f in manifest.get("dmn_files", [])])
    ids = parser.get_process_ids()
    for process in manifest["processes"]:
        assert process["key"] in ids, f"process {process['key']} is not executable in the listed files"
        parser.get_spec(process["key"])
        parser.get_subprocess_specs(process["key"])


@pytest.mark.parametrize(("bundle", "path"), FILES)
def test_bpmndi_complete(bundle: Path, path: Path) -> None:
    root = _tree(path)
    diagrams = root.findall("bpmndi:BPMNDiagram", NS)
    assert diagrams, f"{path.name}: no BPMNDiagram"
    collab = root.find("bpmn:collaboration", NS)
    assert collab is not None, f"{path.name}: no collaboration"
    plane = diagrams[0].find("bpmndi:BPMNPlane", NS)
    assert plane.get("bpmnElement") == collab.get("id")
    shapes = _shapes(root)
    edges = {e.get("bpmnElement"): e for e in root.iter(f"{{{NS['bpmndi']}}}BPMNEdge")}
    wanted = [p.get("id") for p in collab.findall("bpmn:participant", NS)]
    wanted += [lane.get("id") for lane in _lanes(root)]
    wanted += [n.get("id") for n in _flow_nodes(root)]
    missing = [i for i in wanted if i not in shapes]
    assert not missing, f"{path.name}: no BPMNShape for {missing}"
    for flow in root.iter(f"{{{NS['bpmn']}}}sequenceFlow"):
        edge = edges.get(flow.get("id"))
        assert edge is not None, f"{path.name}: no BPMNEdge for {flow.get('id')}"
        points = edge.findall("di:waypoint", NS)
        assert len(points) >= 2, f"{path.name}: edge {flow.get('id')} lacks waypoints"
    for shape in shapes.values():
        _x, _y, w, h = _bounds(shape)
        assert w > 0 and h > 0, f"{path.name}: empty bounds for {shape.get('bpmnElement')}"


@pytest.mark.parametrize(("bundle", "path"), FILES)
def test_node_shapes_do_not_overlap(bundle: Path, path: Path) -> None:
    root = _tree(path)
    overlaps = []
    for plane in _planes(root):
        boxes, hosts = _node_boxes(root, plane)
        for (a, ba), (b, bb) in itertools.combinations(boxes.items(), 2):
            if hosts.get(a) == b or hosts.get(b) == a:
                continue
            ax, ay, aw, ah = ba
            bx, by, bw, bh = bb
            if ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah:
                overlaps.append((a, b))
    assert not overlaps, f"{path.name}: overlapping node shapes {overlaps}"


def _planes(root: etree._Element) -> list[etree._Element]:
    """Each BPMNPlane is its own canvas: bpmn.io draws a collapsed subprocess's content on a
    plane of its own, so geometry is only compared within one plane."""
    return list(root.iter(f"{{{NS['bpmndi']}}}BPMNPlane"))


def _node_boxes(root: etree._Element, plane: etree._Element) -> tuple[dict[str, tuple], dict[str, str]]:
    """Bounds of every flow node shape drawn on `plane`, and boundary event -> host."""
    shapes = _shapes(plane)
    nodes = _flow_nodes(root)
    hosts = {n.get("id"): n.get("attachedToRef") for n in nodes if _local(n) == "boundaryEvent"}
    return {n.get("id"): _bounds(shapes[n.get("id")]) for n in nodes if n.get("id") in shapes}, hosts


def _waypoints(edge: etree._Element) -> list[tuple[float, float]]:
    return [(float(p.get("x")), float(p.get("y"))) for p in edge.findall("di:waypoint", NS)]


def _segment_enters(box: tuple, a: tuple, b: tuple, tolerance: float = 2) -> bool:
    """Whether segment a-b passes through the inside of box (touching its border is allowed)."""
    x, y, w, h = box
    left, top, right, bottom = x + tolerance, y + tolerance, x + w - tolerance, y + h - tolerance
    if left >= right or top >= bottom:
        return False
    (x1, y1), (x2, y2) = a, b
    # Liang-Barsky clipping of the segment against the shrunken box
    t0, t1 = 0.0, 1.0
    dx, dy = x2 - x1, y2 - y1
    for p, qv in ((-dx, x1 - left), (dx, right - x1), (-dy, y1 - top), (dy, bottom - y1)):
        if p == 0:
            if qv <= 0:
                return False
            continue
        r = qv / p
        if p < 0:
            t0 = max(t0, r)
        else:
            t1 = min(t1, r)
        if t0 >= t1:
            return False
    return True


def _overlap(a: tuple, b: tuple, tolerance: float = 1) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return (ax < bx + bw - tolerance and bx < ax + aw - tolerance
            and ay < by + bh - tolerance and by < ay + ah - tolerance)


@pytest.mark.parametrize(("bundle", "path"), FILES)
def test_edges_do_not_cross_node_shapes(bundle: Path, path: Path) -> None:
    """No sequence flow is drawn through a shape other than its own source and target.

    A flow may touch the border of other shapes (2px tolerance) and may run under the boundary
    events of its own source or target, and a flow that leaves a boundary event may cross that
    event's host: those are drawn so in bpmn.io too. Everything else that runs through a shape
    makes the diagram ambiguous (the flow looks as if it entered that node).
    """
    root = _tree(path)
    crossing = []
    for plane in _planes(root):
        boxes, hosts = _node_boxes(root, plane)
        edges = {e.get("bpmnElement"): e for e in plane.iter(f"{{{NS['bpmndi']}}}BPMNEdge")}
        for flow in root.iter(f"{{{NS['bpmn']}}}sequenceFlow"):
            edge = edges.get(flow.get("id"))
            if edge is None:
                continue
            own = {flow.get("sourceRef"), flow.get("targetRef")}
            own |= {hosts[n] for n in list(own) if n in hosts}
            own |= {b for b, host in hosts.items() if host in own}
            for a, b in itertools.pairwise(_waypoints(edge)):
                for node_id, box in boxes.items():
                    if node_id not in own and _segment_enters(box, a, b):
                        crossing.append((flow.get("id"), node_id))
    assert not crossing, f"{path.name}: flows drawn through other nodes: {sorted(set(crossing))}"


@pytest.mark.parametrize(("bundle", "path"), FILES)
def test_edges_attached_to_their_nodes(bundle: Path, path: Path) -> None:
    """The first waypoint lies on the source shape, the last on the target shape."""
    root = _tree(path)
    boxes = {k: v for plane in _planes(root) for k, v in _node_boxes(root, plane)[0].items()}
    edges = {e.get("bpmnElement"): e for e in root.iter(f"{{{NS['bpmndi']}}}BPMNEdge")}
    loose = []
    for flow in root.iter(f"{{{NS['bpmn']}}}sequenceFlow"):
        edge = edges.get(flow.get("id"))
        if edge is None or flow.get("sourceRef") not in boxes or flow.get("targetRef") not in boxes:
            continue
        points = _waypoints(edge)
        for (px, py), node_id in ((points[0], flow.get("sourceRef")), (points[-1], flow.get("targetRef"))):
            x, y, w, h = boxes[node_id]
            if not (x - 2 <= px <= x + w + 2 and y - 2 <= py <= y + h + 2):
                loose.append((flow.get("id"), node_id))
    assert not loose, f"{path.name}: flows whose ends are away from their nodes: {loose}"


@pytest.mark.parametrize(("bundle", "path"), FILES)
def test_labels_do_not_cover_shapes_or_labels(bundle: Path, path: Path) -> None:
    """Label bounds (names of events, gateways and flows) overlap no node shape and no other label."""
    root = _tree(path)
    covering, clashing = [], []
    for plane in _planes(root):
        boxes, _hosts = _node_boxes(root, plane)
        labels = {}
        for el in itertools.chain(plane.iter(f"{{{NS['bpmndi']}}}BPMNShape"),
                                  plane.iter(f"{{{NS['bpmndi']}}}BPMNEdge")):
            label = el.find("bpmndi:BPMNLabel", NS)
            if label is not None and label.find("dc:Bounds", NS) is not None:
                labels[el.get("bpmnElement")] = _bounds(label)
        covering += [(owner, node_id) for owner, lb in labels.items() for node_id, box in boxes.items()
                     if _overlap(lb, box)]
        clashing += [(a, b) for (a, la), (b, lb) in itertools.combinations(labels.items(), 2) if _overlap(la, lb)]
    assert not covering, f"{path.name}: labels covering node shapes (label owner, shape): {covering}"
    assert not clashing, f"{path.name}: overlapping labels: {clashing}"


@pytest.mark.parametrize(("bundle", "path"), FILES)
def test_nodes_drawn_inside_their_lane(bundle: Path, path: Path) -> None:
    root = _tree(path)
    shapes = _shapes(root)
    outside = []
    for lane in _lanes(root):
        if lane.find("bpmn:childLaneSet", NS) is not None:
            continue
        lx, ly, lw, lh = _bounds(shapes[lane.get("id")])
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            node_id = (ref.text or "").strip()
            if node_id not in shapes:
                continue
            x, y, w, h = _bounds(shapes[node_id])
            cx, cy = x + w / 2, y + h / 2
            if not (lx <= cx <= lx + lw and ly <= cy <= ly + lh):
                outside.append(node_id)
    assert not outside, f"{path.name}: nodes drawn outside their lane: {outside}"


@pytest.mark.parametrize(("bundle", "path"), FILES)
def test_loop_data_references_survive_an_edit_in_bpmn_io(bundle: Path, path: Path) -> None:
    """bpmn-js drops an IDREF that resolves to no element when it saves; a multi-instance
    task's loopDataInputRef/OutputRef therefore needs a dataObject of that id, or a process
    owner's first save silently breaks the countersign or expert panel."""
    root = _tree(path)
    ids = {e.get("id") for e in root.iter() if e.get("id")}
    dangling = [(ref.getparent().getparent().get("id"), (ref.text or "").strip())
                for ref in itertools.chain(root.iter(f"{{{NS['bpmn']}}}loopDataInputRef"),
                                           root.iter(f"{{{NS['bpmn']}}}loopDataOutputRef"))
                if (ref.text or "").strip() not in ids]
    assert not dangling, f"{path.name}: declare <bpmn:dataObject id=…> for {dangling}"


@pytest.mark.parametrize(("bundle", "path"), FILES)
def test_chinese_names(bundle: Path, path: Path) -> None:
    root = _tree(path)
    unnamed = [n.get("id") for n in _flow_nodes(root) if not CJK.search(n.get("name") or "")]
    unnamed += [lane.get("id") for lane in _lanes(root) if not CJK.search(lane.get("name") or "")]
    # an outcome is named where a decision gateway chooses among flows (bpmnlint's
    # superfluous-label rejects a name anywhere else)
    flows = list(root.iter(f"{{{NS['bpmn']}}}sequenceFlow"))
    ways_out = collections.Counter(flow.get("sourceRef") for flow in flows)
    deciding = {n.get("id") for n in _flow_nodes(root)
                if _local(n) in DECISION_GATEWAYS and ways_out[n.get("id")] > 1}
    for flow in flows:
        if flow.get("sourceRef") in deciding and not CJK.search(flow.get("name") or ""):
            unnamed.append(flow.get("id"))
    assert not unnamed, f"{path.name}: elements without a Chinese name: {unnamed}"


@pytest.mark.parametrize(("bundle", "path"), FILES)
def test_documentation_cites_articles(bundle: Path, path: Path) -> None:
    root = _tree(path)
    uncited = [n.get("id") for n in _flow_nodes(root) if not ARTICLE.search(_own_documentation(n))]
    assert not uncited, f"{path.name}: documentation cites no article: {uncited}"


@pytest.mark.parametrize(("bundle", "path"), FILES)
def test_lanes_mapped_to_declared_roles(bundle: Path, path: Path) -> None:
    manifest = _load(bundle / "manifest.json")
    roles = {r["id"] for r in manifest["roles"]}
    lane_map = manifest.get("lanes", {})
    processes = _tree(path).findall("bpmn:process", NS)
    unlaned = [p.get("id") for p in processes if p.find("bpmn:laneSet", NS) is None]
    assert not unlaned, f"{path.name}: processes without lanes: {unlaned}"
    bad = []
    for lane in _lanes(_tree(path)):
        if lane.find("bpmn:childLaneSet", NS) is not None:
            continue
        if lane_map.get(lane.get("name")) not in roles:
            bad.append(lane.get("name"))
    assert not bad, f"{path.name}: lanes not mapped to a declared role: {bad}"


def _form_refs(bundle: Path) -> list[tuple[str, str, str, str | None]]:
    manifest = _load(bundle / "manifest.json")
    refs = []
    for name in manifest["bpmn_files"]:
        root = _tree(bundle / name)
        for node in _flow_nodes(root):
            kind = _local(node)
            props = _properties(node)
            if kind == "userTask" or (kind == "startEvent" and "formJsonSchemaFilename" in props):
                refs.append((name, node.get("id"), props.get("formJsonSchemaFilename", ""),
                             props.get("formUiSchemaFilename")))
    return refs


def _untitled(schema: dict, where: str = "") -> list[str]:
    out = []
    for key, prop in (schema.get("properties") or {}).items():
        path = f"{where}{key}"
        if not isinstance(prop, dict) or not CJK.search(str(prop.get("title", ""))):
            out.append(path)
            continue
        if prop.get("type") == "object":
            out += _untitled(prop, f"{path}.")
        items = prop.get("items")
        if isinstance(items, dict) and items.get("type") == "object":
            out += _untitled(items, f"{path}[].")
    return out


@pytest.mark.parametrize("bundle", BUNDLES)
def test_forms_exist_and_are_valid(bundle: Path) -> None:
    forms = FORMS_ROOT / bundle.name
    problems = []
    checked: set[str] = set()
    for bpmn_name, node_id, schema_name, ui_name in _form_refs(bundle):
        where = f"{bpmn_name}#{node_id}"
        if not schema_name:
            problems.append(f"{where}: user task names no formJsonSchemaFilename")
            continue
        path = forms / schema_name
        if not path.is_file():
            problems.append(f"{where}: form {schema_name} not found")
            continue
        if ui_name and not (forms / ui_name).is_file():
            problems.append(f"{where}: ui schema {ui_name} not found")
        if schema_name in checked:
            continue
        checked.add(schema_name)
        schema = json.loads(path.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        if schema.get("type") != "object":
            problems.append(f"{schema_name}: type is not object")
        if not CJK.search(str(schema.get("title", ""))):
            problems.append(f"{schema_name}: no Chinese title")
        untitled = _untitled(schema)
        if untitled:
            problems.append(f"{schema_name}: properties without a Chinese title: {untitled}")
        if ui_name and (forms / ui_name).is_file():
            ui = json.loads((forms / ui_name).read_text(encoding="utf-8"))
            order = [k for k in ui.get("ui:order", []) if k != "*"]
            unknown = [k for k in order if k not in schema.get("properties", {})]
            if unknown:
                problems.append(f"{ui_name}: ui:order names unknown fields {unknown}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("bundle", BUNDLES)
def test_demo_users_cover_roles(bundle: Path) -> None:
    manifest = _load(bundle / "manifest.json")
    users = manifest.get("demo_users", [])
    for role in manifest["roles"]:
        holders = [u for u in users if role["id"] in u.get("roles", [])]
        assert holders, f"no demo user for role {role['id']}"
        if role.get("applicant"):
            units = {u.get("unit") for u in holders}
            assert len(units) >= 2, f"applicant role {role['id']} needs demo users in two units"
