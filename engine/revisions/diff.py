"""What changed between two versions of a regulation bundle (issue 4: regulation revisions).

`diff_bundles(old, new)` compares the *meaning* of two bundles, never their bytes: BPMN flow
nodes, sequence flows and lanes by id per process (layout, i.e. BPMNDI, is ignored), DMN
decisions (inputs, outputs, rules), JSON Schema forms (fields one level deep, required, title)
and the manifest (regulation, roles, lanes, processes, expert pools, articles, messages).
Other files (the regulation text) are compared whole.

Output (plain JSON data)::

    {"changes": [{"area": "bpmn" | "dmn" | "form" | "manifest" | "file",
                  "kind": "task" | "gateway" | "event" | "timer" | "subprocess" | "flow" | "lane" |
                          "process" | "decision" | "rule" | "input" | "output" | "form" | "field" |
                          "regulation" | "role" | "lane_role" | "expert_pool" | "article" | ...,
                  "change": "added" | "removed" | "changed",
                  "file": bundle path, "element": id, "name": Chinese name,
                  "process": process id (BPMN only), "articles": ["五（三）", "第五条"],
                  "before": {attribute: value} | null, "after": {attribute: value} | null,
                  "details": [{"label": 中文, "before": words | null, "after": words | null}],
                  "summary": one Chinese sentence}],
     "summary": [the sentences, most important first],
     "counts": {"added": n, "removed": n, "changed": n}}

For a changed element `before`/`after` hold only the attributes that changed, as the bundle
writes them (for programs). `details` and `summary` are what people read (diff_words): a form by
its title, a deadline and a condition by their sentences, a decision cell by its words, never a
file name, an id or an expression. Amounts in the sentences read as 万 (500000 → 50万), a
threshold as a compact comparison (由 ≥50万 改为 ≥100万). Pure: no Flask, no database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from .. import safe_xml
from ..regulations.amounts import is_amount
from ..regulations.bundles import FORMS_PREFIX, MANIFEST, Bundle
from ..regulations.cell_words import Column
from ..regulations.coverage import CITATION, _canonical, cited_articles
from ..regulations.vocabulary import CJK
from .diff_words import DMN_TYPES, FORMATS, JSON_TYPES, LABELS, QUOTED, TIMER_KINDS, UNQUOTED, Names, plain

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"

TASKS = {
    "task": "任务", "userTask": "人工任务", "scriptTask": "自动处理", "serviceTask": "服务任务",
    "businessRuleTask": "决策任务", "callActivity": "调用子流程", "manualTask": "手工任务",
    "sendTask": "发送任务", "receiveTask": "接收任务",
}
GATEWAYS = {
    "exclusiveGateway": "排他网关", "parallelGateway": "并行网关", "inclusiveGateway": "包容网关",
    "eventBasedGateway": "事件网关", "complexGateway": "复杂网关",
}
EVENTS = {
    "startEvent": "开始事件", "endEvent": "结束事件", "intermediateCatchEvent": "中间事件",
    "intermediateThrowEvent": "中间抛出事件", "boundaryEvent": "边界事件",
}
SUBPROCESSES = {"subProcess": "子流程", "transaction": "事务子流程", "adHocSubProcess": "自由子流程"}
ELEMENTS = {**TASKS, **GATEWAYS, **EVENTS, **SUBPROCESSES}
EVENT_DEFINITIONS = {
    "timerEventDefinition": "定时", "messageEventDefinition": "消息", "signalEventDefinition": "信号",
    "errorEventDefinition": "错误", "escalationEventDefinition": "升级", "conditionalEventDefinition": "条件",
    "terminateEventDefinition": "终止", "cancelEventDefinition": "取消", "compensateEventDefinition": "补偿",
    "linkEventDefinition": "链接",
}
KIND_WORD = {"task": "任务", "gateway": "网关", "event": "事件", "timer": "定时器", "subprocess": "子流程"}
FIELD_KEYS = ("title", "type", "enum", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
              "format", "pattern", "minLength", "maxLength", "minItems", "maxItems")
# What a form tells the person filling it, like a diagram's documentation: no change of behaviour.
DOCUMENTATION = ("description", "$comment", "$id", "x-informational")
STANDING = {"in_force": "现行有效", "draft": "征求意见稿"}

AMOUNT = re.compile(r"(?<![\w.])(\d{5,})(?![\w.])")
OPERATORS = ((">=", "≥"), ("<=", "≤"), ("!=", "≠"), ("==", "="), ("<", "<"), (">", ">"))
COMPARISON = re.compile(r"^(>=|<=|!=|==|<|>)?\s*-?\d+(?:\.\d+)?$")


# --------------------------------------------------------------------------------- formatting

def wan(text: str) -> str:
    """Integer yuan amounts of at least 10000 as 万: "budget_yuan >= 500000" → "budget_yuan >= 50万"."""
    def repl(match: re.Match[str]) -> str:
        whole, rest = divmod(int(match.group(1)), 10000)
        return f"{whole}万" if rest == 0 else f"{whole}.{str(rest).zfill(4).rstrip('0')}万"
    return AMOUNT.sub(repl, text)


def _threshold(text: str) -> str | None:
    """A number or a comparison with one, compactly: ">= 500000" → "≥50万"; else None."""
    text = text.strip()
    if not COMPARISON.match(text):
        return None
    for op, sign in OPERATORS:
        if text.startswith(op):
            return sign + wan(text[len(op):].strip())
    return wan(text)


def _from_to(old: str, new: str) -> str:
    """"由 ≥50万 改为 ≥100万", or "由「甲」改为「乙」" when both sides are quoted."""
    if old.startswith("「") and new.startswith("「"):
        return f"由{old}改为{new}"
    return f"由 {old} 改为 {new}"


def _prefix(articles: list[str]) -> str:
    """"五（三）" + name reads as one phrase; "第五条" needs a space before the name."""
    if not articles:
        return ""
    text = "、".join(articles)
    return text if text.endswith("）") else text + " "


@dataclass(frozen=True)
class Said:
    """One changed attribute in words: `key` decides how the sentence quotes it."""

    key: str
    label: str
    before: str | None
    after: str | None

    def detail(self) -> dict[str, Any]:
        """Both sides; when they read alike (a script, an expression with no words), the newer says so."""
        same = self.before is not None and self.before == self.after
        return {"label": self.label, "before": self.before, "after": f"{self.after}（已修改）" if same else self.after}

    def sentence(self) -> str:
        if self.key in UNQUOTED or self.before == self.after:
            return f"{self.label}{'已删除' if self.after in (None, '（无）') else '已修改'}"
        if self.key in QUOTED:
            return f"{self.label}{_from_to(f'「{self.before}」', f'「{self.after}」')}"
        return f"{self.label}{_from_to(self.before or '（无）', self.after or '（无）')}"


def _sentence(said: list[Said]) -> str:
    return "；".join(s.sentence() for s in said)


def _details(said: list[Said]) -> list[dict[str, Any]]:
    return [s.detail() for s in said]


def _changed(old: dict[str, Any], new: dict[str, Any], keys: Iterable[str] | None = None
             ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The attributes whose values differ, as (before, after); keys in LABELS order."""
    keys = list(keys) if keys is not None else list(dict.fromkeys([*old, *new]))
    order = {k: i for i, k in enumerate(LABELS)}
    keys = sorted((k for k in keys if not k.startswith("_")), key=lambda k: order.get(k, len(order)))
    differing = [k for k in keys if old.get(k) != new.get(k)]
    return {k: old.get(k) for k in differing}, {k: new.get(k) for k in differing}


