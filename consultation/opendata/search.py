"""What the site search finds of this package: published consultations, and their published feedback.

Only what the public pages show is searched: the notice's title, 征集说明, 起草说明, 政策解读 and draft units of
consultations past the 保密审查; the main changes and the answers (reason and change) of published feedback.
Comments themselves are never searched, so neither a commenter's name nor a phone number in a comment finds
anything.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, or_

from consultation import labels
from consultation.handling.feedback import PUBLISHED_STATUSES
from consultation.handling.models import ConsultationFeedback
from consultation.models import Comment, Consultation, ConsultationStatus, DraftUnitRow, Validity
from core.db import utcnow
from core.extensions import db
from core.i18n import current_language
from core.search import MAX_CANDIDATES, Document, Field, Provider, any_contains, register_search_provider

_UNPUBLISHED = [status for status in ConsultationStatus if not status.is_published]
_NOTICE_TEXTS = (
    ("intro", Consultation.intro, _l("About this consultation")),
    ("explanation", Consultation.explanation, _l("Drafting explanation")),
    ("interpretation", Consultation.interpretation, _l("Policy interpretation")),
)


def _status_badge(consultation: Consultation) -> tuple[object, str]:
    """Open / upcoming / closed while the notice runs; the later statuses (feedback published, archived) after."""
    if consultation.status is ConsultationStatus.SCHEDULED:
        phase = consultation.phase(utcnow()) or "closed"
        return labels.PHASE_LABELS[phase], phase
    return labels.STATUS_LABELS[consultation.status], "closed"


def _unit_matches(term: str) -> object:
    return any_contains(term, DraftUnitRow.title, DraftUnitRow.text)


def find_consultations(terms: Sequence[str]) -> list[Document]:
    """Published consultations containing every term in the notice's texts or one of the draft's units."""

    def has(term: str) -> object:
        in_draft = exists().where(DraftUnitRow.consultation_id == Consultation.id, _unit_matches(term))
        return or_(any_contains(term, Consultation.title, *(column for _, column, _ in _NOTICE_TEXTS)), in_draft)

    found = db.session.scalars(
        db.select(Consultation)
        .where(Consultation.status.not_in(_UNPUBLISHED), *(has(term) for term in terms))
        .order_by(Consultation.start_at.desc(), Consultation.id.desc())
        .limit(MAX_CANDIDATES)
    ).all()
    units: dict[int, list[DraftUnitRow]] = defaultdict(list)
    if found:
        # Only the units that match (for the snippet and ranking), not every article of every draft found.
        for unit in db.session.scalars(
            db.select(DraftUnitRow)
            .where(DraftUnitRow.consultation_id.in_([c.id for c in found]), or_(*map(_unit_matches, terms)))
            .order_by(DraftUnitRow.consultation_id, DraftUnitRow.position)
        ):
            units[unit.consultation_id].append(unit)
    return [_consultation_document(consultation, units[consultation.id]) for consultation in found]


def _consultation_document(consultation: Consultation, units: list[DraftUnitRow]) -> Document:
    url = url_for("consultation.detail", consultation_id=consultation.id)
    notice = [Field(name, getattr(consultation, name) or "", label) for name, _, label in _NOTICE_TEXTS]
    draft = [
        Field("draft", " ".join(part for part in (unit.title, unit.text) if part), unit.label, f"{url}#unit-{unit.key}")
        for unit in units
    ]
    status, status_class = _status_badge(consultation)
    return Document(
        kind="consultation",
        title=consultation.title,
        url=url,
        fields=(notice[0], *draft, *notice[1:]),
        status=status,
        status_class=status_class,
        department=consultation.department.display_name(current_language()),
        date=consultation.start_at,
    )


def _answered(term: str | None = None) -> object:
    """Answers as the feedback page shows them: of valid comments, answered; matching `term` if given."""
    conditions = [Comment.consultation_id == Consultation.id, Comment.validity == Validity.VALID]
    conditions.append(Comment.adoption.is_not(None))
    if term is not None:
        conditions.append(any_contains(term, Comment.answer_reason, Comment.answer_change))
    return and_(*conditions)


def find_feedback(terms: Sequence[str]) -> list[Document]:
    """Published feedback containing every term in the title, the main changes or the published answers."""

    def has(term: str) -> object:
        return or_(
            any_contains(term, Consultation.title, ConsultationFeedback.main_changes),
            exists().where(_answered(term)),
        )

    found = db.session.execute(
        db.select(Consultation, ConsultationFeedback)
        .join(ConsultationFeedback, ConsultationFeedback.consultation_id == Consultation.id)
        .where(
            Consultation.status.in_(PUBLISHED_STATUSES),
            ConsultationFeedback.published_at.is_not(None),
            *(has(term) for term in terms),
        )
        .order_by(ConsultationFeedback.published_at.desc())
        .limit(MAX_CANDIDATES)
    ).all()
    answers: dict[int, list[str]] = defaultdict(list)
    if found:
        rows = db.session.execute(
            db.select(Comment.consultation_id, Comment.answer_reason, Comment.answer_change)
            .join(Consultation, Consultation.id == Comment.consultation_id)
            .where(
                Consultation.id.in_([consultation.id for consultation, _ in found]),
                _answered(),
                or_(*(any_contains(term, Comment.answer_reason, Comment.answer_change) for term in terms)),
            )
            .distinct()
        )
        for consultation_id, reason, change in rows:
            answers[consultation_id].append(" ".join(part for part in (reason, change) if part))
    return [_feedback_document(consultation, record, answers[consultation.id]) for consultation, record in found]


def _feedback_document(consultation: Consultation, record: ConsultationFeedback, answers: list[str]) -> Document:
    url = url_for("consultation.feedback", consultation_id=consultation.id)
    changes = Field("main_changes", record.main_changes, _l("Main changes to the draft"), f"{url}#fb-changes")
    answered = [Field("answers", text, _l("Comments and answers"), f"{url}#fb-table") for text in answers]
    return Document(
        kind="feedback",
        title=consultation.title,
        url=url,
        fields=(changes, *answered),
        status=labels.STATUS_LABELS[consultation.status],
        status_class="",
        department=consultation.department.display_name(current_language()),
        date=record.published_at,
    )


def init_app(app: Flask) -> None:
    register_search_provider(app, Provider("consultation", _l("Consultation"), find_consultations, order=10))
    register_search_provider(app, Provider("feedback", _l("Feedback"), find_feedback, order=20))
