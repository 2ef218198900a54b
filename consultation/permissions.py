"""Who may do what with a consultation: editors and approvers act only inside their own department."""

from __future__ import annotations

from typing import Any

from flask import abort

from consultation.legality.models import LegalityReview
from consultation.models import Consultation
from core.extensions import db
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


def can_record_outcome(user: Any, consultation: Consultation) -> bool:
    """The drafting department's editors and approvers record the outcome of its own consultations."""
    department = consultation.department_id
    return bool(getattr(user, "is_authenticated", False)) and (
        user.has_role(Role.EDITOR, department) or user.has_role(Role.APPROVER, department)
    )


def require(allowed: bool) -> None:
    if not allowed:
        abort(403)


def is_legality_reviewer(user: Any, consultation: Consultation) -> bool:
    """Reviewers of the justice bureau, for drafts that were submitted to them for legality review."""
    if not (getattr(user, "is_authenticated", False) and user.has_role(Role.REVIEWER)):
        return False
    return db.session.get(LegalityReview, consultation.id) is not None


def can_take_summary(user: Any, consultation: Consultation) -> bool:
    """The summary in every format and version: the department's staff, admins, and the legality reviewers."""
    return can_view(user, consultation) or is_legality_reviewer(user, consultation)


def can_take_reply_list(user: Any, consultation: Consultation) -> bool:
    """The reply list carries phones and e-mails: only the drafting department, which answers the commenters."""
    return bool(getattr(user, "is_authenticated", False)) and (
        user.has_role(Role.EDITOR, consultation.department_id)
        or user.has_role(Role.APPROVER, consultation.department_id)
    )
