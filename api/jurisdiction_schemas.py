"""Request and response shapes for a jurisdiction drafted from nothing: the new draft, its
organisation (offices and units in words) and a new process."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

MAX_REGULATION_CHARS = 500_000


class NewJurisdictionIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100),
                         metadata={"description": "辖区名称，如「某某县」"})
    regulation_title = fields.String(required=True, validate=validate.Length(min=1, max=300),
                                     metadata={"description": "办法名称"})
    regulation_text = fields.String(required=True, validate=validate.Length(min=1, max=MAX_REGULATION_CHARS),
                                    metadata={"description": "办法全文（按「第一条」或「一、」分条）"})
    effective_from = fields.Date(load_default=None, metadata={"description": "施行日期（默认今天；部署时可另定）"})


class ArticlesPreviewIn(Schema):
    regulation_text = fields.String(required=True, validate=validate.Length(max=MAX_REGULATION_CHARS))


class ArticlePreviewOut(Schema):
    article = fields.String(metadata={"description": "条款，如「第三条」「五（一）」"})
    text = fields.String()


class DraftCreateIn(Schema):
    jurisdiction = fields.String(validate=validate.Length(min=1, max=64),
                                 metadata={"description": "修订现行辖区：辖区标识"})
    new_jurisdiction = fields.Nested(NewJurisdictionIn, metadata={"description": "新建辖区：名称、办法名称与正文"})
    title = fields.String(load_default="", validate=validate.Length(max=300))

    @validates_schema
    def one_of(self, data: dict, **_: object) -> None:
        if ("jurisdiction" in data) == ("new_jurisdiction" in data):
            raise ValidationError("须且只能填写 jurisdiction（修订现行辖区）或 new_jurisdiction（新建辖区）之一",
                                  field_name="jurisdiction")


class OfficeIn(Schema):
    role = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64),
                         metadata={"description": "已有机构的内部标识（新机构留空，由服务器生成）"})
    name = fields.String(required=True, validate=validate.Length(max=100),
                         metadata={"description": "机构名称（泳道名）"})
    applicant = fields.Boolean(load_default=False, metadata={"description": "是否为申报单位"})
    case_control = fields.Boolean(load_default=False, metadata={"description": "可否暂停、恢复、终止案件"})


class OfficeOut(Schema):
    role = fields.String()
    name = fields.String()
    applicant = fields.Boolean()
    case_control = fields.Boolean()
    lanes = fields.List(fields.String(), metadata={"description": "映射到该机构的泳道名"})


class OrganisationIn(Schema):
    offices = fields.List(fields.Nested(OfficeIn), required=True, validate=validate.Length(max=100))
    units = fields.List(fields.String(validate=validate.Length(max=200)), load_default=list,
                        validate=validate.Length(max=500))
    revision = fields.Integer(load_default=None, validate=validate.Range(min=1),
                              metadata={"description": "草稿修订号（他人已保存时 409）"})


class OrganisationOut(Schema):
    jurisdiction_name = fields.String()
    offices = fields.List(fields.Nested(OfficeOut))
    units = fields.List(fields.String())
    revision = fields.Integer()


class ProcessIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100), metadata={"description": "流程名称"})
    revision = fields.Integer(load_default=None, validate=validate.Range(min=1))


class TitleFieldOut(Schema):
    field = fields.String(metadata={"description": "开始表单中的字段（内部名，不显示）"})
    label = fields.String(metadata={"description": "字段的中文名称"})


class ProcessTitleOut(Schema):
    key = fields.String(metadata={"description": "流程的内部标识（不显示）"})
    name = fields.String(metadata={"description": "流程名称"})
    start_form = fields.Boolean(metadata={"description": "开始事件是否已有申请表单"})
    title_field = fields.String(allow_none=True, metadata={"description": "案件标题取自的字段（未设置为空）"})
    title_label = fields.String(allow_none=True, metadata={"description": "该字段的中文名称"})
    fields_ = fields.List(fields.Nested(TitleFieldOut), data_key="fields", attribute="fields",
                          metadata={"description": "开始表单中可作案件标题的文字字段"})


class DraftProcessesOut(Schema):
    processes = fields.List(fields.Nested(ProcessTitleOut))
    revision = fields.Integer()


class CaseTitleIn(Schema):
    title_field = fields.String(required=True, allow_none=True, validate=validate.Length(min=1, max=100),
                                metadata={"description": "案件标题取自开始表单的哪个字段（null 为不设置）"})
    revision = fields.Integer(load_default=None, validate=validate.Range(min=1),
                              metadata={"description": "草稿修订号（他人已保存时 409）"})
