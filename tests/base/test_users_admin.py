"""User administration through HTTP (administrators only): accounts with a name, a unit, a
password set by the administrator and offices per jurisdiction; deactivated accounts cannot
log in and lose their sessions; no password hash ever leaves the server."""

from __future__ import annotations

from typing import Any

from ..conftest import PASSWORD, Reply

NEW = {"username": "s_unit_new", "name": "周新", "unit": "丁单位", "password": "initial-pass-1",
       "roles": [{"jurisdiction": "sample", "role": "unit"}]}


def call(http, method: str, path: str = "", body: Any = None, user: str = "admin") -> Reply:
    return http.as_(user)._call(method, f"/api/v1/users{path}", json=body)


def login(http, username: str, password: str) -> Reply:
    return http.anonymous.post("/api/v1/auth/token", {"username": username, "password": password})


def fields(reply: Reply) -> dict[str, str]:
    assert reply.status == 422, reply.body
    return {e["field"]: e["message"] for e in reply.body["errors"]}


def test_an_administrator_creates_an_account_that_logs_in_and_holds_its_office(http):
    made = call(http, "POST", "", NEW)
    assert made.status == 201, made.body
    assert made.body["label"] == "周新（丁单位）" and made.body["active"] is True
    assert made.body["roles"] == [{"jurisdiction": "sample", "role": "unit", "jurisdiction_name": "示例辖区",
                                   "office": "申报单位"}]
    listed = {u["username"]: u for u in call(http, "GET").body}
    assert listed["s_unit_new"] == made.body and listed["s_reviewer"]["roles"][0]["office"] == "审核处"
    assert not any("password" in key or "hash" in key for user in listed.values() for key in user)
    token = login(http, "s_unit_new", "initial-pass-1")
    assert token.status == 200
    me = http.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token.body['token']}"}).get_json()
    assert me["roles"] == [{"jurisdiction": "sample", "role": "unit"}] and me["unit"] == "丁单位"

    offices = {j["jurisdiction"]: j for j in call(http, "GET", "/offices").body}
    assert offices["sample"]["jurisdiction_name"] == "示例辖区" and offices["sample"]["pending"] is False
    assert {"role": "reviewer", "name": "审核处"} in offices["sample"]["offices"]


def test_wrong_accounts_are_refused_field_by_field(http):
    assert "password" in fields(call(http, "POST", "", {**NEW, "password": "short"}))
    assert "username" in fields(call(http, "POST", "", {**NEW, "username": "s_reviewer"}))
    assert "username" in fields(call(http, "POST", "", {**NEW, "username": "有空格 的名字"}))
    unknown = fields(call(http, "POST", "", {**NEW, "roles": [{"jurisdiction": "sample", "role": "nobody"}]}))
    assert unknown == {"roles/0": "所选机构不存在，请刷新后重新选择"}
    assert call(http, "PATCH", "/nobody", {"name": "某"}).status == 404
    assert "name" in fields(call(http, "PATCH", "/s_reviewer", {"name": ""}))
    assert call(http, "GET", user="s_reviewer").status == 403
    assert call(http, "POST", "", NEW, user="s_reviewer").status == 403
    assert call(http, "PATCH", "/s_reviewer", {"active": False}, user="s_reviewer").status == 403
    assert fields(call(http, "PATCH", "/admin", {"active": False})) == {"active": "不能停用自己的账号"}


def test_a_deactivated_account_loses_its_sessions_and_a_new_password_its_old_ones(http):
    reviewer = http.as_("s_reviewer")
    assert reviewer.get("/api/v1/tasks").status == 200
    off = call(http, "PATCH", "/s_reviewer", {"active": False})
    assert off.status == 200 and off.body["active"] is False
    assert reviewer._send("GET", "/api/v1/tasks").status_code == 401
    refused = login(http, "s_reviewer", PASSWORD)
    assert refused.status == 401 and "停用" in refused.body["detail"]
    assert call(http, "PATCH", "/s_reviewer", {"active": True}).body["active"] is True
    token = login(http, "s_reviewer", PASSWORD).body["token"]

    changed = call(http, "PATCH", "/s_reviewer", {"password": "another-pass-2", "unit": "审核二处",
                                                  "roles": [{"jurisdiction": "sample", "role": "finance"}]})
    assert changed.body["unit"] == "审核二处" and [r["office"] for r in changed.body["roles"]] == ["财务处"]
    assert http.client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert login(http, "s_reviewer", PASSWORD).status == 401
    assert login(http, "s_reviewer", "another-pass-2").status == 200
