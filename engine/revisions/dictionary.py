"""The bundle's data dictionary (`data_dictionary` in the manifest) checked against its decision
tables: a value a table derives and staff are shown must have a Chinese name.

Staff see a derived value (系统判定 on the 审批单) only when the dictionary names it. A table
output that yields codes (`"bank_tender"`) then needs a Chinese name for every code it can
yield, in the entry's `values`; outputs that are already Chinese sentences, numbers and
booleans (shown 是/否) need none.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from ..regulations.bundles import Bundle, Problem
from ..regulations.vocabulary import CJK
from .lint import parse_xml

QUOTED = re.compile(r'^\s*"(.*)"\s*$', re.S)


def _outputs(root: etree._Element) -> Iterator[tuple[str, str, str, int]]:
    """(output name, rule id, output entry text, line) of every cell of every decision table."""
    for table in root.iter("{*}decisionTable"):
        names = [o.get("name") or "" for o in table.findall("{*}output")]
        for rule in table.findall("{*}rule"):
            for name, entry in zip(names, rule.findall("{*}outputEntry"), strict=False):
                text = entry.findtext("{*}text") or ""
                yield name, rule.get("id") or "", text, entry.sourceline or 0


def problems(bundle: Bundle) -> list[Problem]:
    dictionary = bundle.manifest.get("data_dictionary", {})
    found: list[Problem] = []
    for name, entry in dictionary.items():
        if not CJK.search(entry.get("label", "")):
            found.append(Problem("manifest.json", f"data_dictionary 中「{name}」的名称应为中文", element=name))
    for file in bundle.manifest.get("dmn_files", []):
        doc, _ = parse_xml(bundle, file)
        if doc is None:
            continue  # reported by the XML check
        for output, rule, text, line in _outputs(doc.root):
            entry = dictionary.get(output)
            literal = QUOTED.match(text)
            if entry is None or literal is None:
                continue
            code = literal.group(1)
            if not CJK.search(code) and code not in entry.get("values", {}):
                found.append(Problem(file, f"决策表输出「{entry['label']}」的取值 \"{code}\" 没有中文名称："
                                           f"在 manifest.json 的 data_dictionary.{output}.values 中补上",
                                     element=rule, line=line))
    return found