# --------------------------------------------------------------------------------- citations

class Citations:
    """Article labels a text cites: 第N条 via engine.regulations.coverage, plus the manifest's own labels
    such as 四（二） (matched as written, as the coverage report does)."""

    def __init__(self, *manifests: dict[str, Any]) -> None:
        labels = {_canonical(a) for m in manifests for a in m.get("articles", [])}
        self.labels = sorted((a for a in labels if not CITATION.fullmatch(a)), key=len, reverse=True)

    def __call__(self, text: str | None) -> list[str]:
        text = text or ""
        found = {a: text.find(a) for a in self.labels if a in text}
        for article in cited_articles(text):
            found.setdefault(article, text.find(article) if article in text else len(text))
        return sorted(found, key=lambda a: (found[a], a))


# --------------------------------------------------------------------------------- BPMN model

def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def _children(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el if isinstance(c.tag, str) and _local(c) == name]


def _text(el: etree._Element | None) -> str | None:
    return None if el is None else (el.text or "").strip()


def _documentation(el: etree._Element) -> str:
    return " ".join(_text(d) or "" for d in _children(el, "documentation"))


def _properties(el: etree._Element) -> dict[str, str]:
    return {p.get("name"): p.get("value", "") for p in el.iter() if isinstance(p.tag, str)
            and _local(p) == "property" and p.get("name")}


@dataclass
class ProcessModel:
    id: str
    name: str
    file: str
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    flows: dict[str, dict[str, Any]] = field(default_factory=dict)
    lanes: dict[str, dict[str, Any]] = field(default_factory=dict)


def _node_kind(tag: str, el: etree._Element) -> str | None:
    if tag in TASKS:
        return "task"
    if tag in GATEWAYS:
        return "gateway"
    if tag in SUBPROCESSES:
        return "subprocess"
    if tag in EVENTS:
        return "timer" if _children(el, "timerEventDefinition") else "event"
    return None


def _task_attrs(tag: str, el: etree._Element) -> dict[str, Any]:
    props = _properties(el)
    loop = next(iter(_children(el, "multiInstanceLoopCharacteristics")), None)
    decision = next((c for c in el.iter() if isinstance(c.tag, str) and _local(c) == "calledDecisionId"), None)
    script = next(iter(_children(el, "script")), None)
    return {
        "form": props.get("formJsonSchemaFilename"), "ui_form": props.get("formUiSchemaFilename"),
        "called_element": el.get("calledElement"), "decision": _text(decision),
        "script": _text(script) if tag == "scriptTask" else None,
        "multi_instance": _text(next(iter(_children(loop, "loopDataInputRef")), None)) if loop is not None else None,
        "candidate_unit": props.get("candidateUnitVariable"), "candidate_user": props.get("candidateUserVariable"),
    }


def _event_attrs(el: etree._Element, messages: dict[str, str]) -> dict[str, Any]:
    defs = [c for c in el if isinstance(c.tag, str) and _local(c) in EVENT_DEFINITIONS]
    attrs: dict[str, Any] = {"event_definition": [EVENT_DEFINITIONS[_local(d)] for d in defs] or None,
                             "timer_kind": None, "timer": None, "message": None,
                             "attached_to": el.get("attachedToRef")}
    if _local(el) == "boundaryEvent":
        attrs["interrupting"] = el.get("cancelActivity", "true") != "false"
    for d in defs:
        for spec in d:
            if isinstance(spec.tag, str) and _local(spec) in ("timeDate", "timeDuration", "timeCycle"):
                attrs["timer_kind"], attrs["timer"] = _local(spec), _text(spec)
        if d.get("messageRef"):
            attrs["message"] = messages.get(d.get("messageRef"), d.get("messageRef"))
    return attrs


def _node(el: etree._Element, parent: str | None, cite: Citations, messages: dict[str, str]) -> dict[str, Any]:
    tag = _local(el)
    kind = _node_kind(tag, el)
    attrs: dict[str, Any] = {"_kind": kind, "type": tag, "name": el.get("name"), "parent": parent,
                             "articles": cite(_documentation(el))}
    if kind == "task":
        attrs.update(_task_attrs(tag, el))
    elif kind == "gateway":
        attrs["default"] = el.get("default")
    elif kind == "subprocess":
        attrs["triggered_by_event"] = el.get("triggeredByEvent") == "true"
    else:
        attrs.update(_event_attrs(el, messages))
    return attrs


def _walk(container: etree._Element, parent: str | None, model: ProcessModel, cite: Citations,
          messages: dict[str, str]) -> None:
    for el in container:
        if not isinstance(el.tag, str) or etree.QName(el).namespace != BPMN_NS:
            continue
        tag = _local(el)
        if tag == "sequenceFlow":
            condition = next(iter(_children(el, "conditionExpression")), None)
            model.flows[el.get("id")] = {"name": el.get("name"), "source": el.get("sourceRef"),
                                         "target": el.get("targetRef"), "condition": _text(condition),
                                         "parent": parent, "articles": cite(_documentation(el))}
        elif _node_kind(tag, el):
            model.nodes[el.get("id")] = _node(el, parent, cite, messages)
            if tag in SUBPROCESSES:
                _walk(el, el.get("id"), model, cite, messages)


def _lanes(process: etree._Element, model: ProcessModel) -> None:
    for lane in process.iter(f"{{{BPMN_NS}}}lane"):
        members = [_text(r) for r in _children(lane, "flowNodeRef")]
        model.lanes[lane.get("id")] = {"name": lane.get("name") or "未命名泳道",
                                       "members": sorted(m for m in members if m)}
        for member in members:
            if member in model.nodes:
                model.nodes[member]["lane"] = lane.get("name")
                model.nodes[member]["_lane_id"] = lane.get("id")


