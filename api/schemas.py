"""Request and response shapes (marshmallow); the OpenAPI document is generated from them."""

from __future__ import annotations

from datetime import datetime

from flask_smorest.fields import Upload
from marshmallow import INCLUDE, Schema, ValidationError, fields, validate, validates_schema

from engine.clock import LOCAL_TZ

# Row ids are 32-bit integer columns: a larger id in a path or query names nothing (404/422),
# it must never reach PostgreSQL, which would fail the whole statement.
ID_MAX = 2**31 - 1
ID_PATH = f"int(min=1, max={ID_MAX})"


class ProblemFieldOut(Schema):
    class Meta:
        unknown = INCLUDE  # bundle problems add file, element, line

    field = fields.String()
    message = fields.String()


class ProblemOut(Schema):
    """RFC 9457 problem details: every error response (application/problem+json)."""

    class Meta:
        unknown = INCLUDE  # e.g. `element` of a process error

    type = fields.String(required=True, metadata={"description": "机器可读的错误类型，如 /problems/form-invalid"})
    title = fields.String(required=True, metadata={"description": "中文标题"})
    status = fields.Integer(required=True)
    detail = fields.String()
    instance = fields.String()
    errors = fields.List(fields.Nested(ProblemFieldOut))


class LocalDateTime(fields.DateTime):
    """Stored in UTC; shown to staff in Asia/Shanghai, always with an explicit offset."""

    def _serialize(self, value: datetime | None, attr, obj, **kwargs):
        return None if value is None else value.astimezone(LOCAL_TZ).isoformat()


class TokenRequest(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1))
    password = fields.String(required=True, validate=validate.Length(min=1), load_only=True)


class TokenResponse(Schema):
    token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()


class RoleRef(Schema):
    jurisdiction = fields.String()
    role = fields.String()


class Me(Schema):
    username = fields.String()
    display_name = fields.String()
    unit = fields.String(allow_none=True)
    is_admin = fields.Boolean()
    roles = fields.List(fields.Nested(RoleRef))


class VersionOut(Schema):
    version = fields.Integer()
    status = fields.String(metadata={
        "description": "scheduled 待生效 | in_force 现行 | superseded 已被取代 | expired 已失效"})
    status_label = fields.String()
    effective_from = fields.Date()
    effective_until = fields.Date(allow_none=True)
    deployed_at = LocalDateTime()
    deployed_by = fields.String(allow_none=True)
    bundle_hash = fields.String()
    forced = fields.Boolean()
    cases = fields.Integer()
    cases_running = fields.Integer()


class ProcessOut(Schema):
    key = fields.String()
    name = fields.String()
    jurisdiction = fields.String()
    versions = fields.List(fields.Nested(VersionOut))
    start_role = fields.String(allow_none=True, metadata={"description": "发起角色（GET /jurisdictions）"})
    start_lane = fields.String(allow_none=True, metadata={"description": "发起泳道（GET /jurisdictions）"})
    can_start = fields.Boolean(metadata={"description": "当前用户可否发起（GET /jurisdictions）"})


class RoleOut(Schema):
    id = fields.String()
    name = fields.String()
    applicant = fields.Boolean()


class JurisdictionOut(Schema):
    id = fields.String()
    name = fields.String()
    regulation_title = fields.String()
    regulation_status = fields.String(metadata={"description": "in_force 现行有效；draft 征求意见稿"})
    regulation_status_label = fields.String(metadata={"description": "现行有效 / 征求意见稿"})
    effective_from = fields.String(allow_none=True, metadata={
        "description": "办法载明的施行日期；未载明（如征求意见稿）时为部署人选定的日期"})
    effective_from_stated = fields.Boolean(metadata={"description": "施行日期是否为办法本身载明"})
    effective_from_note = fields.String(allow_none=True, metadata={"description": "施行日期的来历"})
    roles = fields.List(fields.Nested(RoleOut))
    processes = fields.List(fields.Nested(ProcessOut))


class ArticleOut(Schema):
    article = fields.String(metadata={"description": "条款，如 第九条、五（一）"})
    text = fields.String(allow_none=True, metadata={"description": "条款原文（法规文本中没有时为空）"})


