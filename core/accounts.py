"""Services for staff accounts and roles, shared by the admin pages and the CLI. They flush, never commit."""

from __future__ import annotations

from flask_babel import gettext as _

from core import audit
from core.extensions import db
from core.models import Department, Membership, Role, User
from core.passwords import hash_password, password_problems
from core.sessions import revoke_all_sessions


class AccountError(ValueError):
    """A refused account change, with a message for the person who asked for it."""


def create_user(email: str, password: str, display_name: str = "", *, actor: User | None = None) -> User:
    email = email.strip().lower()
    if db.session.scalar(db.select(User.id).where(User.email == email)) is not None:
        raise AccountError(_("An account with this e-mail address already exists."))
    problems = password_problems(password, user_inputs=(email, display_name))
    if problems:
        raise AccountError(" ".join(problems))
    user = User(email=email, display_name=display_name.strip(), password_hash=hash_password(password))
    db.session.add(user)
    audit.record("user.create", user, actor=actor, detail={"email": email})
    return user


def grant_role(user: User, role: Role, department: Department | None, *, actor: User | None = None) -> Membership:
    if role.per_department and department is None:
        raise AccountError(_("This role is held in a department: choose one."))
    if not role.per_department:
        department = None
    for existing in user.memberships:
        if existing.role == role and existing.department_id == (department.id if department else None):
            return existing
    membership = Membership(user=user, role=role, department=department)
    db.session.add(membership)
    audit.record(
        "user.grant_role",
        user,
        actor=actor,
        detail={"role": role.value, "department": department.code if department else None},
    )
    return membership


def revoke_role(membership: Membership, *, actor: User | None = None) -> None:
    user = membership.user
    detail = {
        "role": membership.role.value,
        "department": membership.department.code if membership.department else None,
    }
    user.memberships.remove(membership)
    db.session.delete(membership)
    # Rights shrink now, not at the next login.
    revoke_all_sessions(user)
    audit.record("user.revoke_role", user, actor=actor, detail=detail)


def set_enabled(user: User, enabled: bool, *, actor: User | None = None) -> None:
    if actor is not None and actor.id == user.id and not enabled:
        raise AccountError(_("You cannot disable your own account."))
    user.is_enabled = enabled
    if not enabled:
        revoke_all_sessions(user)
    audit.record("user.enable" if enabled else "user.disable", user, actor=actor)


def department_by_code(code: str) -> Department | None:
    return db.session.scalar(db.select(Department).where(Department.code == code))
