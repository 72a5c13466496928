#!/usr/bin/env python3
"""Bring BPMN files in line with bpmnlint's recommended rules without changing what they do.

Usage::

    python tools/bpmnlint_fix.py diagram.bpmn [other.bpmn ...]   # rewrite the semantic XML in place
    python tools/bpmn_layout.py diagram.bpmn [other.bpmn ...]    # then lay the diagrams out anew

Three edits to the semantic XML (the layout tool then draws shapes and edges for them):

* **incoming/outgoing references** (no-disconnected, no-implicit-start/-end, fake-join): every
  flow node lists its sequence flows as ``bpmn:incoming``/``bpmn:outgoing``, as bpmn.io writes
  them. bpmnlint reads the graph from these references only; the engine from the flows.
* **a converging gateway** (fake-join, no-gateway-join-fork): a task or event that several flows
  enter, or a gateway that both merges and branches, gets an exclusive gateway 汇合 in front of
  it (a parallel one before a parallel gateway), in the same lane, its documentation citing the
  article its successor cites. An exclusive merge passes every token on as the task did itself,
  so the engine runs the same paths.
* **superfluous labels**: a flow name is an outcome, so it stays only on flows leaving a decision
  gateway that has a choice to make, on conditional flows and on default flows; the other
  names repeated their target's name or its lane's office.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {"bpmn": BPMN}
FLOW_NODES = {
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "task", "userTask", "serviceTask", "scriptTask", "businessRuleTask", "manualTask", "sendTask",
    "receiveTask", "callActivity", "subProcess", "transaction", "adHocSubProcess",
    "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway",
}
GATEWAYS = {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"}
DECISIONS = {"exclusiveGateway", "inclusiveGateway"}
# children a flow node's incoming/outgoing references follow (BPMN 2.0 schema order)
BEFORE_REFS = {"documentation", "extensionElements", "auditing", "monitoring", "categoryValueRef"}
NUMERAL = "[零〇一二两三四五六七八九十百]+"
CITATION = re.compile(
    rf"第{NUMERAL}(?:\s*[、，,和及与至到-]\s*第?{NUMERAL})*[条章](?:「[^」]*」)?|{NUMERAL}（{NUMERAL}）"
)


def q(tag: str) -> str:
    return f"{{{BPMN}}}{tag}"


def local(el: etree._Element) -> str:
    return etree.QName(el).localname


def is_bpmn(el: etree._Element) -> bool:
    return isinstance(el.tag, str) and etree.QName(el).namespace == BPMN


def containers(root: etree._Element) -> list[etree._Element]:
    return [el for el in root.iter(q("process"), q("subProcess"), q("transaction"), q("adHocSubProcess"))]


def flow_nodes(container: etree._Element) -> list[etree._Element]:
    return [el for el in container if is_bpmn(el) and local(el) in FLOW_NODES]


def flows(container: etree._Element) -> list[etree._Element]:
    return container.findall("bpmn:sequenceFlow", NS)


def _whitespace_before(el: etree._Element) -> str | None:
    prev = el.getprevious()
    return prev.tail if prev is not None else el.getparent().text


def insert_before(ref: etree._Element, el: etree._Element) -> None:
    """Insert el before ref with the same indentation as ref."""
    space = _whitespace_before(ref)
    ref.addprevious(el)
    el.tail = space


def insert_after(ref: etree._Element, el: etree._Element) -> None:
    space = _whitespace_before(ref)
    ref.addnext(el)
    el.tail, ref.tail = ref.tail, space


def sync_references(container: etree._Element) -> None:
    """Rewrite every flow node's bpmn:incoming / bpmn:outgoing from the sequence flows."""
    incoming: dict[str, list[str]] = {}
    outgoing: dict[str, list[str]] = {}
    for flow in flows(container):
        outgoing.setdefault(flow.get("sourceRef"), []).append(flow.get("id"))
        incoming.setdefault(flow.get("targetRef"), []).append(flow.get("id"))
    for node in flow_nodes(container):
        for old in node.findall("bpmn:incoming", NS) + node.findall("bpmn:outgoing", NS):
            _remove(old)
        refs = [("incoming", f) for f in incoming.get(node.get("id"), [])]
        refs += [("outgoing", f) for f in outgoing.get(node.get("id"), [])]
        _insert_refs(node, refs)


def _remove(el: etree._Element) -> None:
    prev, parent = el.getprevious(), el.getparent()
    if prev is not None:
        prev.tail = el.tail if not (el.tail or "").strip() else prev.tail
    else:
        parent.text = el.tail
    parent.remove(el)


def _insert_refs(node: etree._Element, refs: list[tuple[str, str]]) -> None:
    if not refs:
        return
    anchor = None
    for child in node:
        if not isinstance(child.tag, str):
            continue
        if not (is_bpmn(child) and local(child) in BEFORE_REFS):
            break
        anchor = child
    indent = _child_indent(node)
    if len(node) == 0:
        node.text = indent + "  " if indent is not None else None
    for kind, flow_id in refs:
        ref = etree.Element(q(kind))
        ref.text = flow_id
        if anchor is not None:
            insert_after(anchor, ref)
        elif len(node):
            insert_before(node[0], ref)
        else:
            node.append(ref)
            ref.tail = indent
        anchor = ref


