"""The engine's error hierarchy.

Every error a caller can cause is an `EngineError` with an HTTP status, a stable machine
`type` slug and a Chinese `title`; `api/` maps them once to RFC 9457 problem responses.
"""

from __future__ import annotations

from typing import Any


class EngineError(Exception):
    status: int = 400
    type: str = "bad-request"
    title: str = "请求有误"

    def __init__(self, detail: str = "", *, errors: list[dict[str, Any]] | None = None, **extra: Any):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors or []
        self.extra = extra


class InvalidInput(EngineError):
    status, type, title = 400, "invalid-input", "请求内容有误"


class Unauthorized(EngineError):
    status, type, title = 401, "unauthorized", "未登录或登录已失效"


class LoginFailed(Unauthorized):
    """A login with an unknown username or a wrong password (the two are not told apart)."""

    type, title = "login-failed", "用户名或密码错误"


class Forbidden(EngineError):
    status, type, title = 403, "forbidden", "无权执行此操作"


class NotFound(EngineError):
    status, type, title = 404, "not-found", "未找到请求的资源"


class Conflict(EngineError):
    status, type, title = 409, "conflict", "操作冲突，请刷新后重试"


class NotUrgeable(Conflict):
    """催办 refused: the task is not overdue, or was urged less than a day ago."""

    type, title = "not-urgeable", "不能催办"


class NotWithdrawable(Conflict):
    """撤回 refused: a later step was done or claimed, or the case is no longer running."""

    type, title = "not-withdrawable", "不能撤回"


class TaskNotOpen(Conflict):
    type, title = "task-not-open", "该任务已办结或当前不可办理"


class TaskClaimedByOther(Conflict):
    type, title = "task-claimed", "该任务已被他人认领"


class FormInvalid(EngineError):
    """Submitted form data does not satisfy the task's JSON Schema; `errors` name each field."""

    status, type, title = 422, "form-invalid", "表单填写有误"


class BundleInvalid(EngineError):
    """A regulation bundle failed validation; `errors` list file, element, line and message."""

    status, type, title = 422, "bundle-invalid", "流程包校验未通过"


class SimulationFindings(BundleInvalid):
    """The bundle is valid but its simulation found dead ends, unmatched gateways or decision
    tables, or script errors; `errors` list them with the element. Deploying needs `force`."""

    type, title = "simulation-findings", "流程包模拟运行发现问题"


class ProcessError(EngineError):
    """The diagram could not be executed with this case's data (names the element)."""

    status, type, title = 422, "process-error", "流程执行出错"


class AttachmentTampered(Conflict):
    """A stored document no longer matches the SHA-256 recorded at upload (or is gone): it is
    never served, and the refusal is audited."""

    type, title = "attachment-tampered", "附件已被篡改或损坏"


class StoreUnavailable(EngineError):
    """The attachment store (a folder or an S3-compatible bucket) cannot be read or written."""

    status, type, title = 503, "attachment-store-unavailable", "附件存储暂不可用"


class DatabaseUnavailable(EngineError):
    """The database cannot be reached or dropped the connection (restart, failover, network).
    Nothing was committed; the client may retry after `retry_after` seconds."""

    status, type, title = 503, "database-unavailable", "数据库暂不可用，请稍后重试"

    def __init__(self, detail: str = "", *, retry_after: int = 5, **extra: Any):
        super().__init__(detail, **extra)
        self.retry_after = retry_after


class PayloadTooLarge(EngineError):
    """A request body over the limit for its kind (e.g. a JSON body), refused before parsing."""

    status, type, title = 413, "payload-too-large", "请求内容过大"


class TooManyRequests(EngineError):
    """A username that must still wait after its last failed logins, or a client address with
    very many failures lately; `retry_after` in seconds becomes the Retry-After header."""

    status, type, title = 429, "too-many-requests", "登录尝试过于频繁，请稍后再试"

    def __init__(self, detail: str = "", *, retry_after: int = 60, **extra: Any):
        super().__init__(detail, **extra)
        self.retry_after = retry_after
