"""Diagram code cannot escape and cannot run past its bounds, at any expression site.

Escapes are refused at deploy, naming the element, for every site kind of the sample bundle;
costs are bounded at run time by the one evaluator every site goes through (proven by
`test_every_evaluation_goes_through_the_guarded_evaluator`); the canary file is never
written and no process is spawned.
"""

from __future__ import annotations

import builtins
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from engine import language
from engine.errors import BundleInvalid
from engine.language.scripting import script_engine
from engine.regulations.bundles import from_files
from engine.revisions.compiler import compile_bundle
from engine.revisions.simulate import simulate_bundle

from .corpus import CANARY, COSTS, ESCAPES, SCRIPT_ONLY_ESCAPES, SITES, placed

pytestmark = pytest.mark.no_database


@pytest.fixture(autouse=True)
def nothing_escapes(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No process may be spawned and the canary may never appear."""
    CANARY.unlink(missing_ok=True)

    def spawned(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"diagram code spawned a process: {args!r}")
    for module, name in ((os, "system"), (os, "fork"), (os, "posix_spawn"), (os, "execv"), (subprocess, "Popen")):
        monkeypatch.setattr(module, name, spawned)
    yield
    assert not CANARY.exists(), "diagram code wrote the canary file"


def _refusal(files: dict[str, bytes]) -> list[dict]:
    with pytest.raises(BundleInvalid) as caught:
        compile_bundle(from_files(files))
    return caught.value.errors


ESCAPE_CASES = [(site, name) for site in SITES for name in ESCAPES] + \
    [(site, name) for site, (_, _, mode, _) in SITES.items() if mode == "exec" for name in SCRIPT_ONLY_ESCAPES]


@pytest.mark.parametrize(("site", "name"), ESCAPE_CASES, ids=[f"{s}:{n}" for s, n in ESCAPE_CASES])
def test_an_escape_is_refused_at_deploy_at_every_site(site: str, name: str) -> None:
    code = ESCAPES.get(name) or SCRIPT_ONLY_ESCAPES[name]
    errors = _refusal(placed(site, code))
    element = SITES[site][3]
    assert any(e["element"] == element and e["line"] for e in errors), errors
    assert all("Line " not in e["message"] for e in errors), errors


@pytest.mark.parametrize("site", list(SITES))
def test_the_unchanged_sample_compiles_with_each_site_in_place(site: str) -> None:
    """The control: a harmless expression at each site deploys (so a refusal above is the
    payload's, not the placement's)."""
    harmless = "checked = True" if SITES[site][2] == "exec" else {
        "timer": "working_days_deadline(today(), 6)", "timer duration": '"P3D"', "timer cycle": '"R2/P4D"',
        "loopCardinality": "2", "DMN input entry": "<= 100000",
        "DMN input expression": "project_budget_yuan + 0", "DMN output entry": "not False"}.get(site, "True")
    assert compile_bundle(from_files(placed(site, harmless)))


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.parametrize("name", list(COSTS))
def test_a_cost_is_bounded_at_run_time(name: str) -> None:
    before = _peak_rss_mb()
    started = time.thread_time()  # the bound is CPU time: a loaded machine stretches only the wall clock
    data = {"n": 1}
    with pytest.raises(Exception) as caught:
        script_engine().environment.execute(COSTS[name], data)
    took = time.thread_time() - started
    assert took < language.MAX_SECONDS + 1, f"{name} ran {took:.1f} s of CPU"
    assert _peak_rss_mb() - before < 1500, f"{name} grew the process by {_peak_rss_mb() - before:.0f} MB"
    assert isinstance(caught.value, ValueError | RecursionError | OverflowError | ArithmeticError), caught.value


@pytest.mark.parametrize("name", [n for n in COSTS if "\n" not in COSTS[n]])
def test_a_cost_in_an_expression_is_bounded_too(name: str) -> None:
    started = time.thread_time()
    with pytest.raises(Exception):  # noqa: B017
        script_engine().environment.evaluate(COSTS[name].removeprefix("x = "), {"n": 1})
    assert time.thread_time() - started < language.MAX_SECONDS + 1


def test_a_bound_hit_stays_hit_for_the_rest_of_the_evaluation() -> None:
    """Even if C code swallowed the first refusal, the next guarded step refuses again."""
    with pytest.raises(language.ScriptLimitExceeded):
        script_engine().environment.execute("x = ['a' * 10 ** 8 for i in [1]]\ny = 1", {})


def test_a_run_of_many_evaluations_has_one_ceiling() -> None:
    """Inside `ceiling`, an evaluation stops at the run's deadline, sooner than its own bound."""
    started = time.monotonic()
    with language.ceiling(started + 0.2), pytest.raises(language.RunOutOfTime):
        script_engine().environment.execute("n = 0\nwhile n == n:\n    n = n", {})
    assert time.monotonic() - started < 1.0


SLOW_EVERYWHERE = "x = 0\nwhile len(str(x)) < 100:\n    x = str(x)"  # trips the step bound at every state


def test_the_simulation_keeps_to_its_time_budget_when_every_state_hits_a_bound() -> None:
    started = time.monotonic()
    report = simulate_bundle(from_files(placed("pre-script", SLOW_EVERYWHERE)), time_budget_s=2.0)
    assert time.monotonic() - started < 2.0 + 1.0, report["duration_s"]
    assert any(f["kind"] == "exploration_capped" for f in report["findings"]), report["findings"]


def test_what_diagrams_need_still_computes() -> None:
    data = {"budget_yuan": 800000, "items": [3, 1, 2], "category": "software", "opinions": {"a": "同意"}}
    script_engine().environment.execute(
        "total = sum(i * 2 for i in items)\nlabel = '项目' + str(total)\nordered = sorted(items, key=lambda v: -v)\n"
        "names = ', '.join(str(i) for i in items)\nwan = f'{budget_yuan / 10000:.1f}万元'\n"
        "code = '%04d-%02d' % (2026, 3)\nagreed = len([v for v in opinions.values() if v == '同意'])\n"
        "first, *rest = items\nflags = {k: v.startswith('同') for k, v in opinions.items()}\n"
        "kind = category.upper() if isinstance(category, str) else ''\nn = 0\nwhile n < 5:\n    n += 1", data)
    got = {k: data[k] for k in ("total", "label", "ordered", "names", "wan", "code", "agreed", "rest", "flags",
                                "kind", "n")}
    assert got == {"total": 12, "label": "项目12", "ordered": [3, 2, 1], "names": "3, 1, 2", "wan": "80.0万元",
                   "code": "2026-03", "agreed": 1, "rest": [1, 2], "flags": {"a": True}, "kind": "SOFTWARE", "n": 5}


def test_every_evaluation_goes_through_the_guarded_evaluator(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run a sample case with every site filled: every eval/exec SpiffWorkflow or the product
    makes is the evaluator's, whose code objects come from the policy's compiler."""
    from engine.language import evaluator

    callers: list[str] = []
    real_eval, real_exec = builtins.eval, builtins.exec

    def spy(real):
        def called(code, *args, **kwargs):
            callers.append(os.path.basename(sys._getframe(1).f_code.co_filename))
            return real(code, *args, **kwargs)
        return called
    monkeypatch.setattr(evaluator, "eval", spy(real_eval), raising=False)
    monkeypatch.setattr(evaluator, "exec", spy(real_exec), raising=False)
    monkeypatch.setattr(builtins, "eval", spy(real_eval))
    monkeypatch.setattr(builtins, "exec", spy(real_exec))
    report = simulate_bundle(from_files(placed("pre-script", "checked = True")))
    assert report["processes"], report
    diagram_code = {c for c in callers if "importlib" not in c}  # imports exec module code, not diagrams
    assert callers and diagram_code == {"evaluator.py"}, diagram_code
