"""Builders for test data; each adds to the session and flushes, the test decides when to commit."""

from __future__ import annotations

import itertools
from typing import Any

from core.accounts import grant_role
from core.extensions import db
from core.models import Department, Role, User
from core.passwords import hash_password

DEFAULT_PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)
_password_hash_cache: dict[str, str] = {}


def make_department(code: str | None = None, **fields: Any) -> Department:
    n = next(_counter)
    department = Department(
        code=code or f"dept-{n}",
        name=fields.pop("name", f"测试局{n}"),
        office_phone=fields.pop("office_phone", f"024-5662{n:04d}"),
        **fields,
    )
    db.session.add(department)
    db.session.flush()
    return department


def make_user(
    role: str | Role | None = None,
    department: Department | None = None,
    *,
    email: str | None = None,
    password: str = DEFAULT_PASSWORD,
    **fields: Any,
) -> User:
    n = next(_counter)
    # Argon2 is slow on purpose; hash each distinct test password once.
    if password not in _password_hash_cache:
        _password_hash_cache[password] = hash_password(password)
    user = User(email=email or f"staff{n}@example.cn", password_hash=_password_hash_cache[password], **fields)
    db.session.add(user)
    db.session.flush()
    if role is not None:
        role = Role(role)
        if role.per_department and department is None:
            department = make_department()
        grant_role(user, role, department, actor=None)
        db.session.flush()
    return user


def holiday_notice(year: int, *lines: str) -> str:
    """A whole year's holiday calendar as the admin pastes it (the fixed statutory holidays and enough days off; no
    Spring Festival, so that tests about January and February periods move by their own days only), plus
    `lines`. The dates are the tests' own: no package ships an unpublished year, and none is needed to test."""
    return "\n".join(
        [
            f"# {year} 年部分节假日安排",
            f"{year}-01-01 休",
            f"{year}-04-04..{year}-04-06 休",
            f"{year}-05-01..{year}-05-05 休",
            f"{year}-10-01..{year}-10-07 休",
            *lines,
        ]
    )
