"""Every jurisdiction's scenarios (tests/scenarios/*.json), walked through HTTP as the users
of each lane; the sample bundle's scenarios prove the runner itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..scenario_runner import ScenarioRun, load

HERE = Path(__file__).resolve().parents[1]  # tests/
FILES = [(p, "bundled") for p in sorted((HERE / "scenarios").glob("*.json"))] + [
    (p, "sample") for p in sorted((HERE / "fixtures" / "scenarios").glob("*.json"))]
CASES = [(bundle_set, spec, scenario, test_id)
         for path, bundle_set in FILES for test_id, spec, scenario in load(path)]


@pytest.mark.parametrize(("bundle_set", "spec", "scenario"),
                         [c[:3] for c in CASES], ids=[c[3] for c in CASES])
def test_scenario(http, fire_timers, bundle_set, spec, scenario):
    ScenarioRun(http, fire_timers, spec, scenario).run()
