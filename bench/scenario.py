"""The case every benchmark walks: the longest realistic path through hunan-hrss.

A province-wide (major), classified, bank-funded software project that is sent back once at
the initial review and once at the design review, runs its trial operation twice (the first
trial is abnormal and rectified), fails its first acceptance, and is supervised in three rounds
in parallel with construction. That is 35 user-task completions and two trial-operation timers
per case.

Form data is keyed by BPMN element id; the n-th visit of an element uses the n-th entry (the
last entry repeats), which is how the loops are driven. Trial start dates lie in the past, so
the trial-operation timers (`start_of_day(add_months(trial_start_date, months))`) are already
due when the case reaches them and `runtime.advance` fires them in the same request: no clock
moving is needed and the HTTP and in-process walks stay identical.

Documents are `Doc` values: each walk uploads them (or records ids) before the timed
completion and submits the attachment ids. Nothing here names a file of the bundle: the walk
works for any bundle whose element ids it covers, and `check_forms` proves every entry valid
against the bundle's own forms.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from engine.regulations import attachment_fields as fields
from engine.regulations import is_attachment_id

ROOT = Path(__file__).resolve().parent.parent
JURISDICTION = "hunan-hrss"
PROCESS_KEY = "hunan_hrss_project"
BPMN_DIR = ROOT / "bpmn" / JURISDICTION
FORMS_DIR = ROOT / "forms" / JURISDICTION

# Supervision runs in parallel with construction; finishing it early would make the case a
# single branch. It is only worked when nothing else is open (see `pick`), like real life.
BACKGROUND_TASKS = ("supervision",)

APPLICATION: dict[str, Any] = {
    "project_name": "湖南省人社一体化信息平台（性能测试）",
    "category": "software",
    "budget_yuan": 3_800_000,
    "funding_source": "bank",
    "province_wide": True,
    "classified": True,
    "business_requirements": "统一经办、统一数据、统一服务：养老、就业、工伤业务线上办理。",
    "construction_content": "业务经办系统、数据共享交换平台、公共服务门户。",
    "contact_person": "张伟",
    "contact_phone": "0731-00000000",
}

# A small but genuine PDF: uploads are sniffed, and a `.pdf` that is not one is refused.
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
SAMPLE_ID = "0" * 32  # a well-formed attachment id, where no upload exists (check_forms)


@dataclass(frozen=True)
class Doc:
    """A document a form field asks for: uploaded (HTTP) or recorded (in-process) before the
    timed completion, and replaced by its attachment id in the submitted data."""

    filename: str
    content: bytes = PDF


TEXT = "经审查，材料齐全，符合要求。"
DESIGN = {
    "construction_plan": Doc("建设方案.pdf"),
    "technical_plan": Doc("技术方案.pdf"),
    "security_design": "等级保护三级，数据加密存储与传输。",
    "standards_compliance": True,
    "budget_estimate_yuan": 3_750_000,
}
CONFIDENTIALITY = {
    "confidentiality_level": "secret",
    "confidentiality_measures": "涉密网物理隔离，涉密人员签订保密协议。",
    "confidentiality_compliance": True,
}
ACCEPTANCE_APPLICATION = {
    "trial_operation_report": Doc("试运行情况报告.pdf"),
    "user_manual": Doc("用户手册.pdf"),
    "technical_documents": [Doc("技术文档.pdf")],
    "acceptance_application_date": "2025-06-10",
}
ACCEPTANCE = {
    "acceptance_participants": "厅信息化办、专家组、建设单位",
    "acceptance_date": "2025-06-20",
    "acceptance_conclusion": "按合同完成建设内容。",
}
SUPERVISION = {"supervision_opinion": TEXT, "issues_found": False}
FUNDS = {"construction_funds_secured": True, "budget_estimate_approved": True}

FORM_DATA: dict[str, list[dict[str, Any]]] = {
    "requirements_survey": [{
        "survey_scope": "厅机关及厅属单位", "survey_participants": "业务处室骨干",
        "business_process": "受理、审核、审批、归档", "survey_report": Doc("需求调研报告.pdf"),
    }],
    "initial_review": [
        {"review_result": "send_back", "review_opinion": "需补充调研报告", "send_back_reason": "缺少指标体系"},
        {"review_result": "pass", "review_opinion": TEXT},
    ],
    "revise_application": [{
        "business_requirements": APPLICATION["business_requirements"] + "补充指标体系。",
        "survey_report": Doc("需求调研报告（修订）.pdf"), "revision_note": "已补充指标体系",
    }],
    "organise_expert_review": [{"expert_panel": "王教授、李研究员、陈高工", "expert_review_date": "2025-01-15"}],
    "expert_feasibility_review": [{
        "feasibility_conclusion": "feasible", "feasibility_opinion": "技术路线可行", "expert_leader": "王教授",
        "feasibility_opinion_document": Doc("专家论证意见.pdf"),
    }],
    "approval_proposal": [{"approval_recommendation": "recommend", "approval_proposal_opinion": "建议立项"}],
    "leading_group_major_decision": [{
        "approval_decision": "approve", "approval_opinion": "同意立项", "meeting_date": "2025-02-01",
    }],
    "leading_group_general_approval": [{
        "approval_decision": "approve", "approval_opinion": "同意立项", "meeting_date": "2025-02-01",
    }],
    "schedule_implementation": [{"implementation_priority": "high", "planned_start_date": "2025-03-01"}],
    "draft_design": [DESIGN, {**DESIGN, "design_revision_note": "按评审意见修改安全设计"}],
    "confidentiality_measures": [CONFIDENTIALITY],
    "design_review": [
        {"design_review_result": "send_back", "security_design_checked": False, "design_review_opinion": "补充"},
        {"design_review_result": "pass", "security_design_checked": True, "design_review_opinion": TEXT},
    ],
    "design_approval": [{"design_approval_decision": "approve", "design_approval_opinion": "同意"}],
    "bank_tender": [{
        **FUNDS, "tender_organiser": "cooperating_bank", "cooperating_bank_name": "某合作银行",
        "procurement_method": "public_tender", "winning_bidder": "某信息技术有限公司",
        "winning_bid_amount_yuan": 3_600_000, "procurement_date": "2025-03-20",
    }],
    "government_procurement": [{
        **FUNDS, "procurement_method": "public_tender",
        "winning_bidder": "某信息技术有限公司", "winning_bid_amount_yuan": 3_600_000,
        "procurement_date": "2025-03-20",
    }],
    "contractor_qualification": [{
        "contractor_name": "某信息技术有限公司", "contractor_qualification": "信息系统集成一级",
        "contractor_qualified": True,
    }],
    "sign_contract": [{
        "contract_no": "HRSS-2025-001", "contract_amount_yuan": 3_600_000,
        "contract_signed_date": "2025-03-25", "contract_trial_months": 0, "contract_warranty_years": 0,
        "contract_document": Doc("合同.pdf"),
    }],
    "engage_supervisor": [{
        "supervisor_name": "某监理公司", "supervisor_qualification": "甲级",
        "supervision_contract_no": "JL-2025-001", "supervision_contract_document": Doc("监理合同.pdf"),
    }],
    # Trial start in the past: the trial-operation timer is due as soon as it is reached.
    "implementation": [{
        "implementation_summary": "按方案完成建设", "design_followed": True, "supervision_report": Doc("监理报告.pdf"),
        "completion_date": "2025-04-30", "trial_start_date": "2025-01-02",
        "construction_confidentiality": "compliant",  # the application is a classified project
    }],
    "inspection_group_check": [{
        "construction_conforms": True, "procurement_conforms": True, "fund_use_conforms": True,
        "inspection_result": "pass", "inspection_opinion": "建设内容、招标采购和资金使用符合建设方案",
    }],
    "acceptance_application": [
        {**ACCEPTANCE_APPLICATION, "trial_operation_normal": False},
        {**ACCEPTANCE_APPLICATION, "trial_operation_normal": True},
    ],
    "trial_rectification": [{
        "trial_issues": "高峰期响应慢", "trial_rectification_measures": "扩容并优化索引",
        "trial_start_date": "2025-02-03",
    }],
    "organise_acceptance": [
        {**ACCEPTANCE, "acceptance_result": "fail", "rectification_requirements": "补齐运维文档"},
        {**ACCEPTANCE, "acceptance_result": "pass"},
    ],
    "acceptance_rectification": [{
        "rectification_report": Doc("整改报告.pdf"), "rectification_completed_date": "2025-06-25",
    }],
    "rollout": [{"rollout_scope": "province", "rollout_plan": "全省推广"}],
    "asset_registration": [{
        "asset_registration_no": "ZC-2025-001", "asset_value_yuan": 3_600_000,
        "asset_registration_date": "2025-07-01",
    }],
    # 全程 supervision: rounds are recorded until acceptance passes, then the conclusion is given.
    "supervision": [
        {**SUPERVISION, "supervision_stage": "procurement", "supervision_next": "continue"},
        {**SUPERVISION, "supervision_stage": "progress", "supervision_next": "continue"},
        {**SUPERVISION, "supervision_stage": "whole", "supervision_next": "await_completion"},
    ],
    "supervision_conclusion": [{
        "whole_supervision_opinion": "项目实施全过程合规", "whole_supervision_date": "2025-07-05",
    }],
    "archive_it_office": [{
        "archive_items": ["contract"], "archive_documents": [Doc("归档材料.pdf")], "archive_copies": 2,
        "it_office_archive_no": "XX-01",
    }],
    "archive_room_filing": [{"archive_room_file_no": "DA-2025-001", "archive_room_received_date": "2025-07-10"}],
}

MAX_STEPS = 80  # bound on completions per case: a diagram change that loops forever must not hang


class Walk:
    """The visit counter of one case: which form data the next visit of an element gets."""

    def __init__(self) -> None:
        self.visits: Counter[str] = Counter()

    def peek(self, bpmn_id: str) -> dict[str, Any]:
        """The entry the next visit will get, without counting a visit."""
        entries = FORM_DATA.get(bpmn_id) or [{}]
        return entries[min(self.visits[bpmn_id], len(entries) - 1)]

    def data_for(self, bpmn_id: str) -> dict[str, Any]:
        entries = FORM_DATA.get(bpmn_id)
        if not entries:
            raise KeyError(f"scenario has no form data for element {bpmn_id!r}: update bench/scenario.py")
        entry = entries[min(self.visits[bpmn_id], len(entries) - 1)]
        self.visits[bpmn_id] += 1
        return copy.deepcopy(entry)  # a fresh copy: the engine keeps references


Uploader = Callable[[str, Doc], str]  # (field path, document) → attachment id


def resolve(data: dict[str, Any], upload: Uploader, prefix: str = "") -> dict[str, Any]:
    """`data` with every Doc (alone or in a list) replaced by the id `upload` returns for it."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, Doc):
            out[key] = upload(path, value)
        elif isinstance(value, list) and value and all(isinstance(v, Doc) for v in value):
            out[key] = [upload(path, v) for v in value]
        elif isinstance(value, dict):
            out[key] = resolve(value, upload, f"{path}/")
        else:
            out[key] = value
    return out


