"""The case record as staff read it: every form submitted, in order, each field labelled by the
form that produced it, with its documents; and the 流转记录 — who, from which office, when,
what was decided, with which opinion — in sentences, people by name and unit."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import select

from ..audit import entry_dict
from ..clock import LOCAL_TZ
from ..db import as_utc, db
from ..models import Attachment, AuditEntry
from ..regulations.bundles import Bundle
from ..regulations.store import spec_text, stored_bundle
from ..users import Actor, people
from . import directory, runtime
from .instances import load
from .lookups import get_visible
from .serialization import restored_specs

# What the 流转记录 shows; claims and the like are bookkeeping, kept in the audit trail.
TIMELINE_ACTIONS = ("start", "complete", "timer_fired", "withdraw", "reassign", "suspend", "resume", "terminate",
                    "message", "copy_to", "expert_draw", "attachment_uploaded", "error", "migrate", "migrate_revert")


@lru_cache(maxsize=64)
def element_facts(spec: str) -> dict[str, dict[str, Any]]:
    """Per element id of a version (its processes and those it calls): name, lane and form."""
    top, subs = restored_specs(spec)
    out: dict[str, dict[str, Any]] = {}
    for process in (top, *subs.values()):
        for task_spec in process.task_specs.values():
            if task_spec.bpmn_id:
                props = getattr(task_spec, "extensions", {}).get("properties", {})
                out.setdefault(task_spec.bpmn_id, {"name": task_spec.bpmn_name or "", "lane": task_spec.lane,
                                                   "form": props.get(runtime.FORM)})
    return out


def _schema(bundle: Bundle, form: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    if not form:
        return {}, {}
    schema = directory.form(bundle, form) or {}
    ui = json.loads(bundle.form_bytes(form.replace(".schema.json", ".uischema.json")) or b"{}")
    return schema, ui


def _choice_label(schema: dict[str, Any], value: Any) -> str | None:
    for option in schema.get("oneOf", []) + schema.get("anyOf", []):
        if isinstance(option, dict) and "const" in option and option["const"] == value:
            return option.get("title")
    return None


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(n / 1024, 0.1):.1f} KB"


def _kind(filename: str, otherwise: str) -> str:
    """What a person calls a file's type: its extension (PDF, DOCX), else `otherwise`."""
    return filename.rsplit(".", 1)[-1].upper() if "." in filename else otherwise


def document(row: Attachment) -> dict[str, Any]:
    return {"id": row.id, "name": row.filename, "kind": _kind(row.filename, row.media_type),
            "size": _size(row.size), "sha256": row.sha256,
            "media_type": row.media_type, "content_url": f"/api/v1/attachments/{row.id}/content",
            "preview": row.media_type == "application/pdf"}


def _display(schema: dict[str, Any], value: Any, documents: dict[str, Attachment]) -> tuple[str, list[dict]]:
    """A value as text for staff, and the documents it names."""
    if isinstance(value, str) and value in documents:
        return documents[value].filename, [document(documents[value])]
    label = _choice_label(schema, value)
    if label is not None:
        return label, []
    if isinstance(value, bool):
        return ("是" if value else "否"), []
    if isinstance(value, int | float):
        title = schema.get("title", "")
        if "（元）" in title or "(元)" in title:
            return f"{value / 10000:,.2f} 万元".replace(".00 万元", " 万元"), []
        return f"{value:,}", []
    if isinstance(value, list):
        parts = [_display(schema.get("items", {}), v, documents) for v in value]
        return "、".join(p[0] for p in parts if p[0]), [d for p in parts for d in p[1]]
    if isinstance(value, dict):
        parts = [(_label(schema.get("properties", {}).get(k, {})), _display(
            schema.get("properties", {}).get(k, {}), v, documents)) for k, v in value.items()]
        return "；".join(f"{label}：{shown[0]}" for label, shown in parts), [d for _, s in parts for d in s[1]]
    if value is None or value == "":
        return "（未填写）", []
    return _dated(schema, str(value)), []


