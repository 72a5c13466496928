"""The reads the web app needs (docs/dev/web-api-contract.md «Web-facing reads»), through HTTP:
a case on its diagrams, start forms, articles, 转办 candidates, coverage and bundle files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import time_machine

from engine.regulations import articles as regulation
from engine.regulations.articles import split_articles
from engine.regulations.bundles import from_folders

from ..cases.test_api_cases import complete, only_task
from ..cases.test_api_cases import start as start_sample
from ..scenario_runner import ScenarioRun

ROOT = Path(__file__).resolve().parents[2]
HRSS = json.loads((ROOT / "tests" / "scenarios" / "hunan-hrss.json").read_text("utf-8"))
SAMPLE = pytest.mark.parametrize("bundle_set", ["sample"])


@pytest.fixture
def bundle_set() -> str:
    return "bundled"


def diagram(http, user: str, case_id: int) -> dict[str, dict]:
    reply = http.as_(user).get(f"/api/v1/instances/{case_id}/diagram")
    assert reply.status == 200, reply.body
    return reply.body


def by_process(body: dict) -> dict[str, dict]:
    return {p["process_id"]: p for p in body["processes"]}


def test_a_hunan_hrss_case_on_its_diagrams_through_a_call_activity_and_a_timer(http, fire_timers):
    run = ScenarioRun(http, fire_timers, HRSS, {**HRSS["scenarios"][1], "steps": []})
    try:
        run.start()
        body = diagram(http, "hrss_division_a", run.case["id"])
        assert body["process_key"] == "hunan_hrss_project" and body["version"] == 1
        assert body["processes"][0]["process_id"] == "hunan_hrss_project"
        root = by_process(body)["hunan_hrss_project"]
        assert root["file"] == "project.bpmn" and root["name"] == "信息化建设项目"
        assert root["active"] == ["requirements_survey"] and "start_application" in root["completed"]
        assert root["called"]["design_review_and_approval"] == "hunan_hrss_design"
        assert by_process(body)["hunan_hrss_acceptance"]["file"] == "acceptance.bpmn"
        assert http.as_("hrss_division_b").get(f"/api/v1/instances/{run.case['id']}/diagram").status == 404

        run.walk({}, until="design_review")
        procs = by_process(diagram(http, "hrss_division_a", run.case["id"]))
        assert "design_review_and_approval" in procs["hunan_hrss_project"]["active"]
        assert procs["hunan_hrss_design"]["active"] == ["design_review"]
        assert procs["hunan_hrss_design"]["counts"]["draft_design"] == 1
        assert "design_review" not in procs["hunan_hrss_design"]["completed"]

        run.walk({}, until="implementation")
        run.task({"task": "implementation", "as": "hrss_it", "data": HRSS["defaults"]["implementation"][0]})
        run.task({"task": "inspection_group_check", "as": "hrss_it",  # 第十五条's 监督检查组, then the trial
                  "data": HRSS["defaults"]["inspection_group_check"][0]})
        procs = by_process(diagram(http, "hrss_it", run.case["id"]))
        assert procs["hunan_hrss_acceptance"]["waiting_timers"] == ["wait_trial_operation"]
        assert "project_acceptance" in procs["hunan_hrss_project"]["active"]
        assert "implementation" in procs["hunan_hrss_procurement"]["completed"]
        assert "design_review_and_approval" in procs["hunan_hrss_project"]["completed"]
    finally:
        run.clock_.stop()


@SAMPLE
def test_a_send_back_counts_twice_and_a_finished_case_keeps_its_marks(http, fire_timers):
    case = start_sample(http)
    case = complete(http, "s_reviewer", only_task(case, "review")["id"],
                    {"review_result": "send_back", "review_opinion": "补充"})
    case = complete(http, "s_unit_a", only_task(case, "resubmit")["id"], {"resubmit_note": "已补充"})
    body = diagram(http, "s_unit_a", case["id"])
    main = body["processes"][0]
    assert main["counts"]["review"] == 1 and main["active"] == ["review"]
    assert "review_late" in main["waiting_timers"]  # the boundary reminder on the open review
    case = complete(http, "s_reviewer", only_task(case, "review")["id"],
                    {"review_result": "approve", "review_opinion": "同意", "countersign_units": ["乙单位"]})
    case = complete(http, "s_unit_b", only_task(case, "countersign")["id"], {"agree": True})
    main = diagram(http, "s_unit_a", case["id"])["processes"][0]
    assert main["counts"]["review"] == 2 and main["counts"]["countersign"] == 1
    with time_machine.travel("2026-03-02T09:00:00+08:00", tick=False):
        case = complete(http, "s_unit_a", only_task(case, "trial")["id"], {"trial_start_date": "2026-03-01"})
        main = diagram(http, "s_unit_a", case["id"])["processes"][0]
        assert main["waiting_timers"] == ["trial_wait"] and main["active"] == []
    with time_machine.travel("2026-06-01T00:00:01+08:00", tick=False):
        assert fire_timers() == 1
    case = http.as_("s_unit_a").get(f"/api/v1/instances/{case['id']}").body
    case = complete(http, "s_reviewer", only_task(case, "accept")["id"], {"acceptance_passed": True})
    assert case["status"] == "completed"
    main = diagram(http, "s_unit_a", case["id"])["processes"][0]
    assert main["active"] == [] and main["waiting_timers"] == []
    assert {"trial_wait", "accept"} <= set(main["completed"]) and main["counts"]["review"] == 2


def test_start_form_names_who_starts_with_the_form_and_its_articles(http):
    form = http.as_("hrss_division_a").get("/api/v1/processes/hunan_hrss_project/start-form").body
    assert form["version"] == 1 and form["jurisdiction"] == "hunan-hrss" and form["can_start"] is True
    assert form["role"] == "division" and form["lane"] == "厅有关处室、单位"
    assert "project_name" in form["schema"]["properties"]
    assert form["articles"][0]["article"] == "第八条"
    assert form["articles"][0]["text"].startswith("第八条  信息化建设项目由厅机关各处室")
    assert http.as_("hrss_it").get("/api/v1/processes/hunan_hrss_project/start-form").body["can_start"] is False
    assert http.as_("hrss_it").get("/api/v1/processes/no_such/start-form").status == 404


def test_jurisdictions_say_who_starts_each_process_and_whether_the_caller_may(http):
    listed = {j["id"]: j for j in http.as_("hrss_division_a").get("/api/v1/jurisdictions").body}
    process = listed["hunan-hrss"]["processes"][0]
    assert (process["start_role"], process["start_lane"], process["can_start"]) == (
        "division", "厅有关处室、单位", True)
    assert listed["gongshu"]["processes"][0]["can_start"] is False
    listed = {j["id"]: j for j in http.as_("gs_unit_a").get("/api/v1/jurisdictions").body}
    assert listed["gongshu"]["processes"][0]["can_start"] is True


def test_a_task_carries_every_article_its_documentation_cites(http):
    case = http.as_("hrss_division_a").post("/api/v1/instances", {
        "process_key": "hunan_hrss_project", "data": HRSS["scenarios"][1]["start"]["data"]}).body
    task = http.as_("hrss_division_a").get(f"/api/v1/tasks/{only_task(case, 'requirements_survey')['id']}").body
    cited = {a["article"]: a["text"] for a in task["articles"]}
    assert list(cited)[:2] == ["第七条", "第十五条"]
    assert cited["第十五条"].startswith("第十五条  厅信息化办会同相关处室、单位成立业务需求")
    assert task["article"] == "第七条、第十五条"


@SAMPLE
def test_candidates_for_a_handover_hold_the_role_and_the_unit(http):
    case = start_sample(http)
    review = only_task(case, "review")["id"]
    assert [c["username"] for c in http.as_("s_reviewer").get(f"/api/v1/tasks/{review}/candidates").body] == [
        "s_reviewer2"]
    assert http.as_("s_unit_b").get(f"/api/v1/tasks/{review}/candidates").status == 403
    case = complete(http, "s_reviewer", review, {"review_result": "send_back", "review_opinion": "补充"})
    resubmit = only_task(case, "resubmit")["id"]  # bound to the applying unit 甲单位
    assert http.as_("s_unit_a").post(f"/api/v1/tasks/{resubmit}/claim").status == 200
    admin = http.as_("admin").get(f"/api/v1/tasks/{resubmit}/candidates").body
    assert admin == [{"username": "s_unit_a2", "display_name": admin[0]["display_name"], "unit": "甲单位"}]
    assert http.as_("admin").get("/api/v1/tasks/no-such-task/candidates").status == 404


def test_articles_and_coverage_of_a_jurisdiction(http):
    articles = http.as_("gs_unit_a").get("/api/v1/jurisdictions/gongshu/articles").body
    labels = [a["article"] for a in articles]
    assert labels[:3] == ["一", "二", "二（一）"] and "五（三）" in labels
    assert next(a for a in articles if a["article"] == "五（三）")["text"].startswith("（三）统一合同备案管理")
    cover = http.as_("gs_unit_a").get("/api/v1/jurisdictions/gongshu/coverage").body
    by_article = {a["article"]: a["elements"] for a in cover["articles"]}
    assert cover["uncited"] == [] and by_article["五（一）"]
    assert {"file", "element", "name"} <= set(by_article["五（一）"][0])
    assert http.as_("gs_unit_a").get("/api/v1/jurisdictions/nowhere/articles").status == 404


def test_files_of_a_version_are_every_file_of_its_bundle(http):
    body = http.as_("hrss_it").get("/api/v1/processes/hunan_hrss_project/files", version=1).body
    assert body["version"] == 1 and len(body["bundle_hash"]) == 64
    assert {"manifest.json", "project.bpmn", "project_scale.dmn", "regulation.txt"} <= set(body["files"])
    assert any(p.startswith("forms/") and p.endswith(".schema.json") for p in body["files"])
    assert body["files"]["project.bpmn"].lstrip().startswith("<?xml")
    assert http.as_("hrss_it").get("/api/v1/processes/hunan_hrss_project/files", version=9).status == 404
    assert http.as_("hrss_it").get("/api/v1/processes/hunan_hrss_project/files", version="x").status == 422


@pytest.mark.parametrize(("jurisdiction", "first", "last", "count"), [
    ("hunan-hrss", "第一条", "第三十条", 30),
    ("jiangyin-hrss", "第一条", "第三十二条", 32),
    ("jingzhou", "第一条", "第二十一条", 21),
    ("hunan-provincial", "第一章", "第三十五条", 27),
    ("gongshu", "一", "六（三）", 27),
])
def test_each_bundled_regulation_splits_into_its_articles(jurisdiction, first, last, count):
    articles = split_articles((ROOT / "bpmn" / jurisdiction / "regulation.txt").read_text("utf-8"))
    labels = [a.article for a in articles]
    assert (labels[0], labels[-1], len(labels)) == (first, last, count)
    assert len(set(labels)) == len(labels) and all(a.text for a in articles)


def test_splitting_keeps_lines_with_their_article_and_leaves_the_title_out():
    text = "某办法\n\n第一章 总则\n第一条 目的。\n（一）细则\n第二条 范围。\n第二章 附则\n无编号段落。\n第三条 施行。"
    articles = split_articles(text)
    assert [(a.article, a.text) for a in articles] == [
        ("第一条", "第一条 目的。\n（一）细则"), ("第二条", "第二条 范围。"),
        ("第二章", "无编号段落。"), ("第三条", "第三条 施行。")]
    outline = split_articles("标题\n前言\n一、范围\n正文\n（一）甲\n甲文\n2、 乙节\n1、列表项\n（一）乙甲")
    assert [a.article for a in outline] == ["一", "一（一）", "二", "二（一）"]
    assert outline[2].text == "2、 乙节\n1、列表项"


def test_a_cited_passage_without_an_article_number_comes_with_its_line():
    bundle = from_folders(ROOT / "bpmn" / "hunan-provincial", ROOT / "forms" / "hunan-provincial")
    doc = "第八条：年度计划。第一章「省委办公厅委托省委机要局」：涉密项目建议。流程图：无此条。"
    cited = {a["article"]: a["text"] for a in regulation.cited(bundle, doc)}
    assert list(cited) == ["第八条", "第一章「省委办公厅委托省委机要局」"]
    assert cited["第八条"].startswith("第八条 纳入省直单位政务信息系统建设规划")
    assert cited["第一章「省委办公厅委托省委机要局」"].startswith("省委办公厅委托省委机要局,提出涉密项目年度建设建议")