def bpmn_processes(file: str, data: bytes, cite: Citations) -> dict[str, ProcessModel]:
    """Every process of one BPMN file, reduced to what a process owner cares about."""
    root = safe_xml.parse(data)
    messages = {m.get("id"): m.get("name") or m.get("id") for m in root.iter(f"{{{BPMN_NS}}}message")}
    out = {}
    for process in root.iter(f"{{{BPMN_NS}}}process"):
        model = ProcessModel(process.get("id"), process.get("name") or "未命名流程", file)
        _walk(process, None, model, cite, messages)
        _lanes(process, model)
        out[model.id] = model
    return out


# --------------------------------------------------------------------------------- collecting

@dataclass
class Collector:
    names: Names
    changes: list[dict[str, Any]] = field(default_factory=list)

    def add(self, area: str, kind: str, change: str, file: str, element: str, name: str | None,
            summary: str, articles: list[str] | None = None, before: Any = None, after: Any = None,
            rank: int = 5, details: list[dict[str, Any]] | None = None, **extra: Any) -> None:
        self.changes.append({"area": area, "kind": kind, "change": change, "file": file, "element": element,
                             "name": name or KIND_NAMES.get(kind, "未命名"), "articles": articles or [],
                             "before": before, "after": after, "details": details or [], "summary": summary,
                             "_rank": rank, **extra})


KIND_NAMES = {"flow": "顺序流", "lane": "泳道", "rule": "规则", "field": "未命名字段", "form": "未命名表单"}


def _public(attrs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in attrs.items() if not k.startswith("_") and v not in (None, [], False)}


# --------------------------------------------------------------------------------- BPMN in words

def _node_name(nid: str | None, *models: ProcessModel) -> str:
    for model in models:
        node = model.nodes.get(nid or "")
        if node and node.get("name"):
            return node["name"]
    return "未命名环节"


def _flow_route(flow: dict[str, Any], *models: ProcessModel) -> str:
    return f"{_node_name(flow['source'], *models)} → {_node_name(flow['target'], *models)}"


def _flow_label(flow: dict[str, Any], *models: ProcessModel) -> str:
    route = _flow_route(flow, *models)
    return f"顺序流「{flow['name']}」（{route}）" if flow.get("name") else f"顺序流「{route}」"


def _bpmn_words(key: str, value: Any, names: Names, *models: ProcessModel) -> str:
    """One attribute of a diagram element in words."""
    if value is None or value == [] or value == "":
        return "（无）"
    if key == "type":
        return ELEMENTS.get(value, "其他元素")
    if key in ("parent", "attached_to", "source", "target"):
        return _node_name(value, *models)
    if key == "default":
        flow = next((m.flows[value] for m in models if value in m.flows), None)
        return (flow.get("name") or _flow_route(flow, *models)) if flow else "未命名顺序流"
    if key in ("form", "ui_form"):
        return names.form(value)
    if key == "called_element":
        return names.process(value)
    if key == "decision":
        return names.decision(value)
    if key == "timer":
        return names.timer(value)
    if key == "condition":
        return names.condition(value)
    if key == "script":
        return "按流程规则自动计算"
    if key in ("multi_instance", "candidate_unit", "candidate_user"):
        return names.variable(value)
    if key == "timer_kind":
        return TIMER_KINDS.get(value, "其他方式")
    if key == "message":
        return value if CJK.search(str(value)) else "未命名消息"
    if key == "members":
        return "、".join(_node_name(v, *models) for v in value)
    return plain(value)


def _bpmn_said(before: dict[str, Any], after: dict[str, Any], names: Names, old: ProcessModel,
               new: ProcessModel) -> list[Said]:
    said = []
    for key in before:
        b, a = _bpmn_words(key, before[key], names, old, new), _bpmn_words(key, after.get(key), names, new, old)
        if key == "timer" and not (names.timer_said(before[key]) or names.timer_said(after.get(key))):
            b = a  # neither version reads as a deadline: "期限已修改", no made-up words
        if key == "condition" and not (names.condition_said(before[key]) or names.condition_said(after.get(key))):
            b = a
        said.append(Said(key, LABELS.get(key, "其他设置"), b, a))
    return said


def _node_said(attrs: dict[str, Any], names: Names, model: ProcessModel) -> list[Said]:
    """An added or removed element's settings, for its details."""
    keys = ("type", "lane", "form", "called_element", "decision", "timer", "message", "attached_to", "articles")
    return [Said(k, LABELS[k], None, _bpmn_words(k, attrs[k], names, model)) for k in keys if attrs.get(k)]


def _node_summary_extra(attrs: dict[str, Any], names: Names, model: ProcessModel) -> str:
    bits = [f"流程「{model.name}」"]
    bits += [f"{LABELS[k]} {_bpmn_words(k, attrs[k], names, model)}"
             for k in ("lane", "form", "called_element", "decision", "timer", "message") if attrs.get(k)]
    return f"（{'，'.join(bits)}）"


def _node_word(attrs: dict[str, Any]) -> str:
    if attrs["_kind"] == "timer":
        return "定时器"
    return ELEMENTS.get(attrs["type"], KIND_WORD[attrs["_kind"]])


def _removed_said(said: list[Said]) -> list[Said]:
    return [Said(s.key, s.label, s.after, None) for s in said]


# --------------------------------------------------------------------------------- BPMN changes

def _diff_nodes(out: Collector, old: ProcessModel, new: ProcessModel, rank: int) -> None:
    where = {"process": new.id}
    for change, verb, model, other in (("added", "新增", new, old), ("removed", "删除", old, new)):
        for nid, attrs in model.nodes.items():
            if nid in other.nodes:
                continue
            public = _public(attrs)
            said = _node_said(attrs, out.names, model)
            out.add("bpmn", attrs["_kind"], change, model.file, nid, attrs["name"] or _node_word(attrs),
                    f"{_prefix(attrs['articles'])}{verb}{_node_word(attrs)}「{attrs['name'] or '未命名'}」"
                    f"{_node_summary_extra(attrs, out.names, model)}",
                    attrs["articles"], *((None, public) if change == "added" else (public, None)),
                    rank + 1, _details(said if change == "added" else _removed_said(said)), **where)
    for nid, attrs in new.nodes.items():
        if nid not in old.nodes:
            continue
        before_attrs = old.nodes[nid]
        # A lane is compared by id: renaming a lane is one lane change, not one per member.
        keys = [k for k in dict.fromkeys([*before_attrs, *attrs]) if k != "lane"]
        before, after = _changed(before_attrs, attrs, keys)
        if before_attrs.get("_lane_id") != attrs.get("_lane_id"):
            before["lane"], after["lane"] = before_attrs.get("lane"), attrs.get("lane")
        if not before:
            continue
        timed = "timer" in before and attrs["_kind"] == "timer"
        kind = "timer" if timed else attrs["_kind"]
        # the deadline first: it is what a revision of a time limit is about
        said = sorted(_bpmn_said(before, after, out.names, old, new), key=lambda s: s.key != "timer")
        name = attrs["name"] or before_attrs["name"] or _node_word(attrs)
        out.add("bpmn", kind, "changed", new.file, nid, name,
                f"{_prefix(attrs['articles'])}{name} {_sentence(said)}",
                attrs["articles"], before, after, rank if timed else rank + 2, _details(said), **where)