class TaskOut(Schema):
    id = fields.String()
    instance_id = fields.Integer()
    case_title = fields.String()
    process_key = fields.String()
    jurisdiction = fields.String()
    bpmn_id = fields.String()
    name = fields.String()
    lane = fields.String()
    role = fields.String()
    unit = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True, metadata={"description": "指定办理人（如抽取的专家）"})
    form = fields.String(allow_none=True)
    claimed_by = fields.String(allow_none=True)
    claimed_by_name = fields.String(allow_none=True, metadata={"description": "认领人：姓名（单位）"})
    assignee_name = fields.String(allow_none=True, metadata={"description": "指定办理人：姓名（单位）"})
    due_at = LocalDateTime(allow_none=True)
    overdue = fields.Boolean()
    ready_at = LocalDateTime()
    can_act = fields.Boolean(allow_none=True)


class TaskDetailOut(TaskOut):
    role_name = fields.String()
    documentation = fields.String()
    article = fields.String(allow_none=True)
    articles = fields.List(fields.Nested(ArticleOut), metadata={"description": "文档引用的全部条款及原文"})
    schema = fields.Dict(metadata={"description": "JSON Schema 2020-12 of the form"})
    ui_schema = fields.Dict(allow_none=True, metadata={"description": "react-jsonschema-form uiSchema"})
    prefill = fields.Dict()


class TaskListOut(Schema):
    items = fields.List(fields.Nested(TaskOut))
    total = fields.Integer(metadata={"description": "待办总数，最多计到 1000"})
    total_capped = fields.Boolean(metadata={"description": "true：待办超过 1000 件，total 只计到 1000"})


class TaskQuery(Schema):
    process_key = fields.String()
    jurisdiction = fields.String()
    instance_id = fields.Integer(validate=validate.Range(min=1, max=ID_MAX))
    overdue = fields.Boolean()
    claimed = fields.String(validate=validate.OneOf(["me", "unclaimed", "any"]))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=ID_MAX))


class CompleteIn(Schema):
    data = fields.Dict(required=True, keys=fields.String())


class CompleteQuery(Schema):
    view = fields.String(load_default="full", validate=validate.OneOf(["full", "summary"]), metadata={
        "description": "full：完整案件（默认）；summary：只含状态、结束节点与当前待办（不含案件数据与办理记录）"})


class AssignIn(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1))
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class StartIn(Schema):
    process_key = fields.String(required=True, validate=validate.Length(min=1))
    data = fields.Dict(keys=fields.String(), load_default=dict)
    version = fields.Integer(validate=validate.Range(min=1, max=ID_MAX))


class InstanceOut(Schema):
    id = fields.Integer()
    process_key = fields.String()
    version = fields.Integer()
    jurisdiction = fields.String()
    title = fields.String()
    status = fields.String()
    applicant_unit = fields.String(allow_none=True)
    started_by = fields.String()
    started_at = LocalDateTime()
    updated_at = LocalDateTime()
    completed_at = LocalDateTime(allow_none=True)
    next_due_at = LocalDateTime(allow_none=True)
    error = fields.String(allow_none=True)


class StepOut(Schema):
    task_id = fields.String(allow_none=True)
    bpmn_id = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    by = fields.String()
    by_name = fields.String(metadata={"description": "办理人：姓名（单位）"})
    at = LocalDateTime()
    action = fields.String()


class InstanceDetailOut(InstanceOut):
    outcome = fields.String(allow_none=True, metadata={"description": "结束节点名称（已办结案件）"})
    started_by_name = fields.String(metadata={"description": "发起人：姓名（单位）"})
    withdrawable_task_id = fields.String(allow_none=True, metadata={
        "description": "当前用户此刻可以撤回的已办任务（本人最近办理、后续环节尚未认领）；无则为空"})
    data = fields.Dict()
    open_tasks = fields.List(fields.Nested(TaskOut))
    completed_steps = fields.List(fields.Nested(StepOut))


class InstanceListItemOut(InstanceOut):
    current_steps = fields.List(fields.String(), metadata={"description": "当前所在环节：办理部门 · 环节"})


class InstanceListOut(Schema):
    items = fields.List(fields.Nested(InstanceListItemOut))
    total = fields.Integer()


class DoneTaskOut(Schema):
    task_id = fields.String()
    name = fields.String(metadata={"description": "环节名称"})
    lane = fields.String(allow_none=True, metadata={"description": "办理部门"})
    at = LocalDateTime(metadata={"description": "办结时间"})
    instance_id = fields.Integer()
    case_title = fields.String()
    process_key = fields.String()
    status = fields.String()


