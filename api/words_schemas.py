"""Request and response shapes of the words API: timers and gateway conditions in words, a draft's vocabulary, a
decision table structured for editing in words."""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from .schemas import ID_MAX, DraftDetailOut

KINDS = ("working_days", "days", "months", "years", "quarter_end", "month_end", "date", "field")


class TimerWords(Schema):
    """A deadline as the regulation states it."""

    kind = fields.String(required=True, validate=validate.OneOf(KINDS), metadata={
        "description": "working_days 工作日 | days 天 | months 月 | years 年 | quarter_end 季度末 | month_end 月末 | "
                       "date 到某日 | field 到某日期字段"})
    n = fields.Integer(allow_none=True, load_default=None, metadata={"description": "数量（工作日、天、月、年）"})
    from_field = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=200), metadata={
        "description": "起算日期字段；空 = 自开始等待之日起；kind=field 时为截止日期字段"})
    date = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=10),
                         metadata={"description": "YYYY-MM-DD（kind=date）"})
    n_field = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=200),
                            metadata={"description": "数量取自案件中的字段（n 为空时）"})
    at = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(("start", "end")),
                       metadata={"description": "到期日当日开始（start）或结束（end）时触发"})
    working_day = fields.Boolean(load_default=False, metadata={"description": "遇节假日顺延至工作日"})


class TimerExpressionIn(Schema):
    expression = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    draft_id = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(min=1, max=ID_MAX))


class TimerWordsOut(Schema):
    words = fields.Nested(TimerWords, allow_none=True, metadata={"description": "无法用文字表达时为空"})
    sentence = fields.String(allow_none=True)


class TimerWordsIn(TimerWords):
    draft_id = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(min=1, max=ID_MAX))


class TimerSentenceOut(Schema):
    expression = fields.String()
    sentence = fields.String()


CONDITION_OPS = ("eq", "ne", "in", "not_in", "lt", "le", "gt", "ge", "true", "false")


class ConditionClause(Schema):
    """One test of a value the case holds."""

    field = fields.String(required=True, validate=validate.Length(min=1, max=64), metadata={
        "description": "数据项（GET /drafts/{id}/words 的 fields 之一，或决策表的结果）"})
    op = fields.String(required=True, validate=validate.OneOf(CONDITION_OPS), metadata={
        "description": "eq 为 | ne 不为 | in 属于 | not_in 不属于 | lt 低于 | le 不高于 | gt 高于 | ge 不低于 | "
                       "true 为是 | false 为否"})
    value = fields.Raw(allow_none=True, load_default=None, metadata={
        "description": "比较的值：选项的代码、数字（金额以元计）、YYYY-MM-DD，"
                       "或 {\"field\": 另一同类数据项}（两个数据项相比）"})
    values = fields.List(fields.Raw(), allow_none=True, load_default=None, validate=validate.Length(max=50),
                         metadata={"description": "in / not_in 时列出的值"})


class ConditionWords(Schema):
    """When a flow leaving a gateway is taken, as the regulation says it."""

    join = fields.String(load_default="and", validate=validate.OneOf(("and", "or")),
                         metadata={"description": "and 且 | or 或"})
    clauses = fields.List(fields.Nested(ConditionClause), required=True, validate=validate.Length(min=1, max=20))


class ConditionExpressionIn(Schema):
    expression = fields.String(load_default="", validate=validate.Length(max=4000), metadata={
        "description": "顺序流的条件表达式；空串只取可用的数据项"})
    draft_id = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(min=1, max=ID_MAX))


class ConditionWordsOut(Schema):
    words = fields.Nested(ConditionWords, allow_none=True, metadata={"description": "无法用文字表达时为空"})
    sentence = fields.String(allow_none=True)
    fields_ = fields.List(fields.Dict(), data_key="fields", attribute="fields", metadata={
        "description": "条件可判断的数据项 [{name, label, type, where 所在表单或决策表, options: [{value, label}]}]"})


class ConditionWordsIn(ConditionWords):
    draft_id = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(min=1, max=ID_MAX))


class ConditionSentenceOut(Schema):
    expression = fields.String()
    sentence = fields.String(allow_none=True)


class Named(Schema):
    class Meta:
        unknown = INCLUDE

    id = fields.String()
    name = fields.String()
    file = fields.String()


class DraftWordsOut(Schema):
    articles = fields.List(fields.Dict(), metadata={"description": "[{id 条款, text 原文}]"})
    date_fields = fields.List(fields.Dict(), metadata={"description": "[{name, label}]"})
    fields_ = fields.List(fields.Dict(), data_key="fields", attribute="fields", metadata={
        "description": "规则可读取的数据项 [{name, label, type: choice|amount|number|boolean|date|text}]"})
    forms = fields.List(fields.Dict(), metadata={"description": "[{file, title}]"})
    decisions = fields.List(fields.Nested(Named))
    processes = fields.List(fields.Nested(Named))
    roles = fields.List(fields.Dict(), metadata={"description": "[{id, name}]"})
    choices = fields.List(fields.Dict(), metadata={"description": "[{name, label, options: [{value, label}]}]"})


class DecisionTableOut(Schema):
    path = fields.String()
    revision = fields.Integer()
    decisions = fields.List(fields.Dict(), metadata={
        "description": "每个决策表：id、name、hit_policy（及其说明、可选策略）、inputs/outputs（label、variable、type："
                       "choice|amount|number|boolean|date|text、options）、rules（id、description 条文依据、"
                       "inputs/outputs 单元格 {op, values} 或 {op: raw, text}）"})


class DecisionTableIn(Schema):
    revision = fields.Integer(required=True, validate=validate.Range(min=1, max=ID_MAX))
    decisions = fields.List(fields.Dict(), required=True, validate=validate.Length(max=50))


class DecisionColumnIn(Schema):
    class Meta:
        unknown = INCLUDE  # what GET returned alongside (options, type_label) comes back unchanged

    id = fields.String(allow_none=True, load_default=None)
    label = fields.String(required=True, validate=validate.Length(min=1, max=200))
    variable = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=64))
    type = fields.String(required=True, validate=validate.OneOf(("choice", "amount", "number", "boolean", "date",
                                                                 "text")))


class DecisionTableNewIn(Schema):
    revision = fields.Integer(required=True, validate=validate.Range(min=1, max=ID_MAX))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    inputs = fields.List(fields.Nested(DecisionColumnIn), required=True, validate=validate.Length(min=1, max=30))
    outputs = fields.List(fields.Nested(DecisionColumnIn), load_default=list, validate=validate.Length(max=30))


class DecisionTableCreatedOut(DraftDetailOut):
    path = fields.String(metadata={"description": "新决策表文件在包内的路径"})
