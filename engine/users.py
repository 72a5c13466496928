"""Users, roles, units and bearer tokens."""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

from sqlalchemy import bindparam, delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from .clock import now_utc
from .db import as_utc, db, unit_of_work
from .errors import FormInvalid, LoginFailed, NotFound, TooManyRequests, Unauthorized
from .models import ApiToken, LoginFailure, User, UserRole

TOKEN_LIFETIME = timedelta(hours=12)
MIN_PASSWORD = 8
# Failed logins are kept in the database, so that every server shares them (docs/security.md).
# Per account, a progressive delay: the first FREE_FAILURES failures of a username cost nothing;
# after that each further attempt must wait BASE_DELAY after the last failure, doubling with
# every failure up to MAX_DELAY. Failures older than ACCOUNT_WINDOW are forgotten, a success
# forgets them at once. A guesser gets ~100 tries a day at one account; its owner waits at
# most MAX_DELAY, and nobody else is affected.
FREE_FAILURES = 5
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(minutes=15)
ACCOUNT_WINDOW = timedelta(hours=24)
# Per client address, a plain limit far above what one office behind a shared NAT fails in a
# day (a few dozen typos), so that it never locks that office out; it stops one address
# spraying many usernames.
ADDRESS_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ADDRESS = 500


@dataclass(frozen=True)
class Actor:
    """The caller as the engine sees it: who, which unit, which (jurisdiction, role) pairs."""

    username: str
    display_name: str
    unit: str | None
    is_admin: bool
    roles: frozenset[tuple[str, str]]

    def holds(self, jurisdiction: str, role: str) -> bool:
        return (jurisdiction, role) in self.roles

    @property
    def jurisdictions(self) -> set[str]:
        return {j for j, _ in self.roles}


def actor_of(user: User) -> Actor:
    return Actor(user.username, user.display_name, user.unit, user.is_admin,
                 frozenset((r.jurisdiction_id, r.role) for r in user.roles))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise FormInvalid(f"密码至少 {MIN_PASSWORD} 位",
                          errors=[{"field": "password", "message": f"密码至少 {MIN_PASSWORD} 位"}])


def create_user(username: str, password: str, display_name: str, unit: str | None = None,
                roles: list[tuple[str, str]] | None = None, is_admin: bool = False, active: bool = True) -> User:
    if db.session.scalar(select(User).where(User.username == username)) is not None:
        raise FormInvalid(f"用户名已存在：{username}",
                          errors=[{"field": "username", "message": "该登录名已被使用，请换一个"}])
    _check_password(password)
    user = User(username=username, display_name=display_name, unit=unit, is_admin=is_admin, active=active,
                password_hash=generate_password_hash(password))
    user.roles = [UserRole(jurisdiction_id=j, role=r) for j, r in dict.fromkeys(roles or [])]
    db.session.add(user)
    return user


def update_user(user: User, *, display_name: str | None = None, unit: str | None = None,
                password: str | None = None, roles: list[tuple[str, str]] | None = None,
                active: bool | None = None) -> User:
    """Change what an administrator may change; None leaves a value as it is (an empty unit
    clears it). A new password or a deactivation ends the account's sessions at once."""
    if display_name is not None:
        user.display_name = display_name
    if unit is not None:
        user.unit = unit or None
    if roles is not None:
        wanted = list(dict.fromkeys(roles))
        user.roles = [r for r in user.roles if (r.jurisdiction_id, r.role) in wanted]
        have = {(r.jurisdiction_id, r.role) for r in user.roles}
        user.roles += [UserRole(jurisdiction_id=j, role=r) for j, r in wanted if (j, r) not in have]
    if password is not None:
        _check_password(password)
        user.password_hash = generate_password_hash(password)
    if active is not None:
        user.active = active
    if password is not None or active is False:
        db.session.flush()
        revoke_all_tokens(user.username)
    return user


def all_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.is_admin.desc(), User.unit, User.display_name)))


def account(user: User) -> dict[str, Any]:
    """An account as its administrator sees it; never the password hash."""
    return {"username": user.username, "name": user.display_name, "unit": user.unit,
            "label": f"{user.display_name}（{user.unit}）" if user.unit else user.display_name,
            "is_admin": user.is_admin, "active": user.active, "created_at": as_utc(user.created_at),
            "roles": sorted((r.jurisdiction_id, r.role) for r in user.roles)}


@cache
def dummy_hash() -> str:
    """A hash of a random password, made once per process by the same function and work
    factor as every user's: an unknown username is checked against it, so that a wrong
    password takes as long whether or not the user exists (no telling usernames by timing)."""
    return generate_password_hash(secrets.token_urlsafe(24))


def issue_token(username: str, password: str) -> str:
    user = db.session.scalar(select(User).where(User.username == username))
    # check_password_hash always runs, against the dummy hash for an unknown username
    matches = check_password_hash(user.password_hash if user is not None else dummy_hash(), password)
    if user is None or not matches:
        raise LoginFailed("用户名或密码错误")
    if not user.active:  # told only to whoever knows the password
        raise LoginFailed("该账号已停用，请联系管理员")
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(token_hash=_token_hash(token), user_id=user.id,
                            expires_at=now_utc() + TOKEN_LIFETIME))
    return token