def _diff_flows(out: Collector, old: ProcessModel, new: ProcessModel, rank: int) -> None:
    where = {"process": new.id}
    for fid, flow in new.flows.items():
        if fid not in old.flows:
            extra = f"，条件：{out.names.condition(flow['condition'])}" if flow.get("condition") else ""
            said = [Said(k, LABELS[k], None, _bpmn_words(k, flow[k], out.names, new))
                    for k in ("source", "target", "condition") if flow.get(k)]
            out.add("bpmn", "flow", "added", new.file, fid, flow["name"] or _flow_route(flow, new),
                    f"新增{_flow_label(flow, new)}{extra}", flow["articles"], None, _public(flow),
                    rank + 3, _details(said), **where)
    for fid, flow in old.flows.items():
        if fid not in new.flows:
            out.add("bpmn", "flow", "removed", old.file, fid, flow["name"] or _flow_route(flow, old),
                    f"删除{_flow_label(flow, old)}", flow["articles"], _public(flow), None, rank + 3, **where)
    for fid, flow in new.flows.items():
        if fid not in old.flows:
            continue
        before, after = _changed(old.flows[fid], flow)
        if not before:
            continue
        said = _bpmn_said(before, after, out.names, old, new)
        out.add("bpmn", "flow", "changed", new.file, fid, flow["name"] or _flow_route(flow, new),
                f"{_prefix(flow['articles'])}{_flow_label(flow, new)} {_sentence(said)}", flow["articles"],
                before, after, rank + 2, _details(said), **where)


def _diff_lanes(out: Collector, old: ProcessModel, new: ProcessModel, rank: int) -> None:
    where = {"process": new.id}
    moved = {n for n in set(old.nodes) & set(new.nodes)
             if old.nodes[n].get("_lane_id") != new.nodes[n].get("_lane_id")}
    explained = set(old.nodes) ^ set(new.nodes) | moved
    for lid, lane in new.lanes.items():
        if lid not in old.lanes:
            out.add("bpmn", "lane", "added", new.file, lid, lane["name"],
                    f"新增泳道「{lane['name']}」（流程「{new.name}」）", None, None, lane, rank + 4,
                    _details([Said("members", LABELS["members"], None,
                                   _bpmn_words("members", lane["members"], out.names, new))]), **where)
            continue
        before, after = _changed(old.lanes[lid], lane)
        # Members added, removed or moved are reported on the node itself.
        if "members" in before and set(before["members"]) ^ set(after["members"]) <= explained:
            before.pop("members")
            after.pop("members")
        if before:
            said = _bpmn_said(before, after, out.names, old, new)
            text = f"更名为「{lane['name']}」" if list(before) == ["name"] else _sentence(said)
            out.add("bpmn", "lane", "changed", new.file, lid, lane["name"],
                    f"泳道「{old.lanes[lid]['name']}」{text}（流程「{new.name}」）",
                    None, before, after, rank + 4, _details(said), **where)
    for lid, lane in old.lanes.items():
        if lid not in new.lanes:
            out.add("bpmn", "lane", "removed", old.file, lid, lane["name"],
                    f"删除泳道「{lane['name']}」（流程「{old.name}」）", None, lane, None, rank + 4, **where)


def _bpmn(out: Collector, old: Bundle, new: Bundle, cite: Citations, process_key: str | None) -> None:
    def models(bundle: Bundle) -> dict[str, ProcessModel]:
        found: dict[str, ProcessModel] = {}
        for name in bundle.manifest.get("bpmn_files", []):
            if name in bundle.files:
                found.update(bpmn_processes(name, bundle.files[name], cite))
        return found
    before, after = models(old), models(new)
    for pid, model in after.items():
        if pid not in before:
            out.add("bpmn", "process", "added", model.file, pid, model.name,
                    f"新增流程「{model.name}」（{len(model.nodes)} 个环节）", rank=1, process=pid)
    for pid, model in before.items():
        if pid not in after:
            out.add("bpmn", "process", "removed", model.file, pid, model.name,
                    f"删除流程「{model.name}」", rank=1, process=pid)
    for pid, model in after.items():
        if pid not in before:
            continue
        if before[pid].name != model.name:
            out.add("bpmn", "process", "changed", model.file, pid, model.name,
                    f"流程「{before[pid].name}」名称改为「{model.name}」", before={"name": before[pid].name},
                    after={"name": model.name}, rank=3,
                    details=_details([Said("name", LABELS["name"], before[pid].name, model.name)]), process=pid)
        _diff_nodes(out, before[pid], model, 0)
        _diff_flows(out, before[pid], model, 0)
        _diff_lanes(out, before[pid], model, 0)
    if process_key:
        for change in out.changes:
            change["_main"] = change.get("process") != process_key


# --------------------------------------------------------------------------------- DMN

@dataclass
class Decision:
    id: str
    name: str
    file: str
    hit_policy: str
    aggregation: str | None
    description: str
    inputs: list[dict[str, Any]]
    outputs: list[dict[str, Any]]
    rules: list[dict[str, Any]]


def _texts(el: etree._Element, name: str) -> list[str]:
    return [_text(next(iter(_children(e, "text")), None)) or "" for e in _children(el, name)]