class DoneTaskListOut(Schema):
    items = fields.List(fields.Nested(DoneTaskOut))
    total = fields.Integer()


class PageQuery(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=ID_MAX))


class UrgeOut(Schema):
    task_id = fields.String()
    urged_at = LocalDateTime()


class InstanceQuery(Schema):
    process_key = fields.String()
    status = fields.String(validate=validate.OneOf(["running", "completed", "error", "suspended", "terminated"]))
    unit = fields.String()
    mine = fields.Boolean(load_default=False, metadata={"description": "true：只列本人发起的案件（我发起的）"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=ID_MAX))


class AuditOut(Schema):
    id = fields.Integer()
    at = LocalDateTime()
    actor = fields.String()
    actor_name = fields.String(metadata={"description": "操作人：姓名（单位）"})
    text = fields.String(metadata={"description": "发生了什么，一句中文"})
    action = fields.String()
    instance_id = fields.Integer(allow_none=True)
    task_id = fields.String(allow_none=True)
    bpmn_id = fields.String(allow_none=True)
    detail = fields.Dict()
    hash = fields.String()


class PersonOut(Schema):
    name = fields.String(metadata={"description": "姓名"})
    unit = fields.String(allow_none=True, metadata={"description": "单位"})
    label = fields.String(metadata={"description": "展示用：姓名（单位）"})


class DocumentOut(Schema):
    id = fields.String()
    name = fields.String(metadata={"description": "文件名（如《调研报告.pdf》）"})
    kind = fields.String(metadata={"description": "类型，如 PDF"})
    size = fields.String(metadata={"description": "大小，如 1.2 MB"})
    sha256 = fields.String()
    media_type = fields.String()
    content_url = fields.String()
    preview = fields.Boolean(metadata={"description": "浏览器可直接预览（PDF）"})


class RecordFieldOut(Schema):
    label = fields.String(metadata={"description": "表单中的字段名称"})
    value = fields.String(metadata={"description": "展示值（选项名称、金额（万元）、日期、文件名）"})
    long = fields.Boolean(metadata={"description": "长文本（意见、说明）"})
    documents = fields.List(fields.Nested(DocumentOut))


class SubmissionOut(Schema):
    step = fields.String(metadata={"description": "环节名称"})
    office = fields.String(allow_none=True, metadata={"description": "办理部门（泳道）"})
    by = fields.Nested(PersonOut)
    at = LocalDateTime()
    form_title = fields.String()
    fields_ = fields.List(fields.Nested(RecordFieldOut), data_key="fields", attribute="fields")
    decision = fields.String(allow_none=True)
    opinion = fields.String(allow_none=True)
    documents = fields.List(fields.Nested(DocumentOut))


class TimelineOut(Schema):
    action = fields.String(metadata={"description": "操作类别（供程序使用，不直接展示）"})
    step = fields.String()
    office = fields.String(allow_none=True)
    by = fields.Nested(PersonOut)
    at = LocalDateTime()
    text = fields.String(metadata={"description": "发生了什么，一句中文"})
    decision = fields.String(allow_none=True)
    opinion = fields.String(allow_none=True)
    documents = fields.List(fields.Nested(DocumentOut))


class DerivedOut(Schema):
    label = fields.String(metadata={"description": "数据字典中的中文名称"})
    value = fields.String(metadata={"description": "展示值"})


class RecordOut(Schema):
    instance_id = fields.Integer()
    title = fields.String()
    process_name = fields.String()
    applicant_unit = fields.String(allow_none=True)
    started_by = fields.Nested(PersonOut)
    started_at = LocalDateTime()
    submissions = fields.List(fields.Nested(SubmissionOut), metadata={"description": "按提交顺序的各环节表单"})
    timeline = fields.List(fields.Nested(TimelineOut), metadata={"description": "流转记录"})
    documents = fields.List(fields.Nested(DocumentOut), metadata={"description": "案件的全部文件"})
    derived = fields.List(fields.Nested(DerivedOut), metadata={
        "description": "系统判定：流程推导出的、流程包数据字典中列出的值（如决策表结论），以中文显示"})


class HealthOut(Schema):
    status = fields.String()
    database = fields.String()
    jurisdictions = fields.Integer()


class ReasonIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class MessageIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1))
    data = fields.Dict(keys=fields.String(), load_default=dict)


