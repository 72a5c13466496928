"""The lint pass over the BPMN/DMN XML that SpiffWorkflow itself does not do.

Each check returns `Problem`s naming the file, the element id and the source line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from lxml import etree

from .. import safe_xml
from ..regulations.bundles import Bundle, Problem
from . import bpmnlint_rules
from .simulation.report import Finding

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "spiff": "http://spiffworkflow.org/bpmn/schema/1.0/core",
    "dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/",
}
BPMN = "{{{}}}".format(NS["bpmn"])
FLOW_NODE_TAGS = {
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "task", "userTask", "manualTask", "scriptTask", "serviceTask", "businessRuleTask", "sendTask",
    "receiveTask", "callActivity", "subProcess", "exclusiveGateway", "parallelGateway",
    "inclusiveGateway", "eventBasedGateway",
}
CONDITIONAL_GATEWAYS = {"exclusiveGateway", "inclusiveGateway"}
INNER_PARTS = ("EventDefinition", "LoopCharacteristics", "conditionExpression")
FORM_PROPERTY = "formJsonSchemaFilename"
UI_PROPERTY = "formUiSchemaFilename"


@dataclass
class Document:
    file: str
    root: etree._Element

    def problem(self, element: etree._Element | None, message: str) -> Problem:
        if element is None:
            return Problem(self.file, message)
        return Problem(self.file, message, element=element.get("id"), line=element.sourceline)


def local(el: etree._Element) -> str:
    return etree.QName(el).localname


def properties(el: etree._Element) -> dict[str, str]:
    return {
        p.get("name"): p.get("value", "")
        for p in el.findall("bpmn:extensionElements/spiff:properties/spiff:property", NS)
    }


def parse_xml(bundle: Bundle, name: str) -> tuple[Document | None, list[Problem]]:
    try:
        root = safe_xml.parse(bundle.files[name])
    except etree.XMLSyntaxError as exc:
        return None, [Problem(name, f"XML 格式错误：{exc.msg}", line=exc.lineno)]
    return Document(name, root), []


def _flow_nodes(container: etree._Element) -> Iterator[etree._Element]:
    for el in container:
        if isinstance(el.tag, str) and el.tag.startswith(BPMN) and local(el) in FLOW_NODE_TAGS:
            yield el


def check_flows(doc: Document, container: etree._Element) -> list[Problem]:
    """Flows point at existing nodes; every node but an end event leads somewhere;
    conditional gateways with several ways out have a condition or a default on each."""
    problems: list[Problem] = []
    nodes = {n.get("id"): n for n in _flow_nodes(container)}
    flows = container.findall("bpmn:sequenceFlow", NS)
    outgoing: dict[str, list[etree._Element]] = {}
    for flow in flows:
        for ref in ("sourceRef", "targetRef"):
            if flow.get(ref) not in nodes:
                problems.append(doc.problem(flow, f"顺序流的 {ref} 指向不存在的元素：{flow.get(ref)}"))
        outgoing.setdefault(flow.get("sourceRef"), []).append(flow)
    for node_id, node in nodes.items():
        kind = local(node)
        if kind == "boundaryEvent" and node.get("attachedToRef") not in nodes:
            problems.append(doc.problem(node, f"边界事件附着的元素不存在：{node.get('attachedToRef')}"))
        event_subprocess = kind == "subProcess" and node.get("triggeredByEvent") == "true"
        if kind != "endEvent" and not event_subprocess and not outgoing.get(node_id):
            problems.append(doc.problem(node, "该元素没有出口顺序流（流程会在此意外结束）"))
        if kind in CONDITIONAL_GATEWAYS and len(outgoing.get(node_id, [])) > 1:
            default = node.get("default")
            for flow in outgoing[node_id]:
                if flow.get("id") != default and flow.find("bpmn:conditionExpression", NS) is None:
                    problems.append(doc.problem(flow, "网关出口既无条件也不是默认流"))
        if kind in ("subProcess",):
            problems.extend(check_flows(doc, node))
    return problems


def _expression_sites(doc: Document) -> Iterator[tuple[etree._Element, str, str]]:
    """(element, source, mode) for every expression and script in a BPMN document."""
    for el in doc.root.iter():
        if not isinstance(el.tag, str):
            continue
        name = local(el)
        text = (el.text or "").strip()
        if not text:
            continue
        if name in ("conditionExpression", "completionCondition", "timeDate", "timeDuration", "timeCycle"):
            yield el.getparent(), text, "eval"
        elif (name == "script" and el.tag.startswith(BPMN)) or name in ("preScript", "postScript"):
            yield el.getparent(), text, "exec"


def _owner(el: etree._Element) -> etree._Element:
    """The element a process owner clicks on in the modeler: the nearest ancestor with an
    id that is not an inner part (event definition, loop characteristics)."""
    while el is not None and (el.get("id") is None or local(el).endswith(INNER_PARTS)):
        el = el.getparent()
    return el


def check_expressions(doc: Document, check: Callable[[str, str], str | None]) -> list[Problem]:
    """Only for a bundle whose processes SpiffWorkflow cannot parse (so that every problem is
    still reported at once); a parsed bundle's sites come from its specs (expression_sites)."""
    problems = []
    for el, source, mode in _expression_sites(doc):
        message = check(source, mode)
        if message:
            problems.append(doc.problem(_owner(el), f"{message}：{source[:80]}"))
    return problems