def dmn_decisions(file: str, data: bytes) -> dict[str, Decision]:
    root = safe_xml.parse(data)
    out = {}
    for dec in (e for e in root.iter() if isinstance(e.tag, str) and _local(e) == "decision"):
        table = next((t for t in dec.iter() if isinstance(t.tag, str) and _local(t) == "decisionTable"), None)
        if table is None:
            continue
        inputs = [{"id": i.get("id"), "label": i.get("label"),
                   "expression": _text(next((x for x in i.iter() if isinstance(x.tag, str)
                                             and _local(x) == "text"), None))}
                  for i in _children(table, "input")]
        outputs = [{"id": o.get("id"), "label": o.get("label"), "output_name": o.get("name"),
                    "type_ref": o.get("typeRef")} for o in _children(table, "output")]
        rules = [{"id": r.get("id"), "inputs": _texts(r, "inputEntry"), "outputs": _texts(r, "outputEntry"),
                  "description": " ".join([_text(d) or "" for d in _children(r, "description")]
                                          + _texts(r, "annotationEntry")).strip()}
                 for r in _children(table, "rule")]
        out[dec.get("id")] = Decision(dec.get("id"), dec.get("name") or "未命名决策表", file,
                                      table.get("hitPolicy", "UNIQUE"), table.get("aggregation"),
                                      _documentation_dmn(dec),
                                      inputs, outputs, rules)
    return out


def _documentation_dmn(dec: etree._Element) -> str:
    return " ".join(_text(d) or "" for d in _children(dec, "description"))


def _pair_by_id(old: list[dict[str, Any]], new: list[dict[str, Any]]
                ) -> list[tuple[int | None, int | None]]:
    """Pairs of positions: by id when ids are unique and survive the edit (a modeller keeps
    them), else by position (ids regenerated by a tool)."""
    old_ids, new_ids = [r.get("id") for r in old], [r.get("id") for r in new]
    stable = (all(old_ids) and all(new_ids) and len(set(old_ids)) == len(old_ids)
              and len(set(new_ids)) == len(new_ids) and set(old_ids) & set(new_ids))
    if not stable:
        n = max(len(old), len(new))
        return [(i if i < len(old) else None, i if i < len(new) else None) for i in range(n)]
    pairs: list[tuple[int | None, int | None]] = [
        (old_ids.index(rid) if rid in old_ids else None, j) for j, rid in enumerate(new_ids)]
    pairs += [(i, None) for i, rid in enumerate(old_ids) if rid not in new_ids]
    return pairs


def _columns(out: Collector, table: Decision, side: str) -> list[Column]:
    """The table's columns on one side by their Chinese headings."""
    is_input = side == "inputs"
    return [out.names.column(c.get("label"), c.get("expression") if is_input else c.get("output_name"), is_input, n)
            for n, c in enumerate(getattr(table, side), start=1)]


def _column_at(columns: list[Column], k: int, is_input: bool) -> Column:
    if k < len(columns):
        return columns[k]
    return Column(f"条件 {k + 1}" if is_input else f"结果 {k + 1}", None, False, False)


def _compact(out: Collector, text: str | None, col: Column, is_input: bool) -> str:
    """A cell for a sentence: a threshold compactly (≥50万), anything else in its words."""
    if is_input and (text or "").strip() in ("", "-"):
        return "任意"
    return (None if col.ratio else _threshold(text or "")) or out.names.cell(text, col, is_input)


def _rule_change(out: Collector, old: Decision, new: Decision, i: int, j: int, cite: Citations) -> None:
    ro, rn = old.rules[i], new.rules[j]
    parts, said, before, after = [], [], {}, {}
    for side, is_input in (("inputs", True), ("outputs", False)):
        columns, a, b = _columns(out, new, side), ro[side], rn[side]
        for k in range(max(len(a), len(b))):
            va, vb = (a[k] if k < len(a) else None), (b[k] if k < len(b) else None)
            if va == vb:
                continue
            col = _column_at(columns, k, is_input)
            raw = getattr(new, side)[k] if k < len(getattr(new, side)) else {}
            key = raw.get("label") or raw.get("output_name") or raw.get("expression") or col.label
            before[key], after[key] = va, vb
            said.append(Said("cell", col.label, out.names.cell(va, col, is_input), out.names.cell(vb, col, is_input)))
            change = _from_to(_compact(out, va, col, is_input), _compact(out, vb, col, is_input))
            only_condition = is_input and len(new.inputs) == 1
            parts.append(change if only_condition else f"{'' if is_input else '结果'}「{col.label}」{change}")
    if ro["description"] != rn["description"]:
        before["description"], after["description"] = ro["description"], rn["description"]
        said.append(Said("description", "规则说明", ro["description"] or "（无）", rn["description"] or "（无）"))
        parts.append(f"规则说明改为「{wan(rn['description'])}」" if rn["description"] else "规则说明已删除")
    if not parts:
        return
    articles = cite(rn["description"]) or cite(new.description)
    out.add("dmn", "rule", "changed", new.file, rn.get("id") or f"{new.id}#{j + 1}", new.name,
            f"{_prefix(articles)}{new.name}（规则 {j + 1}）{'；'.join(parts)}",
            articles, before, after, 0, _details(said), decision=new.id)


def _rule_said(out: Collector, table: Decision, rule: dict[str, Any]) -> tuple[str, list[Said]]:
    """The rule as a sentence (当 预算 <200万 时，小额项目为否) and cell by cell."""
    conditions, results, said = [], [], []
    for side, is_input in (("inputs", True), ("outputs", False)):
        columns = _columns(out, table, side)
        for k, text in enumerate(rule[side]):
            col = _column_at(columns, k, is_input)
            said.append(Said("cell", col.label, None, out.names.cell(text, col, is_input)))
            (conditions if is_input else results).append(f"{col.label} {_compact(out, text, col, is_input)}"
                                                         if is_input else
                                                         f"{col.label}为{out.names.cell(text, col, is_input)}")
    return f"当 {'，'.join(conditions) or '任意情形'} 时，{'，'.join(results)}", said


def _rule_added_or_removed(out: Collector, table: Decision, index: int, change: str, cite: Citations) -> None:
    rule = table.rules[index]
    articles = cite(rule["description"]) or cite(table.description)
    text, said = _rule_said(out, table, rule)
    verb, sides = ("新增", (None, rule)) if change == "added" else ("删除", (rule, None))
    out.add("dmn", "rule", change, table.file, rule.get("id") or f"{table.id}#{index + 1}", table.name,
            f"{_prefix(articles)}{table.name}{verb}规则 {index + 1}：{text}",
            articles, *sides, 0, _details(said if change == "added" else _removed_said(said)), decision=table.id)


def _column_words(out: Collector, key: str, value: Any) -> str:
    if value is None or value == "":
        return "（无）"
    if key in ("expression", "output_name"):
        return out.names.variable(value)
    if key == "type_ref":
        return DMN_TYPES.get(str(value).lower(), "其他")
    return plain(value)


