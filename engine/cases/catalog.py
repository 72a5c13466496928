"""What the web app reads about jurisdictions and processes besides cases: who starts a
process and with which form, the regulation's articles, which element cites which article,
every file of a version's bundle, and its decision tables in words."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import select

from ..db import db
from ..errors import NotFound
from ..models import Jurisdiction, ProcessVersion
from ..regulations import articles as regulation
from ..regulations.bundles import Bundle
from ..regulations.decision_words import decisions_in_words
from ..regulations.store import spec_text, stored_bundle, version_in_force
from ..users import Actor
from . import directory, runtime


def _version(process_key: str, version: int | None = None) -> ProcessVersion:
    """A given version, else the one in force, else (none in force yet) the newest."""
    if version is not None:
        pv = db.session.scalar(select(ProcessVersion).where(
            ProcessVersion.process_key == process_key, ProcessVersion.version == version))
        if pv is None:
            raise NotFound(f"流程版本不存在：{process_key} 第 {version} 版")
        return pv
    try:
        return version_in_force(process_key)
    except NotFound:
        pv = db.session.scalar(select(ProcessVersion).where(ProcessVersion.process_key == process_key)
                               .order_by(ProcessVersion.version.desc()).limit(1))
        if pv is None:
            raise NotFound(f"流程不存在：{process_key}") from None
        return pv


def start_info(actor: Actor, pv: ProcessVersion) -> dict[str, Any]:
    """Who starts the process (lane, role) and whether this caller may (a unit is needed,
    since the starter's unit becomes the applying unit)."""
    lane, form = runtime.start_event_info(spec_text(pv.bundle_hash, pv.process_key))
    role = stored_bundle(pv.bundle_hash).role_of_lane(lane)
    can = bool(role and actor.unit and actor.holds(pv.jurisdiction_id, role))
    return {"start_lane": lane, "start_role": role, "can_start": can, "start_form": form}


def process_start_info(actor: Actor, process_key: str) -> dict[str, Any]:
    info = start_info(actor, _version(process_key))
    info.pop("start_form")
    return info


def _form(bundle: Bundle, name: str | None) -> Any:
    return directory.form(bundle, name)


def start_form(actor: Actor, process_key: str) -> dict[str, Any]:
    """The start event's form, with the article(s) its documentation cites."""
    pv = _version(process_key)
    bundle = stored_bundle(pv.bundle_hash)
    info = start_info(actor, pv)
    facts = runtime.start_event_facts(spec_text(pv.bundle_hash, pv.process_key))
    return {"process_key": process_key, "version": pv.version, "name": pv.name,
            "jurisdiction": pv.jurisdiction_id, "lane": info["start_lane"], "role": info["start_role"],
            "can_start": info["can_start"], "schema": _form(bundle, info["start_form"]) or {},
            "ui_schema": _form(bundle, facts.get("ui_form")), "documentation": facts["documentation"],
            "articles": regulation.cited(bundle, facts["documentation"])}


def _current_bundle(jurisdiction_id: str) -> Bundle:
    row = db.session.get(Jurisdiction, jurisdiction_id)
    if row is None:
        raise NotFound(f"辖区不存在：{jurisdiction_id}")
    return stored_bundle(row.current_bundle_hash)


def jurisdiction_articles(jurisdiction_id: str) -> list[dict[str, str]]:
    return [a.as_dict() for a in regulation.bundle_articles(_current_bundle(jurisdiction_id))]


def jurisdiction_coverage(jurisdiction_id: str) -> dict[str, Any]:
    report = regulation.full_coverage(_current_bundle(jurisdiction_id))
    return {"articles": [{"article": article, "elements": [vars(c) for c in cites],
                          "note": report.notes.get(article), "covered": report.covered(article)}
                         for article, cites in report.articles.items()],
            "uncited": report.uncited}


def process_files(process_key: str, version: int | None = None) -> dict[str, Any]:
    """Every file of a version's bundle as text, by bundle path."""
    pv = _version(process_key, version)
    bundle = stored_bundle(pv.bundle_hash)
    files = {path: body.decode("utf-8", errors="replace") for path, body in sorted(bundle.files.items())}
    return {"process_key": process_key, "version": pv.version, "bundle_hash": pv.bundle_hash, "files": files}


@lru_cache(maxsize=32)
def _decisions(bundle_hash: str) -> list[dict[str, Any]]:
    # A stored bundle never changes under its hash, so neither do its tables' words.
    return decisions_in_words(stored_bundle(bundle_hash))


def process_decisions(process_key: str, version: int | None = None) -> dict[str, Any]:
    """The decision tables of a version's bundle, in words (the regulation desk's process page)."""
    pv = _version(process_key, version)
    return {"process_key": process_key, "version": pv.version, "files": _decisions(pv.bundle_hash)}
