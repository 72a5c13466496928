"""A duty the text makes periodic (定期、每月、每季度…) is a cycle that runs until the regulation's
end condition, not a single step: O&M records and security checks stopped
after one round. An element named for a periodic duty must lie on a loop of its process, or be a
repeating timer (timeCycle).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from ...regulations.bundles import Problem
from ..lint import Document, local
from .facts import Facts

PERIODIC = re.compile(r"定期|每(?:个)?(?:月|季度?|半年|年|周)|按(?:月|季)|逐月|逐季")
CHECKED = {"userTask", "intermediateCatchEvent", "boundaryEvent", "task", "manualTask"}


def _edges(container: etree._Element) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for flow in container.iter("{*}sequenceFlow"):
        edges.setdefault(flow.get("sourceRef"), set()).add(flow.get("targetRef"))
    for event in container.iter("{*}boundaryEvent"):
        edges.setdefault(event.get("attachedToRef"), set()).add(event.get("id"))
    return edges


def _on_loop(start: str, edges: dict[str, set[str]]) -> bool:
    seen, stack = set(), list(edges.get(start, ()))
    while stack:
        node = stack.pop()
        if node == start:
            return True
        if node not in seen:
            seen.add(node)
            stack.extend(edges.get(node, ()))
    return False


def _periodic(doc: Document) -> Iterator[etree._Element]:
    for el in doc.root.iter():
        named = isinstance(el.tag, str) and local(el) in CHECKED and PERIODIC.search(el.get("name") or "")
        if named and el.find(".//{*}timeCycle") is None:
            yield el


def problems(facts: Facts) -> list[Problem]:
    found = []
    for doc in facts.documents:
        for process in doc.root.iter("{*}process", "{*}subProcess"):
            edges = _edges(process)
            for el in _periodic(doc):
                if el.getparent() is process and not _on_loop(el.get("id"), edges):
                    found.append(doc.problem(el, f"「{el.get('name')}」是定期义务，却只发生一次：请把它画成循环，"
                                                 f"直到条款规定的结束条件（或用重复的计时器）"))
    return found
