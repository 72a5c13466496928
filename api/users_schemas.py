"""Request and response shapes for user administration (administrators only). A password
is only ever written, never returned, nor its hash."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .schemas import LocalDateTime

USERNAME = validate.Regexp(r"^[A-Za-z0-9_.-]+$", error="登录名只能由字母、数字、下划线、点和连字符组成")


class RoleIn(Schema):
    jurisdiction = fields.String(required=True, validate=validate.Length(min=1, max=64))
    role = fields.String(required=True, validate=validate.Length(min=1, max=64))


class RoleHeldOut(RoleIn):
    jurisdiction_name = fields.String()
    office = fields.String(metadata={"description": "机构名称"})


class UserIn(Schema):
    username = fields.String(required=True, validate=[validate.Length(min=2, max=64), USERNAME],
                             metadata={"description": "登录名（由管理员输入）"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=100), metadata={"description": "姓名"})
    unit = fields.String(load_default="", validate=validate.Length(max=200), metadata={"description": "单位"})
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=200),
                             metadata={"description": "初始密码（至少 8 位）"})
    roles = fields.List(fields.Nested(RoleIn), load_default=list, metadata={"description": "各辖区中所属机构"})
    active = fields.Boolean(load_default=True)


class UserPatchIn(Schema):
    name = fields.String(validate=validate.Length(min=1, max=100))
    unit = fields.String(validate=validate.Length(max=200))
    password = fields.String(load_only=True, validate=validate.Length(max=200), metadata={"description": "新密码"})
    roles = fields.List(fields.Nested(RoleIn))
    active = fields.Boolean(metadata={"description": "停用后不能登录，已登录的会话立即失效"})


class UserOut(Schema):
    username = fields.String()
    name = fields.String()
    unit = fields.String(allow_none=True)
    label = fields.String(metadata={"description": "姓名（单位）"})
    is_admin = fields.Boolean()
    active = fields.Boolean()
    created_at = LocalDateTime()
    roles = fields.List(fields.Nested(RoleHeldOut))


class OfficeRefOut(Schema):
    role = fields.String()
    name = fields.String()


class JurisdictionOfficesOut(Schema):
    jurisdiction = fields.String()
    jurisdiction_name = fields.String()
    pending = fields.Boolean(metadata={"description": "尚在新建、未部署的辖区"})
    units = fields.List(fields.String(), metadata={"description": "辖区清单中列出的单位"})
    offices = fields.List(fields.Nested(OfficeRefOut))