def _dated(schema: dict[str, Any], text: str) -> str:
    if schema.get("format") == "date" and len(text) >= 10:
        return f"{int(text[:4])}年{int(text[5:7])}月{int(text[8:10])}日"
    if schema.get("format") == "date-time":
        try:
            moment = as_utc(datetime.fromisoformat(text))
        except ValueError:
            return text
        return moment.astimezone(LOCAL_TZ).strftime("%Y年%m月%d日 %H:%M")
    return text


def _label(schema: dict[str, Any]) -> str:
    return schema.get("title") or "（未命名字段）"


def fields(bundle: Bundle, form: str | None, data: dict[str, Any],
           documents: dict[str, Attachment]) -> dict[str, Any]:
    """The submitted `data` of `form` as labelled rows, in the form's order, with what the form
    declares its decision (`"x-role": "decision"`) and its opinion (`"x-role": "opinion"`)
    picked out for the 流转记录."""
    schema, ui = _schema(bundle, form)
    props = schema.get("properties", {})
    order = [k for k in ui.get("ui:order", []) if k in props] + [k for k in props if k not in ui.get("ui:order", [])]
    rows, decisions, opinions, docs = [], [], [], []
    for key in order:
        if key not in data:
            continue
        shown, named = _display(props[key], data[key], documents)
        long_text = (ui.get(key) or {}).get("ui:widget") == "textarea"
        rows.append({"label": _label(props[key]), "value": shown, "documents": named, "long": long_text})
        docs += named
        role = props[key].get("x-role")
        if role == "decision":
            decisions.append(f"{_label(props[key])}：{shown}")
        elif role == "opinion" and shown != "（未填写）":
            opinions.append(shown)
    return {"form_title": schema.get("title") or "", "fields": rows, "decision": "；".join(decisions) or None,
            "opinion": "\n".join(opinions) or None, "documents": docs}


def sentence(action: str, detail: dict[str, Any], bundle: Bundle, who: dict[str, dict[str, Any]]) -> str:
    """What an entry of the 流转记录 says happened, in Chinese."""
    def person(username: Any) -> str:
        return who.get(str(username), {}).get("label") or "已删除的用户"
    reason = f"，理由：{detail['reason']}" if detail.get("reason") else ""
    role = (bundle.role(str(detail.get("role"))) or {}).get("name", "相关人员")
    return {
        "start": "提交申报",
        "complete": f"办理「{detail.get('task', '')}」",
        "timer_fired": f"「{detail.get('timer', '')}」时限已到",
        "withdraw": f"撤回了「{detail.get('task') or '上一环节'}」",
        "reassign": f"将任务转办给 {person(detail.get('to'))}{reason}",
        "suspend": f"暂停了案件{reason}", "resume": f"恢复了案件{reason}", "terminate": f"终止了案件{reason}",
        "message": "收到外部通知",
        "copy_to": f"抄送{role}：{detail.get('message', '')}",
        "expert_draw": "随机抽取评审专家：" + "、".join(person(u) for u in detail.get("drawn", [])),
        "attachment_uploaded": _uploaded(detail),
        "error": f"流程出错：{detail.get('error', '')}",
        "migrate": f"案件转到第 {detail.get('to_version')} 版流程",
        "migrate_revert": f"撤销迁移，回到第 {detail.get('to_version')} 版流程",
        "claim": "认领了任务", "unclaim": "取消认领任务", "urge": f"催办「{detail.get('task', '')}」",
        "attachment_tampered": f"文件校验失败：《{detail.get('filename', '')}》的内容与上传时不一致",
    }.get(action, "其他操作")


def _uploaded(detail: dict[str, Any]) -> str:
    name = str(detail.get("filename", ""))
    return f"上传了《{name}》（{_kind(name, '文件')}，{_size(int(detail.get('size') or 0))}）"


def _people_in(entries: list[AuditEntry], details: list[dict[str, Any]], *more: str) -> dict[str, dict[str, Any]]:
    """Everyone audit entries name — who acted, whom a task went to, which experts were drawn —
    as shown to staff, in one query."""
    named = {str(u) for d in details for u in (d.get("to"), *d.get("drawn", [])) if u}
    return people({e.actor for e in entries} | named | set(more))


