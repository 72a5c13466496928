"""Regulation revisions: deploy a bundle, its versions and effective dates, the simulation
report kept with a version, and the diff between two versions."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask_smorest import Blueprint

from engine import regulations, revisions
from engine.revisions import DeployOptions, DeployResult, summary_text

from ..auth import current_actor
from ..schemas import (
    ID_PATH,
    DeploymentFileIn,
    DeploymentFormIn,
    DeploymentOut,
    DiffOut,
    MigrationIn,
    MigrationOut,
    RescheduleIn,
    RevertOut,
    SimulationOut,
    VersionOut,
)

blp = Blueprint("revisions", __name__, url_prefix="/api/v1", description="法规修订：部署、版本、生效日期、差异")
N = ID_PATH  # a version number in a path


def deployment_out(result: DeployResult) -> dict[str, Any]:
    return {**vars(result),
            "created": [{"process_key": k, "version": v} for k, v in result.created],
            "unchanged": [{"process_key": k, "version": v} for k, v in result.unchanged]}


@blp.route("/deployments", methods=["POST"])
@blp.arguments(DeploymentFileIn, location="files")
@blp.arguments(DeploymentFormIn, location="form")
@blp.response(201, DeploymentOut)
def deploy(files: dict, form: dict) -> tuple[dict, int]:
    """部署流程包（仅管理员）：校验、模拟运行全部路径，整体通过才部署；dry_run 只校验与模拟"""
    actor = current_actor()
    options = DeployOptions(effective_from=form.get("effective_from"), effective_until=form.get("effective_until"),
                            simulate=form["simulate"], force=form["force"], dry_run=form["dry_run"])
    result = revisions.deploy_upload(actor, files["file"].read(), options)
    return deployment_out(result), 200 if result.dry_run or not result.created else 201


@blp.route("/processes/<string:key>/versions")
@blp.response(200, VersionOut(many=True))
def version_list(key: str) -> list:
    """流程的全部版本：状态（待生效、现行、已被取代、已失效）、生效日期、案件数"""
    current_actor()
    return regulations.version_list(key)


@blp.route(f"/processes/<string:key>/versions/<{N}:number>", methods=["PATCH"])
@blp.arguments(RescheduleIn)
@blp.response(200, VersionOut)
def reschedule(args: dict, key: str, number: int) -> dict:
    """调整版本的生效、失效日期（仅管理员）；已开始的案件不受影响"""
    return revisions.reschedule(current_actor(), key, number, args.get("effective_from"),
                               args.get("effective_until"))


@blp.route(f"/processes/<string:key>/versions/<{N}:number>/simulation")
@blp.response(200, SimulationOut)
def simulation(key: str, number: int) -> dict:
    """部署时的模拟运行报告"""
    current_actor()
    return revisions.simulation_report(key, number)


@blp.route(f"/processes/<string:key>/versions/<{N}:a>/diff/<{N}:b>")
@blp.response(200, DiffOut, description="差异（JSON；?format=text 为 text/plain 的中文说明）")
@blp.doc(responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}})  # ?format=text
def diff(key: str, a: int, b: int) -> Any:
    """两个版本之间的差异：任务、网关、顺序流、泳道、定时器、决策表规则、表单字段（?format=text 为中文说明）"""
    current_actor()
    result = revisions.version_diff(key, a, b)
    if request.args.get("format") == "text":
        return Response(summary_text(result), mimetype="text/plain; charset=utf-8")
    return result


@blp.route(f"/processes/<string:key>/versions/<{N}:number>/migrations", methods=["POST"])
@blp.arguments(MigrationIn)
@blp.response(200, MigrationOut)
def migrate_cases(args: dict, key: str, number: int) -> dict:
    """把在办案件迁移到另一版本（仅管理员）：apply=false 逐案试运行，apply=true 执行（每案一个事务，可撤销）"""
    actor = current_actor()
    if args["apply"]:
        return revisions.migrate_cases(actor, key, number, args["to_version"], args.get("instance_ids") or [],
                                       args["task_mapping"])
    return revisions.migration_dry_run(actor, key, number, args["to_version"], args["task_mapping"],
                                       args.get("instance_ids"))


@blp.route(f"/migrations/<{N}:migration_id>/revert", methods=["POST"])
@blp.response(200, RevertOut)
def revert_migration(migration_id: int) -> dict:
    """撤销一次迁移：案件回到原版本和迁移前的状态（迁移后尚无变化时）"""
    return revisions.revert_migration(current_actor(), migration_id)
