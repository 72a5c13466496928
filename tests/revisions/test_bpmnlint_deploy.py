"""The deploy holds a bundle to bpmnlint's recommended rules (engine/revisions/bpmnlint_rules.py).

The port is kept honest against bpmnlint itself: on small diagrams with one defect each
(tests/fixtures/bpmnlint/<rule>.bpmn) both report the same rules for the same elements. Then a
bundle with an error-rule defect is refused, naming file and element, and one with only a
warning-rule finding deploys with the warning in its validation report.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from engine.errors import BundleInvalid
from engine.regulations.bundles import from_files, from_folders
from engine.revisions import bpmnlint_rules
from engine.revisions.compiler import compile_bundle
from engine.revisions.simulate import simulate_bundle
from tests.regulations.test_bpmnlint import FIXTURES, bpmnlint

pytestmark = pytest.mark.no_database

ROOT = Path(__file__).resolve().parents[2]
DEFECTS = sorted(p for p in FIXTURES.glob("*.bpmn") if p.stem in bpmnlint_rules.RULES)


@pytest.fixture(scope="module")
def node_findings() -> dict[str, set[tuple[str, str]]]:
    """bpmnlint's findings of the ported rules, per fixture file name (one node run)."""
    out: dict[str, set[tuple[str, str]]] = {p.name: set() for p in DEFECTS}
    for f in bpmnlint(DEFECTS):
        if f["rule"] in bpmnlint_rules.RULES:
            out[Path(f["file"]).name].add((f["rule"], f["id"]))
    return out


def test_every_ported_rule_has_a_fixture() -> None:
    assert {p.stem for p in DEFECTS} == set(bpmnlint_rules.RULES)


@pytest.mark.parametrize("path", DEFECTS, ids=[p.stem for p in DEFECTS])
def test_port_reports_what_bpmnlint_reports(path: Path, node_findings: dict) -> None:
    ported = {(f.rule, f.element) for f in bpmnlint_rules.check(etree.parse(str(path)).getroot())}
    assert path.stem in {rule for rule, _ in ported}, f"{path.name}: the port misses its defect"
    assert ported == node_findings[path.name]


@pytest.fixture()
def bundle_files() -> dict[str, bytes]:
    bundle = from_folders(ROOT / "bpmn" / "hunan-hrss", ROOT / "forms" / "hunan-hrss")
    return dict(bundle.files)


def test_an_error_rule_refuses_the_deploy_naming_file_and_element(bundle_files: dict[str, bytes]) -> None:
    design = bundle_files["design.bpmn"].decode("utf-8")
    # the approved path ends in a task instead of an end event: an implicit end
    defect = design.replace('<bpmn:endEvent id="end_design_approved"', '<bpmn:manualTask id="end_design_approved"', 1)
    defect = defect.replace("</bpmn:endEvent>\n    <bpmn:sequenceFlow", "</bpmn:manualTask>\n    <bpmn:sequenceFlow", 1)
    assert defect != design
    bundle_files["design.bpmn"] = defect.encode("utf-8")
    with pytest.raises(BundleInvalid) as refused:
        compile_bundle(from_files(bundle_files))
    found = [e for e in refused.value.errors if e["element"] == "end_design_approved"]
    assert found and found[0]["file"] == "design.bpmn"
    assert any("隐式结束" in e["message"] for e in found)


def test_a_warning_rule_is_reported_and_does_not_refuse(bundle_files: dict[str, bytes]) -> None:
    design = bundle_files["design.bpmn"].decode("utf-8")
    # a name on a flow that is no outcome: superfluous-label, a warning
    flow = '<bpmn:sequenceFlow id="fd_draft_gw"'
    defect = design.replace(flow, f'{flow} name="方案编妥"', 1)
    assert defect != design
    bundle_files["design.bpmn"] = defect.encode("utf-8")
    bundle = from_files(bundle_files)
    assert compile_bundle(bundle)
    report = simulate_bundle(bundle)
    warnings = [f for f in report["findings"] if f["kind"] == "lint_warning"]
    assert [(f["severity"], f["element"]) for f in warnings] == [("warning", "fd_draft_gw")]
    assert "标签多余" in warnings[0]["message"]
