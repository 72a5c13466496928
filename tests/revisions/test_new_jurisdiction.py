"""A jurisdiction built from nothing through HTTP, as an administrator would in the browser: a
draft from a short fictional regulation (tests/fixtures/new-jurisdiction), its offices and
units in words, its people as accounts, an empty process, then the complete diagram, decision
table and forms saved through the file API, validated, deployed; its applicant starts a case
and its offices walk it, through a 退回 and an expert review, to 项目立项."""

from __future__ import annotations

import io
import json
from typing import Any

from engine.clock import today_local

from ..conftest import FIXTURES, PASSWORD, Reply

FIXTURE = FIXTURES / "new-jurisdiction"
REGULATION = (FIXTURE / "regulation.txt").read_text(encoding="utf-8")
TITLE = "青禾县政务信息化项目管理办法"
OFFICES = [{"name": "申请单位", "applicant": True}, {"name": "县数据局", "case_control": True}, {"name": "县财政局"}]
UNITS = ["县教育局", "县数据局", "县财政局"]
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
FIXTURE_KEY = "county_project"  # the fixture diagram's process id, replaced by the generated key


def call(http, method: str, path: str, body: Any = None, user: str = "admin") -> Reply:
    return http.as_(user)._call(method, f"/api/v1{path}", json=body)


def new_draft(http, name: str = "青禾县", text: str = REGULATION, status: int = 201) -> dict:
    reply = call(http, "POST", "/drafts", {"new_jurisdiction": {
        "name": name, "regulation_title": TITLE, "regulation_text": text}})
    assert reply.status == status, reply.body
    return reply.body


def manifest(draft: dict) -> dict:
    return json.loads(draft["files"]["manifest.json"])


def organise(http, draft_id: int, offices: list[dict] = OFFICES, units: list[str] = UNITS) -> dict:
    reply = call(http, "PUT", f"/drafts/{draft_id}/organisation", {"offices": offices, "units": units})
    assert reply.status == 200, reply.body
    return reply.body


def office_roles(organisation: dict) -> dict[str, str]:
    return {o["name"]: o["role"] for o in organisation["offices"]}


def add_user(http, username: str, name: str, unit: str, jurisdiction: str, role: str) -> dict:
    reply = call(http, "POST", "/users", {"username": username, "name": name, "unit": unit, "password": PASSWORD,
                                          "roles": [{"jurisdiction": jurisdiction, "role": role}]})
    assert reply.status == 201, reply.body
    return reply.body


def save(http, draft: dict, path: str, content: str) -> dict:
    reply = call(http, "PUT", f"/drafts/{draft['id']}/files/{path}",
                 {"content": content, "revision": draft["revision"]})
    assert reply.status == 200, reply.body
    return reply.body


def completed_bundle(http, draft: dict, key: str) -> dict:
    """The fixture's diagram, table and forms saved into the draft, and the manifest entries
    they need (manifest-additions.json) but the case title, which the organisation page sets."""
    draft = save(http, draft, f"{key}.bpmn", (FIXTURE / "project.bpmn").read_text("utf-8").replace(FIXTURE_KEY, key))
    draft = save(http, draft, "expert_review.dmn", (FIXTURE / "expert_review.dmn").read_text("utf-8"))
    for form in sorted((FIXTURE / "forms").iterdir()):
        draft = save(http, draft, f"forms/{form.name}", form.read_text("utf-8"))
    additions = json.loads((FIXTURE / "manifest-additions.json").read_text("utf-8"))
    additions.pop("title_field")
    current = manifest(draft)
    current.update(additions)
    return save(http, draft, "manifest.json", json.dumps(current, ensure_ascii=False, indent=2))


def choose_title(http, draft: dict, key: str, field: str | None, user: str = "admin") -> Reply:
    return call(http, "PATCH", f"/drafts/{draft['id']}/processes/{key}",
                {"title_field": field, "revision": draft["revision"]}, user=user)


