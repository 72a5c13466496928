"""Every jurisdiction's scenarios (tests/scenarios/*.json), walked through HTTP as the users
of each lane; the sample bundle's scenarios prove the runner itself.

All of them run on SQLite (`make test`). A database backend changes how a case is stored and
queried, not which branch a gateway takes, so `make test-postgres` walks only a cover of each
file: the fewest scenarios that between them use every kind of step the file uses (timers,
messages, 撤回, suspend/resume/terminate, uploads, other cases of a unit, each process and each
end state) — see `backend_cover`. They carry the marker `postgres_too`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ..scenario_runner import ScenarioRun, load

HERE = Path(__file__).resolve().parents[1]  # tests/
FILES = [(p, "bundled") for p in sorted((HERE / "scenarios").glob("*.json"))] + [
    (p, "sample") for p in sorted((HERE / "fixtures" / "scenarios").glob("*.json"))]
STEP_KINDS = ("task", "forbidden", "invisible", "clock", "walk", "action", "message", "withdraw", "upload",
              "open", "data")


def _steps(spec: dict[str, Any], steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for step in steps:
        out += _steps(spec, spec["fragments"][step["fragment"]]) if "fragment" in step else [step]
    return out


def _features(spec: dict[str, Any], scenario: dict[str, Any]) -> set[str]:
    """What a scenario asks of the store: its kinds of step (an action by its name), other cases
    of the unit, its process, its end state, and documents (in its data, or in the file's
    defaults that its walks use)."""
    steps = _steps(spec, scenario.get("steps", []))
    for prior in scenario.get("prior_cases", []):
        steps += _steps(spec, prior.get("steps", []))
    out = {f"process:{scenario.get('process_key', spec['process_key'])}",
           f"ends:{scenario.get('expect', {}).get('status')}"}
    out |= {"prior_cases"} if scenario.get("prior_cases") else set()
    for step in steps:
        kind = next(k for k in STEP_KINDS if k in step)
        out.add(f"action:{step['action']}" if kind == "action" else kind)
    uses_defaults = any("walk" in step for step in steps)
    if "$attachment" in json.dumps([scenario, spec.get("defaults", {}) if uses_defaults else {}]):
        out.add("documents")
    return out


def _cost(spec: dict[str, Any], scenario: dict[str, Any]) -> int:
    """A stand-in for a scenario's run time: its steps and prior cases, a walk counting as many."""
    steps = _steps(spec, scenario.get("steps", []))
    walks = sum(1 for step in steps if "walk" in step)
    return len(steps) + 20 * walks + 20 * len(scenario.get("prior_cases", []))


def backend_cover(spec: dict[str, Any]) -> list[str]:
    """Names of the fewest scenarios of a file (chosen greedily, the cheaper first on a tie)
    whose features together are all the file's features."""
    scenarios = spec["scenarios"]
    features = {s["name"]: _features(spec, s) for s in scenarios}
    cost = {s["name"]: _cost(spec, s) for s in scenarios}
    missing = set().union(*features.values())
    chosen: list[str] = []
    while missing:
        best = max(features, key=lambda name: (len(features[name] & missing), -cost[name]))
        chosen.append(best)
        missing -= features[best]
    return chosen


def _params() -> list[Any]:
    params = []
    for path, bundle_set in FILES:
        cases = load(path)
        cover = set(backend_cover(cases[0][1])) if cases else set()
        for test_id, spec, scenario in cases:
            marks = [pytest.mark.postgres_too] if scenario["name"] in cover else []
            params.append(pytest.param(bundle_set, spec, scenario, id=test_id, marks=[pytest.mark.scenario, *marks]))
    return params


@pytest.mark.parametrize(("bundle_set", "spec", "scenario"), _params())
def test_scenario(http, fire_timers, bundle_set, spec, scenario):
    ScenarioRun(http, fire_timers, spec, scenario).run()
