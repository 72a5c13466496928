"""A draft's vocabulary, for editors that let an owner pick instead of type: the articles of its
regulation text, its fields (date fields apart), forms, decision tables, processes, roles and
named choices;
and its timers in words (timer_words), labelled by the draft's own field titles.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from lxml import etree
from sqlalchemy import select

from .. import safe_xml
from ..db import db
from ..errors import EngineError
from ..models import Jurisdiction
from ..regulations.articles import split_articles
from ..regulations.bundles import Bundle
from ..regulations.rule_fields import DATE_FORMATS, bundle_fields, form_schemas
from ..regulations.store import stored_bundle
from ..regulations.timer_words import TimerWordsInvalid, expression_of, field_labels, sentence, words_of
from ..regulations.vocabulary import CJK, Vocabulary
from ..users import Actor
from . import drafts

ASSIGNED = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s*=(?!=)", re.MULTILINE)


class TimerInvalid(EngineError):
    """Deadline words that cannot be written as a timer; `errors` name the key at fault."""

    status, type, title = 422, "timer-invalid", "期限设置有误"


def _date_fields(schemas: dict[str, dict[str, Any]], vocab: Vocabulary) -> list[dict[str, str]]:
    found: dict[str, str] = {}
    for schema in schemas.values():
        for name, sub in (schema.get("properties") or {}).items():
            if isinstance(sub, dict) and sub.get("format") in DATE_FORMATS and CJK.search(sub.get("title") or ""):
                found.setdefault(name, sub["title"])
    for name, entry in vocab.dictionary.items():
        if name.endswith("_date") and CJK.search(str(entry.get("label") or "")):
            found.setdefault(name, entry["label"])
    return [{"name": k, "label": v} for k, v in found.items()]


def _diagram_elements(bundle: Bundle, kind: str, tag: str) -> list[dict[str, str]]:
    found = []
    for file in bundle.manifest.get(f"{kind}_files", []):
        try:
            root = safe_xml.parse(bundle.files[file])
        except (KeyError, etree.XMLSyntaxError):
            continue
        for el in root.iter(f"{{*}}{tag}"):
            name = el.get("name") or ""
            if CJK.search(name):
                found.append({"id": el.get("id"), "name": name, "file": file})
    return found


def _choices(vocab: Vocabulary) -> list[dict[str, Any]]:
    names = [n for n in dict.fromkeys([*vocab.dictionary, *vocab.fields, *vocab.outputs]) if vocab.options(n)]
    return [{"name": n, "label": vocab.title(n) or "",
             "options": [{"value": v, "label": t} for v, t in vocab.options(n)]} for n in names if vocab.title(n)]


def words(actor: Actor, draft_id: int) -> dict[str, Any]:
    """GET /drafts/{id}/words: what an editor offers to pick from."""
    bundle, _revision = drafts.draft_bundle(actor, draft_id)
    vocab = Vocabulary.of(bundle)
    schemas = form_schemas(bundle)
    source = (bundle.manifest.get("regulation") or {}).get("source")
    text = bundle.files.get(source or "", b"").decode("utf-8", errors="replace")
    roles = [r for r in bundle.manifest.get("roles", []) if isinstance(r, dict)]
    return {
        "articles": [{"id": a.article, "text": a.text} for a in split_articles(text)],
        "date_fields": _date_fields(schemas, vocab),
        "fields": bundle_fields(bundle),
        "forms": [{"file": name, "title": s.get("title") or ""} for name, s in schemas.items()
                  if name.endswith(".schema.json") and CJK.search(s.get("title") or "")],
        "decisions": _diagram_elements(bundle, "dmn", "decision"),
        "processes": _diagram_elements(bundle, "bpmn", "process"),
        "roles": [{"id": r.get("id"), "name": r.get("name")} for r in roles if r.get("id") and r.get("name")],
        "choices": _choices(vocab),
    }


# ------------------------------------------------------------------------------ timers in words

def bundles_to_read(actor: Actor, draft_id: int | None) -> list[Bundle]:
    """The draft's bundle (drafts are the administrators'); without a draft, every jurisdiction's
    bundle in force, whose rules any signed-in user may read in words: the catalogue shows them,
    and a sentence reveals nothing its expression does not."""
    if draft_id is not None:
        return [drafts.draft_bundle(actor, draft_id)[0]]
    return [stored_bundle(h) for h in db.session.scalars(select(Jurisdiction.current_bundle_hash)) if h]


def vocabularies(actor: Actor, draft_id: int | None) -> tuple[list[Vocabulary], list[Bundle]]:
    """What a rule is written in: the bundles to read and their vocabularies; writing a rule is
    the administrators' work."""
    drafts.require_admin(actor)
    bundles = bundles_to_read(actor, draft_id)
    return [Vocabulary.of(b) for b in bundles], bundles


def _known(vocabs: list[Vocabulary], bundles: list[Bundle]) -> Callable[[str], bool]:
    """A name a form asks for, the dictionary names, or a diagram assigns in a script."""
    assigned = {m for b in bundles for f in b.manifest.get("bpmn_files", [])
                for m in ASSIGNED.findall(b.files.get(f, b"").decode("utf-8", errors="replace"))}
    names = assigned | {n for v in vocabs for n in (*v.fields, *v.dictionary, *v.amounts)}
    return lambda name: name.split(".", 1)[0] in names


def timer_in_words(actor: Actor, expression: str, draft_id: int | None = None) -> dict[str, Any]:
    """POST /words/timer: the deadline's words and sentence (None when it has none)."""
    bundles = bundles_to_read(actor, draft_id)
    found = words_of(expression)
    return {"words": found, "sentence": sentence(found, field_labels(*bundles)) if found else None}


def timer_expression(actor: Actor, words: dict[str, Any], draft_id: int | None = None) -> dict[str, Any]:
    """The expression for the words; 422 naming the key at fault."""
    vocabs, bundles = vocabularies(actor, draft_id)
    try:
        expression = expression_of(words, _known(vocabs, bundles))
    except TimerWordsInvalid as exc:
        raise TimerInvalid(f"期限无法写成表达式：{exc.message}",
                            errors=[{"field": exc.field, "message": exc.message}]) from exc
    return {"expression": expression, "sentence": sentence(words, field_labels(*bundles))}
