"""bpmnlint, as installed for the web app, finds nothing in the bundled diagrams.

The configuration is the modeler's own (web/src/admin/lint/.bpmnlintrc: bpmnlint's recommended
rules and the product's, bpmnlint-plugin-govit), so a process owner who opens a bundled diagram
sees no finding, and every diagram is held to what the modeler demands of a new one.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.no_database

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
CONFIG = WEB / "src" / "admin" / "lint" / ".bpmnlintrc"
REPORT = Path(__file__).with_name("bpmnlint_report.cjs")
FIXTURES = ROOT / "tests" / "fixtures" / "bpmnlint"


def bpmnlint(files: list[Path]) -> list[dict]:
    """Findings of the installed bpmnlint: [{file, id, rule, category, message}]."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node not found: install Node.js 20+ and run make web")
    modules = WEB / "node_modules"
    if not (modules / "bpmnlint").is_dir() or not (modules / "bpmnlint-plugin-govit").exists():
        pytest.fail("web/node_modules is missing or out of date: run make web")
    run = subprocess.run([node, str(REPORT), str(WEB), str(CONFIG), *map(str, files)],
                         capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def _lines(findings: list[dict]) -> str:
    return "\n".join(f"{Path(f['file']).relative_to(ROOT)}  {f['id']}  {f['category']}  {f['message']}  ({f['rule']})"
                     for f in findings)


def test_bundled_diagrams_have_no_findings() -> None:
    files = sorted((ROOT / "bpmn").glob("*/*.bpmn"))
    assert len(files) > 10
    findings = bpmnlint(files)
    assert not findings, f"bpmnlint finds {len(findings)} problems:\n{_lines(findings)}"


def test_a_fake_join_and_an_unnamed_task_are_reported() -> None:
    found = {(f["id"], f["rule"], f["category"]) for f in bpmnlint([FIXTURES / "fake-join-unnamed-task.bpmn"])}
    assert ("review", "fake-join", "warn") in found
    assert ("correct", "label-required", "error") in found
    assert ("correct", "govit/chinese-name", "error") in found


def test_each_rule_of_the_product_reports_its_element() -> None:
    found = {(f["rule"], f["id"]): f["message"] for f in bpmnlint([FIXTURES / "govit-defects.bpmn"])
             if f["rule"].startswith("govit/")}
    assert set(found) == {
        ("govit/chinese-name", "review"),
        ("govit/article-cited", "approve"),
        ("govit/user-task-form", "archive"),
        ("govit/timer-expression", "wait"),
        ("govit/in-lane", "notify"),
    }
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in message) for message in found.values())


def test_the_modeler_shows_every_message_in_chinese() -> None:
    """Each message bpmnlint gives on the fixtures, through the modeler's translations."""
    findings = bpmnlint(sorted(FIXTURES.glob("*.bpmn")))
    messages = sorted({f["message"] for f in findings})
    assert len(messages) > 20
    script = ("const { translateLintMessage } = await import(process.argv[1]);"
              "const messages = JSON.parse(process.argv[2]);"
              "process.stdout.write(JSON.stringify(messages.map(translateLintMessage)));")
    translations = WEB / "src" / "admin" / "lint" / "translations.js"
    run = subprocess.run([shutil.which("node") or "node", "--input-type=module", "-e", script,
                          str(translations), json.dumps(messages)],
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    shown = dict(zip(messages, json.loads(run.stdout), strict=True))
    english = [m for m, text in shown.items() if not any("\u4e00" <= ch <= "\u9fff" for ch in text)]
    assert not english, f"messages the modeler would show in English: {english}"