def upload(http, user: str, field: str, **target: str) -> str:
    token = http.as_(user).token
    resp = http.client.post("/api/v1/attachments", headers={"Authorization": f"Bearer {token}"},
                            data={"file": (io.BytesIO(PDF), "项目建议书.pdf"), "field": field, **target},
                            content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def open_task(http, user: str, case_id: int) -> dict:
    reply = http.as_(user).get("/api/v1/tasks", instance_id=case_id)
    assert reply.status == 200 and len(reply.body["items"]) == 1, reply.body
    return reply.body["items"][0]


def complete(http, user: str, case_id: int, expected: str, data: dict) -> dict:
    task = open_task(http, user, case_id)
    assert task["name"] == expected, task
    reply = http.as_(user).post(f"/api/v1/tasks/{task['id']}/complete", {"data": data})
    assert reply.status == 200, reply.body
    return reply.body


def test_a_new_jurisdiction_is_drafted_organised_staffed_drawn_deployed_and_walked(http):
    draft = new_draft(http)
    first = manifest(draft)
    identifier = first["id"]
    assert draft["jurisdiction"] == identifier and identifier.isascii() and draft["base_bundle_hash"] is None
    assert (draft["jurisdiction_name"], draft["new_jurisdiction"]) == ("青禾县", True)
    listed = {d["id"]: d for d in call(http, "GET", "/drafts").body}
    assert listed[draft["id"]]["jurisdiction_name"] == "青禾县"
    assert first["name"] == "青禾县" and first["regulation"]["title"] == TITLE
    assert first["regulation"]["status"] == "in_force"
    assert first["articles"] == [f"第{n}条" for n in "一二三四五六七八九十"]
    assert draft["files"]["regulation.txt"] == REGULATION and first["processes"] == []

    organisation = organise(http, draft["id"])
    roles = office_roles(organisation)
    assert list(roles) == ["申请单位", "县数据局", "县财政局"] and organisation["units"] == UNITS
    assert [o["applicant"] for o in organisation["offices"]] == [True, False, False]
    assert [o["case_control"] for o in organisation["offices"]] == [False, True, False]
    organised = manifest(call(http, "GET", f"/drafts/{draft['id']}").body)
    assert organised["lanes"] == {name: role for name, role in roles.items()}
    assert organised["case_control_roles"] == [roles["县数据局"]]

    offices = {j["jurisdiction_name"]: j for j in call(http, "GET", "/users/offices").body}
    assert offices["青禾县"]["pending"] is True
    assert [o["name"] for o in offices["青禾县"]["offices"]] == ["申请单位", "县数据局", "县财政局"]
    assert offices["青禾县"]["units"] == UNITS
    applicant = add_user(http, "qh_edu", "赵敏", "县教育局", identifier, roles["申请单位"])
    assert applicant["label"] == "赵敏（县教育局）" and applicant["roles"][0]["office"] == "申请单位"
    add_user(http, "qh_data", "钱进", "县数据局", identifier, roles["县数据局"])
    add_user(http, "qh_finance", "孙丽", "县财政局", identifier, roles["县财政局"])

    reply = call(http, "POST", f"/drafts/{draft['id']}/processes", {"name": "项目立项审批"})
    assert reply.status == 201, reply.body
    draft = reply.body
    process = manifest(draft)["processes"][0]
    key = process["key"]
    assert process["name"] == "项目立项审批" and manifest(draft)["bpmn_files"] == [f"{key}.bpmn"]
    blank = draft["files"][f"{key}.bpmn"]
    assert all(f'name="{lane}"' in blank for lane in roles) and "bpmndi:BPMNShape" in blank

    draft = completed_bundle(http, draft, key)
    titled = choose_title(http, draft, key, "project_name")
    assert titled.status == 200 and titled.body["processes"][0]["title_label"] == "项目名称", titled.body
    report = call(http, "POST", f"/drafts/{draft['id']}/validate")
    assert report.status == 200 and report.body["ok"] is True, report.body
    assert report.body["diff"] is None  # nothing in force to compare with
    deployed = call(http, "POST", f"/drafts/{draft['id']}/deploy", {})
    assert deployed.status == 201, deployed.body
    assert deployed.body["created"] == [{"process_key": key, "version": 1}]
    catalogue = {j["name"]: j for j in call(http, "GET", "/jurisdictions").body}
    assert catalogue["青禾县"]["regulation_title"] == TITLE
    versions = call(http, "GET", f"/processes/{key}/versions").body
    assert versions[0]["effective_from"] == today_local().isoformat() and versions[0]["status"] == "in_force"
    offices = {j["jurisdiction_name"]: j for j in call(http, "GET", "/users/offices").body}
    assert offices["青禾县"]["pending"] is False and offices["青禾县"]["jurisdiction"] == identifier

    proposal = upload(http, "qh_edu", "proposal", process_key=key)
    started = http.as_("qh_edu").post("/api/v1/instances", {"process_key": key, "data": {
        "project_name": "县域教育数据平台", "construction_content": "全县中小学数据汇聚与共享",
        "budget_yuan": 800000, "proposal": proposal}})
    assert started.status == 201, started.body
    case_id = started.body["id"]
    assert started.body["title"] == "县域教育数据平台"
    complete(http, "qh_data", case_id, "县数据局审核",
             {"review_result": "send_back", "review_opinion": "请补充预算明细"})
    complete(http, "qh_edu", case_id, "补正申请", {"correction_note": "已补充预算明细", "budget_yuan": 800000})
    complete(http, "qh_data", case_id, "县数据局审核", {"review_result": "pass", "review_opinion": "同意"})
    complete(http, "qh_data", case_id, "组织专家评审", {"expert_result": "pass", "expert_opinion": "方案可行"})
    done = complete(http, "qh_finance", case_id, "县财政局资金审核",
                    {"finance_result": "agree", "finance_opinion": "资金已落实"})
    case = http.as_("qh_edu").get(f"/api/v1/instances/{case_id}").body
    assert case["status"] == "completed" and case["open_tasks"] == [], (done, case)

    # below the 50万 line the table sends the project straight to 县财政局, within 5 working days of review
    small = http.as_("qh_edu").post("/api/v1/instances", {"process_key": key, "data": {
        "project_name": "县政务服务终端", "construction_content": "乡镇便民服务终端", "budget_yuan": 300000,
        "proposal": upload(http, "qh_edu", "proposal", process_key=key)}}).body
    review = open_task(http, "qh_data", small["id"])
    assert review["due_at"] and review["lane"] == "县数据局", review
    complete(http, "qh_data", small["id"], "县数据局审核", {"review_result": "pass", "review_opinion": "同意"})
    complete(http, "qh_finance", small["id"], "县财政局资金审核",
             {"finance_result": "disagree", "finance_opinion": "资金不足"})
    assert http.as_("qh_edu").get(f"/api/v1/instances/{small['id']}").body["status"] == "completed"
    assert http.as_("qh_edu").get("/api/v1/tasks", instance_id=small["id"]).body["items"] == []


def fields(reply: Reply) -> dict[str, str]:
    assert reply.status == 422, reply.body
    return {e["field"]: e["message"] for e in reply.body["errors"]}


def test_a_new_jurisdiction_names_each_wrong_field_and_refuses_a_name_in_use(http):
    preview = call(http, "POST", "/drafts/articles-preview", {"regulation_text": REGULATION})
    assert preview.status == 200 and len(preview.body) == 10
    assert preview.body[5]["article"] == "第六条" and "50万元以上" in preview.body[5]["text"]
    staff = call(http, "POST", "/drafts/articles-preview", {"regulation_text": REGULATION}, user="s_unit_a")
    assert staff.status == 403
    blank = call(http, "POST", "/drafts", {"new_jurisdiction": {"name": " ", "regulation_title": "办法",
                                                                "regulation_text": "只有一句话，没有条款。"}})
    wrong = fields(blank)
    assert set(wrong) == {"new_jurisdiction/name", "new_jurisdiction/regulation_text"}, wrong
    assert "第一条" in wrong["new_jurisdiction/regulation_text"]
    missing = fields(call(http, "POST", "/drafts", {"new_jurisdiction": {"name": "青禾县"}}))
    assert {"new_jurisdiction/regulation_title", "new_jurisdiction/regulation_text"} <= set(missing)
    both = fields(call(http, "POST", "/drafts", {"jurisdiction": "sample", "new_jurisdiction": {
        "name": "青禾县", "regulation_title": TITLE, "regulation_text": REGULATION}}))
    assert "jurisdiction" in both

    new_draft(http)
    again = new_draft(http, status=422)  # a second draft of the same new jurisdiction
    assert "已有名为「青禾县」" in again["errors"][0]["message"]
    taken = new_draft(http, name="示例辖区", status=422)  # the sample bundle's name
    assert taken["errors"][0]["field"] == "new_jurisdiction/name"
    other = call(http, "POST", "/drafts", {"new_jurisdiction": {
        "name": "青禾县", "regulation_title": TITLE, "regulation_text": REGULATION}}, user="s_unit_a")
    assert other.status == 403


def test_renaming_an_office_renames_its_lanes_and_one_still_drawn_cannot_be_removed(http):
    draft = new_draft(http)
    assert fields(call(http, "POST", f"/drafts/{draft['id']}/processes", {"name": "项目立项审批"}))["name"]
    roles = office_roles(organise(http, draft["id"]))
    duplicate = fields(call(http, "PUT", f"/drafts/{draft['id']}/organisation",
                            {"offices": [{"name": "县数据局"}, {"name": "县数据局"}], "units": []}))
    assert duplicate == {"offices/1/name": "机构「县数据局」重复"}
    draft = call(http, "POST", f"/drafts/{draft['id']}/processes", {"name": "项目立项审批"}).body
    key = manifest(draft)["processes"][0]["key"]

    renamed = [{"role": roles["申请单位"], "name": "项目单位", "applicant": True},
               {"role": roles["县数据局"], "name": "县大数据中心", "case_control": True},
               {"role": roles["县财政局"], "name": "县财政局"}, {"name": "县审计局"}]
    organisation = organise(http, draft["id"], renamed, [*UNITS, "县审计局"])
    assert office_roles(organisation)["县大数据中心"] == roles["县数据局"]
    assert office_roles(organisation)["县审计局"] not in roles.values()
    files = call(http, "GET", f"/drafts/{draft['id']}").body["files"]
    assert 'name="县大数据中心"' in files[f"{key}.bpmn"] and 'name="县数据局"' not in files[f"{key}.bpmn"]
    assert manifest({"files": files})["lanes"] == {"项目单位": roles["申请单位"], "县大数据中心": roles["县数据局"],
                                                   "县财政局": roles["县财政局"],
                                                   "县审计局": office_roles(organisation)["县审计局"]}

    swapped = [{**renamed[0], "name": "县财政局"}, renamed[1], {**renamed[2], "name": "项目单位"}, renamed[3]]
    clash = fields(call(http, "PUT", f"/drafts/{draft['id']}/organisation", {"offices": swapped, "units": UNITS}))
    assert set(clash) == {"offices/0/name", "offices/2/name"} and "另一机构的泳道名" in clash["offices/0/name"]

    removed = fields(call(http, "PUT", f"/drafts/{draft['id']}/organisation",
                          {"offices": renamed[:2] + renamed[3:], "units": UNITS}))
    assert "泳道「县财政局」" in removed["offices"] and f"{key}.bpmn" in removed["offices"]
    kept = organise(http, draft["id"], renamed[:3], UNITS)  # drawn in no diagram: it may go
    assert "县审计局" not in office_roles(kept)
    assert "县审计局" not in manifest(call(http, "GET", f"/drafts/{draft['id']}").body)["lanes"]
    stale = call(http, "PUT", f"/drafts/{draft['id']}/organisation",
                 {"offices": renamed[:3], "units": UNITS, "revision": 1})
    assert stale.status == 409


def test_an_empty_process_opens_with_a_lane_per_office_and_its_start_in_the_applicants(http):
    from lxml import etree

    draft = new_draft(http)
    organise(http, draft["id"], [{"name": "县数据局"}, {"name": "申请单位", "applicant": True}])
    draft = call(http, "POST", f"/drafts/{draft['id']}/processes", {"name": "项目立项审批"}).body
    key = manifest(draft)["processes"][0]["key"]
    root = etree.fromstring(draft["files"][f"{key}.bpmn"].encode())
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
          "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI"}
    lanes = root.findall(".//bpmn:lane", ns)
    assert [lane.get("name") for lane in lanes] == ["县数据局", "申请单位"]
    start = root.find(".//bpmn:startEvent", ns).get("id")
    assert [r.text for r in lanes[1].findall("bpmn:flowNodeRef", ns)] == [start]
    shapes = {s.get("bpmnElement") for s in root.iterfind(".//bpmndi:BPMNShape", ns)}
    assert shapes == {start, f"Participant_{key}", *(lane.get("id") for lane in lanes)}
    assert root.find(".//bpmn:participant", ns).get("processRef") == key
    twice = fields(call(http, "POST", f"/drafts/{draft['id']}/processes", {"name": "项目立项审批"}))
    assert "已有流程" in twice["name"]
    report = call(http, "POST", f"/drafts/{draft['id']}/validate").body
    assert report["ok"] is False and report["problems"]  # not deployable until it is drawn


