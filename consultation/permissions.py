"""Who may do what with a consultation: editors and approvers act only inside their own department."""

from __future__ import annotations

from typing import Any

from flask import abort

from consultation.models import Consultation
from core.models import Role


def can_edit(user: Any, consultation: Consultation) -> bool:
    """Editors of the drafting department prepare, edit, import, extend and record comments."""
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(Role.EDITOR, consultation.department_id)


def can_review(user: Any, consultation: Consultation) -> bool:
    """Approvers of the drafting department who did not prepare or submit it (the rule itself is a service's)."""
    return (
        bool(getattr(user, "is_authenticated", False))
        and user.has_role(Role.APPROVER, consultation.department_id)
        and user.id not in (consultation.created_by_id, consultation.submitted_by_id)
    )


def can_view(user: Any, consultation: Consultation) -> bool:
    """Staff pages of a consultation, comments and their contact data included: its department, and admins."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        user.has_role(Role.EDITOR, consultation.department_id)
        or user.has_role(Role.APPROVER, consultation.department_id)
        or user.has_role(Role.ADMIN)
    )


def require(allowed: bool) -> None:
    if not allowed:
        abort(403)
