"""The permission layer every staff page goes through: roles, per department, least privilege."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, abort, redirect, request, url_for
from flask_login import current_user

from core.models import Role, User

F = TypeVar("F", bound=Callable[..., Any])


def can(user: Any, role: Role, department_id: int | None = None) -> bool:
    """True when the (possibly anonymous) user holds role, in department_id for per-department roles."""
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(role, department_id)


def can_any(user: Any, roles: Iterable[Role]) -> bool:
    return any(can(user, role) for role in roles)


def _check_staff(roles: tuple[Role, ...]) -> Any:
    """None when the current user may go on; otherwise the redirect or error to return."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    session = current_user.current_session
    if session is not None and not session.second_factor_done:
        return redirect(url_for("auth.second_factor", next=request.full_path.rstrip("?")))
    if roles and not can_any(current_user, roles):
        abort(403)
    if not roles and not current_user.is_staff:
        abort(403)
    return None


def guard_blueprint(bp: Blueprint, *roles: Role) -> None:
    """Every view of bp requires a logged-in staff member holding one of roles (any staff role if none)."""

    @bp.before_request
    def _require_roles() -> Any:
        return _check_staff(roles)


def roles_required(*roles: Role) -> Callable[[F], F]:
    """The same check for a single view, when a blueprint mixes pages for different roles."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            refusal = _check_staff(roles)
            return refusal if refusal is not None else view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def require_department_role(user: User, role: Role, department_id: int) -> None:
    """Abort with 403 unless user holds role in that department (admins manage, but do not edit content)."""
    if not user.has_role(role, department_id):
        abort(403)
