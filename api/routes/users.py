"""User administration (administrators only): accounts, their units and the offices they hold."""

from __future__ import annotations

from flask_smorest import Blueprint

from engine import revisions

from ..auth import current_actor
from ..users_schemas import JurisdictionOfficesOut, UserIn, UserOut, UserPatchIn

blp = Blueprint("users", __name__, url_prefix="/api/v1/users", description="用户管理（仅管理员）")


@blp.route("", methods=["GET"])
@blp.response(200, UserOut(many=True))
def list_() -> list:
    """全部用户：姓名、单位、所属机构、是否停用（不含密码）"""
    return revisions.list_accounts(current_actor())


@blp.route("", methods=["POST"])
@blp.arguments(UserIn)
@blp.response(201, UserOut)
def create(args: dict) -> dict:
    """新建用户：登录名、姓名、单位、初始密码（至少 8 位）、各辖区所属机构"""
    return revisions.create_account(current_actor(), args)


@blp.route("/<string(maxlength=64):username>", methods=["PATCH"])
@blp.arguments(UserPatchIn)
@blp.response(200, UserOut)
def update(args: dict, username: str) -> dict:
    """修改用户：姓名、单位、密码、所属机构、停用或启用（只改所填的项）"""
    return revisions.update_account(current_actor(), username, args)


@blp.route("/offices", methods=["GET"])
@blp.response(200, JurisdictionOfficesOut(many=True))
def offices() -> list:
    """可分配的机构：已部署的辖区和正在新建的辖区，各自的机构"""
    return revisions.office_directory(current_actor())
