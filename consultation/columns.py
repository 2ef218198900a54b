"""The 意见征集 columns as gov.cn has them: 正在征集 (open), 往期征集 (closed, with their feedback state) and the
filters every column shares (department, document type, year), with a count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import render_template, request
from flask_babel import lazy_gettext as _l

from consultation import blueprints, labels
from consultation.drafting import periods, services
from consultation.handling import feedback
from consultation.models import Consultation, ConsultationStatus
from core import integrity, page_cache
from core.db import utcnow
from core.extensions import db
from core.models import Department
from core.routing import Routes

bp = Routes(blueprints.public)

# A closed consultation's feedback: published (已反馈), or the comments are still being considered (意见处理中).
FEEDBACK_STATE_LABELS = {"published": _l("Feedback published"), "pending": _l("Comments being considered")}


@dataclass(frozen=True)
class Filters:
    department_id: int | None = None
    doc_type: str | None = None
    year: int | None = None

    @property
    def active(self) -> bool:
        return bool(self.department_id or self.doc_type or self.year)


def current_filters() -> Filters:
    """The filters of a column list from its query string; unknown values are ignored, never an error."""
    doc_type = request.args.get("type") or None
    year = request.args.get("year", type=int)
    return Filters(
        department_id=request.args.get("department", type=int),
        doc_type=doc_type if doc_type in periods.DOCUMENT_TYPES else None,
        year=year if year and 2000 <= year <= 2100 else None,
    )


def filter_choices() -> dict[str, Any]:
    """Departments, document types and the years in which published consultations started."""
    departments = db.session.scalars(
        db.select(Department).where(Department.is_active.is_(True)).order_by(Department.name)
    ).all()
    departments = integrity.servable("department", departments)  # a defaced name is never offered as a filter
    types = [(code, labels.document_type_label(code)) for code in periods.DOCUMENT_TYPES]
    starts = db.session.scalars(
        db.select(Consultation.start_at).where(
            Consultation.status.in_([status for status in ConsultationStatus if status.is_published]),
            Consultation.start_at.is_not(None),
        )
    )
    years = sorted({periods.local_date(start).year for start in starts}, reverse=True)
    return {"departments": departments, "types": types, "years": years}


def in_year(consultations: list[Consultation], year: int | None) -> list[Consultation]:
    if not year:
        return consultations
    return [c for c in consultations if c.start_at is not None and periods.local_date(c.start_at).year == year]


def listed(phase: periods.ConsultationPhase, filters: Filters, now: datetime) -> list[Consultation]:
    found = services.published_in_phase(phase, now, department_id=filters.department_id, doc_type=filters.doc_type)
    return in_year(found, filters.year)


def feedback_state(consultation: Consultation, now: datetime | None = None) -> str | None:
    """ "published" or "pending" once the period is over; None while it is upcoming or open."""
    if consultation.phase(now) != "closed":
        return None
    return "published" if consultation.status in feedback.PUBLISHED_STATUSES else "pending"


@bp.route("/open")
def open_now() -> str:
    """正在征集: drafts open for comment now, the one closing first at the top."""
    return page_cache.cached_page("column-open", lambda: _render_column("open"))


@bp.route("/past")
def past() -> str:
    """往期征集: closed consultations, newest first, each with its feedback state."""
    return page_cache.cached_page("column-past", lambda: _render_column("closed"))


def _render_column(phase: periods.ConsultationPhase) -> str:
    filters, now = current_filters(), utcnow()
    items = listed(phase, filters, now)
    return render_template(
        "consultation/column.html", phase=phase, items=items, now=now, filters=filters, **filter_choices()
    )
