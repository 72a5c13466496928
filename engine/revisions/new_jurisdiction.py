"""The skeleton bundle of a jurisdiction drafted from nothing: its manifest (name, regulation
title and standing, the articles split from the text, no offices or processes yet) and the
regulation text. The jurisdiction's identifier is generated here and never shown to anyone:
staff know a jurisdiction by its name."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from ..errors import FormInvalid
from ..regulations.articles import split_articles
from ..regulations.bundles import MANIFEST, manifest_bytes

REGULATION_FILE = "regulation.txt"
FIELD = "new_jurisdiction"


def new_identifier() -> str:
    """An ASCII identifier for a new jurisdiction (manifest `id`), random so that two
    administrators drafting at once never collide."""
    return f"jurisdiction-{secrets.token_hex(4)}"


def new_process_key() -> str:
    """A process key (BPMN process id), unique across every jurisdiction."""
    return f"process_{secrets.token_hex(4)}"


def _field_error(field: str, message: str) -> dict[str, str]:
    return {"field": f"{FIELD}/{field}", "message": message}


def check(name: str, title: str, text: str) -> list[str]:
    """The articles of the text, or FormInvalid naming each field that is wrong."""
    errors = []
    if not name.strip():
        errors.append(_field_error("name", "请填写辖区名称"))
    if not title.strip():
        errors.append(_field_error("regulation_title", "请填写办法名称"))
    articles = [a.article for a in split_articles(text)]
    if not articles:
        errors.append(_field_error("regulation_text", "办法正文中没有找到条款：应按「第一条……」或「一、……」分条"))
    if errors:
        raise FormInvalid("新建辖区的信息有误", errors=errors)
    return articles


def preview(text: str) -> list[dict[str, str]]:
    """The articles the text splits into, as the new-jurisdiction page previews them."""
    return [a.as_dict() for a in split_articles(text)]


def skeleton_files(identifier: str, name: str, title: str, text: str, effective_from: date) -> dict[str, bytes]:
    """manifest.json and the regulation text of a new jurisdiction; offices, units and
    processes are added to the draft afterwards."""
    articles = check(name, title, text)
    manifest: dict[str, Any] = {
        "id": identifier,
        "name": name.strip(),
        "regulation": {"title": title.strip(), "source": REGULATION_FILE, "status": "in_force",
                       "effective_from": effective_from.isoformat()},
        "articles": articles,
        "bpmn_files": [], "dmn_files": [], "processes": [],
        "roles": [], "lanes": {}, "case_control_roles": [], "units": [], "demo_users": [],
    }
    return {MANIFEST: manifest_bytes(manifest),
            REGULATION_FILE: text.replace("\r\n", "\n").encode()}