def count_docs(data: dict[str, Any]) -> int:
    found: list[str] = []
    resolve(data, lambda path, _doc: found.append(path) or SAMPLE_ID)
    return len(found)


def documents(data: dict[str, Any]) -> set[str]:
    """Field paths of `data` that carry a Doc."""
    found: set[str] = set()
    resolve(data, lambda path, _doc: found.add(path) or SAMPLE_ID)
    return found


def pick(bpmn_ids: Sequence[str]) -> int:
    """Index of the open task to work next: background tasks only when nothing else is open."""
    for i, bpmn_id in enumerate(bpmn_ids):
        if bpmn_id not in BACKGROUND_TASKS:
            return i
    return 0


def check_forms(forms_of: dict[str, str | None], forms_dir: Path = FORMS_DIR) -> list[str]:
    """Problems of the scenario against the bundle's forms ({bpmn_id: form file}): every entry
    must validate and declare only fields the form has (the engine drops undeclared ones)."""
    problems = []
    app_form = json.loads((forms_dir / "application.schema.json").read_text("utf-8"))
    for bpmn_id, entries in [("start_application", [APPLICATION]), *FORM_DATA.items()]:
        form = "application.schema.json" if bpmn_id == "start_application" else forms_of.get(bpmn_id)
        if form is None:
            continue  # an element of another path variant (e.g. small projects)
        schema = app_form if bpmn_id == "start_application" else json.loads((forms_dir / form).read_text("utf-8"))
        validator = Draft202012Validator(schema, format_checker=FormatChecker())
        wanted = set(fields(schema))
        for n, entry in enumerate(entries):
            # Documents as the engine receives them: attachment ids, only in attachment fields.
            docs, filled = documents(entry), resolve(entry, lambda _path, _doc: SAMPLE_ID)
            problems += [f"{bpmn_id}[{n}]: {e.message}" for e in validator.iter_errors(filled)]
            if docs - wanted:
                problems.append(f"{bpmn_id}[{n}]: documents in non-attachment fields: {sorted(docs - wanted)}")
            typed = sorted(p for p in wanted - docs if p in entry and not _all_ids(entry[p]))
            if typed:
                problems.append(f"{bpmn_id}[{n}]: attachment fields given text, not a Doc: {typed}")
            extra = set(entry) - set(schema.get("properties", {}))
            if extra:
                problems.append(f"{bpmn_id}[{n}]: fields not in {form}: {sorted(extra)}")
    return problems


def _all_ids(value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    return all(is_attachment_id(v) for v in values)
