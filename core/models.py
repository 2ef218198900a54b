"""Accounts, roles, departments and staff sessions: the people and units every feature works for."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import created_at, enum_by_value, str200, utcnow
from core.extensions import db


class Role(StrEnum):
    """Staff roles from the product brief. Editor and approver are held per department; the rest site-wide."""

    EDITOR = "editor"
    APPROVER = "approver"
    MODERATOR = "moderator"
    REVIEWER = "reviewer"
    ADMIN = "admin"

    @property
    def per_department(self) -> bool:
        return self in (Role.EDITOR, Role.APPROVER)


class Department(db.Model):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str200]
    name_en: Mapped[str] = mapped_column(String(200), default="")
    office_phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    office_hours: Mapped[str] = mapped_column(String(200), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[created_at]

    memberships: Mapped[list[Membership]] = relationship(back_populates="department")

    def display_name(self, locale: str) -> str:
        return self.name_en if locale.startswith("en") and self.name_en else self.name


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    password_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[created_at]

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    # Set by the session loader: the server-side session this request belongs to.
    current_session = None  # type: StaffSession | None

    @property
    def is_active(self) -> bool:  # Flask-Login refuses disabled accounts through this.
        return self.is_enabled

    def get_id(self) -> str:
        # Flask-Login stores this in the cookie: the session token, never the user id, so sessions are revocable.
        if self.current_session is None or self.current_session.plain_token is None:
            raise RuntimeError("log in through core.sessions.start_session")
        return self.current_session.plain_token

    @property
    def roles(self) -> set[Role]:
        return {m.role for m in self.memberships}

    def has_role(self, role: Role, department_id: int | None = None) -> bool:
        """True when the user holds the role; for per-department roles, in that department (if given)."""
        for membership in self.memberships:
            if membership.role != role:
                continue
            if department_id is None or not role.per_department or membership.department_id == department_id:
                return True
        return False

    def department_ids(self, role: Role) -> set[int]:
        return {m.department_id for m in self.memberships if m.role == role and m.department_id is not None}

    @property
    def is_staff(self) -> bool:
        return bool(self.memberships)

    @property
    def label(self) -> str:
        return self.display_name or self.email


class Membership(db.Model):
    """One role held by one user, in one department for per-department roles."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "role", "department_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_by_value(Role, 20))
    created_at: Mapped[created_at]

    user: Mapped[User] = relationship(back_populates="memberships")
    department: Mapped[Department | None] = relationship(back_populates="memberships", lazy="joined")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class StaffSession(db.Model):
    """A server-side login session; the cookie holds only its random token, the database its hash."""

    __tablename__ = "staff_sessions"
    __table_args__ = (Index("ix_staff_sessions_user_active", "user_id", "revoked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[created_at]
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    second_factor_done: Mapped[bool] = mapped_column(Boolean, default=False)
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")

    user: Mapped[User] = relationship(lazy="joined")

    # The plain token exists only in the request that created the session.
    plain_token = None  # type: str | None

    @classmethod
    def issue(cls, user: User, ip: str, user_agent: str) -> StaffSession:
        token = secrets.token_urlsafe(32)
        staff_session = cls(token_hash=hash_token(token), user=user, ip=ip, user_agent=user_agent[:300])
        staff_session.plain_token = token
        return staff_session


class CalendarDay(db.Model):
    """An admin-entered day of the State Council holiday calendar, for years the package does not know yet."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(100), default="")
