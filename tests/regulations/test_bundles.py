"""Bundle validation: a broken bundle is refused whole, every problem named with file,
element id and line; a valid one is deployed once per content hash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.db import db
from engine.errors import BundleInvalid
from engine.models import Bundle as BundleRow
from engine.models import ProcessVersion
from engine.regulations.bundles import from_files, from_folders
from engine.revisions import deploy
from engine.revisions.compiler import compile_bundle

from ..conftest import FIXTURES

SAMPLE = (FIXTURES / "bpmn" / "sample", FIXTURES / "forms" / "sample")
BPMN = "sample.bpmn"


def sample_keys() -> list[str]:
    return [p["key"] for p in json.loads(sample_files()["manifest.json"])["processes"]]


def sample_files() -> dict[str, bytes]:
    return from_folders(*SAMPLE).files


def mutate(name: str, old: str, new: str):
    def apply(files: dict[str, bytes]) -> None:
        text = files[name].decode()
        assert old in text, old
        files[name] = text.replace(old, new, 1).encode()
    return apply


BROKEN = {
    "dangling flow target": (
        mutate(BPMN, 'targetRef="done"', 'targetRef="nowhere"'),
        BPMN, "f_done", "targetRef 指向不存在"),
    "unknown element (XSD)": (
        mutate(BPMN, '<bpmn:endEvent id="done" name="已验收"><bpmn:documentation>第六条。</bpmn:documentation>'
               '</bpmn:endEvent>', '<bpmn:endEventt id="done" name="已验收"></bpmn:endEventt>'), BPMN, None, "XSD"),
    "dead end": (
        mutate(BPMN, '<bpmn:sequenceFlow id="f_done" sourceRef="accept" targetRef="done" />', ""),
        BPMN, "accept", "没有出口"),
    "gateway branch without condition": (
        mutate(BPMN, '<bpmn:conditionExpression>review_result == "reject"</bpmn:conditionExpression>', ""),
        BPMN, "f_reject", "既无条件也不是默认流"),
    "missing form file": (
        mutate(BPMN, 'value="accept.schema.json"', 'value="missing.schema.json"'), BPMN, "accept", "表单文件不存在"),
    "lane not mapped": (
        mutate(BPMN, 'name="审核处">', 'name="不存在的处室">'), BPMN, "lane_reviewer", "未在清单 lanes 中映射"),
    "condition syntax error": (
        mutate(BPMN, 'review_result == "send_back"', 'review_result ==== "send_back"'), BPMN, "f_back", "语法错误"),
    "dunder escape in script": (
        mutate(BPMN, "review_overdue = True", "x = ().__class__"), BPMN, "note_late", "下划线"),
    "import in script": (
        mutate(BPMN, "review_overdue = True", "import os"), BPMN, "note_late", "import"),
    "unknown helper in timer": (
        mutate(BPMN, "working_days_deadline(today(), 5)", "workdays_deadline(today(), 5)"),
        BPMN, "review_late", "未知函数"),
    "unknown decision": (
        mutate(BPMN, "<spiffworkflow:calledDecisionId>project_scale", "<spiffworkflow:calledDecisionId>scale_x"),
        BPMN, "scale", "决策表不存在"),
    "bad DMN cell": (
        mutate("scale.dmn", "&lt; 100000", "&lt; 100 000 )"), "scale.dmn", "r_small", "输入条件"),
    "malformed XML": (
        mutate(BPMN, "</bpmn:process>", "</bpmn:proces>"), BPMN, None, "XML 格式错误"),
    "user task without form": (
        mutate(BPMN, '<spiffworkflow:property name="formJsonSchemaFilename" value="trial.schema.json" />', ""),
        BPMN, "trial", "未指定表单"),
}


@pytest.mark.parametrize("case", list(BROKEN), ids=list(BROKEN))
def test_broken_bundle_names_file_element_and_line(case):
    change, file, element, text = BROKEN[case]
    files = sample_files()
    change(files)
    with pytest.raises(BundleInvalid) as caught:
        compile_bundle(from_files(files))
    problems = caught.value.errors
    match = [p for p in problems if p["file"] == file and text in p["message"]
             and (element is None or p["element"] == element)]
    assert match, problems
    assert match[0]["line"] is not None and match[0]["line"] > 0
    if element:  # the line is the element's own line in the file the author edits
        assert f'id="{element}"' in files[file].decode().splitlines()[match[0]["line"] - 1]


def test_several_problems_are_all_reported_at_once():
    files = sample_files()
    for key in ("dangling flow target", "missing form file", "condition syntax error"):
        BROKEN[key][0](files)
    with pytest.raises(BundleInvalid) as caught:
        compile_bundle(from_files(files))
    assert len(caught.value.errors) >= 3


@pytest.mark.parametrize(("form", "content", "text"), [
    ("review.schema.json", b"{not json", "不是有效的 JSON"),
    ("review.schema.json", json.dumps({"type": "objekt"}).encode(), "JSON Schema 2020-12"),
    ("review.schema.json", json.dumps({"type": "object", "properties": {"typename": {}}}).encode(), "保留名"),
])
def test_invalid_forms_are_refused(form, content, text):
    files = sample_files()
    files["forms/" + form] = content
    with pytest.raises(BundleInvalid) as caught:
        compile_bundle(from_files(files))
    assert any(p["file"] == "forms/" + form and text in p["message"] for p in caught.value.errors)


@pytest.mark.parametrize(("manifest_change", "text"), [
    (lambda m: m.pop("lanes"), "lanes"),
    (lambda m: m["bpmn_files"].append("absent.bpmn"), "absent.bpmn"),
    (lambda m: m["processes"].append({"key": "ghost", "name": "幽灵"}), "ghost"),
    (lambda m: m["regulation"].update(effective_from="2020-13-45"), "effective_from"),
])
def test_manifest_problems(manifest_change, text):
    files = sample_files()
    manifest = json.loads(files["manifest.json"])
    manifest_change(manifest)
    files["manifest.json"] = json.dumps(manifest).encode()
    with pytest.raises(BundleInvalid) as caught:
        compile_bundle(from_files(files))
    assert any(text in p["message"] for p in caught.value.errors), caught.value.errors


def _counts() -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(BundleRow)),
            db.session.scalar(select(func.count()).select_from(ProcessVersion)))


def test_broken_bundle_leaves_nothing_behind_and_valid_redeploy_is_idempotent(app, tmp_path: Path):
    with app.app_context():
        before = _counts()
        files = sample_files()
        BROKEN["dangling flow target"][0](files)
        with pytest.raises(BundleInvalid):
            deploy.deploy(from_files(files))
        assert _counts() == before
        again = deploy.deploy(from_folders(*SAMPLE))
        assert again.created == [] and again.unchanged == [(key, 1) for key in sample_keys()]
        assert _counts() == before


def test_a_changed_bundle_is_a_new_version_and_running_cases_keep_theirs(app, http):
    case = http.as_("s_unit_a").post("/api/v1/instances", {"process_key": "sample_project", "data": {
        "project_name": "旧版案件", "budget_yuan": 500000}}).body
    with app.app_context():
        files = sample_files()
        mutate(BPMN, 'name="初审"', 'name="初步审核"')(files)
        result = deploy.deploy(from_files(files))
        assert result.created == [(key, 2) for key in sample_keys()]
    new_case = http.as_("s_unit_a").post("/api/v1/instances", {"process_key": "sample_project", "data": {
        "project_name": "新版案件", "budget_yuan": 500000}}).body
    assert new_case["version"] == 2 and new_case["open_tasks"][0]["name"] == "初步审核"
    old = http.as_("s_reviewer").get(f"/api/v1/instances/{case['id']}").body
    assert old["version"] == 1 and old["open_tasks"][0]["name"] == "初审"
    done = http.as_("s_reviewer").post(f"/api/v1/tasks/{old['open_tasks'][0]['id']}/complete",
                                       {"data": {"review_result": "approve", "review_opinion": "同意"}}).body
    assert done["version"] == 1 and done["open_tasks"][0]["bpmn_id"] == "trial"
    versions = http.as_("s_reviewer").get("/api/v1/processes/sample_project").body["versions"]
    assert [(v["version"], v["cases"]) for v in versions] == [(1, 1), (2, 1)]


def test_one_broken_bundle_does_not_stop_the_others(app, tmp_path: Path):
    import shutil

    good_bpmn, good_forms = tmp_path / "bpmn" / "sample", tmp_path / "forms" / "sample"
    shutil.copytree(SAMPLE[0], good_bpmn)
    shutil.copytree(SAMPLE[1], good_forms)
    broken = tmp_path / "bpmn" / "broken"
    broken.mkdir()
    (broken / "manifest.json").write_text('{"id": "broken"}', "utf-8")
    with app.app_context():
        results = deploy.deploy_folders(tmp_path / "bpmn", tmp_path / "forms")
    assert [r.jurisdiction for r in results.deployed] == ["sample"]
    assert list(results.refused) == ["broken"]
    assert any("bpmn_files" in p["message"] for p in results.refused["broken"].errors)
    app.config.update(BUNDLE_ROOT=str(tmp_path / "bpmn"), FORMS_ROOT=str(tmp_path / "forms"))
    cli = app.test_cli_runner().invoke(args=["bundles", "deploy"])
    assert cli.exit_code == 1 and "sample: 无变化" in cli.output and "manifest.json" in cli.output
