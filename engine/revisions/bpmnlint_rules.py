"""bpmnlint's recommended rules, ported for the deploy (the server runs no Node.js).

The modeler lints live with bpmnlint itself (web/src/admin/lint); a bundle that arrives by
upload or from a folder is held to the same rules here: a finding of an *error* rule refuses
the deploy, a *warning* rule's finding is reported in the validation report. Each rule keeps
bpmnlint's name and severity and reports the element bpmnlint reports
(tests/revisions/test_bpmnlint_deploy.py runs both on the same diagrams).

Ported: the rules about the flow graph, events and gateways of the diagrams the engine runs.
Not ported: those about the drawing (no-bpmndi, no-overlapping-elements: the diagram tests
cover them), about elements the engine refuses anyway (ad-hoc sub-processes, link events,
compensation), and `global` / `superfluous-termination`. One difference: bpmnlint reads a
node's flows from its `bpmn:incoming`/`bpmn:outgoing` references, this port from the sequence
flows themselves (what the engine runs); the two agree on every file a modeller writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
ERROR, WARNING = "error", "warning"

TASKS = {"task", "userTask", "manualTask", "scriptTask", "serviceTask", "businessRuleTask", "sendTask",
         "receiveTask"}
SUB_PROCESSES = {"subProcess", "transaction", "adHocSubProcess"}
ACTIVITIES = TASKS | SUB_PROCESSES | {"callActivity"}
EVENTS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
GATEWAYS = {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"}
FLOW_NODES = ACTIVITIES | EVENTS | GATEWAYS

# rule -> (severity in bpmnlint:recommended, message); the modeler shows the same Chinese text
RULES = {
    "start-event-required": (ERROR, "缺少开始事件"),
    "end-event-required": (ERROR, "缺少结束事件"),
    "no-disconnected": (ERROR, "元素没有连接任何顺序流"),
    "no-implicit-start": (ERROR, "元素没有流入的顺序流（隐式开始）：请从开始事件连入"),
    "no-implicit-end": (ERROR, "元素没有流出的顺序流（隐式结束）：请连到结束事件"),
    "no-implicit-split": (ERROR, "顺序流隐式分支：请用网关分支"),
    "no-gateway-join-fork": (ERROR, "网关同时汇合又分支：请拆成一个汇合网关和一个分支网关"),
    "conditional-flows": (ERROR, "顺序流缺少条件：同一分支的其他流带条件或设了默认流，这条也须写条件"),
    "label-required": (ERROR, "元素缺少名称"),
    "no-duplicate-sequence-flows": (ERROR, "顺序流重复"),
    "single-blank-start-event": (ERROR, "有多个无类型的开始事件"),
    "single-event-definition": (ERROR, "事件指定了多个事件类型"),
    "sub-process-blank-start-event": (ERROR, "子流程的开始事件不能指定事件类型"),
    "event-based-gateway": (ERROR, "事件网关至少要有两条流出的顺序流，且不能带条件"),
    "no-complex-gateway": (ERROR, "不建议使用复杂网关"),
    "fake-join": (WARNING, "多条流入的顺序流在此并不汇合：请在前面加一个汇合网关"),
    "superfluous-gateway": (WARNING, "网关多余：只有一条流入和一条流出"),
    "superfluous-label": (WARNING, "顺序流的标签多余：只有从排他网关分支、带条件或默认的顺序流才标注名称"),
    "no-inclusive-gateway": (WARNING, "不建议使用包容网关"),
}


@dataclass(frozen=True)
class Finding:
    """One rule's finding on one element, as bpmnlint reports it."""

    rule: str
    element: str
    line: int | None

    @property
    def severity(self) -> str:
        return RULES[self.rule][0]

    @property
    def message(self) -> str:
        return RULES[self.rule][1]


@dataclass
class _Graph:
    """The flow nodes and sequence flows of one process or sub-process."""

    nodes: list[etree._Element]
    flows: list[etree._Element]
    incoming: dict[str, list[etree._Element]]
    outgoing: dict[str, list[etree._Element]]


def _graph(container: etree._Element) -> _Graph:
    nodes = [el for el in container if isinstance(el.tag, str) and local(el) in FLOW_NODES]
    flows = container.findall("bpmn:sequenceFlow", NS)
    incoming: dict[str, list[etree._Element]] = {}
    outgoing: dict[str, list[etree._Element]] = {}
    for flow in flows:
        outgoing.setdefault(flow.get("sourceRef"), []).append(flow)
        incoming.setdefault(flow.get("targetRef"), []).append(flow)
    return _Graph(nodes, flows, incoming, outgoing)


def local(el: etree._Element) -> str:
    return etree.QName(el).localname


def _containers(root: etree._Element) -> Iterator[etree._Element]:
    for process in root.iterfind("bpmn:process", NS):
        yield process
        for el in process.iter():
            if isinstance(el.tag, str) and local(el) in SUB_PROCESSES:
                yield el


def _definitions(node: etree._Element) -> list[etree._Element]:
    return [c for c in node if isinstance(c.tag, str) and local(c).endswith("EventDefinition")]


def _has_condition(flow: etree._Element) -> bool:
    return flow.find("bpmn:conditionExpression", NS) is not None


def _event_subprocess(node: etree._Element) -> bool:
    return local(node) in SUB_PROCESSES and node.get("triggeredByEvent") == "true"


def _for_compensation(node: etree._Element) -> bool:
    return node.get("isForCompensation") == "true"


def _compensation_boundary(node: etree._Element) -> bool:
    definitions = _definitions(node)
    return (local(node) == "boundaryEvent" and len(definitions) == 1
            and local(definitions[0]) == "compensateEventDefinition")


