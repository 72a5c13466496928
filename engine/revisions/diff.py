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
                  "summary": one Chinese sentence}],
     "summary": [the sentences, most important first],
     "counts": {"added": n, "removed": n, "changed": n}}

For a changed element `before`/`after` hold only the attributes that changed. Integer amounts
of at least 10000 yuan are written as 万 in the sentences (500000 → 50万); the JSON keeps the
raw values. Pure: no Flask, no database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from .. import safe_xml
from ..regulations.bundles import FORMS_PREFIX, MANIFEST, Bundle
from ..regulations.coverage import CITATION, _canonical, cited_articles
from ..regulations.timer_words import Labels, field_labels, sentence, words_of

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"

TASKS = {
    "task": "任务", "userTask": "人工任务", "scriptTask": "脚本任务", "serviceTask": "服务任务",
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
EVENT_DEFINITIONS = {
    "timerEventDefinition": "定时", "messageEventDefinition": "消息", "signalEventDefinition": "信号",
    "errorEventDefinition": "错误", "escalationEventDefinition": "升级", "conditionalEventDefinition": "条件",
    "terminateEventDefinition": "终止", "cancelEventDefinition": "取消", "compensateEventDefinition": "补偿",
    "linkEventDefinition": "链接",
}
KIND_WORD = {"task": "任务", "gateway": "网关", "event": "事件", "timer": "定时器", "subprocess": "子流程"}

# Chinese words for attributes, in the order they are reported.
LABELS = {
    "type": "类型", "name": "名称", "lane": "泳道", "form": "表单", "ui_form": "界面表单",
    "called_element": "调用流程", "decision": "决策表", "script": "脚本", "multi_instance": "多实例集合",
    "candidate_unit": "办理单位变量", "candidate_user": "办理人变量", "event_definition": "事件类型",
    "timer_kind": "定时方式", "timer": "定时器", "message": "消息", "attached_to": "附着于",
    "interrupting": "中断当前任务", "triggered_by_event": "事件子流程", "default": "默认分支",
    "source": "起点", "target": "终点", "condition": "条件", "articles": "依据条款", "parent": "所在子流程",
    "hit_policy": "命中策略", "label": "标签", "expression": "表达式", "output_name": "输出变量",
    "type_ref": "类型", "description": "说明", "title": "标题", "enum": "可选值", "minimum": "最小值",
    "maximum": "最大值", "exclusiveMinimum": "下限（不含）", "exclusiveMaximum": "上限（不含）",
    "format": "格式", "pattern": "格式规则", "minLength": "最短长度", "maxLength": "最长长度",
    "minItems": "最少条目", "maxItems": "最多条目", "required": "必填", "effective_from": "生效日期",
    "status": "法规状态", "effective_from_note": "施行日期说明",
    "effective_until": "失效日期", "source_file": "法规原文", "applicant": "申报单位角色", "role": "角色",
    "title_field": "案件标题字段", "members": "成员", "roles": "角色",
}
QUOTED = {"name", "title", "lane", "source", "target", "label", "attached_to", "form", "ui_form"}
# Attributes too long to quote in a sentence; the JSON still carries both versions.
LONG = {"script", "description"}
FIELD_KEYS = ("title", "type", "enum", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
              "format", "pattern", "minLength", "maxLength", "minItems", "maxItems")

AMOUNT = re.compile(r"(?<![\w.])(\d{5,})(?![\w.])")
OPERATORS = ((">=", "≥"), ("<=", "≤"), ("!=", "≠"), ("==", "="), ("<", "<"), (">", ">"))
BOOLEANS = {"True": "是", "False": "否"}


# --------------------------------------------------------------------------------- formatting

def wan(text: str) -> str:
    """Integer yuan amounts of at least 10000 as 万: "budget_yuan >= 500000" → "budget_yuan >= 50万"."""
    def repl(match: re.Match[str]) -> str:
        whole, rest = divmod(int(match.group(1)), 10000)
        return f"{whole}万" if rest == 0 else f"{whole}.{str(rest).zfill(4).rstrip('0')}万"
    return AMOUNT.sub(repl, text)


def _cell(text: str | None) -> str:
    """A DMN cell as a process owner reads it: ">= 500000" → "≥50万", empty → "任意", True → "是"."""
    text = (text or "").strip()
    if text in ("", "-"):
        return "任意"
    if text in BOOLEANS:
        return BOOLEANS[text]
    for op, sign in OPERATORS:
        if text.startswith(op):
            text = sign + text[len(op):].lstrip()
            break
    if len(text) > 1 and text[0] == text[-1] == '"':
        return f"「{text[1:-1]}」"  # a string literal: the label a user sees
    return wan(text)


def _value(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "（无）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return wan(str(value))
    if isinstance(value, list | tuple):
        return "、".join(_value(v) for v in value)
    if isinstance(value, dict):
        return "，".join(f"{k}：{_value(v)}" for k, v in value.items())
    return wan(str(value))


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


def _changes_text(before: dict[str, Any], after: dict[str, Any], first: str | None = None) -> str:
    """"名称由「A」改为「B」；定时器由 x 改为 y": names quoted, expressions as written."""
    parts = []
    for key in sorted(before, key=lambda k: k != first):
        label = LABELS.get(key, key)
        old, new = _value(before[key]), _value(after.get(key))
        if key in LONG:
            parts.append(f"{label}已修改" if after.get(key) else f"{label}已删除")
        elif key in QUOTED:
            parts.append(f"{label}{_from_to(f'「{old}」', f'「{new}」')}")
        else:
            parts.append(f"{label}{_from_to(old, new)}")
    return "；".join(parts)


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
        model.lanes[lane.get("id")] = {"name": lane.get("name"), "members": sorted(m for m in members if m)}
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
        model = ProcessModel(process.get("id"), process.get("name") or process.get("id"), file)
        _walk(process, None, model, cite, messages)
        _lanes(process, model)
        out[model.id] = model
    return out


# --------------------------------------------------------------------------------- collecting

@dataclass
class Collector:
    changes: list[dict[str, Any]] = field(default_factory=list)

    def add(self, area: str, kind: str, change: str, file: str, element: str, name: str | None,
            summary: str, articles: list[str] | None = None, before: Any = None, after: Any = None,
            rank: int = 5, **extra: Any) -> None:
        self.changes.append({"area": area, "kind": kind, "change": change, "file": file, "element": element,
                             "name": name or element, "articles": articles or [], "before": before,
                             "after": after, "summary": summary, "_rank": rank, **extra})


def _public(attrs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in attrs.items() if not k.startswith("_") and v not in (None, [], False)}


def _node_summary_extra(attrs: dict[str, Any], process: ProcessModel) -> str:
    bits = [f"流程「{process.name}」"]
    bits += [f"{LABELS[k]} {_value(attrs[k])}" for k in ("lane", "form", "called_element", "decision", "timer",
                                                          "message") if attrs.get(k)]
    return f"（{'，'.join(bits)}）"


def _node_word(attrs: dict[str, Any]) -> str:
    if attrs["_kind"] == "timer":
        return "定时器"
    return {**TASKS, **GATEWAYS, **EVENTS, **SUBPROCESSES}.get(attrs["type"], KIND_WORD[attrs["_kind"]])


def _deadline(expression: str | None, labels: Labels) -> str | None:
    """A timer as its deadline reads (「5 个工作日」), or None when it has no words."""
    words = words_of(expression or "")
    return sentence(words, labels) if words else None


def _changes_said(before: dict[str, Any], after: dict[str, Any], labels: Labels) -> str:
    """The changes in a sentence; a timer whose both versions read in words as
    「期限由 5 个工作日 改为 10 个工作日」."""
    was, now = _deadline(before.get("timer"), labels), _deadline(after.get("timer"), labels)
    if "timer" not in before or not (was and now):
        return _changes_text(before, after, "timer")
    rest = {k: v for k, v in before.items() if k != "timer"}
    said = f"期限{_from_to(was, now)}"
    return f"{said}；{_changes_text(rest, after)}" if rest else said


def _diff_nodes(out: Collector, old: ProcessModel, new: ProcessModel, rank: int, labels: Labels) -> None:
    where = {"process": new.id}
    for change, verb, model, other in (("added", "新增", new, old), ("removed", "删除", old, new)):
        for nid, attrs in model.nodes.items():
            if nid in other.nodes:
                continue
            public = _public(attrs)
            out.add("bpmn", attrs["_kind"], change, model.file, nid, attrs["name"],
                    f"{_prefix(attrs['articles'])}{verb}{_node_word(attrs)}「{attrs['name'] or nid}」"
                    f"{_node_summary_extra(attrs, model)}",
                    attrs["articles"], *((None, public) if change == "added" else (public, None)),
                    rank + 1, **where)
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
        out.add("bpmn", kind, "changed", new.file, nid, attrs["name"],
                f"{_prefix(attrs['articles'])}{attrs['name'] or nid} {_changes_said(before, after, labels)}",
                attrs["articles"], before, after, rank if timed else rank + 2, **where)


def _flow_label(flow: dict[str, Any], nodes: dict[str, dict[str, Any]]) -> str:
    def name(nid: str | None) -> str:
        return (nodes.get(nid) or {}).get("name") or nid or "?"
    route = f"{name(flow['source'])} → {name(flow['target'])}"
    return f"顺序流「{flow['name']}」（{route}）" if flow.get("name") else f"顺序流「{route}」"


def _diff_flows(out: Collector, old: ProcessModel, new: ProcessModel, rank: int) -> None:
    where = {"process": new.id}
    for fid, flow in new.flows.items():
        if fid not in old.flows:
            extra = f"，条件 {wan(flow['condition'])}" if flow.get("condition") else ""
            out.add("bpmn", "flow", "added", new.file, fid, flow["name"],
                    f"新增{_flow_label(flow, new.nodes)}{extra}", flow["articles"], None, _public(flow),
                    rank + 3, **where)
    for fid, flow in old.flows.items():
        if fid not in new.flows:
            out.add("bpmn", "flow", "removed", old.file, fid, flow["name"],
                    f"删除{_flow_label(flow, old.nodes)}", flow["articles"], _public(flow), None, rank + 3, **where)
    for fid, flow in new.flows.items():
        if fid not in old.flows:
            continue
        before, after = _changed(old.flows[fid], flow)
        if not before:
            continue
        # Show node names, not ids, for the ends of a rewired flow.
        def named(values: dict[str, Any], nodes: dict[str, dict[str, Any]]) -> dict[str, Any]:
            return {k: ((nodes.get(v) or {}).get("name") or v if k in ("source", "target") else v)
                    for k, v in values.items()}
        text = _changes_text(named(before, old.nodes), named(after, new.nodes))
        out.add("bpmn", "flow", "changed", new.file, fid, flow["name"],
                f"{_prefix(flow['articles'])}{_flow_label(flow, new.nodes)} {text}", flow["articles"],
                before, after, rank + 2, **where)


def _diff_lanes(out: Collector, old: ProcessModel, new: ProcessModel, rank: int) -> None:
    where = {"process": new.id}
    moved = {n for n in set(old.nodes) & set(new.nodes)
             if old.nodes[n].get("_lane_id") != new.nodes[n].get("_lane_id")}
    explained = set(old.nodes) ^ set(new.nodes) | moved
    for lid, lane in new.lanes.items():
        if lid not in old.lanes:
            out.add("bpmn", "lane", "added", new.file, lid, lane["name"],
                    f"新增泳道「{lane['name']}」（流程「{new.name}」）", None, None, lane, rank + 4, **where)
            continue
        before, after = _changed(old.lanes[lid], lane)
        # Members added, removed or moved are reported on the node itself.
        if "members" in before and set(before["members"]) ^ set(after["members"]) <= explained:
            before.pop("members")
            after.pop("members")
        if before:
            text = (f"更名为「{lane['name']}」" if list(before) == ["name"] else _changes_text(before, after))
            out.add("bpmn", "lane", "changed", new.file, lid, lane["name"],
                    f"泳道「{old.lanes[lid]['name']}」{text}（流程「{new.name}」）",
                    None, before, after, rank + 4, **where)
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
    labels = field_labels(new, old)
    for pid, model in after.items():
        if pid not in before:
            out.add("bpmn", "process", "added", model.file, pid, model.name,
                    f"新增流程「{model.name}」（{model.file}，{len(model.nodes)} 个节点）", rank=1, process=pid)
    for pid, model in before.items():
        if pid not in after:
            out.add("bpmn", "process", "removed", model.file, pid, model.name,
                    f"删除流程「{model.name}」（{model.file}）", rank=1, process=pid)
    for pid, model in after.items():
        if pid not in before:
            continue
        if before[pid].name != model.name:
            out.add("bpmn", "process", "changed", model.file, pid, model.name,
                    f"流程「{before[pid].name}」名称改为「{model.name}」", before={"name": before[pid].name},
                    after={"name": model.name}, rank=3, process=pid)
        _diff_nodes(out, before[pid], model, 0, labels)
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
        out[dec.get("id")] = Decision(dec.get("id"), dec.get("name") or dec.get("id"), file,
                                      table.get("hitPolicy", "UNIQUE"), _documentation_dmn(dec),
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


def _column(columns: list[dict[str, Any]], i: int, prefix: str) -> str:
    col = columns[i] if i < len(columns) else {}
    return col.get("label") or col.get("output_name") or col.get("expression") or f"{prefix}{i + 1}"


def _rule_change(old: Decision, new: Decision, i: int, j: int, cite: Citations, out: Collector) -> None:
    ro, rn = old.rules[i], new.rules[j]
    parts, before, after = [], {}, {}
    for side, columns, word in (("inputs", new.inputs, ""), ("outputs", new.outputs, "输出")):
        a, b = ro[side], rn[side]
        for k in range(max(len(a), len(b))):
            va, vb = (a[k] if k < len(a) else None), (b[k] if k < len(b) else None)
            if va != vb:
                column = _column(columns, k, "列")
                before[column], after[column] = va, vb
                if len(new.inputs) == 1 and side == "inputs":
                    parts.append(_from_to(_cell(va), _cell(vb)))  # the only condition: no column name needed
                else:
                    parts.append(f"{word}「{column}」{_from_to(_cell(va), _cell(vb))}")
    if ro["description"] != rn["description"]:
        before["description"], after["description"] = ro["description"], rn["description"]
        parts.append(f"说明改为「{wan(rn['description'])}」" if rn["description"] else "说明已删除")
    if not parts:
        return
    articles = cite(rn["description"]) or cite(new.description)
    out.add("dmn", "rule", "changed", new.file, rn.get("id") or f"{new.id}#{j + 1}", new.name,
            f"{_prefix(articles)}{new.name}（{new.file} 规则 {j + 1}）{'；'.join(parts)}",
            articles, before, after, 0, decision=new.id)


def _rule_text(decision: Decision, rule: dict[str, Any]) -> str:
    conds = [f"{_column(decision.inputs, k, '输入')} {_cell(v)}" for k, v in enumerate(rule["inputs"])]
    results = [f"{_column(decision.outputs, k, '输出')} = {_cell(v)}" for k, v in enumerate(rule["outputs"])]
    return f"当 {'，'.join(conds) or '任意'} 时 {'，'.join(results)}"


def _diff_columns(out: Collector, old: Decision, new: Decision, side: str, cite: Citations) -> None:
    kind, word = ("input", "输入列") if side == "inputs" else ("output", "输出列")
    articles = cite(new.description)
    for i, j in _pair_by_id(getattr(old, side), getattr(new, side)):
        a = getattr(old, side)[i] if i is not None else None
        b = getattr(new, side)[j] if j is not None else None
        if a is None or b is None:
            col = a or b
            change = "added" if a is None else "removed"
            verb = "新增" if a is None else "删除"
            out.add("dmn", kind, change, new.file, col.get("id") or f"{new.id}#{kind}", new.name,
                    f"{_prefix(articles)}{new.name}（{new.file}）{verb}{word}「{_column([col], 0, '')}」",
                    articles, None if a is None else col, col if a is None else None, 1, decision=new.id)
            continue
        before, after = _changed({k: v for k, v in a.items() if k != "id"}, {k: v for k, v in b.items() if k != "id"})
        if before:
            out.add("dmn", kind, "changed", new.file, b.get("id") or f"{new.id}#{kind}", new.name,
                    f"{_prefix(articles)}{new.name}（{new.file}）{word}「{_column([b], 0, '')}」"
                    f"{_changes_text(before, after)}", articles, before, after, 1, decision=new.id)


def _diff_decision(out: Collector, old: Decision, new: Decision, cite: Citations) -> None:
    if (old.name, old.hit_policy) != (new.name, new.hit_policy):
        before, after = _changed({"name": old.name, "hit_policy": old.hit_policy},
                                 {"name": new.name, "hit_policy": new.hit_policy})
        out.add("dmn", "decision", "changed", new.file, new.id, new.name,
                f"决策表「{old.name}」{_changes_text(before, after)}", cite(new.description), before, after, 1)
    _diff_columns(out, old, new, "inputs", cite)
    _diff_columns(out, old, new, "outputs", cite)
    for i, j in _pair_by_id(old.rules, new.rules):
        if i is not None and j is not None:
            _rule_change(old, new, i, j, cite, out)
        elif j is not None:
            _rule_added_or_removed(out, new, j, "added", cite)
        elif i is not None:
            _rule_added_or_removed(out, old, i, "removed", cite)


def _rule_added_or_removed(out: Collector, table: Decision, index: int, change: str, cite: Citations) -> None:
    rule = table.rules[index]
    articles = cite(rule["description"]) or cite(table.description)
    verb, sides = ("新增", (None, rule)) if change == "added" else ("删除", (rule, None))
    out.add("dmn", "rule", change, table.file, rule.get("id") or f"{table.id}#{index + 1}", table.name,
            f"{_prefix(articles)}{table.name}（{table.file}）{verb}规则 {index + 1}：{_rule_text(table, rule)}",
            articles, *sides, 0, decision=table.id)


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
                    f"新增决策表「{dec.name}」（{dec.file}，{len(dec.rules)} 条规则）", cite(dec.description), rank=1)
    for did, dec in before.items():
        if did not in after:
            out.add("dmn", "decision", "removed", dec.file, did, dec.name,
                    f"删除决策表「{dec.name}」（{dec.file}）", cite(dec.description), rank=1)


# --------------------------------------------------------------------------------- forms

def _field(schema: dict[str, Any], required: bool) -> dict[str, Any]:
    attrs = {k: schema[k] for k in FIELD_KEYS if k in schema}
    if "oneOf" in schema or "anyOf" in schema:
        options = schema.get("oneOf") or schema.get("anyOf")
        attrs["enum"] = [o.get("const") for o in options if isinstance(o, dict) and "const" in o] or None
    if "enum" in attrs:
        attrs["enum"] = list(attrs["enum"])
    attrs["required"] = required
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


def _form_title(schema: dict[str, Any], name: str) -> str:
    return schema.get("title") or name


def _diff_form(out: Collector, name: str, old: dict[str, Any], new: dict[str, Any], cite: Citations) -> None:
    file, title = FORMS_PREFIX + name, _form_title(new, name)
    articles = cite(new.get("description"))
    before_fields, after_fields = form_fields(old), form_fields(new)
    reported = False
    if old.get("title") != new.get("title"):
        out.add("form", "form", "changed", file, name, title,
                f"表单 {name} 标题由「{old.get('title')}」改为「{new.get('title')}」", articles,
                {"title": old.get("title")}, {"title": new.get("title")}, 4)
        reported = True
    for key, attrs in after_fields.items():
        label = attrs.get("title") or key
        if key not in before_fields:
            must = "，必填" if attrs["required"] else ""
            out.add("form", "field", "added", file, key, label,
                    f"表单「{title}」新增字段「{label}」（{key}，{_value(attrs.get('type'))}{must}）",
                    articles, None, attrs, 4, form=name)
        else:
            before, after = _changed(before_fields[key], attrs)
            if before:
                out.add("form", "field", "changed", file, key, label,
                        f"表单「{title}」字段「{label}」{_changes_text(before, after)}", articles, before, after,
                        4, form=name)
        reported = reported or key not in before_fields or before_fields[key] != attrs
    for key, attrs in before_fields.items():
        if key not in after_fields:
            out.add("form", "field", "removed", file, key, attrs.get("title") or key,
                    f"表单「{title}」删除字段「{attrs.get('title') or key}」（{key}）", articles, attrs, None, 4,
                    form=name)
            reported = True
    if not reported and _behaviour(old) != _behaviour(new):
        # Conditions, defaults, nested rules: not itemised, but never silently hidden. Descriptions
        # are the form's documentation and, like BPMN documentation, are not a change of behaviour.
        out.add("form", "form", "changed", file, name, title,
                f"表单「{title}」（{name}）的其他内容（条件校验、默认值等）已修改", articles, rank=6)


def _behaviour(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _behaviour(v) for k, v in schema.items() if k not in ("description", "$comment", "$id")}
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
            title = _form_title(b, name) if isinstance(b, dict) else name
            out.add("form", "form", "added", FORMS_PREFIX + name, name, title,
                    f"新增表单「{title}」（{name}，{len(fields)} 个字段）",
                    cite(b.get("description")) if isinstance(b, dict) else [], None,
                    {"title": title, "fields": list(fields)}, 4)
        elif name not in new_names:
            title = _form_title(a, name) if isinstance(a, dict) else name
            out.add("form", "form", "removed", FORMS_PREFIX + name, name, title,
                    f"删除表单「{title}」（{name}）", [], {"title": title}, None, 4)
        elif a != b:
            if isinstance(a, dict) and isinstance(b, dict) and name.endswith(".schema.json"):
                _diff_form(out, name, a, b, cite)
            else:
                out.add("form", "form", "changed", FORMS_PREFIX + name, name, name,
                        f"表单文件 {name} 已修改（界面布局等）", rank=6)


# --------------------------------------------------------------------------------- manifest

def _keyed(items: Iterable[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {i[key]: {k: v for k, v in i.items() if k != key} for i in items if isinstance(i, dict) and key in i}


def _diff_mapping(out: Collector, kind: str, word: str, old: dict[str, Any], new: dict[str, Any],
                  rank: int, name_of: Callable[[str, Any], str] = lambda k, v: k) -> None:
    for key in dict.fromkeys([*new, *old]):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        name = name_of(key, b if b is not None else a)
        if a is None:
            text, change = f"新增{word}「{name}」（{_value(b)}）", "added"
        elif b is None:
            text, change = f"删除{word}「{name}」", "removed"
        elif isinstance(a, dict) and isinstance(b, dict):
            before, after = _changed(a, b)
            text, change = f"{word}「{name}」{_changes_text(before, after)}", "changed"
            a, b = before, after
        else:
            text, change = f"{word}「{name}」由 {_value(a)} 改为 {_value(b)}", "changed"
        out.add("manifest", kind, change, MANIFEST, key, name, text, None, a, b, rank)


STANDING = {"in_force": "现行有效", "draft": "征求意见稿"}


def _regulation(regulation: dict[str, Any]) -> dict[str, Any]:
    """The regulation's entries as the diff names them; its standing in words."""
    shown = {{"source": "source_file"}.get(k, k): v for k, v in regulation.items()}
    shown["status"] = STANDING.get(regulation.get("status", "in_force"), regulation.get("status"))
    return shown


def _manifest(out: Collector, old: dict[str, Any], new: dict[str, Any]) -> None:
    reg_a, reg_b = old.get("regulation", {}), new.get("regulation", {})
    before, after = _changed(_regulation(reg_a), _regulation(reg_b))
    if before:
        subject = "法规" if "title" in before else f"法规「{reg_b.get('title')}」"
        out.add("manifest", "regulation", "changed", MANIFEST, "regulation", reg_b.get("title"),
                f"{subject}{_changes_text(before, after, 'title')}", None, before, after, 2)
    if old.get("name") != new.get("name"):
        out.add("manifest", "jurisdiction", "changed", MANIFEST, "name", new.get("name"),
                f"辖区名称由「{old.get('name')}」改为「{new.get('name')}」", None,
                {"name": old.get("name")}, {"name": new.get("name")}, 2)
    _diff_mapping(out, "process", "流程", _keyed(old.get("processes", []), "key"),
                  _keyed(new.get("processes", []), "key"), 3, lambda k, v: v.get("name") or k)
    _diff_mapping(out, "role", "角色", _keyed(old.get("roles", []), "id"), _keyed(new.get("roles", []), "id"), 5,
                  lambda k, v: v.get("name") or k)
    _diff_mapping(out, "lane_role", "泳道对应角色", old.get("lanes", {}), new.get("lanes", {}), 5)
    _diff_mapping(out, "expert_pool", "专家库", old.get("expert_pools", {}), new.get("expert_pools", {}), 5)
    _diff_mapping(out, "message", "通知", old.get("messages", {}), new.get("messages", {}), 5,
                  lambda k, v: v.get("name") or k)
    for key, word in (("case_control_roles", "可中止案件的角色"), ("bpmn_files", "流程文件"),
                      ("dmn_files", "决策表文件"), ("articles", "条款")):
        a, b = old.get(key, []), new.get(key, [])
        for item in [x for x in b if x not in a]:
            out.add("manifest", key.rstrip("s"), "added", MANIFEST, item, item, f"新增{word} {item}", rank=5)
        for item in [x for x in a if x not in b]:
            out.add("manifest", key.rstrip("s"), "removed", MANIFEST, item, item, f"删除{word} {item}", rank=5)


def _other_files(out: Collector, old: Bundle, new: Bundle) -> None:
    """Files no other comparison reads (the regulation text): compared whole."""
    def plain(bundle: Bundle) -> set[str]:
        known = {MANIFEST, *bundle.manifest.get("bpmn_files", []), *bundle.manifest.get("dmn_files", [])}
        return {n for n in bundle.files if n not in known and not n.startswith(FORMS_PREFIX)}
    a, b = plain(old), plain(new)
    source = new.manifest.get("regulation", {}).get("source")
    for name in sorted(a | b):
        word = "法规原文" if name == source else "文件"
        if name not in a:
            out.add("file", "file", "added", name, name, name, f"新增{word} {name}", rank=6)
        elif name not in b:
            out.add("file", "file", "removed", name, name, name, f"删除{word} {name}", rank=6)
        elif old.files[name] != new.files[name]:
            out.add("file", "file", "changed", name, name, name, f"{word} {name} 已修改", rank=6)


# --------------------------------------------------------------------------------- public API

def diff_bundles(old: Bundle, new: Bundle, process_key: str | None = None) -> dict[str, Any]:
    """Every change of meaning from `old` to `new`; changes of the process `process_key` first
    within each level of importance (thresholds and timers, steps added or removed, the
    regulation, other diagram changes, forms, roles and lanes, other files)."""
    cite = Citations(old.manifest, new.manifest)
    out = Collector()
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
    """The diff as a Chinese report, one numbered line per change (for the CLI)."""
    counts = diff["counts"]
    if not diff["changes"]:
        return "两个版本的流程包内容相同，无变更。"
    head = (f"共 {len(diff['changes'])} 项变更：新增 {counts['added']} 项，删除 {counts['removed']} 项，"
            f"修改 {counts['changed']} 项。")
    return "\n".join([head, *(f"{i}. {line}" for i, line in enumerate(diff["summary"], 1))])
