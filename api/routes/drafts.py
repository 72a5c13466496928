"""Bundle drafts (administrators): a regulation revised in the browser, validated with the
deploy pipeline, then deployed with an effective date."""

from __future__ import annotations

from flask_smorest import Blueprint
from werkzeug.routing import PathConverter

from engine import revisions

from ..auth import current_actor
from ..jurisdiction_schemas import (
    ArticlePreviewOut,
    ArticlesPreviewIn,
    CaseTitleIn,
    DraftCreateIn,
    DraftProcessesOut,
    OrganisationIn,
    OrganisationOut,
    ProcessIn,
)
from ..schemas import (
    ID_PATH,
    DeploymentOut,
    DraftDeployIn,
    DraftDetailOut,
    DraftFileIn,
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
@blp.arguments(DraftCreateIn)
@blp.response(201, DraftDetailOut)
def create(args: dict) -> dict:
    """新建草稿：修订现行辖区（jurisdiction），或新建辖区（new_jurisdiction：名称、办法名称与正文，辖区标识由服务器生成）"""
    if "new_jurisdiction" in args:
        new = args["new_jurisdiction"]
        return revisions.create_jurisdiction_draft(current_actor(), new["name"], new["regulation_title"],
                                                   new["regulation_text"], new["effective_from"], args["title"])
    return revisions.create_draft(current_actor(), args["jurisdiction"], args["title"])


@blp.route("/articles-preview", methods=["POST"])
@blp.arguments(ArticlesPreviewIn)
@blp.response(200, ArticlePreviewOut(many=True))
def preview_articles(args: dict) -> list:
    """新建辖区前预览：办法正文按条拆分的结果（与建草稿时拆分的一致）"""
    return revisions.preview_articles(current_actor(), args["regulation_text"])


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


@blp.route(f"/<{D}:draft_id>/organisation", methods=["GET"])
@blp.response(200, OrganisationOut)
def organisation(draft_id: int) -> dict:
    """草稿的机构与单位：机构（泳道）、是否申报单位、可否管控案件；单位名称"""
    return revisions.draft_organisation(current_actor(), draft_id)


@blp.route(f"/<{D}:draft_id>/organisation", methods=["PUT"])
@blp.arguments(OrganisationIn)
@blp.response(200, OrganisationOut)
def put_organisation(args: dict, draft_id: int) -> dict:
    """保存机构与单位：改名同时改泳道名；仍在流程图中使用的机构不能删除"""
    return revisions.put_draft_organisation(current_actor(), draft_id, args["offices"], args["units"],
                                            args["revision"])


@blp.route(f"/<{D}:draft_id>/processes", methods=["POST"])
@blp.arguments(ProcessIn)
@blp.response(201, DraftDetailOut)
def add_process(args: dict, draft_id: int) -> dict:
    """新建流程：空白流程图（每个机构一条泳道和一个开始事件）并登记到清单"""
    return revisions.add_draft_process(current_actor(), draft_id, args["name"], args["revision"])


@blp.route(f"/<{D}:draft_id>/processes", methods=["GET"])
@blp.response(200, DraftProcessesOut)
def processes(draft_id: int) -> dict:
    """草稿的流程：每个流程的开始表单中可作案件标题的文字字段，以及已选的字段"""
    return revisions.draft_case_titles(current_actor(), draft_id)


@blp.route(f"/<{D}:draft_id>/processes/<string:key>", methods=["PATCH"])
@blp.arguments(CaseTitleIn)
@blp.response(200, DraftProcessesOut)
def choose_case_title(args: dict, draft_id: int, key: str) -> dict:
    """设置案件标题取自开始表单的哪个文字字段（不是该流程开始表单的文字字段时 422）"""
    return revisions.choose_case_title(current_actor(), draft_id, key, args["title_field"], args["revision"])
