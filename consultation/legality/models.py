"""Tables of the legality-review stage: a recorded exemption from consultation, the review of the packet by the
justice bureau, and the public notice archived as it was published."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consultation.models import ConsultationStatus
from core.db import enum_by_value, utcnow
from core.extensions import db
from core.models import User


class ExemptionBasis(StrEnum):
    """Why a draft may go to legality review without public consultation (docs/rules.md §2, hard rule 4)."""

    STATE_SECRET = "secret"  # noqa: S105 - 依法需要保密, a legal basis, not a password
    NOT_DISCLOSED = "not_disclosed"  # 依法不予公开
    INTERNAL_AFFAIRS = "internal_affairs"  # 内部事务
    EMERGENCY = "emergency"  # 突发事件


class ReviewState(StrEnum):
    """Where the packet stands at the justice bureau."""

    SUBMITTED = "submitted"
    RECEIVED = "received"
    RETURNED = "returned"
    PASSED = "passed"


class Outcome(StrEnum):
    """How a consultation ended (docs/rules.md §7.3 life cycle: concluded — decided, withdrawn or superseded)."""

    DECIDED = "decided"  # adopted by the decision-making body and issued
    WITHDRAWN = "withdrawn"  # the department dropped the draft
    SUPERSEDED = "superseded"  # replaced by a new round of consultation


class ConsultationConclusion(db.Model):
    """The recorded end of a consultation, shown on its public page."""

    __tablename__ = "consultation_conclusions"

    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True)
    outcome: Mapped[Outcome] = mapped_column(enum_by_value(Outcome, 20))
    # E.g. the meeting that adopted it and the document number; shown to the public.
    note: Mapped[str] = mapped_column(Text, default="")
    # Where the issued document is published (http or https), if it is.
    document_url: Mapped[str] = mapped_column(String(500), default="")
    concluded_at: Mapped[datetime] = mapped_column(default=utcnow)
    concluded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ConsultationExemption(db.Model):
    """An exemption from public consultation with its legal basis; it goes into the legality packet."""

    __tablename__ = "consultation_exemptions"

    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True)
    basis: Mapped[ExemptionBasis] = mapped_column(enum_by_value(ExemptionBasis, 30))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    recorded_by: Mapped[User | None] = relationship()


class LegalityReview(db.Model):
    """The latest submission of a consultation for legality review (合法性审查) and what the reviewer did with it.

    A returned packet is submitted again in the same row; every step is also in the audit log, which is the history.
    """

    __tablename__ = "consultation_legality_reviews"

    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[ReviewState] = mapped_column(enum_by_value(ReviewState, 20))
    # The status to go back to when the reviewer returns the packet to the department.
    status_before: Mapped[ConsultationStatus] = mapped_column(enum_by_value(ConsultationStatus))
    # The checklist as it stood at submission (code → passed), and whether an exemption stood in for it.
    checklist: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    exempted: Mapped[bool] = mapped_column(default=False)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    received_at: Mapped[datetime | None]
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    return_reasons: Mapped[str] = mapped_column(Text, default="")

    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    received_by: Mapped[User | None] = relationship(foreign_keys=[received_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class NoticeArchive(db.Model):
    """The public notice page as it was published: self-contained HTML captured when the consultation was approved."""

    __tablename__ = "consultation_notice_archives"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    html: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    captured_at: Mapped[datetime] = mapped_column(default=utcnow)
    captured_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
