"""Refuse request input no database can store: a NUL character in any string (PostgreSQL
text cannot hold one). Checked once, before any view runs, naming the offending field."""

from __future__ import annotations

from typing import Any

from flask import request

from engine.errors import InvalidInput

NUL = "\x00"


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
        sources.append(("", request.get_json(silent=True)))
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        sources.append(("", request.form.to_dict(flat=False)))  # e.g. an attachment's task_id
    for prefix, value in sources:
        field = _find_nul(value, prefix)
        if field is not None:
            raise InvalidInput("请求中含有不允许的控制字符（NUL）",
                               errors=[{"field": field or "(请求)", "message": "不能包含 NUL 控制字符"}])
