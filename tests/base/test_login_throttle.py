"""Logins are throttled per account by a progressive delay and per client address by a limit far
above one office's failures (429 problem with Retry-After, Chinese title); a wrong password is a
401 titled 用户名或密码错误; tokens expire, and can be revoked one at a time (退出) or all at once."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

import pytest
import time_machine

from engine.clock import now_utc
from engine.db import db, unit_of_work
from engine.models import LoginFailure
from engine.users import (
    ACCOUNT_WINDOW,
    ADDRESS_WINDOW,
    BASE_DELAY,
    FREE_FAILURES,
    MAX_DELAY,
    MAX_FAILURES_PER_ADDRESS,
    TOKEN_LIFETIME,
    account_delay,
)

from ..conftest import PASSWORD


def login(http, username: str, password: str = PASSWORD, address: str = "127.0.0.1"):
    return http.client.post("/api/v1/auth/token", json={"username": username, "password": password},
                            environ_overrides={"REMOTE_ADDR": address})


def me(http, token: str) -> int:
    return http.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def assert_throttled(reply, at_most: timedelta) -> int:
    assert reply.status_code == 429
    assert reply.mimetype == "application/problem+json"
    body = reply.get_json()
    assert body["type"] == "/problems/too-many-requests" and "登录" in body["title"]
    assert "稍后" in body["title"] and body["detail"] != body["title"]  # the detail says how long
    wait = int(reply.headers["Retry-After"])
    assert 0 < wait <= at_most.total_seconds() + 1
    return wait


@pytest.mark.parametrize("username", ["s_reviewer", "nobody-by-this-name"])
def test_a_wrong_password_is_a_401_titled_as_what_it_is(http, username):
    reply = login(http, username, "wrong-password")
    assert reply.status_code == 401 and reply.mimetype == "application/problem+json"
    body = reply.get_json()
    assert body["type"] == "/problems/login-failed" and body["title"] == "用户名或密码错误"
    assert body["detail"] == "用户名或密码错误"  # the same whether or not the user exists


def test_the_delay_per_account_grows_with_each_failure_and_is_capped():
    assert [account_delay(n) for n in range(FREE_FAILURES)] == [timedelta(0)] * FREE_FAILURES
    delays = [account_delay(FREE_FAILURES + n) for n in range(12)]
    assert delays[0] == BASE_DELAY
    assert all(a < b or b == MAX_DELAY for a, b in pairwise(delays))
    assert delays[-1] == MAX_DELAY and account_delay(10_000) == MAX_DELAY


def test_repeated_failures_for_one_username_make_it_wait_longer_each_time(http):
    start = now_utc()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(FREE_FAILURES):
            assert login(http, "s_reviewer", "wrong-password").status_code == 401
        refused = login(http, "s_reviewer")  # even the right password, while it must wait
        assert assert_throttled(refused, BASE_DELAY) == BASE_DELAY.total_seconds()
        assert login(http, "s_unit_a").status_code == 200  # other users are unaffected
        waits = []
        for _ in range(8):  # wait as told, fail again: each wait longer, up to the cap
            clock.shift(timedelta(seconds=int(refused.headers["Retry-After"])))
            assert login(http, "s_reviewer", "wrong-password").status_code == 401
            refused = login(http, "s_reviewer")
            waits.append(assert_throttled(refused, MAX_DELAY))
        assert waits == sorted(waits) and waits[0] == 2 * BASE_DELAY.total_seconds()
        assert waits[-1] == MAX_DELAY.total_seconds()
        clock.shift(MAX_DELAY)
        assert login(http, "s_reviewer").status_code == 200  # the owner gets in after the wait


def test_failures_older_than_the_account_window_are_forgotten(http):
    with time_machine.travel(now_utc(), tick=False) as clock:
        for _ in range(FREE_FAILURES):
            assert login(http, "s_reviewer", "wrong-password").status_code == 401
        clock.shift(ACCOUNT_WINDOW + timedelta(seconds=1))
        assert login(http, "s_reviewer", "wrong-password").status_code == 401  # counted afresh
        assert login(http, "s_reviewer").status_code == 200


def test_a_success_clears_the_username_count(http):
    for _ in range(FREE_FAILURES - 1):
        assert login(http, "s_reviewer", "wrong-password").status_code == 401
    assert login(http, "s_reviewer").status_code == 200
    for _ in range(FREE_FAILURES - 1):
        assert login(http, "s_reviewer", "wrong-password").status_code == 401
    assert login(http, "s_reviewer").status_code == 200


def test_an_office_behind_one_address_is_not_locked_out_by_its_own_typos(http):
    """The review's finding: 20 failures from one address used to lock out everyone behind it."""
    office = "10.20.30.40"
    for index in range(30):  # 60 failures: 30 colleagues, two typos each
        for _ in range(2):
            assert login(http, f"colleague{index}", "wrong-password", address=office).status_code == 401
    assert login(http, "s_unit_a", address=office).status_code == 200


def add_failures(app, count: int, address: str) -> None:
    with app.app_context(), unit_of_work():
        db.session.add_all(LoginFailure(username=f"guess{index}", address=address, at=now_utc())
                           for index in range(count))


def test_one_address_spraying_many_usernames_is_throttled(app, http):
    spray = "10.9.8.7"
    add_failures(app, MAX_FAILURES_PER_ADDRESS - 1, spray)  # as if it had guessed this often already
    assert login(http, "one-more-guess", "wrong-password", address=spray).status_code == 401
    refused = login(http, "s_unit_a", address=spray)
    assert_throttled(refused, ADDRESS_WINDOW)
    assert login(http, "s_unit_a", address="10.9.8.6").status_code == 200  # other addresses are not
    with time_machine.travel(now_utc() + ADDRESS_WINDOW + timedelta(seconds=2), tick=False):
        assert login(http, "s_unit_a", address=spray).status_code == 200


def test_an_expired_token_is_a_401(http):
    token = login(http, "s_unit_a").get_json()["token"]
    assert me(http, token) == 200
    with time_machine.travel(now_utc() + TOKEN_LIFETIME + timedelta(minutes=1), tick=False):
        resp = http.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert resp.status_code == 401 and resp.get_json()["type"] == "/problems/unauthorized"
        assert resp.get_json()["title"] == "未登录或登录已失效"


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
