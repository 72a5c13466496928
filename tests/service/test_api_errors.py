"""Bad input never reaches a 500: every error is an RFC 9457 problem with a Chinese title."""

from __future__ import annotations

import threading

import pytest

from ..cases.test_api_cases import APPLY, only_task, start

PROBLEM = "application/problem+json"


def assert_problem(reply, status: int, type_: str) -> dict:
    assert reply.status == status, reply.body
    assert reply.content_type.startswith(PROBLEM)
    assert reply.body["type"] == f"/problems/{type_}"
    assert reply.body["status"] == status
    assert any("\u4e00" <= ch <= "\u9fff" for ch in reply.body["title"])
    return reply.body


def test_form_errors_are_422_naming_each_field_in_chinese(http):
    case = start(http)
    task_id = only_task(case, "review")["id"]
    reply = http.as_("s_reviewer").post(f"/api/v1/tasks/{task_id}/complete",
                                        {"data": {"review_result": "maybe", "extra": 1}})
    body = assert_problem(reply, 422, "form-invalid")
    by_field = {e["field"]: e["message"] for e in body["errors"]}
    assert by_field["review_opinion"] == "「审核意见」为必填项"
    assert by_field["review_result"].startswith("「审核结论」须为以下之一：通过、退回补正、不予立项")
    assert "extra" in by_field["(表单)"]
    # nothing was written: the task is still open and unchanged
    assert http.as_("s_reviewer").get(f"/api/v1/tasks/{task_id}").status == 200


@pytest.mark.parametrize(("data", "field", "text"), [
    ({"project_name": "x", "budget_yuan": 10}, "project_name", "至少需要 2 个字符"),
    ({"project_name": "项目", "budget_yuan": "很多"}, "budget_yuan", "类型应为整数"),
    ({"project_name": "项目", "budget_yuan": 0}, "budget_yuan", "不能小于 1"),
    ({"project_name": "项目"}, "budget_yuan", "为必填项"),
])
def test_start_form_is_validated(http, data, field, text):
    reply = http.as_("s_unit_a").post("/api/v1/instances", {"process_key": "sample_project", "data": data})
    body = assert_problem(reply, 422, "form-invalid")
    assert any(e["field"] == field and text in e["message"] for e in body["errors"]), body


@pytest.mark.parametrize(("payload", "field"), [
    ({"data": {}}, "process_key"),
    ({"process_key": "sample_project", "data": []}, "data"),
    ({"process_key": "sample_project", "bogus": 1}, "bogus"),
])
def test_malformed_request_bodies_are_422_with_field(http, payload, field):
    body = assert_problem(http.as_("s_unit_a").post("/api/v1/instances", payload), 422, "invalid-request")
    assert any(e["field"] == field for e in body["errors"]), body


def test_wrong_user_gets_403_and_task_stays_open(http):
    case = start(http)
    task_id = only_task(case, "review")["id"]
    assert_problem(http.as_("s_unit_a").post(f"/api/v1/tasks/{task_id}/complete",
                                             {"data": {"review_result": "approve", "review_opinion": "好"}}),
                   403, "forbidden")
    assert only_task(http.as_("s_unit_a").get(f"/api/v1/instances/{case['id']}").body, "review")


def test_only_the_start_lane_may_start(http):
    reply = http.as_("s_reviewer").post("/api/v1/instances", {"process_key": "sample_project", "data": APPLY})
    assert_problem(reply, 403, "forbidden")