def check(root: etree._Element) -> list[Finding]:
    """Every finding of the ported rules in one BPMN document (its root), in document order."""
    found = [_at(el, "label-required") for el in root.iterfind(".//bpmn:lane", NS)
             if not (el.get("name") or "").strip()]
    found += [_at(el, "label-required") for el in root.iterfind("bpmn:collaboration/bpmn:participant", NS)
              if not (el.get("name") or "").strip()]
    for container in _containers(root):
        graph = _graph(container)
        found += _container_rules(container, graph)
        for node in graph.nodes:
            found += _node_rules(container, node, graph)
        found += _flow_rules(graph)
    return sorted(set(found), key=lambda f: (f.line or 0, f.element, f.rule))


def _container_rules(container: etree._Element, graph: _Graph) -> list[Finding]:
    out = []
    kind = local(container)
    if kind != "adHocSubProcess":
        kinds = [local(n) for n in graph.nodes]
        if "startEvent" not in kinds:
            out.append(_at(container, "start-event-required"))
        if "endEvent" not in kinds:
            out.append(_at(container, "end-event-required"))
    blank_starts = [n for n in graph.nodes if local(n) == "startEvent" and not _definitions(n)]
    if len(blank_starts) > 1:
        out.append(_at(container, "single-blank-start-event"))
    if kind in SUB_PROCESSES and not _event_subprocess(container):
        out += [_at(n, "sub-process-blank-start-event") for n in graph.nodes
                if local(n) == "startEvent" and _definitions(n)]
    return out


def _node_rules(container: etree._Element, node: etree._Element, graph: _Graph) -> list[Finding]:
    kind, node_id = local(node), node.get("id")
    incoming, outgoing = graph.incoming.get(node_id, []), graph.outgoing.get(node_id, [])
    in_ad_hoc = local(container) == "adHocSubProcess"
    out: list[Finding] = []
    if (kind in TASKS | GATEWAYS | SUB_PROCESSES | EVENTS and not _event_subprocess(node) and not in_ad_hoc
            and not _for_compensation(node) and not _compensation_boundary(node) and not incoming and not outgoing):
        out.append(_at(node, "no-disconnected"))
    if (not incoming and kind not in ("startEvent", "boundaryEvent") and not _event_subprocess(node)
            and not in_ad_hoc and not _for_compensation(node)):
        out.append(_at(node, "no-implicit-start"))
    if (not outgoing and kind != "endEvent" and not _event_subprocess(node) and not in_ad_hoc
            and not _for_compensation(node)):
        out.append(_at(node, "no-implicit-end"))
    out += _branching_rules(node, incoming, outgoing)
    if kind in EVENTS and len(_definitions(node)) > 1:
        out.append(_at(node, "single-event-definition"))
    if not (node.get("name") or "").strip() and _needs_label(node, outgoing):
        out.append(_at(node, "label-required"))
    return out


def _branching_rules(node: etree._Element, incoming: list, outgoing: list) -> list[Finding]:
    kind, out = local(node), []
    default = node.get("default")
    if kind in ACTIVITIES | EVENTS:
        plain = [f for f in outgoing if not _has_condition(f) and f.get("id") != default]
        if len(plain) > 1:
            out.append(_at(node, "no-implicit-split"))
        if len(incoming) > 1:
            out.append(_at(node, "fake-join"))
    if kind in GATEWAYS:
        if len(incoming) > 1 and len(outgoing) > 1:
            out.append(_at(node, "no-gateway-join-fork"))
        if len(incoming) == 1 and len(outgoing) == 1:
            out.append(_at(node, "superfluous-gateway"))
    if kind == "inclusiveGateway":
        out.append(_at(node, "no-inclusive-gateway"))
    if kind == "complexGateway":
        out.append(_at(node, "no-complex-gateway"))
    if kind == "eventBasedGateway":
        if len(outgoing) < 2:
            out.append(_at(node, "event-based-gateway"))
        out += [_at(f, "event-based-gateway") for f in outgoing if _has_condition(f)]
    if default or any(_has_condition(f) for f in outgoing):
        out += [_at(f, "conditional-flows") for f in outgoing
                if not _has_condition(f) and f.get("id") != default]
    return out


def _needs_label(node: etree._Element, outgoing: list) -> bool:
    kind = local(node)
    if kind in ("parallelGateway", "eventBasedGateway") or kind in SUB_PROCESSES:
        return False
    return not (kind in GATEWAYS and len(outgoing) <= 1)


def _flow_rules(graph: _Graph) -> list[Finding]:
    out, seen = [], set()
    reported_sources, reported_targets = set(), set()
    nodes = {n.get("id"): n for n in graph.nodes}
    for flow in graph.flows:
        condition = flow.find("bpmn:conditionExpression", NS)
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        key = (source, target, (condition.text or "") if condition is not None else "")
        if key in seen:
            out.append(_at(flow, "no-duplicate-sequence-flows"))
            for ref, reported in ((source, reported_sources), (target, reported_targets)):
                if ref not in reported and ref in nodes:
                    out.append(_at(nodes[ref], "no-duplicate-sequence-flows"))
                    reported.add(ref)
        seen.add(key)
        if _has_condition(flow) and not (flow.get("name") or "").strip():
            out.append(_at(flow, "label-required"))
        if (flow.get("name") or "").strip() and not _has_condition(flow) and source in nodes:
            node = nodes[source]
            forks = local(node) in ("exclusiveGateway", "inclusiveGateway") and len(graph.outgoing[source]) > 1
            if node.get("default") != flow.get("id") and not forks:
                out.append(_at(flow, "superfluous-label"))
    return out


def _at(el: etree._Element, rule: str) -> Finding:
    return Finding(rule, el.get("id"), el.sourceline)