def derived(bundle: Bundle, data: dict[str, Any]) -> list[dict[str, str]]:
    """系统判定: the values the diagram derived that the bundle's data dictionary names, by their
    Chinese names (codes through the entry's `values`; compiler-checked, see revisions.dictionary)."""
    out = []
    for name, entry in bundle.manifest.get("data_dictionary", {}).items():
        value = data.get(name)
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            shown = "是" if value else "否"
        else:
            shown = entry.get("values", {}).get(str(value)) or (f"{value:,}" if isinstance(value, int | float)
                                                                 else str(value))
        out.append({"label": entry["label"], "value": shown})
    return out


def audit_trail(actor: Actor, instance_id: int) -> list[dict[str, Any]]:
    """The case's audit entries as staff read them: who (name（unit）), what (a sentence), when,
    and the entry's chained hash."""
    inst = get_visible(actor, instance_id)
    bundle = stored_bundle(inst.version.bundle_hash)
    rows = db.session.scalars(select(AuditEntry).where(AuditEntry.instance_id == inst.id).order_by(AuditEntry.id)).all()
    details = [json.loads(r.detail_json) for r in rows]
    who = _people_in(rows, details)
    return [{**entry_dict(r), "actor_name": who[r.actor]["label"], "text": sentence(r.action, d, bundle, who)}
            for r, d in zip(rows, details, strict=True)]


def case_record(actor: Actor, instance_id: int) -> dict[str, Any]:
    """The material of a case and its 流转记录, everything labelled for staff (see module doc)."""
    inst = get_visible(actor, instance_id)
    bundle = stored_bundle(inst.version.bundle_hash)
    spec = spec_text(inst.version.bundle_hash, inst.version.process_key)
    elements = element_facts(spec)
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.instance_id == inst.id, AuditEntry.action.in_(TIMELINE_ACTIONS)).order_by(AuditEntry.id)).all()
    documents = {a.id: a for a in db.session.scalars(select(Attachment).where(Attachment.instance_id == inst.id))}
    details = [json.loads(e.detail_json) for e in entries]
    who = _people_in(entries, details, inst.started_by)
    start_lane, start_form = runtime.start_event_info(spec)
    submissions, timeline = [], []
    for entry, detail in zip(entries, details, strict=True):
        element = elements.get(entry.bpmn_id or "", {})
        office = detail.get("lane") or element.get("lane") or (start_lane if entry.action == "start" else None)
        item = {"action": entry.action, "at": as_utc(entry.at), "by": who[entry.actor], "office": office,
                "step": detail.get("task") or element.get("name") or ("申报" if entry.action == "start" else ""),
                "text": sentence(entry.action, detail, bundle, who), "decision": None, "opinion": None,
                "documents": []}
        if entry.action in ("start", "complete"):
            form = start_form if entry.action == "start" else element.get("form")
            labelled = fields(bundle, form, detail.get("data") or {}, documents)
            item.update(decision=labelled["decision"], opinion=labelled["opinion"], documents=labelled["documents"])
            if labelled["fields"]:
                submissions.append({**{k: item[k] for k in ("at", "by", "office", "step")}, **labelled})
        elif entry.action == "attachment_uploaded" and detail.get("attachment") in documents:
            item["documents"] = [document(documents[detail["attachment"]])]
        timeline.append(item)
    process = bundle.process(inst.process_key) or {}
    return {"instance_id": inst.id, "title": inst.title, "process_name": process.get("name", ""),
            "applicant_unit": inst.applicant_unit, "started_by": who[inst.started_by],
            "started_at": as_utc(inst.started_at), "submissions": submissions, "timeline": timeline,
            "derived": derived(bundle, runtime.current_data(load(inst).workflow)),
            "documents": [document(a) for a in sorted(documents.values(), key=lambda a: (a.uploaded_at, a.id))]}