@pytest.mark.parametrize(("method", "path", "status", "type_"), [
    ("get", "/api/v1/instances/99999", 404, "not-found"),
    # beyond a 32-bit id column: must be refused before PostgreSQL sees it
    ("get", "/api/v1/instances/95900680430", 404, "not-found"),
    ("post", "/api/v1/notices/95900680430/read", 404, "not-found"),
    ("get", "/api/v1/tasks?instance_id=95900680430", 422, "invalid-request"),
    ("get", "/api/v1/instances?offset=95900680430000000000", 422, "invalid-request"),
    ("get", "/api/v1/tasks/00000000-0000-0000-0000-000000000000", 404, "not-found"),
    ("get", "/api/v1/processes/nope", 404, "not-found"),
    ("post", "/api/v1/instances", 404, "not-found"),
    ("get", "/api/v1/nowhere", 404, "not-found"),
    ("delete", "/api/v1/instances", 405, "method-not-allowed"),
])
def test_unknown_things(http, method, path, status, type_):
    user = http.as_("s_unit_a")
    reply = (user.post(path, {"process_key": "nope", "data": {}}) if method == "post"
             else user._call(method.upper(), path))
    assert_problem(reply, status, type_)


def test_missing_or_bad_token_is_401(http):
    assert_problem(http.anonymous.get("/api/v1/tasks"), 401, "unauthorized")
    wrong = assert_problem(http.anonymous.post("/api/v1/auth/token", {"username": "s_unit_a", "password": "wrong"}),
                           401, "login-failed")
    assert wrong["title"] == "用户名或密码错误"


def test_not_json_body_is_a_problem_not_a_500(http):
    resp = http.client.post("/api/v1/instances", data="not json", content_type="text/plain",
                            headers={"Authorization": f"Bearer {http.as_('s_unit_a').token}"})
    assert resp.status_code in (400, 415, 422)
    assert resp.content_type.startswith(PROBLEM)


def test_two_concurrent_completions_one_wins_one_409(app, http):
    case = start(http)
    task_id = only_task(case, "review")["id"]
    barrier, results = threading.Barrier(2), []
    data = {"review_result": "reject", "review_opinion": "重复建设"}

    def worker(user: str) -> None:
        client = http.as_(user)
        barrier.wait()
        results.append(client.post(f"/api/v1/tasks/{task_id}/complete", {"data": data}).status)

    threads = [threading.Thread(target=worker, args=(u,)) for u in ("s_reviewer", "s_reviewer2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 409]
    audit = http.as_("admin").get(f"/api/v1/instances/{case['id']}/audit").body
    assert [a["action"] for a in audit].count("complete") == 1


def test_data_the_diagram_cannot_run_with_is_422_naming_the_element(http):
    case = start(http)  # a small project: approval needs the countersigning units
    task_id = only_task(case, "review")["id"]
    reply = http.as_("s_reviewer").post(f"/api/v1/tasks/{task_id}/complete",
                                        {"data": {"review_result": "approve", "review_opinion": "同意"}})
    body = assert_problem(reply, 422, "process-error")
    assert body["element"] == "countersign" and "会签" in body["detail"]
    assert http.as_("s_reviewer").get(f"/api/v1/tasks/{task_id}").status == 200  # rolled back


@pytest.mark.parametrize(("path", "payload", "field"), [
    ("/api/v1/instances", {"process_key": "a\u0000b", "data": {}}, "process_key"),
    ("/api/v1/instances", {"process_key": "sample_project", "data": {"project_name": "x\u0000"}}, "data/project_name"),
])
def test_nul_characters_are_refused_before_reaching_the_database(http, path, payload, field):
    body = assert_problem(http.as_("s_unit_a").post(path, payload), 400, "invalid-input")
    assert body["errors"][0]["field"] == field
    assert_problem(http.as_("s_unit_a").get("/api/v1/instances", process_key="\u0000"), 400, "invalid-input")


@pytest.mark.parametrize(("field", "value", "text"), [
    ("limit", 0, "须在 1 至 500 之间"),
    ("offset", -1, "须在 0 至 2147483647 之间"),
])
def test_range_errors_are_chinese_and_name_the_field(http, field, value, text):
    reply = http.as_("s_reviewer").get("/api/v1/tasks", **{field: value})
    assert_problem(reply, 422, "invalid-request")
    assert {"field": field, "message": f"「{field}」{text}"} in reply.body["errors"]