class NoticeOut(Schema):
    id = fields.Integer()
    instance_id = fields.Integer()
    case_title = fields.String()
    message = fields.String()
    role = fields.String()
    created_at = LocalDateTime()
    read = fields.Boolean()


class NoticeQuery(Schema):
    unread = fields.Boolean(load_default=False)


class DeploymentFileIn(Schema):
    file = Upload(required=True, metadata={"description": "流程包 zip：manifest.json、BPMN、DMN 与 forms/ 目录"})


class DeploymentFormIn(Schema):
    effective_from = fields.Date(metadata={"description": "生效日期（默认取清单中的 regulation.effective_from）"})
    effective_until = fields.Date(metadata={"description": "失效日期（含当日；可空）"})
    force = fields.Boolean(load_default=False, metadata={"description": "模拟运行有问题时仍然部署"})
    dry_run = fields.Boolean(load_default=False, metadata={"description": "只校验和模拟运行，不部署"})
    simulate = fields.Boolean(load_default=True, metadata={"description": "部署前模拟运行所有路径"})


class ProcessVersionRef(Schema):
    process_key = fields.String()
    version = fields.Integer()


class DeploymentOut(Schema):
    jurisdiction = fields.String()
    bundle_hash = fields.String()
    dry_run = fields.Boolean()
    forced = fields.Boolean()
    effective_from = fields.Date()
    effective_until = fields.Date(allow_none=True)
    created = fields.List(fields.Nested(ProcessVersionRef))
    unchanged = fields.List(fields.Nested(ProcessVersionRef))
    simulation = fields.Dict(allow_none=True)


class RescheduleIn(Schema):
    effective_from = fields.Date()
    effective_until = fields.Date(allow_none=True)

    @validates_schema
    def _something_to_change(self, data: dict, **_kwargs) -> None:
        """A PATCH without a body (or an empty one) changes nothing: refused, not a silent 200."""
        if not data:
            raise ValidationError("请至少提供 effective_from 或 effective_until 之一")


class SimulationOut(Schema):
    version = fields.Integer()
    forced = fields.Boolean()
    report = fields.Dict(allow_none=True)


class DiffDetailOut(Schema):
    label = fields.String()
    before = fields.String(allow_none=True)
    after = fields.String(allow_none=True)


class DiffChangeOut(Schema):
    area = fields.String()
    kind = fields.String()
    change = fields.String()
    file = fields.String(allow_none=True)
    element = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    process = fields.String(allow_none=True)
    decision = fields.String(allow_none=True)
    form = fields.String(allow_none=True)
    articles = fields.List(fields.String())
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)
    details = fields.List(fields.Nested(DiffDetailOut), metadata={"description": "修改前 → 修改后，逐项用文字说明"})
    summary = fields.String()


class DiffOut(Schema):
    process_key = fields.String()
    from_version = fields.Integer()
    to_version = fields.Integer()
    changes = fields.List(fields.Nested(DiffChangeOut))
    summary = fields.List(fields.String())
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())


class MigrationIn(Schema):
    to_version = fields.Integer(required=True, validate=validate.Range(min=1, max=ID_MAX))
    instance_ids = fields.List(fields.Integer(validate=validate.Range(min=1, max=ID_MAX)),
                               metadata={"description": "要迁移的案件；试运行时省略表示该版本的全部在办案件"})
    task_mapping = fields.Dict(keys=fields.String(), values=fields.String(), load_default=dict,
                               metadata={"description": "旧版本元素 id → 新版本元素 id（旧任务被删除或改名时）"})
    apply = fields.Boolean(load_default=False,
                           metadata={"description": "false：试运行，逐案报告能否迁移；true：执行迁移"})


class MigrationCaseOut(Schema):
    instance_id = fields.Integer()
    title = fields.String()
    can_migrate = fields.Boolean()
    migrated = fields.Boolean()
    migration_id = fields.Integer(allow_none=True)
    open_tasks = fields.List(fields.String())
    reasons = fields.List(fields.String())
    notes = fields.List(fields.String())
    changes = fields.Dict()
    error = fields.String()


class MigrationOut(Schema):
    process_key = fields.String()
    from_version = fields.Integer()
    to_version = fields.Integer()
    task_mapping = fields.Dict(keys=fields.String(), values=fields.String())
    cases = fields.List(fields.Nested(MigrationCaseOut))
    movable = fields.Integer()
    migrated = fields.Integer()


