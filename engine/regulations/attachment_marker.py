"""The attachment marker of a form field: what a bundle may declare, checked at deploy, and
where a form's attachment fields (and a submission's attachment values) are.

A field asks for a document with `{"type": "string", "format": "attachment",
"x-attachment": {"accept": [".pdf", "application/pdf", "image/*"], "maxBytes": 20971520}}`;
several documents are an array whose `items` carry the marker. The value is the attachment id.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

FORMAT = "attachment"
MARKER = "x-attachment"
# The service's cap on one document, whatever a form declares: large enough for a scanned
# report, small enough to be buffered for checksum verification on download.
MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
MARKER_KEYS = {"accept", "maxBytes"}
ID_PATTERN = re.compile(r"[0-9a-f]{32}")
_EXTENSION = re.compile(r"\.[A-Za-z0-9][A-Za-z0-9_+-]{0,15}")
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/(\*|[a-z0-9][a-z0-9!#$&^_.+-]{0,126})")
# Values of these keywords are data, not subschemas: a marker-like object there is not a field.
_DATA_KEYWORDS = {"const", "enum", "default", "examples"}


@dataclass(frozen=True)
class AttachmentField:
    path: str  # property names joined by "/" (an array of documents: the array's name)
    title: str
    accept: tuple[str, ...]
    max_bytes: int
    many: bool  # an array of documents


def is_attachment_id(value: object) -> bool:
    return isinstance(value, str) and ID_PATTERN.fullmatch(value) is not None


def _accept_problems(accept: Any) -> list[str]:
    if not isinstance(accept, list) or not accept:
        return ["accept 应为非空列表（扩展名如 \".pdf\"，或媒体类型如 \"application/pdf\"、\"image/*\"）"]
    bad = [a for a in accept if not isinstance(a, str)
           or not (_EXTENSION.fullmatch(a) or _MEDIA_TYPE.fullmatch(a.lower()))]
    return [f"accept 中的取值无效：{', '.join(map(repr, bad))}（应为以点开头的扩展名或媒体类型）"] if bad else []


def _max_bytes_problems(value: Any) -> list[str]:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return ["maxBytes 应为正整数（字节数）"]
    if value > MAX_ATTACHMENT_BYTES:
        return [f"maxBytes 为 {value}，超过本服务的上限 {MAX_ATTACHMENT_BYTES}（{MAX_ATTACHMENT_BYTES // 1048576} MB）"]
    return []


def node_problems(node: dict[str, Any]) -> list[str]:
    """Why one schema node's attachment marker is unusable (empty if it carries none or a good one)."""
    has_format, marker = node.get("format") == FORMAT, node.get(MARKER)
    if not has_format and MARKER not in node:
        return []
    if not has_format:
        return [f'{MARKER} 只能用于 "format": "{FORMAT}" 的字段']
    problems = []
    if node.get("type") != "string":
        problems.append(f'"format": "{FORMAT}" 的字段类型应为 "string"（多个附件请用 array，items 带标记）')
    if not isinstance(marker, dict):
        return [*problems, f"缺少 {MARKER} 对象（accept 允许的类型，maxBytes 大小上限）"]
    unknown = sorted(set(marker) - MARKER_KEYS)
    if unknown:
        problems.append(f"{MARKER} 中有未知的键：{', '.join(unknown)}（只允许 accept、maxBytes）")
    problems += _accept_problems(marker.get("accept"))
    if "maxBytes" in marker:
        problems += _max_bytes_problems(marker["maxBytes"])
    return problems


def _nodes(node: Any, path: list[str], title: str) -> Iterator[tuple[dict[str, Any], str, str]]:
    """Every subschema with its field path (property names) and the nearest title."""
    if isinstance(node, list):
        for item in node:
            yield from _nodes(item, path, title)
        return
    if not isinstance(node, dict):
        return
    title = node.get("title", title) if isinstance(node.get("title"), str) else title
    yield node, "/".join(path), title
    for key, value in node.items():
        if key in _DATA_KEYWORDS or key == MARKER:
            continue
        if key in ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas") \
                and isinstance(value, dict):
            for name, sub in value.items():
                named = [*path, name] if key == "properties" else path
                yield from _nodes(sub, named, name if key == "properties" else title)
        elif isinstance(value, dict | list):
            yield from _nodes(value, path, title)


def marker_problems(schema: Any) -> list[tuple[str, str, str]]:
    """(field path, field title, problem) for every bad marker anywhere in a form schema."""
    return [(path or "(表单)", title or path, problem)
            for node, path, title in _nodes(schema, [], "") for problem in node_problems(node)]


def _field(node: dict[str, Any], path: str, title: str, many: bool) -> AttachmentField:
    marker = node[MARKER]
    return AttachmentField(path, title, tuple(marker["accept"]),
                           int(marker.get("maxBytes", MAX_ATTACHMENT_BYTES)), many)


def fields(schema: dict[str, Any]) -> dict[str, AttachmentField]:
    """The attachment fields of a (valid) form by path: top-level and nested object properties,
    and arrays whose items are documents."""
    out: dict[str, AttachmentField] = {}

    def walk(props: Any, prefix: list[str]) -> None:
        if not isinstance(props, dict):
            return
        for name, sub in props.items():
            if not isinstance(sub, dict):
                continue
            path, title = "/".join([*prefix, name]), sub.get("title", name)
            items = sub.get("items")
            if sub.get("format") == FORMAT and isinstance(sub.get(MARKER), dict):
                out[path] = _field(sub, path, title, many=False)
            elif isinstance(items, dict) and items.get("format") == FORMAT and isinstance(items.get(MARKER), dict):
                out[path] = _field(items, path, title, many=True)
            elif "properties" in sub:
                walk(sub["properties"], [*prefix, name])

    walk(schema.get("properties"), [])
    return out


@lru_cache(maxsize=512)
def form_fields(schema_text: str) -> dict[str, AttachmentField]:
    """`fields` of a form's text, parsed once per worker: every completion asks."""
    return fields(json.loads(schema_text))


def values(found: dict[str, AttachmentField], data: dict[str, Any]) -> list[tuple[AttachmentField, str]]:
    """(field, attachment id) for every attachment value in submitted data (after validation)."""
    out: list[tuple[AttachmentField, str]] = []
    for path, field in found.items():
        value: Any = data
        for part in path.split("/"):
            value = value.get(part) if isinstance(value, dict) else None
        items = value if field.many and isinstance(value, list) else [value]
        out += [(field, item) for item in items if isinstance(item, str)]
    return out