def decision_ids(doc: Document) -> set[str]:
    return {d.get("id") for d in doc.root if isinstance(d.tag, str) and local(d) == "decision"}


def process_ids(doc: Document) -> set[str]:
    return {p.get("id") for p in doc.root.iterfind("bpmn:process", NS)}


def check_references(doc: Document, processes: set[str], decisions: set[str]) -> list[Problem]:
    problems = []
    for el in doc.root.iterfind(".//bpmn:callActivity", NS):
        if el.get("calledElement") not in processes:
            problems.append(doc.problem(el, f"调用的子流程不存在：{el.get('calledElement')}"))
    for el in doc.root.iterfind(".//bpmn:businessRuleTask", NS):
        ref = el.findtext("bpmn:extensionElements/spiff:calledDecisionId", default="", namespaces=NS)
        if ref.strip() not in decisions:
            problems.append(doc.problem(el, f"调用的决策表不存在：{ref.strip() or '(未指定)'}"))
    return problems


def _lane_of(process: etree._Element) -> dict[str, etree._Element]:
    """Lane of every flow node, as SpiffWorkflow assigns it: its own flowNodeRef, else the
    lane of the subprocess that contains it."""
    direct = {
        ref.text.strip(): lane
        for lane in process.iterfind(".//bpmn:lane", NS)
        for ref in lane.iterfind("bpmn:flowNodeRef", NS)
        if ref.text
    }
    lanes = dict(direct)
    for sub in process.iter(BPMN + "subProcess"):
        lane = lanes.get(sub.get("id"))
        if lane is not None:
            for node in sub.iter():
                if isinstance(node.tag, str) and node.get("id") and node.get("id") not in direct:
                    lanes[node.get("id")] = lane
    return lanes


def check_lanes_and_forms(doc: Document, bundle: Bundle, form_ok: dict[str, bool]) -> list[Problem]:
    """Every lane maps to a declared role; every user task sits in a lane and names an
    existing, valid form (a start event may name one too)."""
    problems = []
    role_ids = {r["id"] for r in bundle.manifest.get("roles", [])}
    for process in doc.root.iterfind("bpmn:process", NS):
        for lane in process.iterfind(".//bpmn:lane", NS):
            role = bundle.role_of_lane(lane.get("name"))
            if role is None:
                problems.append(doc.problem(lane, f"泳道「{lane.get('name')}」未在清单 lanes 中映射到角色"))
            elif role not in role_ids:
                problems.append(doc.problem(lane, f"泳道映射的角色未在清单 roles 中声明：{role}"))
        lanes = _lane_of(process)
        for el in process.iter(BPMN + "userTask", BPMN + "startEvent"):
            props = properties(el)
            is_user_task = local(el) == "userTask"
            if is_user_task and el.get("id") not in lanes:
                problems.append(doc.problem(el, "用户任务不在任何泳道中，无法确定办理角色"))
            form = props.get(FORM_PROPERTY)
            if is_user_task and not form:
                problems.append(doc.problem(el, f"用户任务未指定表单（属性 {FORM_PROPERTY}）"))
            for name in filter(None, (form, props.get(UI_PROPERTY))):
                if name not in form_ok:
                    problems.append(doc.problem(el, f"表单文件不存在：forms/{name}"))
    return problems


def check_recommended(doc: Document) -> list[Problem]:
    """bpmnlint's recommended rules of severity error (bpmnlint_rules): each finding refuses
    the bundle, as the modeler's live lint shows it in red."""
    return [Problem(doc.file, finding.message, element=finding.element, line=finding.line)
            for finding in bpmnlint_rules.check(doc.root) if finding.severity == bpmnlint_rules.ERROR]


def recommended_warnings(bundle: Bundle) -> list[Finding]:
    """bpmnlint's recommended rules of severity warning, as findings of the validation report:
    they do not refuse the bundle."""
    out = []
    for name in bundle.manifest.get("bpmn_files", []):
        doc, _problems = parse_xml(bundle, name)
        if doc is None:
            continue
        for finding in bpmnlint_rules.check(doc.root):
            if finding.severity != bpmnlint_rules.WARNING:
                continue
            element = doc.root.xpath("//*[@id=$id]", id=finding.element)[0]
            process = next((a.get("id") for a in element.iterancestors(BPMN + "process")), "")
            out.append(Finding("lint_warning", process, finding.element, element.get("name") or "",
                               f"{finding.message}（{name}）"))
    return out
