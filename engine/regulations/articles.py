"""A bundle's regulation text (manifest `regulation.source`) split into its articles, and the
articles a diagram element's documentation cites, each with its text.

Two layouts occur in the bundled texts: numbered articles (第一条 …) under chapters (第一章 …),
and an outline of sections and items (一、… / （一）…), cited as 五（一）. A manifest may also
name a passage by chapter and a phrase it contains (第一章「…」) where the text lost its article
number. Lines of an article up to the next article or chapter belong to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .bundles import Bundle
from .coverage import CITATION, NUMERAL, Coverage, _canonical, chinese_number, cited_articles, coverage, to_chinese

ARTICLE = re.compile(rf"^第({NUMERAL})条\s*")
CHAPTER = re.compile(rf"^第({NUMERAL})章(?:\s|$)")
SECTION = re.compile(r"^([一二三四五六七八九十]+|\d{1,2})、\s*")
ITEM = re.compile(r"^（([一二三四五六七八九十]+)）")
PASSAGE = re.compile(r"^(第[零〇一二两三四五六七八九十百]+章)「(.+)」$")
MARKUP = re.compile(r"\[bookmark:[^\]]*\]")


@dataclass
class Article:
    article: str
    chapter: str | None = None
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def as_dict(self) -> dict[str, str]:
        return {"article": self.article, "text": self.text}


def _lines(text: str) -> list[str]:
    return [clean for line in text.splitlines() if (clean := MARKUP.sub("", line).strip())]


def _numbered(lines: list[str]) -> list[Article]:
    out: list[Article] = []
    chapter: str | None = None
    for line in lines:
        if CHAPTER.match(line):
            chapter = re.sub(r"\s+", " ", line)
            out.append(Article(chapter.split(" ")[0], chapter, []))  # unnumbered text of the chapter
        elif match := ARTICLE.match(line):
            out.append(Article(f"第{to_chinese(chinese_number(match.group(1)))}条", chapter, [line]))
        elif out:
            out[-1].lines.append(line)
    return [a for a in out if a.lines]


def _outline(lines: list[str]) -> list[Article]:
    out: list[Article] = []
    section: str | None = None
    for line in lines:
        match = SECTION.match(line)
        number = match and (int(match.group(1)) if match.group(1).isdigit() else chinese_number(match.group(1)))
        expected = chinese_number(section) + 1 if section else 1
        if match and number == expected:  # "5、" for 五、 in a scanned text, never a list item
            section = to_chinese(number)
            out.append(Article(section, section, [line]))
        elif section and (item := ITEM.match(line)):
            out.append(Article(f"{section}（{item.group(1)}）", section, [line]))
        elif out:
            out[-1].lines.append(line)
    return out


def split_articles(text: str) -> list[Article]:
    """The articles of a regulation in order; text before the first one (title, preamble) is
    left out. Numbered articles when the text has any, else the outline of sections."""
    lines = _lines(text)
    if any(ARTICLE.match(line) for line in lines):
        return _numbered(lines)
    return _outline(lines)


def bundle_articles(bundle: Bundle) -> list[Article]:
    source = bundle.manifest.get("regulation", {}).get("source")
    raw = bundle.files.get(source) if source else None
    return split_articles(raw.decode("utf-8")) if raw else []


def _passage(articles: list[Article], label: str) -> str | None:
    """第一章「phrase」: the line of that chapter containing the phrase."""
    match = PASSAGE.match(label)
    if not match:
        return None
    chapter, phrase = match.groups()
    for article in articles:
        if (article.chapter or "").startswith(chapter):
            line = next((ln for ln in article.lines if phrase in ln), None)
            if line is not None:
                return line
    return None


def article_text(articles: list[Article], label: str) -> str | None:
    by_label = {a.article: a for a in articles}
    found = by_label.get(_canonical(label))
    return found.text if found is not None else _passage(articles, label)


def cited(bundle: Bundle, documentation: str) -> list[dict[str, Any]]:
    """Every article the documentation cites, in the regulation's order, with its text (None
    when the regulation text does not hold it)."""
    labels = [a for a in bundle.manifest.get("articles", []) if not CITATION.fullmatch(a)]
    names = cited_articles(documentation) | {label for label in labels if label in (documentation or "")}
    articles = bundle_articles(bundle)
    order = {a.article: i for i, a in enumerate(articles)}
    ranked = sorted(names, key=lambda n: (order.get(n, len(order)), documentation.find(n), n))
    return [{"article": n, "text": article_text(articles, n)} for n in ranked]


def full_coverage(bundle: Bundle) -> Coverage:
    """Every article of the text and of the manifest, with its elements or its note."""
    return coverage(bundle, [a.article for a in bundle_articles(bundle)])
