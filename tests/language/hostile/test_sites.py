"""The expression sites are complete: no attribute of any spec object SpiffWorkflow's parser
yields for the bundled and fixture diagrams holds code the deploy check does not see.

An independent walk follows every attribute of every SpiffWorkflow object reachable from the
parsed specs (not only the ones `engine.revisions.expression_sites` walks into) and requires that
- each attribute holding a value is classified by `expression_sites` (a site, a structure it
  walks into, or known to hold no code), and
- each object with a site attribute is one `expression_sites` itself visits — so code cannot
  sit in an object reached only through an attribute taken to be inert;
and the corpus places its payloads at every kind of site these diagrams have.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from SpiffWorkflow.util.event import Event

from engine.regulations.bundles import Bundle, from_files, from_folders
from engine.revisions import compiler, expression_sites
from engine.revisions.expression_sites import NESTED, SITES, UnknownSite, sites

from ...conftest import FIXTURES
from .corpus import SITES as PLACEMENTS
from .corpus import placed

pytestmark = pytest.mark.no_database

ROOT = Path(__file__).resolve().parents[3]
INERT = expression_sites._TASK
SKIP = expression_sites._SKIP


def _bundles() -> dict[str, Bundle]:
    found = {d.name: from_folders(d, ROOT / "forms" / d.name) for d in sorted((ROOT / "bpmn").iterdir()) if d.is_dir()}
    for base in sorted((FIXTURES / "revisions").iterdir()):
        for d in sorted((base / "bpmn").iterdir()):
            found[f"{base.name}/{d.name}"] = from_folders(d, base / "forms" / d.name)
    found["sample"] = from_files(placed("script task", "checked = True"))
    return found


BUNDLES = _bundles()


def _specs(bundle: Bundle) -> list[Any]:
    problems: list = []
    parsed = compiler.parsed_specs(bundle, problems)
    assert not problems and None not in parsed.values(), problems
    return [spec for specs in parsed.values() for spec in specs or []]


def _is_spiff(value: Any) -> bool:
    return type(value).__module__.startswith("SpiffWorkflow")


def _children(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _children(key)
            yield from _children(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _children(item)
    elif _is_spiff(value) and hasattr(value, "__dict__"):
        yield value


def _everything(specs: list[Any]) -> Iterator[tuple[Any, str, Any]]:
    """(object, attribute, value) for every attribute of every SpiffWorkflow object reachable
    from `specs` through any attribute (the parser's back-references excepted)."""
    seen: set[int] = set()
    todo = [*specs, *(t for s in specs for t in s.task_specs.values())]
    while todo:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        for attr, value in vars(obj).items():
            if attr in SKIP or isinstance(value, Event):
                continue
            yield obj, attr, value
            todo.extend(_children(value))


def _site_attributes(obj: Any) -> dict[str, tuple[str, str]]:
    return {**SITES["*"], **SITES.get(type(obj).__name__, {})}


def _visited_by_module(specs: list[Any], monkeypatch: pytest.MonkeyPatch) -> set[int]:
    visited: set[int] = set()
    real = expression_sites._walk

    def spy(obj: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        visited.add(id(obj))
        return real(obj, *args, **kwargs)
    monkeypatch.setattr(expression_sites, "_walk", spy)
    list(sites(specs))
    return visited


@pytest.mark.parametrize("name", list(BUNDLES))
def test_every_attribute_of_every_spec_object_is_classified_and_every_site_is_visited(
        name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    specs = _specs(BUNDLES[name])
    visited = _visited_by_module(specs, monkeypatch)
    unclassified, unvisited = set(), set()
    for obj, attr, value in _everything(specs):
        if value is None or value == [] or value == {}:
            continue
        kind = type(obj).__name__
        if attr not in _site_attributes(obj) and attr not in NESTED and attr not in INERT:
            unclassified.add(f"{kind}.{attr}")
        elif attr in _site_attributes(obj) and id(obj) not in visited:
            unvisited.add(f"{kind}.{attr} ({getattr(obj, 'bpmn_id', None) or getattr(obj, 'id', '')})")
    assert not unclassified, f"attributes expression_sites does not know: {sorted(unclassified)}"
    assert not unvisited, f"sites reached only through attributes taken to be inert: {sorted(unvisited)}"


def _kinds(bundle: Bundle) -> set[str]:
    return {site.what for site in sites(_specs(bundle))}


def test_the_corpus_is_placed_at_every_kind_of_site_the_diagrams_have() -> None:
    """Each placement of the corpus lands on the kind of site it names, and together they cover
    every kind of site the bundled and fixture diagrams use."""
    marker = "corpus_marker_value == 1"
    covered = set()
    for placement, (_, _, mode, _) in PLACEMENTS.items():
        code = "x = corpus_marker_value" if mode == "exec" else marker
        if placement == "DMN input entry":
            code = "corpus_marker_value"
        found = sites(_specs(from_files(placed(placement, code))))
        landed = {s.what for s in found if "corpus_marker_value" in s.source}
        assert landed, f"the corpus placement {placement!r} lands on no site"
        covered |= landed
    used = set().union(*(_kinds(b) for b in BUNDLES.values()))
    assert used <= covered, f"kinds of site with no corpus placement: {sorted(used - covered)}"


def test_an_attribute_nobody_classified_refuses_the_bundle(monkeypatch: pytest.MonkeyPatch) -> None:
    """A SpiffWorkflow upgrade that adds an attribute holding a value is refused until it is
    classified, not run unchecked."""
    specs = _specs(BUNDLES["sample"])
    task = next(t for t in specs[0].task_specs.values() if type(t).__name__ == "ScriptTask")
    monkeypatch.setattr(task, "new_expression_attribute", "open('/etc/passwd')", raising=False)
    with pytest.raises(UnknownSite, match="new_expression_attribute"):
        list(sites(specs))
