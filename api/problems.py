"""RFC 9457 problem responses: every error leaves the API in this one shape."""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Response, json, request
from werkzeug.exceptions import HTTPException

from engine.db import is_database_unavailable
from engine.errors import DatabaseUnavailable, EngineError

log = logging.getLogger(__name__)
PROBLEM_TYPE_BASE = "/problems/"

HTTP_TITLES = {
    400: ("bad-request", "请求有误"),
    401: ("unauthorized", "未登录或登录已失效"),
    403: ("forbidden", "无权执行此操作"),
    404: ("not-found", "未找到请求的资源"),
    405: ("method-not-allowed", "不支持该请求方法"),
    409: ("conflict", "操作冲突，请刷新后重试"),
    413: ("payload-too-large", "请求内容过大"),
    415: ("unsupported-media-type", "请求内容类型应为 application/json"),
    429: ("too-many-requests", "请求过于频繁，请稍后再试"),
    422: ("invalid-request", "请求参数有误"),
    500: ("internal-error", "服务器内部错误"),
}

# marshmallow's messages are English; staff see Chinese.
MESSAGES = {
    "Missing data for required field.": "此项为必填项",
    "Unknown field.": "未定义的字段",
    "Field may not be null.": "不能为空",
    "Not a valid string.": "应为文本",
    "Not a valid integer.": "应为整数",
    "Not a valid number.": "应为数字",
    "Not a valid boolean.": "应为是/否（布尔值）",
    "Not a valid mapping type.": "应为 JSON 对象",
    "Not a valid list.": "应为列表",
    "Not a valid datetime.": "应为日期时间",
    "Not a valid date.": "应为日期（YYYY-MM-DD）",
    "Invalid input type.": "输入类型无效",
    "Invalid value.": "取值无效",
    "Shorter than minimum length 1.": "不能为空",
}
# marshmallow's parametrised messages, as (pattern, Chinese template).
PATTERNS = [
    (re.compile(r"Must be greater than or equal to (\S+) and less than or equal to (\S+)\."), "须在 {0} 至 {1} 之间"),
    (re.compile(r"Must be greater than or equal to (\S+)\."), "不能小于 {0}"),
    (re.compile(r"Must be less than or equal to (\S+)\."), "不能大于 {0}"),
    (re.compile(r"Longer than maximum length (\d+)\."), "长度不能超过 {0}"),
    (re.compile(r"Shorter than minimum length (\d+)\."), "长度不能少于 {0}"),
    (re.compile(r"Must be one of: (.*)\."), "须为以下之一：{0}"),
]


def chinese(message: str) -> str:
    if message in MESSAGES:
        return MESSAGES[message]
    for pattern, template in PATTERNS:
        match = pattern.fullmatch(message)
        if match:
            return template.format(*match.groups())
    return message


def problem(status: int, type_: str, title: str, detail: str = "", **extra: Any) -> Response:
    body = {"type": PROBLEM_TYPE_BASE + type_, "title": title, "status": status,
            "detail": detail or title, "instance": request.path, **extra}
    return Response(json.dumps(body, ensure_ascii=False), status=status,
                    mimetype="application/problem+json")


def from_engine(exc: EngineError) -> Response:
    extra: dict[str, Any] = {}
    if exc.errors:
        extra["errors"] = exc.errors
    extra.update({k: v for k, v in exc.extra.items() if v is not None})
    response = problem(exc.status, exc.type, exc.title, exc.detail, **extra)
    if getattr(exc, "retry_after", None):
        response.headers["Retry-After"] = str(exc.retry_after)  # 429: when to try again
    return response


def _flatten(messages: Any, prefix: str = "") -> list[dict[str, str]]:
    """webargs nests messages by location and field; staff need `field` + Chinese text."""
    out: list[dict[str, str]] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key in ("json", "query", "form", "files", "headers", "view_args") and not prefix:
                out += _flatten(value, "")
            else:
                out += _flatten(value, f"{prefix}/{key}" if prefix else str(key))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        for m in messages:
            text = chinese(m)
            out.append({"field": prefix or "(请求)", "message": f"「{prefix}」{text}" if prefix else text})
    elif isinstance(messages, list):
        for index, value in enumerate(messages):
            out += _flatten(value, f"{prefix}/{index}")
    return out


def from_http(exc: HTTPException) -> Response:
    status = exc.code or 500
    type_, title = HTTP_TITLES.get(status, ("http-error", "请求失败"))
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages") if isinstance(data, dict) else None
    if status == 422 and messages:
        errors = _flatten(messages)
        return problem(422, "invalid-request", title, "；".join(e["message"] for e in errors), errors=errors)
    if status == 400 and request.is_json is False and request.method in ("POST", "PUT", "PATCH"):
        return problem(415, *HTTP_TITLES[415], "请求体应为 JSON（Content-Type: application/json）")
    if status == 413:
        limit = request.max_content_length
        return problem(413, type_, title, f"请求内容超过上限 {limit // 1048576} MB" if limit else title)
    detail = title if status >= 500 else (exc.description if status not in (404, 405) else title)
    response = problem(status, type_, title, detail)
    if status == 405 and getattr(exc, "valid_methods", None):
        response.headers["Allow"] = ", ".join(exc.valid_methods)  # RFC 9110: a 405 names what is allowed
    return response


def database_unavailable(exc: Exception) -> Response:
    """A lost or refused database connection (PostgreSQL restarting, failover, a pool that
    timed out): nothing was committed, so it is a retryable 503, never a 500. The pool
    pre-pings and drops dead connections, so the service recovers by itself."""
    log.warning("database unavailable: %s", str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    unavailable = DatabaseUnavailable("数据库连接中断或无法连接，本次操作未保存，请稍后重试")
    response = problem(unavailable.status, unavailable.type, unavailable.title, unavailable.detail)
    response.headers["Retry-After"] = str(unavailable.retry_after)
    return response


def from_unexpected(exc: Exception) -> Response:
    if is_database_unavailable(exc):
        return database_unavailable(exc)
    log.exception("unhandled error", exc_info=exc)
    return problem(500, *HTTP_TITLES[500], "服务器内部错误，已记录，请联系管理员")