class RevertOut(Schema):
    migration_id = fields.Integer()
    instance_id = fields.Integer()
    reverted = fields.Boolean()
    version = fields.Integer()


class DiagramProcessOut(Schema):
    process_id = fields.String()
    name = fields.String()
    file = fields.String(allow_none=True, metadata={"description": "包内 BPMN 文件（GET /processes/{key}/bpmn?file=）"})
    completed = fields.List(fields.String(), metadata={"description": "已完成的元素 id"})
    active = fields.List(fields.String(), metadata={"description": "当前令牌：待办任务、进行中的子流程"})
    waiting_timers = fields.List(fields.String(), metadata={"description": "等待中的定时器事件"})
    called = fields.Dict(keys=fields.String(), values=fields.String(),
                         metadata={"description": "调用活动/子流程 id → 其流程 id"})
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={"description": "元素完成次数"})


class DiagramOut(Schema):
    process_key = fields.String()
    version = fields.Integer()
    processes = fields.List(fields.Nested(DiagramProcessOut), metadata={"description": "主流程在前"})


class StartFormOut(Schema):
    process_key = fields.String()
    version = fields.Integer()
    name = fields.String()
    jurisdiction = fields.String()
    lane = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    can_start = fields.Boolean()
    schema = fields.Dict()
    ui_schema = fields.Dict(allow_none=True)
    documentation = fields.String()
    articles = fields.List(fields.Nested(ArticleOut))


class CandidateOut(Schema):
    username = fields.String()
    display_name = fields.String()
    unit = fields.String(allow_none=True)


class CoverageElementOut(Schema):
    file = fields.String()
    element = fields.String()
    name = fields.String()


class CoverageArticleOut(Schema):
    article = fields.String()
    elements = fields.List(fields.Nested(CoverageElementOut))
    note = fields.String(allow_none=True, metadata={"description": "无元素实现时的说明（无流程效果或解释与取舍）"})
    covered = fields.Boolean(metadata={"description": "有元素实现，或有说明，或其各项均已覆盖"})


class CoverageOut(Schema):
    articles = fields.List(fields.Nested(CoverageArticleOut))
    uncited = fields.List(fields.String(), metadata={"description": "既无元素实现、也无说明的条款"})


class VersionQuery(Schema):
    version = fields.Integer(validate=validate.Range(min=1, max=ID_MAX),
                             metadata={"description": "版本号（默认现行版本）"})


class ProcessFilesOut(Schema):
    process_key = fields.String()
    version = fields.Integer()
    bundle_hash = fields.String()
    files = fields.Dict(keys=fields.String(), values=fields.String(), metadata={"description": "包内路径 → 文本"})


class DecisionCellOut(Schema):
    text = fields.String(metadata={
        "description": "单元格的文字（软件项目、低于 10 万元、是、任意）；raw 时为表达式原文"})
    raw = fields.Boolean(metadata={
        "description": "无法转述为文字：text 为表达式原文（页面以代码样式、标注「表达式」显示）"})


class DecisionColumnOut(Schema):
    label = fields.String(metadata={"description": "列的中文名称"})


class DecisionRuleOut(Schema):
    number = fields.Integer(metadata={"description": "规则序号，自 1 起"})
    label = fields.String(metadata={"description": "如 第1条"})
    description = fields.String(metadata={"description": "规则说明（可为空）"})
    inputs = fields.List(fields.Nested(DecisionCellOut), metadata={"description": "条件，按列的顺序"})
    outputs = fields.List(fields.Nested(DecisionCellOut), metadata={"description": "结果，按列的顺序"})


class DecisionOut(Schema):
    name = fields.String(metadata={"description": "决策的中文名称"})
    description = fields.String(metadata={"description": "决策说明（可为空）"})
    hit_policy = fields.String(metadata={"description": "命中策略的中文名称，如 首条命中"})
    hit_policy_text = fields.String(metadata={"description": "命中策略的一句话说明"})
    inputs = fields.List(fields.Nested(DecisionColumnOut), metadata={"description": "条件列"})
    outputs = fields.List(fields.Nested(DecisionColumnOut), metadata={"description": "结果列"})
    rules = fields.List(fields.Nested(DecisionRuleOut))
    raw_cells = fields.Integer(metadata={"description": "无法转述为文字的单元格数"})


