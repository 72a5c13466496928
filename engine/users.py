"""Users, roles, units and bearer tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from .bundles import Bundle
from .clock import now_utc
from .db import as_utc, db
from .errors import InvalidInput, NotFound, Unauthorized
from .models import ApiToken, User, UserRole

TOKEN_LIFETIME = timedelta(hours=12)


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


def create_user(username: str, password: str, display_name: str, unit: str | None = None,
                roles: list[tuple[str, str]] | None = None, is_admin: bool = False) -> User:
    if db.session.scalar(select(User).where(User.username == username)) is not None:
        raise InvalidInput(f"用户名已存在：{username}")
    if len(password) < 8:
        raise InvalidInput("密码至少 8 位", errors=[{"field": "password", "message": "密码至少 8 位"}])
    user = User(username=username, display_name=display_name, unit=unit, is_admin=is_admin,
                password_hash=generate_password_hash(password))
    user.roles = [UserRole(jurisdiction_id=j, role=r) for j, r in roles or []]
    db.session.add(user)
    return user


def issue_token(username: str, password: str) -> str:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not check_password_hash(user.password_hash, password):
        raise Unauthorized("用户名或密码错误")
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(token_hash=_token_hash(token), user_id=user.id,
                            expires_at=now_utc() + TOKEN_LIFETIME))
    return token


def actor_for_token(token: str) -> Actor:
    # One statement (token, user and roles joined), no ORM objects: it runs on every request.
    rows = db.session.execute(
        select(ApiToken.expires_at, User.username, User.display_name, User.unit, User.is_admin,
               UserRole.jurisdiction_id, UserRole.role)
        .join(User, User.id == ApiToken.user_id)
        .outerjoin(UserRole, UserRole.user_id == User.id)
        .where(ApiToken.token_hash == _token_hash(token))).all()
    if not rows or as_utc(rows[0].expires_at) <= now_utc():
        raise Unauthorized("令牌无效或已过期，请重新登录")
    first = rows[0]
    return Actor(first.username, first.display_name, first.unit, first.is_admin,
                 frozenset((r.jurisdiction_id, r.role) for r in rows if r.role is not None))


def find_user(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"用户不存在：{username}")
    return user


def seed_demo_users(bundle: Bundle, password: str) -> int:
    """Create the manifest's demo users that do not exist yet; returns how many were made."""
    made = 0
    for spec in bundle.manifest.get("demo_users", []):
        user = db.session.scalar(select(User).where(User.username == spec["username"]))
        pairs = [(bundle.id, r) for r in spec["roles"]]
        if user is None:
            create_user(spec["username"], password, spec["name"], spec.get("unit"), pairs)
            made += 1
        else:
            have = {(r.jurisdiction_id, r.role) for r in user.roles}
            user.roles += [UserRole(jurisdiction_id=j, role=r) for j, r in pairs if (j, r) not in have]
    return made