def _child_indent(node: etree._Element) -> str | None:
    """Whitespace that closes node's children (the indentation of node itself), if indented."""
    space = _whitespace_before(node)
    if space is None or "\n" not in space:
        return None
    return "\n" + space.rsplit("\n", 1)[1]


def drop_superfluous_labels(container: etree._Element) -> list[str]:
    nodes = {n.get("id"): n for n in flow_nodes(container)}
    out: dict[str, int] = {}
    for flow in flows(container):
        out[flow.get("sourceRef")] = out.get(flow.get("sourceRef"), 0) + 1
    dropped = []
    for flow in flows(container):
        if not (flow.get("name") or "").strip():
            continue
        source = nodes.get(flow.get("sourceRef"))
        conditional = flow.find("bpmn:conditionExpression", NS) is not None
        default = source is not None and source.get("default") == flow.get("id")
        fork = source is not None and local(source) in DECISIONS and out[source.get("id")] > 1
        if not (conditional or default or fork):
            target = nodes.get(flow.get("targetRef"))
            target_name = target.get("name") if target is not None else "?"
            dropped.append(f"{flow.get('id')}: 「{flow.get('name')}」 → 「{target_name}」")
            del flow.attrib["name"]
    return dropped


def citation(documentation: str) -> str:
    """The articles a documentation text cites, in its order."""
    found = list(dict.fromkeys(m.group(0) for m in CITATION.finditer(documentation)))
    return "、".join(found)


def needs_join(node: etree._Element, incoming: int, outgoing: int) -> bool:
    kind = local(node)
    if kind in GATEWAYS:
        return incoming > 1 and outgoing > 1
    return incoming > 1


def insert_joins(root: etree._Element, container: etree._Element) -> list[str]:
    ids = {el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    inc: dict[str, list[etree._Element]] = {}
    out: dict[str, int] = {}
    for flow in flows(container):
        inc.setdefault(flow.get("targetRef"), []).append(flow)
        out[flow.get("sourceRef")] = out.get(flow.get("sourceRef"), 0) + 1
    added = []
    for node in flow_nodes(container):
        node_id = node.get("id")
        if not needs_join(node, len(inc.get(node_id, [])), out.get(node_id, 0)):
            continue
        join_id = _fresh(f"join_{node_id}", ids)
        flow_id = _fresh(f"f_join_{node_id}", ids)
        kind = "parallelGateway" if local(node) == "parallelGateway" else "exclusiveGateway"
        gateway = etree.Element(q(kind), id=join_id, name="汇合")
        doc = etree.SubElement(gateway, q("documentation"))
        own = " ".join(d.text or "" for d in node.findall("bpmn:documentation", NS))
        cite = citation(own)
        if not cite:
            raise SystemExit(f"{node_id}: no citation in its documentation to give its merge gateway")
        doc.text = f"{cite}：各条路径在此汇合，进入“{node.get('name')}”。"
        insert_before(node, gateway)
        _indent_children(gateway)
        for flow in inc[node_id]:
            flow.set("targetRef", join_id)
        last_flow = flows(container)[-1]
        new_flow = etree.Element(q("sequenceFlow"), id=flow_id, sourceRef=join_id, targetRef=node_id)
        insert_after(last_flow, new_flow)
        _add_to_lane(root, node_id, join_id)
        added.append(f"{join_id} → {node_id} ({len(inc[node_id])} flows)")
    return added


def _indent_children(el: etree._Element) -> None:
    indent = _child_indent(el)
    if indent is None:
        return
    el.text = indent + "  "
    for child in el:
        child.tail = indent + "  "
    el[-1].tail = indent


def _fresh(wanted: str, ids: set[str]) -> str:
    name, n = wanted, 2
    while name in ids:
        name, n = f"{wanted}_{n}", n + 1
    ids.add(name)
    return name


def _add_to_lane(root: etree._Element, node_id: str, new_id: str) -> None:
    for ref in root.iter(q("flowNodeRef")):
        if (ref.text or "").strip() == node_id:
            new = etree.Element(q("flowNodeRef"))
            new.text = new_id
            insert_before(ref, new)
            return


def fix_file(path: Path) -> list[str]:
    data = path.read_bytes()
    root = etree.fromstring(data)
    report = []
    for container in containers(root):
        report += [f"label {d}" for d in drop_superfluous_labels(container)]
        report += [f"join {a}" for a in insert_joins(root, container)]
        sync_references(container)
    declaration = data.split(b"?>", 1)[0] + b"?>\n" if data.startswith(b"<?xml") else b""
    ending = b"\n" if data.endswith(b"\n") else b""
    path.write_bytes(declaration + etree.tostring(root, encoding="UTF-8") + ending)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    for path in args.files:
        for line in fix_file(path):
            print(f"{path}: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
