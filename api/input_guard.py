"""Refuse request input before any view runs: JSON bodies over MAX_JSON_BYTES (413) or nested
deeper than MAX_JSON_DEPTH (400, never a RecursionError 500), and a NUL character in any
string (PostgreSQL text cannot hold one), naming the offending field."""

from __future__ import annotations

from typing import Any

from flask import request

from engine.errors import InvalidInput, PayloadTooLarge

NUL = "\x00"
MAX_JSON_BYTES = 5 * 1024 * 1024   # a draft's diagram is the largest JSON body, far below this
MAX_JSON_DEPTH = 64                # forms nest a few levels; the walks below recurse this deep


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether `value` nests deeper than `limit`, without recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            stack += [(child, depth + 1) for child in (item.values() if isinstance(item, dict) else item)]
    return False


def _json_body() -> Any:
    length = request.content_length
    if length is not None and length > MAX_JSON_BYTES:
        raise PayloadTooLarge(f"JSON 请求体超过上限 {MAX_JSON_BYTES // 1048576} MB")
    if len(request.get_data(cache=True)) > MAX_JSON_BYTES:  # chunked bodies declare no length
        raise PayloadTooLarge(f"JSON 请求体超过上限 {MAX_JSON_BYTES // 1048576} MB")
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        body = None
        deep = True
    else:
        deep = _depth_exceeds(body, MAX_JSON_DEPTH)
    if deep:
        raise InvalidInput(f"JSON 嵌套层数超过上限 {MAX_JSON_DEPTH}",
                           errors=[{"field": "(请求体)", "message": f"嵌套层数不能超过 {MAX_JSON_DEPTH}"}])
    return body


def _find_nul(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return path if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _find_nul(key, path) or _find_nul(item, f"{path}/{key}" if path else str(key))
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _find_nul(item, f"{path}/{index}" if path else str(index))
            if found is not None:
                return found
    return None


def refuse_nul_characters() -> None:
    sources = [("", request.view_args or {}), ("", request.args.to_dict(flat=False))]
    if request.is_json:
        sources.append(("", _json_body()))
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        sources.append(("", request.form.to_dict(flat=False)))  # e.g. an attachment's task_id
    for prefix, value in sources:
        field = _find_nul(value, prefix)
        if field is not None:
            raise InvalidInput("请求中含有不允许的控制字符（NUL）",
                               errors=[{"field": field or "(请求)", "message": "不能包含 NUL 控制字符"}])
