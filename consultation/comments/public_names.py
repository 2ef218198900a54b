"""How a commenter is named outside the department: on the feedback page, the notice, the 说明 and open data."""

from __future__ import annotations

from consultation.models import Comment
from core.screening import mask_name, mask_personal_data


def public_name(comment: Comment) -> str:
    """The submitter as shown outside the department: masked unless they opted in; organisations in full."""
    return public_name_of(comment.author_name, comment.publish_name, comment.respondent_type.is_organisation)


def public_name_of(author_name: str, publish_name: bool, is_organisation: bool) -> str:
    """`public_name` from the three columns it reads (for exports that read columns, not Comment objects)."""
    if publish_name:
        return mask_personal_data(author_name)
    return mask_name(mask_personal_data(author_name), is_organisation)
