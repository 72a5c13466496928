"""JSON Schema forms: checked at deploy, used to validate submissions with Chinese messages."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import SchemaError, ValidationError

from ..errors import FormInvalid
from ..regulations import attachment_marker
from . import safe_regex
from .case_helpers import CASE_HELPERS
from .helpers import HELPERS

# Data keys that would break deserialisation or shadow a helper; `case_id` is set by the engine.
RESERVED_FIELDS = {"typename", "case_id"} | set(HELPERS) | set(CASE_HELPERS)


def schema_problems(name: str, raw: bytes) -> list[str]:
    """Why a form file cannot be used (empty when it is a valid 2020-12 schema)."""
    try:
        schema = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [f"表单 {name} 不是有效的 JSON：{exc}"]
    if name.endswith(".uischema.json"):
        return [] if isinstance(schema, dict) else [f"界面配置 {name} 应为 JSON 对象"]
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return [f"表单 {name} 不是有效的 JSON Schema 2020-12：{exc.message}"]
    clashes = RESERVED_FIELDS & set(schema.get("properties", {}))
    problems = [f"表单 {name} 的字段名与保留名冲突：{', '.join(sorted(clashes))}"] if clashes else []
    problems += [f"表单 {name} 的正则表达式 {path}「{pattern}」不安全：{reason}"
                 for path, pattern, reason in _unsafe_patterns(schema, "")]
    return problems + [f"表单 {name} 的字段「{title}」（{path}）的附件标记有误：{problem}"
                       for path, title, problem in attachment_marker.marker_problems(schema)]


def _unsafe_patterns(node: Any, path: str) -> list[tuple[str, str, str]]:
    """(schema path, pattern, why) for every `pattern` / `patternProperties` key refused."""
    found = []
    if isinstance(node, dict):
        patterns = [(f"{path}/pattern", node["pattern"])] if isinstance(node.get("pattern"), str) else []
        if isinstance(node.get("patternProperties"), dict):
            patterns += [(f"{path}/patternProperties", key) for key in node["patternProperties"]]
        found += [(p, pattern, why) for p, pattern in patterns if (why := safe_regex.unsafe_reason(pattern))]
        for key, value in node.items():
            found += _unsafe_patterns(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _unsafe_patterns(value, f"{path}/{index}")
    return found


def _bounded_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    """jsonschema's `pattern` keyword, matched with a timeout (see engine/language/safe_regex.py)."""
    if validator.is_type(instance, "string") and not safe_regex.search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


# Submissions are checked by a 2020-12 validator whose `pattern` cannot backtrack forever.
FormValidator = validators.extend(Draft202012Validator, {"pattern": _bounded_pattern})

# jsonschema's formats plus "attachment": the value of a document field is an uploaded
# attachment's id, never free text (whether that upload may be used is checked on binding).
FORMAT_CHECKER = FormatChecker()
FORMAT_CHECKER.checks(attachment_marker.FORMAT)(
    lambda value: not isinstance(value, str) or attachment_marker.is_attachment_id(value))


@lru_cache(maxsize=512)
def _validator(schema_text: str) -> Any:
    return FormValidator(json.loads(schema_text), format_checker=FORMAT_CHECKER)


def field_title(schema: dict[str, Any], path: list[str | int]) -> str:
    node: Any = schema
    title = ""
    for part in path:
        if isinstance(part, int):
            node = node.get("items", {}) if isinstance(node, dict) else {}
            continue
        node = node.get("properties", {}).get(part, {}) if isinstance(node, dict) else {}
        title = node.get("title", part) if isinstance(node, dict) else str(part)
    return title


def _enum_labels(schema: dict[str, Any]) -> str:
    options = schema.get("oneOf") or schema.get("anyOf") or []
    labels = [o.get("title", str(o.get("const"))) for o in options if isinstance(o, dict) and "const" in o]
    return "、".join(labels) or "、".join(map(str, schema.get("enum", [])))


def message(error: ValidationError, title: str, root: dict[str, Any] | None = None) -> str:
    """A Chinese message for one jsonschema error, naming the field by its form title. A field
    required only by an `if`/`then` branch has its title in the form's own properties, not in
    the branch, so the root schema is looked up first."""
    kind, value, sub = error.validator, error.validator_value, error.schema
    if kind == "required":
        missing = _quoted(error.message)
        path = [*error.absolute_path, missing]
        named = field_title(root, path) if root is not None else ""
        if not named or named == missing:
            named = field_title(error.schema, [missing]) or missing
        return f"「{named}」为必填项"
    texts = {
        "type": f"「{title}」的类型应为{_TYPE_NAMES.get(str(value), value)}",
        "minimum": f"「{title}」不能小于 {value}",
        "maximum": f"「{title}」不能大于 {value}",
        "exclusiveMinimum": f"「{title}」必须大于 {value}",
        "exclusiveMaximum": f"「{title}」必须小于 {value}",
        "minLength": f"「{title}」至少需要 {value} 个字符",
        "maxLength": f"「{title}」不能超过 {value} 个字符",
        "minItems": f"「{title}」至少需要 {value} 项",
        "maxItems": f"「{title}」不能超过 {value} 项",
        "uniqueItems": f"「{title}」中不能有重复项",
        "pattern": f"「{title}」的格式不正确",
        "format": f"「{title}」应为{_FORMAT_NAMES.get(str(value), str(value))}",
        "enum": f"「{title}」须为以下之一：{_enum_labels(sub)}",
        "const": f"「{title}」的取值不正确",
        "oneOf": f"「{title}」须为以下之一：{_enum_labels(sub)}",
        "anyOf": f"「{title}」的取值不符合要求",
        "additionalProperties": f"表单中有未定义的字段：{_quoted(error.message)}",
    }
    return texts.get(kind, f"「{title}」不符合要求（{kind}）")


_TYPE_NAMES = {"integer": "整数", "number": "数字", "string": "文本", "boolean": "是/否",
               "array": "列表", "object": "对象", "null": "空值"}
_FORMAT_NAMES = {"date": "日期（YYYY-MM-DD）", "date-time": "日期时间（ISO 8601，含时区）",
                 "email": "电子邮箱地址", "uri": "网址", attachment_marker.FORMAT: "上传的附件"}


def _quoted(text: str) -> str:
    """The first 'quoted' name in a jsonschema message (the field it is about)."""
    return text.split("'")[1] if text.count("'") >= 2 else ""


def field_path(error: ValidationError) -> str:
    path = list(error.absolute_path)
    if error.validator == "required" and _quoted(error.message):
        path.append(_quoted(error.message))
    return "/".join(map(str, path)) or "(表单)"


def validate(schema_text: str, data: Any) -> None:
    """Raise FormInvalid (422) with one Chinese message per field; data must be an object."""
    if not isinstance(data, dict):
        raise FormInvalid("表单数据应为 JSON 对象", errors=[{"field": "data", "message": "表单数据应为 JSON 对象"}])
    schema = json.loads(schema_text)
    errors = sorted(_validator(schema_text).iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        fields = []
        for err in errors:
            title = field_title(schema, list(err.absolute_path)) or "表单"
            fields.append({"field": field_path(err), "message": message(err, title, schema)})
        raise FormInvalid("；".join(f["message"] for f in fields), errors=fields)