def account_delay(failures: int) -> timedelta:
    """How long after its last failure a username that failed `failures` times must wait."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(BASE_DELAY * 2 ** min(failures - FREE_FAILURES, 32), MAX_DELAY)


def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


def _refuse_if_throttled(username: str, address: str) -> None:
    now = now_utc()
    failures, last = db.session.execute(
        select(func.count(), func.max(LoginFailure.at))
        .where(LoginFailure.username == username, LoginFailure.at > now - ACCOUNT_WINDOW)).one()
    if failures and (wait := as_utc(last) + account_delay(failures) - now) > timedelta(0):
        raise TooManyRequests(f"该用户名已连续登录失败 {failures} 次，请 {_human(wait)}后再试",
                              retry_after=_seconds(wait))
    count, oldest = db.session.execute(
        select(func.count(), func.min(LoginFailure.at))
        .where(LoginFailure.address == address, LoginFailure.at > now - ADDRESS_WINDOW)).one()
    if count >= MAX_FAILURES_PER_ADDRESS:
        wait = as_utc(oldest) + ADDRESS_WINDOW - now
        raise TooManyRequests(f"来自该地址的登录失败次数过多，请 {_human(wait)}后再试", retry_after=_seconds(wait))


def _human(wait: timedelta) -> str:
    seconds = _seconds(wait)
    return f"{seconds} 秒" if seconds < 60 else f"{math.ceil(seconds / 60)} 分钟"


def login(username: str, password: str, address: str) -> str:
    """A new token for a correct password, unless this username must still wait after its
    last failures or this client address has failed very often lately (429 with Retry-After).
    A failure is recorded in its own transaction, so the refusal's rollback does not erase it."""
    username, address = username[:150], (address or "unknown")[:64]
    with unit_of_work():
        _refuse_if_throttled(username, address)
    try:
        with unit_of_work():
            token = issue_token(username, password)
            db.session.execute(delete(LoginFailure).where(LoginFailure.username == username))
    except Unauthorized:
        with unit_of_work():
            forget = now_utc() - max(ACCOUNT_WINDOW, ADDRESS_WINDOW)
            db.session.execute(delete(LoginFailure).where(LoginFailure.at <= forget))
            db.session.add(LoginFailure(username=username, address=address, at=now_utc()))
        raise
    return token


def revoke_token(token: str) -> None:
    """Log out: the presented token stops working at once."""
    db.session.execute(delete(ApiToken).where(ApiToken.token_hash == _token_hash(token)))


def revoke_all_tokens(username: str) -> int:
    """Every token of the user (all devices); returns how many were revoked."""
    user_id = select(User.id).where(User.username == username).scalar_subquery()
    return db.session.execute(delete(ApiToken).where(ApiToken.user_id == user_id)).rowcount


# Built once: building this select anew costs more than running it (SQLAlchemy must still walk
# a new statement to find its cached compilation). Token, user and roles in one statement.
_ACTOR_BY_TOKEN = (
    select(ApiToken.expires_at, User.username, User.display_name, User.unit, User.is_admin, User.active,
           UserRole.jurisdiction_id, UserRole.role)
    .join(User, User.id == ApiToken.user_id)
    .outerjoin(UserRole, UserRole.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("token_hash")))


def actor_for_token(token: str) -> Actor:
    # Core rows on the session's connection, no ORM objects: it runs on every request.
    rows = db.session.connection().execute(_ACTOR_BY_TOKEN, {"token_hash": _token_hash(token)}).all()
    if not rows or as_utc(rows[0].expires_at) <= now_utc() or not rows[0].active:
        raise Unauthorized("令牌无效或已过期，请重新登录")
    first = rows[0]
    return Actor(first.username, first.display_name, first.unit, first.is_admin,
                 frozenset((r.jurisdiction_id, r.role) for r in rows if r.role is not None))


def find_user(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"用户不存在：{username}")
    return user


def seed_demo_users(jurisdiction: str, demo_users: list[dict[str, Any]], password: str) -> int:
    """Create the demo users a bundle's manifest lists (`demo_users`) for `jurisdiction` that
    do not exist yet, and give existing ones their roles there; returns how many were made."""
    made = 0
    for spec in demo_users:
        user = db.session.scalar(select(User).where(User.username == spec["username"]))
        pairs = [(jurisdiction, r) for r in spec["roles"]]
        if user is None:
            create_user(spec["username"], password, spec["name"], spec.get("unit"), pairs)
            made += 1
        else:
            have = {(r.jurisdiction_id, r.role) for r in user.roles}
            user.roles += [UserRole(jurisdiction_id=j, role=r) for j, r in pairs if (j, r) not in have]
    return made


SYSTEM_ACTORS = {"system": "系统", "system:timer": "系统（定时器）", "system:draw": "系统（随机抽取）",
                 "system:copy": "系统（抄送）", "system:verify": "系统（校验）", "cli": "命令行管理员"}


def people(usernames: set[str]) -> dict[str, dict[str, str | None]]:
    """How each user is shown to staff: name, unit and `张伟（厅养老保险处）`, in one query. An
    unknown login (a deleted user) is shown as 已删除的用户, never as the login."""
    rows = db.session.execute(select(User.username, User.display_name, User.unit)
                              .where(User.username.in_(sorted(usernames)))).all() if usernames else []
    found = {u: {"name": n, "unit": unit, "label": f"{n}（{unit}）" if unit else n} for u, n, unit in rows}
    for username in usernames - found.keys():
        name = SYSTEM_ACTORS.get(username) or ("系统" if username.startswith("system") else "已删除的用户")
        found[username] = {"name": name, "unit": None, "label": name}
    return found
