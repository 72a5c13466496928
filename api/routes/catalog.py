from __future__ import annotations

from flask import Response, json
from flask_smorest import Blueprint

from engine import views

from ..auth import current_actor
from ..schemas import JurisdictionOut, ProcessOut

blp = Blueprint("catalog", __name__, url_prefix="/api/v1", description="辖区、流程与版本")


@blp.route("/jurisdictions")
@blp.response(200, JurisdictionOut(many=True))
def jurisdictions() -> list:
    """辖区及其流程、现行版本"""
    current_actor()
    return views.jurisdictions()


@blp.route("/processes/<string:key>")
@blp.response(200, ProcessOut)
def process(key: str) -> dict:
    """流程及其全部版本"""
    current_actor()
    return views.process_detail(key)


@blp.route("/processes/<string:key>/bpmn")
@blp.response(200, content_type="application/xml")
def process_bpmn(key: str) -> Response:
    """流程图 BPMN XML（最新版本的主图；?file= 取包内其他图）"""
    from flask import request

    current_actor()
    version = request.args.get("version", type=int)
    files = views.process_bpmn(key, version)
    wanted = request.args.get("file")
    if wanted is None:
        return Response(next(iter(files.values())), mimetype="application/xml")
    if wanted == "*":
        return Response(json.dumps(files, ensure_ascii=False), mimetype="application/json")
    if wanted not in files:
        from engine.errors import NotFound

        raise NotFound(f"流程包中没有该图：{wanted}")
    return Response(files[wanted], mimetype="application/xml")
