from __future__ import annotations

from flask import Response, after_this_request
from flask_smorest import Blueprint

from engine import cases

from ..auth import current_actor
from ..schemas import (
    AssignIn,
    CandidateOut,
    CompleteIn,
    CompleteQuery,
    DoneTaskListOut,
    InstanceDetailOut,
    PageQuery,
    TaskDetailOut,
    TaskListOut,
    TaskOut,
    TaskQuery,
    UrgeOut,
)

blp = Blueprint("tasks", __name__, url_prefix="/api/v1/tasks", description="待办任务")


@blp.route("")
@blp.arguments(TaskQuery, location="query")
@blp.response(200, TaskListOut)
def list_(args: dict) -> dict:
    """我的待办：本人角色、单位可办理的任务（overdue=true 只看逾期）"""
    items, total = cases.list_tasks(current_actor(), cases.TaskFilter(**args))
    capped = total > cases.TOTAL_CAP
    return {"items": items, "total": min(total, cases.TOTAL_CAP), "total_capped": capped}


@blp.route("/done")
@blp.arguments(PageQuery, location="query")
@blp.response(200, DoneTaskListOut)
def done(args: dict) -> dict:
    """我的已办：本人办结的环节（最新在前），及其案件和案件状态"""
    items, total = cases.done_tasks(current_actor(), args["limit"], args["offset"])
    return {"items": items, "total": total}


@blp.route("/<string:task_id>/urge", methods=["POST"])
@blp.response(200, UrgeOut)
def urge(task_id: str) -> dict:
    """催办：提醒已超期任务的办理部门（进入其通知列表，记入审计），同一任务每天至多一次"""
    return cases.urge(current_actor(), task_id)


@blp.route("/<string:task_id>")
@blp.response(200, TaskDetailOut)
def detail(task_id: str) -> dict:
    """任务详情：表单、界面配置、预填数据、期限、依据条款"""
    return cases.task_detail(current_actor(), task_id)


@blp.route("/<string:task_id>/candidates")
@blp.response(200, CandidateOut(many=True))
def candidates_(task_id: str) -> list:
    """可转办的用户：持有该任务角色（单位任务限本单位）的其他用户"""
    return cases.assign_candidates(current_actor(), task_id)


@blp.route("/<string:task_id>/claim", methods=["POST"])
@blp.response(200, TaskOut)
def claim(task_id: str) -> dict:
    """认领任务"""
    actor = current_actor()
    return cases.task_dict(cases.claim(actor, task_id), actor)


@blp.route("/<string:task_id>/unclaim", methods=["POST"])
@blp.response(200, TaskOut)
def unclaim(task_id: str) -> dict:
    """取消认领"""
    actor = current_actor()
    return cases.task_dict(cases.unclaim(actor, task_id), actor)


@blp.route("/<string:task_id>/assign", methods=["POST"])
@blp.arguments(AssignIn)
@blp.response(200, TaskOut)
def assign(args: dict, task_id: str) -> dict:
    """转办：交给同一角色的另一位用户"""
    actor = current_actor()
    return cases.task_dict(cases.assign(actor, task_id, args["username"], args["reason"]), actor)


@blp.route("/<string:task_id>/complete", methods=["POST"])
@blp.arguments(CompleteIn)
@blp.arguments(CompleteQuery, location="query")
@blp.response(200, InstanceDetailOut)
def complete(args: dict, query: dict, task_id: str) -> dict:
    """办结任务：提交表单数据，返回案件的新状态（view=summary：只返回状态与当前待办，不含案件数据和办理记录）"""
    actor = current_actor()
    loaded = cases.complete(actor, task_id, args["data"])

    @after_this_request
    def hand_over(response: Response) -> Response:
        cases.remember(loaded)  # only once the response is encoded: it reads the workflow's data
        return response
    return cases.case_after_action(actor, loaded, summary=query["view"] == "summary")


@blp.route("/<string:task_id>/withdraw", methods=["POST"])
@blp.response(200, InstanceDetailOut)
def withdraw(task_id: str) -> dict:
    """撤回：本人办结的环节，在后续环节被认领或办理前可以撤回重办"""
    actor = current_actor()
    loaded = cases.withdraw(actor, task_id)
    return cases.case_after_action(actor, loaded)