def _diff_columns(out: Collector, old: Decision, new: Decision, side: str, cite: Citations) -> None:
    kind, word = ("input", "条件列") if side == "inputs" else ("output", "结果列")
    articles = cite(new.description)
    heads = {id(t): _columns(out, t, side) for t in (old, new)}
    for i, j in _pair_by_id(getattr(old, side), getattr(new, side)):
        a = getattr(old, side)[i] if i is not None else None
        b = getattr(new, side)[j] if j is not None else None
        head = heads[id(new)][j] if j is not None else heads[id(old)][i]
        if a is None or b is None:
            col = a or b
            change, verb = ("added", "新增") if a is None else ("removed", "删除")
            out.add("dmn", kind, change, new.file, col.get("id") or f"{new.id}#{kind}", new.name,
                    f"{_prefix(articles)}{new.name}{verb}{word}「{head.label}」",
                    articles, None if a is None else col, col if a is None else None, 1, decision=new.id)
            continue
        before, after = _changed({k: v for k, v in a.items() if k != "id"}, {k: v for k, v in b.items() if k != "id"})
        if before:
            said = [Said(k, LABELS.get(k, "其他设置"), _column_words(out, k, before[k]),
                         _column_words(out, k, after[k])) for k in before]
            out.add("dmn", kind, "changed", new.file, b.get("id") or f"{new.id}#{kind}", new.name,
                    f"{_prefix(articles)}{new.name}{word}「{head.label}」{_sentence(said)}", articles,
                    before, after, 1, _details(said), decision=new.id)


def _diff_decision(out: Collector, old: Decision, new: Decision, cite: Citations) -> None:
    if old.name != new.name:
        out.add("dmn", "decision", "changed", new.file, new.id, new.name,
                f"决策表「{old.name}」更名为「{new.name}」", cite(new.description),
                {"name": old.name}, {"name": new.name}, 1, _details([Said("name", "名称", old.name, new.name)]))
    if (old.hit_policy, old.aggregation) != (new.hit_policy, new.aggregation):
        was, now = Names.hit_policy(old.hit_policy, old.aggregation), Names.hit_policy(new.hit_policy, new.aggregation)
        out.add("dmn", "decision", "changed", new.file, new.id, new.name,
                f"决策表「{new.name}」命中策略由「{was[0]}」改为「{now[0]}」：{now[1]}", cite(new.description),
                {"hit_policy": old.hit_policy}, {"hit_policy": new.hit_policy}, 1,
                _details([Said("hit_policy", LABELS["hit_policy"], "：".join(was), "：".join(now))]))
    _diff_columns(out, old, new, "inputs", cite)
    _diff_columns(out, old, new, "outputs", cite)
    for i, j in _pair_by_id(old.rules, new.rules):
        if i is not None and j is not None:
            _rule_change(out, old, new, i, j, cite)
        elif j is not None:
            _rule_added_or_removed(out, new, j, "added", cite)
        elif i is not None:
            _rule_added_or_removed(out, old, i, "removed", cite)


def _dmn(out: Collector, old: Bundle, new: Bundle, cite: Citations) -> None:
    def decisions(bundle: Bundle) -> dict[str, Decision]:
        found: dict[str, Decision] = {}
        for name in bundle.manifest.get("dmn_files", []):
            if name in bundle.files:
                found.update(dmn_decisions(name, bundle.files[name]))
        return found
    before, after = decisions(old), decisions(new)
    for did, dec in after.items():
        if did in before:
            _diff_decision(out, before[did], dec, cite)
        else:
            out.add("dmn", "decision", "added", dec.file, did, dec.name,
                    f"新增决策表「{dec.name}」（{len(dec.rules)} 条规则）", cite(dec.description), rank=1)
    for did, dec in before.items():
        if did not in after:
            out.add("dmn", "decision", "removed", dec.file, did, dec.name,
                    f"删除决策表「{dec.name}」", cite(dec.description), rank=1)


# --------------------------------------------------------------------------------- forms

def _field(schema: dict[str, Any], required: bool) -> dict[str, Any]:
    attrs = {k: schema[k] for k in FIELD_KEYS if k in schema}
    options = schema.get("oneOf") or schema.get("anyOf")
    if isinstance(options, list):
        attrs["enum"] = [o.get("const") for o in options if isinstance(o, dict) and "const" in o] or None
    if "enum" in attrs and attrs["enum"] is not None:
        attrs["enum"] = list(attrs["enum"])
    attrs["required"] = required
    # what the options are called: a retitled option is a change, and the page says options by name
    attrs["_options"] = [[o.get("const"), o.get("title")] for o in options or []
                         if isinstance(o, dict) and "const" in o and isinstance(o.get("title"), str)]
    return attrs


