"""The decision stage's blocks on shared pages: what is due on the staff dashboard, recent 解读 on the home page,
and the chain of links (draft ↔ feedback ↔ decided document ↔ 解读) on the consultation's own pages."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_login import current_user

from consultation.decision import chain, deadline, documents, figures, services
from core.extensions import db
from core.models import Department, Role
from core.portal import Section, register_section
from core.screening import mask_personal_data

HOME_ITEMS = 5


def _dashboard() -> dict[str, Any]:
    """Decided documents and 解读 due (overdue flagged) for the department's staff; decided documents and 解读 to
    review for approvers."""
    editor_departments = current_user.department_ids(Role.EDITOR)
    approver_departments = current_user.department_ids(Role.APPROVER)
    watched = set(editor_departments) | set(approver_departments)
    if current_user.has_role(Role.ADMIN):
        watched |= set(db.session.scalars(db.select(Department.id)))
    due = deadline.decision_due(watched)
    to_review = services.waiting_for_review(set(approver_departments), current_user)
    documents_to_review = documents.waiting_for_review(set(approver_departments), current_user)
    if not (due or to_review or documents_to_review):
        return {}
    return {"due": due, "to_review": to_review, "documents_to_review": documents_to_review}


def _home() -> dict[str, Any]:
    items = chain.published_interpretations(limit=HOME_ITEMS)
    return {"items": items} if items else {}


def init_app(app: Flask) -> None:
    dashboard_block = Section("decisions", "consultation_manage/decision/_dashboard_section.html", _dashboard, order=10)
    register_section(app, "dashboard", dashboard_block)
    register_section(
        app, "home", Section("interpretations", "consultation/decision/_home_section.html", _home, order=15)
    )
    # The consultation's detail and feedback pages show the chain through this global (no import of this stage).
    app.jinja_env.globals["decision_chain"] = chain.chain_for_page
    app.jinja_env.globals["decision_contacts"] = chain.public_contacts
    app.jinja_env.filters["public_markdown"] = chain.public_markdown
    app.jinja_env.filters["mask_personal"] = mask_personal_data
    app.jinja_env.filters["figure_number"] = figures.formatted