class DecisionFileOut(Schema):
    file = fields.String(metadata={"description": "包内路径（供程序对应文件，不向用户展示）"})
    title = fields.String(metadata={"description": "决策表文件的中文名称"})
    decisions = fields.List(fields.Nested(DecisionOut))


class ProcessDecisionsOut(Schema):
    process_key = fields.String()
    version = fields.Integer()
    files = fields.List(fields.Nested(DecisionFileOut), metadata={"description": "流程包中的决策表文件，按清单顺序"})


class DraftOut(Schema):
    id = fields.Integer()
    jurisdiction = fields.String()
    jurisdiction_name = fields.String(allow_none=True, metadata={"description": "草稿清单中的辖区名称"})
    new_jurisdiction = fields.Boolean(metadata={"description": "是否为新建辖区的草稿（部署后才有该辖区）"})
    title = fields.String()
    status = fields.String(metadata={"description": "editing 编辑中 | deployed 已部署"})
    revision = fields.Integer(metadata={"description": "修订号：保存文件时带上，过期则 409"})
    created_by = fields.String()
    created_at = LocalDateTime()
    updated_at = LocalDateTime()
    base_bundle_hash = fields.String(allow_none=True, metadata={"description": "复制自的流程包（新建辖区为空）"})
    deployed_bundle_hash = fields.String(allow_none=True)


class DraftDetailOut(DraftOut):
    files = fields.Dict(keys=fields.String(), values=fields.String(), metadata={"description": "包内路径 → 文本"})
    validation = fields.Dict(allow_none=True, metadata={"description": "最近一次校验报告"})


class DraftFileIn(Schema):
    content = fields.String(required=True)
    revision = fields.Integer(required=True, validate=validate.Range(min=1, max=ID_MAX))


class DraftRevisionQuery(Schema):
    revision = fields.Integer(validate=validate.Range(min=1, max=ID_MAX))


class BundleProblemOut(Schema):
    file = fields.String(allow_none=True)
    element = fields.String(allow_none=True)
    line = fields.Integer(allow_none=True)
    message = fields.String()


class DraftValidationOut(Schema):
    ok = fields.Boolean()
    revision = fields.Integer(metadata={"description": "校验时草稿的修订号"})
    validated_at = fields.String()
    problems = fields.List(fields.Nested(BundleProblemOut))
    simulation = fields.Dict(allow_none=True, metadata={
        "description": "模拟运行报告：ok、findings（每项问题及其元素）、processes（每个流程：探索的状态数、"
                       "走完的路径数、到达的结束事件，visited_elements 为模拟路径经过的元素 id）"})
    diff = fields.Nested(DiffOut, allow_none=True, metadata={"description": "现行流程包 → 草稿"})


class DraftDeployIn(Schema):
    effective_from = fields.Date(metadata={"description": "生效日期（默认取清单中的 regulation.effective_from）"})
    effective_until = fields.Date(allow_none=True, metadata={"description": "失效日期（含当日；可空）"})
    force = fields.Boolean(load_default=False, metadata={"description": "模拟运行有问题时仍然部署"})


# Attachments (documents uploaded for form fields)
class AttachmentFileIn(Schema):
    file = Upload(required=True, metadata={"description": "上传的文件"})


class AttachmentFormIn(Schema):
    field = fields.String(required=True, validate=validate.Length(min=1, max=200),
                          metadata={"description": "表单中的附件字段名（多个附件的数组字段用数组名）"})
    task_id = fields.String(validate=validate.Length(min=1, max=36), metadata={"description": "任务表单的任务 id"})
    process_key = fields.String(validate=validate.Length(min=1, max=100),
                                metadata={"description": "发起表单所属流程（与 task_id 二选一）"})


class AttachmentOut(Schema):
    id = fields.String(metadata={"description": "附件 id（32 位十六进制），即表单中该字段的值"})
    filename = fields.String()
    media_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    field = fields.String()
    task_id = fields.String(allow_none=True)
    instance_id = fields.Integer(allow_none=True, metadata={"description": "所属案件（表单提交后）"})
    process_key = fields.String()
    uploaded_by = fields.String()
    uploaded_by_name = fields.String(metadata={"description": "上传人：姓名（单位）"})
    uploaded_at = LocalDateTime()
    bound_at = LocalDateTime(allow_none=True)
    content_url = fields.String()
