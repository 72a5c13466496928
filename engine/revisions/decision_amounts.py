"""A condition column on money judges the amount its article means, declared in the owner's words.

A threshold must read an amount the manifest declares (`amounts`: its label, which amount the
article means, the article, the form fields that set it), never a form's money field directly
(fidelity/amounts.py refuses that at deploy). So when an owner picks a form's money field for a
condition column, the editor also asks which amount the article means (申报、审定、安排、调整后
or the latest of these) and the article; this module declares that amount in the draft's manifest
— or reuses the declaration that already says the same — and the column reads the declared one.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..errors import BundleInvalid
from ..regulations.bundles import MANIFEST, manifest_bytes
from ..regulations.vocabulary import CJK

MEANINGS = ("declared", "reviewed", "funded", "changed", "latest")
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,55}$")


def _problem(element: str, message: str) -> BundleInvalid:
    return BundleInvalid(f"决策表无法保存：{message}",
                         errors=[{"file": None, "element": element, "line": None, "message": message}])


def _checked(column: dict[str, Any], n: int) -> tuple[str, str, str, str]:
    """(meaning, article, field, label) of a column that asks for a declared amount."""
    where = f"条件第{n}列"
    asked = column.get("amount")
    if not isinstance(asked, dict) or asked.get("meaning") not in MEANINGS:
        raise _problem(where, f"请为{where}选择条款所指的金额（申报、审定、安排、调整后或以最近一次为准）")
    article = asked.get("article")
    if not isinstance(article, str) or not CJK.search(article) or len(article) > 100:
        raise _problem(where, f"请为{where}所判定的金额选择依据条文")
    label = column.get("label")
    if not isinstance(label, str) or not CJK.search(label):
        raise _problem(where, f"{where}的名称应为中文")
    field = column.get("variable")
    if not isinstance(field, str) or not NAME.match(field):
        raise _problem(where, f"请为{where}选择它判断的金额字段")
    return asked["meaning"], article.strip(), field, label.strip()


def _declared(amounts: dict[str, Any], meaning: str, field: str, label: str, article: str) -> str:
    """The variable of the declaration saying the same (meaning, from this field), else a new one."""
    for name, spec in amounts.items():
        if isinstance(spec, dict) and spec.get("meaning") == meaning and spec.get("from") == [field]:
            return name
    base = f"{meaning}_{field}" if field.endswith("_yuan") else f"{meaning}_{field}_yuan"
    name, n = base, 2
    while name in amounts:
        name, n = f"{base[:-5]}_{n}_yuan", n + 1
    amounts[name] = {"label": label, "meaning": meaning, "article": article, "from": [field]}
    return name


def declare_amounts(files: dict[str, bytes], columns: Any) -> Any:
    """The condition columns as sent, each one asking for a declared amount (`amount`:
    {meaning, article}) made to read it, the declaration written into the draft's manifest."""
    if not isinstance(columns, list) or not any(isinstance(c, dict) and "amount" in c for c in columns):
        return columns
    try:
        manifest = json.loads(files[MANIFEST])
    except (KeyError, ValueError) as exc:
        raise _problem("清单", "草稿的清单无法读取") from exc
    amounts = manifest.setdefault("amounts", {})
    out = []
    for n, column in enumerate(columns, start=1):
        if not isinstance(column, dict) or "amount" not in column:
            out.append(column)
            continue
        meaning, article, field, label = _checked(column, n)
        variable = _declared(amounts, meaning, field, label, article)
        out.append({key: value for key, value in column.items() if key != "amount"} | {"variable": variable})
    files[MANIFEST] = manifest_bytes(manifest)
    return out
