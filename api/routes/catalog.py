from __future__ import annotations

from flask import Response, json
from flask_smorest import Blueprint

from engine import cases
from engine.errors import NotFound

from ..auth import current_actor
from ..schemas import (
    ArticleOut,
    CoverageOut,
    JurisdictionOut,
    ProcessDecisionsOut,
    ProcessFilesOut,
    ProcessOut,
    StartFormOut,
    VersionQuery,
)

blp = Blueprint("catalog", __name__, url_prefix="/api/v1", description="辖区、流程与版本")


@blp.route("/jurisdictions")
@blp.response(200, JurisdictionOut(many=True))
def jurisdictions() -> list:
    """辖区及其流程、现行版本"""
    return cases.jurisdictions(current_actor())


@blp.route("/jurisdictions/<string:jurisdiction_id>/articles")
@blp.response(200, ArticleOut(many=True))
def articles(jurisdiction_id: str) -> list:
    """辖区现行法规的条款原文（按条拆分）"""
    current_actor()
    return cases.jurisdiction_articles(jurisdiction_id)


@blp.route("/jurisdictions/<string:jurisdiction_id>/coverage")
@blp.response(200, CoverageOut)
def coverage(jurisdiction_id: str) -> dict:
    """条款覆盖：每一条款由哪些流程元素实现，哪些条款没有元素引用"""
    current_actor()
    return cases.jurisdiction_coverage(jurisdiction_id)


@blp.route("/processes/<string:key>/start-form")
@blp.response(200, StartFormOut)
def start_form(key: str) -> dict:
    """发起表单：现行版本的申请表、界面配置、依据条款，以及当前用户可否发起"""
    return cases.start_form_view(current_actor(), key)


@blp.route("/processes/<string:key>/files")
@blp.arguments(VersionQuery, location="query")
@blp.response(200, ProcessFilesOut)
def files(args: dict, key: str) -> dict:
    """版本的流程包全部文件（BPMN、DMN、表单、清单、法规文本）"""
    current_actor()
    return cases.process_files(key, args.get("version"))


@blp.route("/processes/<string:key>/decisions")
@blp.arguments(VersionQuery, location="query")
@blp.response(200, ProcessDecisionsOut)
def decisions(args: dict, key: str) -> dict:
    """版本的决策表（文字版）：命中策略说明、中文列名、第N条规则、单元格的文字说明"""
    current_actor()
    return cases.process_decisions(key, args.get("version"))


@blp.route("/processes/<string:key>")
@blp.response(200, ProcessOut)
def process(key: str) -> dict:
    """流程及其全部版本"""
    current_actor()
    return cases.process_detail(key)


@blp.route("/processes/<string:key>/bpmn")
@blp.response(200, content_type="application/xml", description="BPMN XML（?file=* 为 JSON：每个图的 XML，按文件名）")
@blp.doc(responses={200: {"content": {  # both bodies it can answer with (schemathesis: content types)
    "application/xml": {"schema": {"type": "string"}},
    "application/json": {"schema": {"type": "object", "additionalProperties": {"type": "string"}}}}}})
def process_bpmn(key: str) -> Response:
    """流程图 BPMN XML（最新版本的主图；?file= 取包内其他图）"""
    from flask import request

    current_actor()
    version = request.args.get("version", type=int)
    files = cases.process_bpmn(key, version)
    wanted = request.args.get("file")
    if wanted is None:
        return Response(next(iter(files.values())), mimetype="application/xml")
    if wanted == "*":
        return Response(json.dumps(files, ensure_ascii=False), mimetype="application/json")
    if wanted not in files:
        raise NotFound(f"流程包中没有该图：{wanted}")
    return Response(files[wanted], mimetype="application/xml")