def form_fields(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Fields of a JSON Schema form; objects and arrays of objects one level deep
    (`parent.child`, `parent[].child`)."""
    fields: dict[str, dict[str, Any]] = {}
    required = set(schema.get("required", []))
    for key, sub in (schema.get("properties") or {}).items():
        if not isinstance(sub, dict):
            continue
        fields[key] = _field(sub, key in required)
        nested, path = sub, key + "."
        if sub.get("type") == "array" and isinstance(sub.get("items"), dict):
            nested, path = sub["items"], key + "[]."
        inner_required = set(nested.get("required", []))
        for child, child_schema in (nested.get("properties") or {}).items():
            if isinstance(child_schema, dict):
                fields[path + child] = _field(child_schema, child in inner_required)
    return fields


def _form_title(schema: Any) -> str:
    title = schema.get("title") if isinstance(schema, dict) else None
    return title if isinstance(title, str) and CJK.search(title) else "未命名表单"


def _field_label(attrs: dict[str, Any]) -> str:
    title = attrs.get("title")
    return title if isinstance(title, str) and CJK.search(title) else "未命名字段"


def _field_kind(key: str, attrs: dict[str, Any]) -> str:
    """文字, 日期, 选项, 金额, 附件…: what kind of answer a field takes."""
    if attrs.get("format") in FORMATS:
        return FORMATS[attrs["format"]]
    if attrs.get("enum"):
        return "选项"
    if attrs.get("type") in ("number", "integer") and is_amount(key.rsplit(".", 1)[-1], attrs.get("title")):
        return "金额"
    return JSON_TYPES.get(str(attrs.get("type")), "其他")


def _field_said(out: Collector, key: str, before: dict[str, Any], after: dict[str, Any],
                old: dict[str, Any], new: dict[str, Any]) -> list[Said]:
    name = key.rsplit(".", 1)[-1]
    said = []
    for attr in before:
        words = [out.names.field_value(attr, side.get(attr), name, side.get("title") or other.get("title"),
                                       {c: t for c, t in side.get("_options", [])})
                 for side, other in ((old, new), (new, old))]
        said.append(Said(attr, LABELS.get(attr, "其他设置"), *words))
    return said


def _public_field(attrs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in attrs.items() if not k.startswith("_")}


def _field_changes(out: Collector, file: str, name: str, title: str, articles: list[str],
                   before_fields: dict[str, Any], after_fields: dict[str, Any]) -> bool:
    """Each field added, removed or changed; True when any was."""
    reported = False
    where = {"form": name}
    for key, attrs in after_fields.items():
        label = _field_label(attrs)
        if key not in before_fields:
            must = "，必填" if attrs["required"] else ""
            said = [Said("kind", "类型", None, _field_kind(key, attrs)),
                    Said("required", "必填", None, plain(attrs["required"]))]
            out.add("form", "field", "added", file, key, label,
                    f"表单「{title}」新增字段「{label}」（{_field_kind(key, attrs)}{must}）",
                    articles, None, _public_field(attrs), 4, _details(said), **where)
            reported = True
            continue
        old = before_fields[key]
        before, after = _changed(old, attrs)
        if old.get("_options") != attrs.get("_options") and "enum" not in before:
            before["enum"], after["enum"] = old.get("enum"), attrs.get("enum")
        if before:
            said = _field_said(out, key, before, after, old, attrs)
            out.add("form", "field", "changed", file, key, label,
                    f"表单「{title}」字段「{label}」{_sentence(said)}", articles, before, after, 4, _details(said),
                    **where)
            reported = True
    for key, attrs in before_fields.items():
        if key not in after_fields:
            label = _field_label(attrs)
            out.add("form", "field", "removed", file, key, label, f"表单「{title}」删除字段「{label}」",
                    articles, _public_field(attrs), None, 4,
                    _details([Said("kind", "类型", _field_kind(key, attrs), None)]), **where)
            reported = True
    return reported


def _diff_form(out: Collector, name: str, old: dict[str, Any], new: dict[str, Any], cite: Citations) -> None:
    file, title = FORMS_PREFIX + name, _form_title(new)
    articles = cite(new.get("description"))
    reported = False
    if old.get("title") != new.get("title"):
        was = _form_title(old)
        out.add("form", "form", "changed", file, name, title, f"表单标题由「{was}」改为「{title}」", articles,
                {"title": old.get("title")}, {"title": new.get("title")}, 4,
                _details([Said("title", "标题", was, title)]))
        reported = True
    reported = _field_changes(out, file, name, title, articles, form_fields(old), form_fields(new)) or reported
    if not reported and _behaviour(old) != _behaviour(new):
        # Conditions, defaults, nested rules: not itemised, but never silently hidden. Descriptions
        # are the form's documentation and, like BPMN documentation, are not a change of behaviour.
        out.add("form", "form", "changed", file, name, title,
                f"表单「{title}」的其他内容（条件校验、默认值等）已修改", articles, rank=6)


def _behaviour(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _behaviour(v) for k, v in schema.items() if k not in DOCUMENTATION}
    if isinstance(schema, list):
        return [_behaviour(v) for v in schema]
    return schema


def _load_json(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None


def _forms(out: Collector, old: Bundle, new: Bundle, cite: Citations) -> None:
    old_names, new_names = set(old.form_names()), set(new.form_names())
    for name in sorted(new_names | old_names):
        a = _load_json(old.form_bytes(name)) if name in old_names else None
        b = _load_json(new.form_bytes(name)) if name in new_names else None
        if name not in old_names:
            fields = form_fields(b) if isinstance(b, dict) else {}
            title = _form_title(b) if name.endswith(".schema.json") else out.names.file(FORMS_PREFIX + name)
            out.add("form", "form", "added", FORMS_PREFIX + name, name, title,
                    f"新增表单「{title}」（{len(fields)} 个字段）" if name.endswith(".schema.json")
                    else f"新增{title}", cite(b.get("description")) if isinstance(b, dict) else [], None,
                    {"title": title, "fields": list(fields)}, 4,
                    _details([Said("fields", "字段", None, "、".join(_field_label(f) for f in fields.values()))]))
        elif name not in new_names:
            title = _form_title(a) if name.endswith(".schema.json") else out.names.file(FORMS_PREFIX + name)
            out.add("form", "form", "removed", FORMS_PREFIX + name, name, title,
                    f"删除表单「{title}」" if name.endswith(".schema.json") else f"删除{title}", [],
                    {"title": title}, None, 4)
        elif a != b:
            if isinstance(a, dict) and isinstance(b, dict) and name.endswith(".schema.json"):
                _diff_form(out, name, a, b, cite)
            else:
                title = out.names.file(FORMS_PREFIX + name)
                out.add("form", "form", "changed", FORMS_PREFIX + name, name, title, f"{title}已修改", rank=6)


# --------------------------------------------------------------------------------- manifest

def _keyed(items: Iterable[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {i[key]: {k: v for k, v in i.items() if k != key} for i in items if isinstance(i, dict) and key in i}


def _manifest_words(out: Collector, key: str, value: Any) -> str:
    """A manifest entry in words: roles and forms by name, a field by its title."""
    if value is None or value == [] or value == "":
        return "（无）"
    if key in ("roles", "role"):
        values = value if isinstance(value, list) else [value]
        return "、".join(out.names.role(v) for v in values)
    if key == "experts":
        return "、".join(out.names.person(v) for v in value)
    if key == "title_field":
        return out.names.variable(value)
    if key == "form":
        return out.names.form(value)
    if isinstance(value, dict):  # an entry's settings; its name is already said
        return "、".join(f"{LABELS.get(k, '其他设置')} {_manifest_words(out, k, v)}" for k, v in value.items()
                        if k != "name") or "（无）"
    return plain(value)


def _diff_mapping(out: Collector, kind: str, word: str, old: dict[str, Any], new: dict[str, Any],
                  rank: int, name_of: Callable[[str, Any], str] = lambda k, v: k, value_key: str = "value") -> None:
    """Entries of a manifest mapping added, removed or changed; `value_key` says what a plain value is."""
    for key in dict.fromkeys([*new, *old]):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        name = name_of(key, b if b is not None else a)
        subject = f"{word}「{name}」" if name else word
        if a is None or b is None:
            change, verb, value = ("added", "新增", b) if a is None else ("removed", "删除", a)
            words = _manifest_words(out, value_key, value)
            said = [Said(value_key, word, None, words)]
            out.add("manifest", kind, change, MANIFEST, key, name or word,
                    f"{verb}{subject}" + (f"（{words}）" if a is None else ""), None, a, b, rank,
                    _details(said if a is None else _removed_said(said)))
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            before, after = _changed(a, b)
            said = [Said(k, LABELS.get(k, "其他设置"), _manifest_words(out, k, before[k]),
                         _manifest_words(out, k, after[k])) for k in before]
            a, b = before, after
        else:
            said = [Said(value_key, LABELS.get(value_key, word), _manifest_words(out, value_key, a),
                         _manifest_words(out, value_key, b))]
        out.add("manifest", kind, "changed", MANIFEST, key, name or word, f"{subject}{_sentence(said)}", None,
                a, b, rank, _details(said))


def _regulation(regulation: dict[str, Any]) -> dict[str, Any]:
    """The regulation's entries as the diff names them; its standing in words."""
    shown = {{"source": "source_file"}.get(k, k): v for k, v in regulation.items()}
    shown["status"] = STANDING.get(regulation.get("status", "in_force"), regulation.get("status"))
    return shown


def _manifest(out: Collector, old: dict[str, Any], new: dict[str, Any]) -> None:
    reg_a, reg_b = old.get("regulation", {}), new.get("regulation", {})
    before, after = _changed(_regulation(reg_a), _regulation(reg_b))
    if before:
        # the text's file is said by what it is, never by its name
        said = sorted((Said(k, LABELS.get(k, "其他设置"), *(("原文件", "新文件") if k == "source_file"
                                                           else (plain(before[k]), plain(after[k]))))
                       for k in before), key=lambda s: s.key != "title")
        subject = "法规" if "title" in before else f"法规「{reg_b.get('title')}」"
        out.add("manifest", "regulation", "changed", MANIFEST, "regulation", reg_b.get("title"),
                f"{subject}{_sentence(said)}", None, before, after, 2, _details(said))
    if old.get("name") != new.get("name"):
        out.add("manifest", "jurisdiction", "changed", MANIFEST, "name", new.get("name"),
                f"辖区名称由「{old.get('name')}」改为「{new.get('name')}」", None,
                {"name": old.get("name")}, {"name": new.get("name")}, 2,
                _details([Said("name", "名称", old.get("name"), new.get("name"))]))
    _diff_mapping(out, "process", "流程", _keyed(old.get("processes", []), "key"),
                  _keyed(new.get("processes", []), "key"), 3, lambda k, v: v.get("name") or out.names.process(k))
    _diff_mapping(out, "role", "角色", _keyed(old.get("roles", []), "id"), _keyed(new.get("roles", []), "id"), 5,
                  lambda k, v: v.get("name") or out.names.role(k))
    _diff_mapping(out, "lane_role", "泳道对应角色", old.get("lanes", {}), new.get("lanes", {}), 5, value_key="role")
    _diff_mapping(out, "expert_pool", "专家库", old.get("expert_pools", {}), new.get("expert_pools", {}), 5,
                  lambda k, v: "", value_key="experts")  # a pool has a code, no name: said by its members
    _diff_mapping(out, "message", "通知", old.get("messages", {}), new.get("messages", {}), 5,
                  lambda k, v: v.get("name") or "未命名通知")
    def titled(file: str) -> str:  # 流程图：甲 → 甲, the sentence says what it is
        return out.names.file(file).split("：", 1)[-1]
    for key, word, said in (("case_control_roles", "可中止案件的角色", out.names.role),
                            ("bpmn_files", "流程图", titled), ("dmn_files", "决策表", titled),
                            ("articles", "条款", plain)):
        a, b = old.get(key, []), new.get(key, [])
        for item in [x for x in b if x not in a]:
            out.add("manifest", key.rstrip("s"), "added", MANIFEST, item, said(item), f"新增{word}「{said(item)}」",
                    rank=5)
        for item in [x for x in a if x not in b]:
            out.add("manifest", key.rstrip("s"), "removed", MANIFEST, item, said(item),
                    f"删除{word}「{said(item)}」", rank=5)


def _other_files(out: Collector, old: Bundle, new: Bundle) -> None:
    """Files no other comparison reads (the regulation text): compared whole."""
    def plain_files(bundle: Bundle) -> set[str]:
        known = {MANIFEST, *bundle.manifest.get("bpmn_files", []), *bundle.manifest.get("dmn_files", [])}
        return {n for n in bundle.files if n not in known and not n.startswith(FORMS_PREFIX)}
    a, b = plain_files(old), plain_files(new)
    for name in sorted(a | b):
        word = out.names.file(name)
        if name not in a:
            out.add("file", "file", "added", name, name, word, f"新增{word}", rank=6)
        elif name not in b:
            out.add("file", "file", "removed", name, name, word, f"删除{word}", rank=6)
        elif old.files[name] != new.files[name]:
            out.add("file", "file", "changed", name, name, word, f"{word}已修改", rank=6)


# --------------------------------------------------------------------------------- public API

def diff_bundles(old: Bundle, new: Bundle, process_key: str | None = None) -> dict[str, Any]:
    """Every change of meaning from `old` to `new`; changes of the process `process_key` first
    within each level of importance (thresholds and timers, steps added or removed, the
    regulation, other diagram changes, forms, roles and lanes, other files)."""
    cite = Citations(old.manifest, new.manifest)
    out = Collector(Names.of(new, old))
    _bpmn(out, old, new, cite, process_key)
    _dmn(out, old, new, cite)
    _forms(out, old, new, cite)
    _manifest(out, old.manifest, new.manifest)
    _other_files(out, old, new)
    ordered = sorted(enumerate(out.changes), key=lambda ic: (ic[1]["_rank"], ic[1].get("_main", False), ic[0]))
    changes = [{k: v for k, v in c.items() if not k.startswith("_")} for _, c in ordered]
    counts = {kind: sum(1 for c in changes if c["change"] == kind) for kind in ("added", "removed", "changed")}
    return {"changes": changes, "summary": [c["summary"] for c in changes], "counts": counts}


def summary_text(diff: dict[str, Any]) -> str:
    """The diff as a Chinese report, one numbered line per change (for the CLI and the download)."""
    counts = diff["counts"]
    if not diff["changes"]:
        return "两个版本的流程包内容相同，无变更。"
    head = (f"共 {len(diff['changes'])} 项变更：新增 {counts['added']} 项，删除 {counts['removed']} 项，"
            f"修改 {counts['changed']} 项。")
    return "\n".join([head, *(f"{i}. {line}" for i, line in enumerate(diff["summary"], 1))])
