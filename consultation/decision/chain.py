"""The public chain of a policy: draft ↔ feedback ↔ decided document ↔ 解读, each page linking to the others.

Only what the public may see is linked: the feedback once published, the decided document once recorded, the
解读 once approved. A published 解读 always has its decided document (services.submission_problems).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from consultation.decision import sealing
from consultation.decision.models import DecidedDocument, Interpretation, InterpretationStatus
from consultation.drafting.rendering import render_markdown
from consultation.handling.feedback import PUBLISHED_STATUSES
from consultation.handling.models import ConsultationFeedback
from consultation.models import Consultation
from core import integrity
from core.extensions import db
from core.links import site_url
from core.screening import mask_personal_data_keeping

STEP_LABELS = {
    "draft": _l("Draft for comment"),
    "feedback": _l("Feedback on the comments"),
    "document": _l("Decided document"),
    "interpretation": _l("Policy interpretation"),
}


@dataclass(frozen=True)
class ChainStep:
    kind: str  # draft, feedback, document, interpretation
    label: object
    url: str | None  # None: not published yet
    published_at: datetime | None = None


def published_interpretation(consultation_id: int) -> Interpretation | None:
    return db.session.scalar(
        db.select(Interpretation).where(
            Interpretation.consultation_id == consultation_id,
            Interpretation.status == InterpretationStatus.PUBLISHED,
        )
    )


def public_steps(consultation: Consultation) -> list[ChainStep]:
    """The four steps of the consultation's public record, with the address of each one already public."""
    feedback = db.session.get(ConsultationFeedback, consultation.id)
    feedback_public = (
        consultation.status in PUBLISHED_STATUSES and feedback is not None and feedback.published_at is not None
    )
    document = db.session.get(DecidedDocument, consultation.id)
    interpretation = published_interpretation(consultation.id)
    ident = {"consultation_id": consultation.id}
    return [
        ChainStep("draft", STEP_LABELS["draft"], url_for("consultation.detail", **ident), consultation.start_at),
        ChainStep(
            "feedback",
            STEP_LABELS["feedback"],
            url_for("consultation.feedback", **ident) if feedback_public else None,
            feedback.published_at if feedback_public and feedback else None,
        ),
        ChainStep(
            "document",
            STEP_LABELS["document"],
            url_for("consultation.document", **ident) if document else None,
            document.published_at if document else None,
        ),
        ChainStep(
            "interpretation",
            STEP_LABELS["interpretation"],
            url_for("consultation.interpretation", **ident) if interpretation else None,
            interpretation.published_at if interpretation else None,
        ),
    ]


def chain_for_page(consultation: Consultation) -> list[ChainStep]:
    """The steps to show on a public page: nothing before there is anything after the draft."""
    steps = public_steps(consultation)
    return steps if any(step.url for step in steps[1:]) else []


def decision_links(consultation: Consultation) -> list[tuple[str, str]]:
    """(label, absolute address) of the decided document and its 解读, once public (for the summary's closing)."""
    links = []
    document = db.session.get(DecidedDocument, consultation.id)
    if document is not None:
        title = f"{document.title}（{document.number}）" if document.number else document.title
        links.append((title, site_url("consultation.document", consultation_id=consultation.id)))
    interpretation = published_interpretation(consultation.id)
    if interpretation is not None:
        links.append((interpretation.title, site_url("consultation.interpretation", consultation_id=consultation.id)))
    return links


def published_interpretations(limit: int | None = None) -> list[tuple[Consultation, Interpretation]]:
    """Published 解读 with their consultation, most recent first."""
    query = (
        db.select(Consultation, Interpretation)
        .join(Interpretation, Interpretation.consultation_id == Consultation.id)
        .where(Interpretation.status == InterpretationStatus.PUBLISHED, Consultation.status.in_(PUBLISHED_STATUSES))
        .order_by(Interpretation.published_at.desc(), Interpretation.id.desc())
    )
    if limit:
        query = query.limit(limit)
    rows = [(consultation, interpretation) for consultation, interpretation in db.session.execute(query).all()]
    # Every list, feed and API page of 解读 comes through here: one changed outside the review is left out (alerted).
    return integrity.servable(sealing.INTERPRETATION, rows, lambda row: row[1].consultation_id)


def public_contacts(consultation: Consultation) -> list[str]:
    """The department's own published contacts, which a 解读 may name as its enquiry line (rules.md §4.5)."""
    return consultation.public_contacts()


def masked(text: str, keep: list[str] | tuple[str, ...] = ()) -> str:
    """`text` with personal data masked (a resident's phone quoted by mistake), except the contacts in `keep`."""
    return mask_personal_data_keeping(text, keep)


def public_markdown(text: str | None, keep: list[str] | tuple[str, ...] = ()) -> Markup:
    """A 解读's Markdown as the public sees it: personal data masked but the department's contacts kept, then
    rendered and sanitised like every staff text."""
    return render_markdown(masked(text or "", keep))


def masked_parts(texts: dict[str, str], keep: list[str] | tuple[str, ...] = ()) -> list[str]:
    """The names of the texts in which the public page masks something, for the reviewer to check."""
    return [name for name, text in texts.items() if masked(text, keep) != text]
