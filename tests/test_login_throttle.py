"""Logins are throttled per username and per client address (429 problem with Retry-After),
tokens expire, and can be revoked one at a time (退出) or all at once."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from engine.clock import now_utc
from engine.users import (
    MAX_FAILURES_PER_ADDRESS,
    MAX_FAILURES_PER_USERNAME,
    THROTTLE_WINDOW,
    TOKEN_LIFETIME,
)

from .conftest import PASSWORD


def login(http, username: str, password: str = PASSWORD, address: str = "127.0.0.1"):
    return http.client.post("/api/v1/auth/token", json={"username": username, "password": password},
                            environ_overrides={"REMOTE_ADDR": address})


def me(http, token: str) -> int:
    return http.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def test_repeated_failures_for_one_username_are_throttled_with_retry_after(http):
    for _ in range(MAX_FAILURES_PER_USERNAME):
        assert login(http, "s_reviewer", "wrong-password").status_code == 401
    refused = login(http, "s_reviewer")  # even the right password, while throttled
    assert refused.status_code == 429
    body = refused.get_json()
    assert refused.mimetype == "application/problem+json"
    assert body["type"] == "/problems/too-many-requests" and "登录" in body["title"]
    wait = int(refused.headers["Retry-After"])
    assert 0 < wait <= THROTTLE_WINDOW.total_seconds() + 1
    assert login(http, "s_unit_a").status_code == 200          # other users are unaffected
    with time_machine.travel(now_utc() + THROTTLE_WINDOW + timedelta(seconds=2), tick=False):
        assert login(http, "s_reviewer").status_code == 200    # the window has passed


def test_a_success_clears_the_username_count(http):
    for _ in range(MAX_FAILURES_PER_USERNAME - 1):
        assert login(http, "s_reviewer", "wrong-password").status_code == 401
    assert login(http, "s_reviewer").status_code == 200
    for _ in range(MAX_FAILURES_PER_USERNAME - 1):
        assert login(http, "s_reviewer", "wrong-password").status_code == 401
    assert login(http, "s_reviewer").status_code == 200


def test_one_address_guessing_many_usernames_is_throttled(http):
    for index in range(MAX_FAILURES_PER_ADDRESS):
        assert login(http, f"guess{index}", "wrong-password", address="10.9.8.7").status_code == 401
    refused = login(http, "s_unit_a", address="10.9.8.7")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert login(http, "s_unit_a", address="10.9.8.6").status_code == 200


def test_an_expired_token_is_a_401(http):
    token = login(http, "s_unit_a").get_json()["token"]
    assert me(http, token) == 200
    with time_machine.travel(now_utc() + TOKEN_LIFETIME + timedelta(minutes=1), tick=False):
        resp = http.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert resp.status_code == 401 and resp.get_json()["type"] == "/problems/unauthorized"


def test_logout_revokes_only_the_presented_token(http):
    first = login(http, "s_unit_a").get_json()["token"]
    second = login(http, "s_unit_a").get_json()["token"]
    resp = http.client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {first}"})
    assert resp.status_code == 204
    assert me(http, first) == 401 and me(http, second) == 200
    again = http.client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {first}"})
    assert again.status_code == 401


def test_revoking_all_tokens_ends_every_session_of_that_user_only(http):
    tokens = [login(http, "s_unit_a").get_json()["token"] for _ in range(3)]
    other = login(http, "s_unit_b").get_json()["token"]
    resp = http.client.delete("/api/v1/auth/tokens", headers={"Authorization": f"Bearer {tokens[0]}"})
    assert resp.status_code == 204
    assert [me(http, t) for t in tokens] == [401, 401, 401]
    assert me(http, other) == 200
    assert http.client.delete("/api/v1/auth/tokens").status_code == 401
