"""Test data for surveys: a survey built through the services, approved and open unless told otherwise."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from core.db import utcnow
from core.extensions import db
from core.models import Department, User
from surveys.builder import options, services
from surveys.models import QuestionType, ReviewStatus, Survey
from tests.factories import make_department, make_user


def question_data(code: str, kind: QuestionType, **fields: Any) -> dict[str, Any]:
    return {
        "code": code,
        "type": kind.value,
        "text": fields.pop("text", f"问题 {code}"),
        "show_if": fields.pop("show_if", ""),
        "validation": fields.pop("validation", ""),
        "validation_message": fields.pop("validation_message", ""),
        "settings": fields.pop("settings", {}),
        **fields,
    }


def make_survey(
    pages: list[list[tuple[str, QuestionType, dict[str, Any]]]],
    *,
    department: Department | None = None,
    editor: User | None = None,
    approved: bool = True,
    **fields: Any,
) -> Survey:
    """A survey with the given pages of (code, type, extra) questions; extra may hold 'options' (labels)."""
    department = department or make_department()
    editor = editor or make_user("editor", department)
    now = utcnow()
    defaults = {"title": "测试问卷", "purpose": "测试", "contact_phone": "024-56620001",
                "starts_at": now - timedelta(days=1), "ends_at": now + timedelta(days=10)}  # fmt: skip
    survey = services.create_survey(department.id, {**defaults, **fields}, editor)
    for index, questions in enumerate(pages):
        page = survey.pages[0] if index == 0 else services.add_page(survey, f"第{index + 1}页")
        db.session.flush()
        for code, kind, extra in questions:
            extra = dict(extra)
            labels = extra.pop("options", [])
            question = services.save_question(survey, page, None, question_data(code, kind, **extra))
            if labels:
                options.add_options(question, "\n".join(labels))
    if approved:
        survey.status = ReviewStatus.APPROVED
    db.session.flush()
    return survey
