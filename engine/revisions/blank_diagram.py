"""An empty process diagram for a draft: a pool with one lane per office and a start event,
laid out with full diagram interchange (BPMNDI) so that it opens in the modeler ready to draw."""

from __future__ import annotations

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NSMAP = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "spiffworkflow": SPIFF}

# Layout in diagram units: a pool wide enough to draw a process in, one band per lane.
POOL_X, POOL_Y, POOL_WIDTH, LABEL_BAND, LANE_HEIGHT = 160, 80, 1200, 30, 160
EVENT_SIZE, EVENT_X = 36, 240


def _el(parent: etree._Element, ns: str, tag: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{ns}}}{tag}", {k: str(v) for k, v in attrs.items()})


def _bounds(shape: etree._Element, x: int, y: int, width: int, height: int) -> None:
    _el(shape, DC, "Bounds", x=x, y=y, width=width, height=height)


def blank_diagram(key: str, name: str, lanes: list[str], start_lane: int = 0) -> bytes:
    """The diagram of process `key` called `name`: lanes named `lanes` (each must be mapped to
    an office in the manifest), the start event in lane `start_lane`."""
    root = etree.Element(f"{{{BPMN}}}definitions", nsmap=NSMAP,
                         attrib={"id": f"Definitions_{key}", "targetNamespace": "http://bpmn.io/schema/bpmn"})
    collaboration = _el(root, BPMN, "collaboration", id=f"Collaboration_{key}")
    _el(collaboration, BPMN, "participant", id=f"Participant_{key}", name=name, processRef=key)
    process = _el(root, BPMN, "process", id=key, name=name, isExecutable="true")
    lane_set = _el(process, BPMN, "laneSet", id=f"LaneSet_{key}")
    lane_ids = [f"Lane_{key}_{i + 1}" for i in range(len(lanes))]
    start_id = f"StartEvent_{key}"
    for index, (lane_id, lane_name) in enumerate(zip(lane_ids, lanes, strict=True)):
        lane = _el(lane_set, BPMN, "lane", id=lane_id, name=lane_name)
        if index == start_lane:
            etree.SubElement(lane, f"{{{BPMN}}}flowNodeRef").text = start_id
    _el(process, BPMN, "startEvent", id=start_id, name="开始")

    diagram = _el(root, BPMNDI, "BPMNDiagram", id=f"BPMNDiagram_{key}")
    plane = _el(diagram, BPMNDI, "BPMNPlane", id=f"BPMNPlane_{key}", bpmnElement=f"Collaboration_{key}")
    pool = _el(plane, BPMNDI, "BPMNShape", id=f"Participant_{key}_di", bpmnElement=f"Participant_{key}",
               isHorizontal="true")
    _bounds(pool, POOL_X, POOL_Y, POOL_WIDTH, LANE_HEIGHT * len(lanes))
    for index, lane_id in enumerate(lane_ids):
        shape = _el(plane, BPMNDI, "BPMNShape", id=f"{lane_id}_di", bpmnElement=lane_id, isHorizontal="true")
        _bounds(shape, POOL_X + LABEL_BAND, POOL_Y + index * LANE_HEIGHT, POOL_WIDTH - LABEL_BAND, LANE_HEIGHT)
    event = _el(plane, BPMNDI, "BPMNShape", id=f"{start_id}_di", bpmnElement=start_id)
    event_y = POOL_Y + start_lane * LANE_HEIGHT + (LANE_HEIGHT - EVENT_SIZE) // 2
    _bounds(event, EVENT_X, event_y, EVENT_SIZE, EVENT_SIZE)
    label = _el(event, BPMNDI, "BPMNLabel")
    _bounds(label, EVENT_X + 4, event_y + EVENT_SIZE + 4, 28, 14)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
