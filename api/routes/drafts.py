"""Bundle drafts (administrators): a regulation revised in the browser, validated with the
deploy pipeline, then deployed with an effective date."""

from __future__ import annotations

from flask_smorest import Blueprint
from werkzeug.routing import PathConverter

from engine import revisions

from ..auth import current_actor
from ..schemas import (
    ID_PATH,
    DeploymentOut,
    DraftDeployIn,
    DraftDetailOut,
    DraftFileIn,
    DraftIn,
    DraftOut,
    DraftRevisionQuery,
    DraftValidationOut,
)
from .revisions import deployment_out

blp = Blueprint("drafts", __name__, url_prefix="/api/v1/drafts",
                description="流程包草稿：在线修改、校验、部署（仅管理员）")
D = ID_PATH  # a draft id in a path


class BundlePath(PathConverter):
    """Any remainder of the URL, a leading slash included, so that an absolute path reaches
    the engine's check (422 naming it) instead of a routing 405."""

    regex = ".*"
    part_isolating = False


blp.record_once(lambda state: state.app.url_map.converters.setdefault("bundle_path", BundlePath))


@blp.route("", methods=["POST"])
@blp.arguments(DraftIn)
@blp.response(201, DraftDetailOut)
def create(args: dict) -> dict:
    """从辖区现行流程包新建草稿"""
    return revisions.create_draft(current_actor(), args["jurisdiction"], args["title"])


@blp.route("", methods=["GET"])
@blp.response(200, DraftOut(many=True))
def list_() -> list:
    """草稿列表（不含已放弃的）"""
    return revisions.list_drafts(current_actor())


@blp.route(f"/<{D}:draft_id>", methods=["GET"])
@blp.response(200, DraftDetailOut)
def detail(draft_id: int) -> dict:
    """草稿：全部文件与最近一次校验报告"""
    return revisions.get_draft(current_actor(), draft_id)


@blp.route(f"/<{D}:draft_id>", methods=["DELETE"])
@blp.response(204)
def discard(draft_id: int) -> None:
    """放弃草稿"""
    revisions.discard_draft(current_actor(), draft_id)


@blp.route(f"/<{D}:draft_id>/files/<bundle_path:path>", methods=["PUT"], merge_slashes=False)
@blp.arguments(DraftFileIn)
@blp.response(200, DraftDetailOut)
def put_file(args: dict, draft_id: int, path: str) -> dict:
    """保存草稿中的一个文件（带修订号；他人已保存时 409）"""
    return revisions.put_draft_file(current_actor(), draft_id, path, args["content"], args["revision"])


@blp.route(f"/<{D}:draft_id>/files/<bundle_path:path>", methods=["DELETE"], merge_slashes=False)
@blp.arguments(DraftRevisionQuery, location="query")
@blp.response(200, DraftDetailOut)
def delete_file(args: dict, draft_id: int, path: str) -> dict:
    """删除草稿中的一个文件（?revision= 可选）"""
    return revisions.delete_draft_file(current_actor(), draft_id, path, args.get("revision"))


@blp.route(f"/<{D}:draft_id>/validate", methods=["POST"])
@blp.response(200, DraftValidationOut)
def validate(draft_id: int) -> dict:
    """校验草稿：XSD、连线与表达式检查、模拟运行全部路径，以及与现行流程包的差异"""
    return revisions.validate_draft(current_actor(), draft_id)


@blp.route(f"/<{D}:draft_id>/deploy", methods=["POST"])
@blp.arguments(DraftDeployIn)
@blp.response(201, DeploymentOut)
def deploy(args: dict, draft_id: int) -> tuple[dict, int]:
    """部署草稿：与上传部署同样的校验和模拟运行，整体通过才部署"""
    result = revisions.deploy_draft(current_actor(), draft_id, args.get("effective_from"),
                                 args.get("effective_until"), args["force"])
    return deployment_out(result), 201 if result.created else 200
