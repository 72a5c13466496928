"""Executable specs of a bundle for simulation, built without the deploy lint (the simulator
must report on a bundle the lint would refuse), and the catalogue of its elements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from ... import safe_xml
from ...cases.serialization import restored_specs, spec_json
from ...regulations.bundles import Bundle
from .report import Finding

EXTERNAL_EVENTS = (MessageEventDefinition, SignalEventDefinition, ConditionalEventDefinition)


@dataclass
class Catalogue:
    """The flow nodes of one process (with its subprocesses and called processes)."""

    names: dict[str, str] = field(default_factory=dict)        # bpmn id -> element name
    end_events: list[str] = field(default_factory=list)         # of the top-level process
    external_only: dict[str, str] = field(default_factory=dict)  # bpmn id -> the event entry reaching it


def build(bundle: Bundle) -> tuple[dict[str, str], list[Finding]]:
    """spec_json of every manifest process, and a parse_error finding for each that fails."""
    parser, findings = SpiffBpmnParser(), []
    for name in bundle.manifest.get("bpmn_files", []) + bundle.manifest.get("dmn_files", []):
        try:
            add = parser.add_dmn_xml if name.endswith(".dmn") else parser.add_bpmn_xml
            add(safe_xml.parse(bundle.files[name]), filename=name)
        except (ValidationException, etree.XMLSyntaxError, KeyError) as exc:
            findings.append(Finding("parse_error", "", None, name, f"文件无法解析：{exc}"))
    specs = {}
    for proc in bundle.manifest.get("processes", []):
        try:
            workflow = BpmnWorkflow(parser.get_spec(proc["key"]), parser.get_subprocess_specs(proc["key"]))
            specs[proc["key"]] = spec_json(workflow)
        except (ValidationException, KeyError, ValueError) as exc:
            findings.append(Finding("parse_error", proc["key"], getattr(exc, "id", None) or proc["key"],
                                    proc.get("name", ""), f"流程无法构建：{exc}"))
    return specs, findings


def catalogue(text: str, xml_nodes: dict[str, dict[str, str]]) -> Catalogue:
    """Elements of a process from its specs, plus the XML nodes of the same processes that
    have no spec (nothing leads to them)."""
    spec, subs = restored_specs(text)
    specs = {spec.name: spec, **subs}
    out = Catalogue()
    for process_spec in specs.values():
        for ts in process_spec.task_specs.values():
            if ts.bpmn_id:
                out.names.setdefault(ts.bpmn_id, ts.bpmn_name or ts.bpmn_id)
        for node, name in xml_nodes.get(process_spec.name, {}).items():
            out.names.setdefault(node, name)
    out.end_events = sorted({ts.bpmn_id for ts in spec.task_specs.values() if isinstance(ts, EndEvent)})
    for process_spec in specs.values():
        for ts in process_spec.task_specs.values():
            if isinstance(ts, CatchingEvent) and isinstance(getattr(ts, "event_definition", None), EXTERNAL_EVENTS):
                _mark_external(ts, process_spec, specs, out.external_only)
    _mark_after_external_ends(specs, out.external_only)
    return out


def _mark_after_external_ends(specs: dict[str, Any], marked: dict[str, str]) -> None:
    """A called process that ends only through an external event (duties that run until a
    「系统停止使用」 notice) leaves the same mark on what follows its call."""
    changed = True
    while changed:
        changed = False
        for process_spec in specs.values():
            for ts in process_spec.task_specs.values():
                called = specs.get(getattr(ts, "spec", None) or "")
                ends = [e.bpmn_id for e in called.task_specs.values()
                        if isinstance(e, EndEvent) and e.bpmn_id] if called is not None else []
                if not ends or not all(e in marked for e in ends):
                    continue
                for output in ts.outputs:
                    if _follows(ts, output) and output.bpmn_id and output.bpmn_id not in marked:
                        _mark_external(output, process_spec, specs, marked)
                        changed = True


def _mark_external(entry: Any, process_spec: Any, specs: dict[str, Any], marked: dict[str, str]) -> None:
    """Everything only an external event (message, signal) leads to: downstream of a catching
    boundary/intermediate event, or a whole event subprocess with such a start."""
    if isinstance(entry, StartEvent):
        owners = [ts for s in specs.values() for ts in s.task_specs.values()
                  if getattr(ts, "spec", None) == process_spec.name]
        todo = [*owners, *process_spec.task_specs.values()]
    else:
        todo = [entry]
    seen: set[str] = set()
    while todo:
        ts = todo.pop()
        if ts.name in seen:
            continue
        seen.add(ts.name)
        if ts.bpmn_id:
            marked.setdefault(ts.bpmn_id, entry.bpmn_id)
        called = specs.get(getattr(ts, "spec", None) or "")
        if called is not None and called is not process_spec:
            todo += called.task_specs.values()
        todo += [o for o in ts.outputs if _follows(ts, o)]


def _follows(ts: Any, output: Any) -> bool:
    """Follow real flow, not the structural edges of SpiffWorkflow's internal specs: the end
    join of the process, or the join a boundary event shares with the main path."""
    if output.bpmn_id:
        return True
    if output.name.endswith(".EndJoin") or output.name == "End":
        return False
    return not (isinstance(ts, BoundaryEvent) and output.name.endswith(".BoundaryEventJoin"))
