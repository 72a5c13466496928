from __future__ import annotations

from flask_smorest import Blueprint

from engine import cases

from ..auth import current_actor
from ..schemas import (
    ID_PATH,
    AuditOut,
    DiagramOut,
    InstanceDetailOut,
    InstanceListOut,
    InstanceOut,
    InstanceQuery,
    MessageIn,
    ReasonIn,
    RecordOut,
    StartIn,
)

blp = Blueprint("instances", __name__, url_prefix="/api/v1/instances", description="案件（流程实例）")


@blp.route("", methods=["POST"])
@blp.arguments(StartIn)
@blp.response(201, InstanceDetailOut)
def start(args: dict) -> dict:
    """发起案件：按申请表单校验 data，返回案件及其待办任务"""
    actor = current_actor()
    inst = cases.start(actor, args["process_key"], args["data"], args.get("version"))
    return cases.instance_detail(actor, inst.id)


@blp.route("", methods=["GET"])
@blp.arguments(InstanceQuery, location="query")
@blp.response(200, InstanceListOut)
def list_(args: dict) -> dict:
    """案件列表（仅本人可见的案件）"""
    items, total = cases.list_instances(current_actor(), cases.InstanceFilter(**args))
    return {"items": items, "total": total}


@blp.route(f"/<{ID_PATH}:instance_id>")
@blp.response(200, InstanceDetailOut)
def detail(instance_id: int) -> dict:
    """案件详情：状态、版本、数据、待办、已办步骤"""
    return cases.instance_detail(current_actor(), instance_id)


@blp.route(f"/<{ID_PATH}:instance_id>/record")
@blp.response(200, RecordOut)
def record(instance_id: int) -> dict:
    """审批单：按顺序的各环节表单（字段名称与选项名称均取自表单）、文件与流转记录（办理人以姓名（单位）显示）"""
    return cases.case_record(current_actor(), instance_id)


@blp.route(f"/<{ID_PATH}:instance_id>/audit")
@blp.response(200, AuditOut(many=True))
def audit(instance_id: int) -> list:
    """案件审计记录"""
    return cases.instance_audit(current_actor(), instance_id)


@blp.route(f"/<{ID_PATH}:instance_id>/diagram")
@blp.response(200, DiagramOut)
def diagram(instance_id: int) -> dict:
    """案件在流程图上的状态：已完成元素（及次数）、当前令牌、等待中的定时器、调用的子流程"""
    return cases.case_diagram_state(current_actor(), instance_id)


@blp.route(f"/<{ID_PATH}:instance_id>/suspend", methods=["POST"])
@blp.arguments(ReasonIn)
@blp.response(200, InstanceOut)
def suspend(args: dict, instance_id: int) -> dict:
    """暂停案件（审批部门）：暂停期间不能办理，定时器不触发"""
    return cases.instance_summary(cases.suspend(current_actor(), instance_id, args["reason"]))


@blp.route(f"/<{ID_PATH}:instance_id>/resume", methods=["POST"])
@blp.arguments(ReasonIn)
@blp.response(200, InstanceOut)
def resume(args: dict, instance_id: int) -> dict:
    """恢复案件（审批部门）"""
    return cases.instance_summary(cases.resume(current_actor(), instance_id, args["reason"]))


@blp.route(f"/<{ID_PATH}:instance_id>/terminate", methods=["POST"])
@blp.arguments(ReasonIn)
@blp.response(200, InstanceOut)
def terminate(args: dict, instance_id: int) -> dict:
    """终止案件（审批部门）"""
    return cases.instance_summary(cases.terminate(current_actor(), instance_id, args["reason"]))


@blp.route(f"/<{ID_PATH}:instance_id>/messages", methods=["POST"])
@blp.arguments(MessageIn)
@blp.response(200, InstanceDetailOut)
def message(args: dict, instance_id: int) -> dict:
    """向案件发出通知（如整改通知），由流程图中等待该通知的环节接收"""
    actor = current_actor()
    loaded = cases.send_message(actor, instance_id, args["name"], args["data"])
    return cases.instance_detail(actor, instance_id, loaded)