def test_a_manifest_or_diagram_an_expert_broke_is_named_not_a_server_error(http):
    draft = new_draft(http)
    organise(http, draft["id"])
    draft = call(http, "POST", f"/drafts/{draft['id']}/processes", {"name": "项目立项审批"}).body
    key = manifest(draft)["processes"][0]["key"]
    broken = save(http, draft, f"{key}.bpmn", "<bpmn:definitions")
    reply = call(http, "PUT", f"/drafts/{draft['id']}/organisation", {"offices": [], "units": []})
    assert reply.status == 422 and reply.body["errors"][0]["file"] == f"{key}.bpmn", reply.body
    save(http, broken, "manifest.json", '{"roles": "不是列表"}')
    for method, path, body in [("GET", "/organisation", None), ("POST", "/processes", {"name": "另一个流程"}),
                               ("PUT", "/organisation", {"offices": [], "units": []})]:
        reply = call(http, method, f"/drafts/{draft['id']}{path}", body)
        assert reply.status == 422 and reply.body["errors"][0]["file"] == "manifest.json", reply.body
    assert call(http, "GET", "/users/offices").status == 200  # the broken draft is left out


def test_a_process_takes_its_case_title_from_a_text_field_of_its_start_form_chosen_by_label(http):
    draft = new_draft(http)
    organise(http, draft["id"])
    draft = call(http, "POST", f"/drafts/{draft['id']}/processes", {"name": "项目立项审批"}).body
    key = manifest(draft)["processes"][0]["key"]
    blank = call(http, "GET", f"/drafts/{draft['id']}/processes").body["processes"]
    assert blank == [{"key": key, "name": "项目立项审批", "start_form": False, "title_field": None,
                      "title_label": None, "fields": []}]
    none_yet = fields(choose_title(http, draft, key, "project_name"))
    assert "开始事件的表单中还没有文字字段" in none_yet["title_field"]

    draft = completed_bundle(http, draft, key)
    listed = call(http, "GET", f"/drafts/{draft['id']}/processes").body
    assert listed["revision"] == draft["revision"]
    assert listed["processes"][0]["start_form"] is True and listed["processes"][0]["title_field"] is None
    # the amount and the document are not text: only the two text fields are offered
    assert listed["processes"][0]["fields"] == [{"field": "project_name", "label": "项目名称"},
                                                {"field": "construction_content", "label": "建设内容"}]
    for wrong in ("budget_yuan", "proposal", "review_opinion", "no_such_field"):
        refused = fields(choose_title(http, draft, key, wrong))
        assert refused == {"title_field": "案件标题应取自开始表单中的一个文字字段：项目名称、建设内容"}, wrong

    chosen = choose_title(http, draft, key, "construction_content")
    assert chosen.status == 200, chosen.body
    process = chosen.body["processes"][0]
    assert (process["title_field"], process["title_label"]) == ("construction_content", "建设内容")
    saved = call(http, "GET", f"/drafts/{draft['id']}").body
    assert manifest(saved)["processes"][0] == {"key": key, "name": "项目立项审批",
                                               "title_field": "construction_content"}
    assert chosen.body["revision"] == saved["revision"] == draft["revision"] + 1

    # the field taken off the start form later: validating names the process, not a server error
    form = json.loads(saved["files"]["forms/application.schema.json"])
    del form["properties"]["construction_content"]
    form["required"] = [f for f in form.get("required", []) if f != "construction_content"]
    edited = save(http, saved, "forms/application.schema.json", json.dumps(form, ensure_ascii=False))
    report = call(http, "POST", f"/drafts/{draft['id']}/validate").body
    [problem] = [p for p in report["problems"] if "案件标题" in p["message"]]
    assert problem["element"] == key and "「项目立项审批」" in problem["message"], problem
    saved = save(http, edited, "forms/application.schema.json", saved["files"]["forms/application.schema.json"])

    assert choose_title(http, draft, key, "project_name").status == 409  # made on the revision before
    assert choose_title(http, saved, "process_unknown", "project_name").status == 404
    assert choose_title(http, saved, key, "project_name", user="s_unit_a").status == 403
    cleared = choose_title(http, saved, key, None)
    assert cleared.status == 200 and cleared.body["processes"][0]["title_field"] is None
    assert "title_field" not in manifest(call(http, "GET", f"/drafts/{draft['id']}").body)["processes"][0]
