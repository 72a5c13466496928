"""Which diagram elements implement which article: the regulation coverage report.

A bundle's manifest lists the articles with a process effect (`articles`). Every BPMN flow
node, lane, flow and DMN rule cites articles in its documentation; citations such as
`第十二、十三条` and `第二十四至二十六条` are expanded. Given the articles of the text as well,
every article is listed: with its elements, or with the manifest's note on it (`article_notes`:
no process effect, or the recorded 解释与取舍). An article with neither is reported: a rule the
law sets that no diagram implements and nobody has explained.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from .. import safe_xml
from .bundles import Bundle

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
NUMERAL = "[零〇一二两三四五六七八九十百]+"
CITATION = re.compile(rf"第({NUMERAL}(?:\s*[、，,和及与至到-]\s*第?{NUMERAL})*)条")


def chinese_number(text: str) -> int:
    """一 → 1, 十 → 10, 十五 → 15, 二十七 → 27, 一百零二 → 102."""
    total, current = 0, 0
    for ch in text:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = DIGITS[ch]
    return total + current


def to_chinese(n: int) -> str:
    units = "零一二三四五六七八九"
    if n < 10:
        return units[n]
    if n < 20:
        return "十" + (units[n % 10] if n % 10 else "")
    if n < 100:
        return units[n // 10] + "十" + (units[n % 10] if n % 10 else "")
    rest = n % 100
    tail = "" if rest == 0 else ("零" + to_chinese(rest) if rest < 10 else
                                 ("一" + to_chinese(rest) if rest < 20 else to_chinese(rest)))
    return units[n // 100] + "百" + tail


def cited_articles(text: str) -> set[str]:
    """Canonical article names (第N条) a text cites, ranges and lists expanded."""
    found: set[str] = set()
    for match in CITATION.finditer(text or ""):
        parts = re.split(r"\s*([、，,和及与至到-])\s*", match.group(1))
        numbers = [chinese_number(p.lstrip("第")) for p in parts[::2]]
        separators = parts[1::2]
        found.add(f"第{to_chinese(numbers[0])}条")
        for sep, prev, number in zip(separators, numbers, numbers[1:], strict=False):
            span = range(prev + 1, number + 1) if sep in "至到-" else [number]
            found.update(f"第{to_chinese(n)}条" for n in span)
    return found


def _canonical(article: str) -> str:
    """第12条-style or 第十二条 spellings compare equal; other labels compare as written."""
    match = re.fullmatch(rf"第({NUMERAL})条", article.strip())
    return f"第{to_chinese(chinese_number(match.group(1)))}条" if match else article.strip()


@dataclass
class Citation:
    file: str
    element: str
    name: str


@dataclass
class Coverage:
    jurisdiction: str
    articles: dict[str, list[Citation]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    def covered(self, article: str) -> bool:
        """Cited, explained, or a heading whose parts (五 → 五（一）, 第一章 → 第一章「…」) are."""
        if self.articles.get(article) or article in self.notes:
            return True
        parts = [a for a in self.articles if a.startswith((article + "（", article + "「"))]
        return bool(parts) and all(self.covered(p) for p in parts)

    @property
    def uncited(self) -> list[str]:
        return [a for a in self.articles if not self.covered(a)]


def _documented(root: etree._Element) -> list[tuple[etree._Element, str]]:
    out = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        local = etree.QName(el).localname
        if local == "documentation" or local == "description":
            owner = el.getparent()
            if owner is not None and owner.get("id"):
                out.append((owner, el.text or ""))
    return out


def coverage(bundle: Bundle, text_articles: list[str] | tuple[str, ...] = ()) -> Coverage:
    """The manifest's articles (and, given them, every article of the text in its order) with
    the elements citing each and the manifest's notes."""
    listed = [_canonical(a) for a in bundle.manifest.get("articles", [])]
    result = Coverage(bundle.id, {a: [] for a in [*text_articles, *listed]},
                      {_canonical(a): note for a, note in bundle.manifest.get("article_notes", {}).items()})
    labels = [a for a in result.articles if not CITATION.fullmatch(a)]
    for name in bundle.manifest["bpmn_files"] + bundle.manifest.get("dmn_files", []):
        root = safe_xml.parse(bundle.files[name])
        for owner, text in _documented(root):
            cited = cited_articles(text) | {label for label in labels if label in text}
            for article in cited & set(result.articles):
                result.articles[article].append(Citation(name, owner.get("id"), owner.get("name") or ""))
    return result
