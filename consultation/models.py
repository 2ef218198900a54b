"""Consultations (公开征求意见), their draft units, attachments, period extensions and residents' comments."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from threading import Lock
from typing import Any

from cachetools import LRUCache, cached
from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consultation.drafting import periods
from consultation.drafting.picker import FIRST_WORDS, PickerRow, picker_labels, prefix_for_children
from consultation.drafting.split import UNIT_KINDS, DraftUnit
from core.db import created_at, enum_by_value, utcnow
from core.extensions import db
from core.models import Department, User


class ConsultationStatus(StrEnum):
    """The workflow status. Open/upcoming/closed is not a status: it follows the clock (periods.phase)."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    RETURNED = "returned"
    # Approved by the 保密审查 and published; the notice opens and closes by itself at start and end.
    SCHEDULED = "scheduled"
    FEEDBACK_PUBLISHED = "feedback_published"
    SUBMITTED_FOR_REVIEW = "submitted_for_review"
    CONCLUDED = "concluded"
    ARCHIVED = "archived"

    @property
    def is_published(self) -> bool:
        return self not in (ConsultationStatus.DRAFT, ConsultationStatus.IN_REVIEW, ConsultationStatus.RETURNED)

    @property
    def is_editable(self) -> bool:
        return self in (ConsultationStatus.DRAFT, ConsultationStatus.RETURNED)


class Channel(StrEnum):
    """How a comment may reach the department (征求意见渠道)."""

    ONLINE = "online"
    EMAIL = "email"
    LETTER = "letter"
    MEETING = "meeting"
    # Telephone calls, the 12345 hotline's included: staff record each call's gist like a letter.
    PHONE = "phone"


class CommentDisplay(StrEnum):
    """What the public page shows of comments before feedback: nothing, or approved ones with masked names."""

    HIDDEN = "hidden"
    APPROVED_MASKED = "approved_masked"


class SecrecyResult(StrEnum):
    """Outcome of the 保密审查 an approver records before publication."""

    CLEARED = "cleared"
    NOT_CLEARED = "not_cleared"


class RespondentType(StrEnum):
    """Who commented (docs/rules.md §4.2); feeds the statistics by respondent type."""

    INDIVIDUAL = "individual"
    ENTERPRISE = "enterprise"
    ASSOCIATION = "association"
    SOCIAL_ORGANISATION = "social_organisation"
    AGENCY = "agency"
    NPC_DEPUTY = "npc_deputy"
    CPPCC_MEMBER = "cppcc_member"
    OTHER = "other"

    @property
    def is_organisation(self) -> bool:
        """Organisations are named in full on public pages; people are masked (张*祥)."""
        return self in (
            RespondentType.ENTERPRISE,
            RespondentType.ASSOCIATION,
            RespondentType.SOCIAL_ORGANISATION,
            RespondentType.AGENCY,
        )


class ModerationStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Validity(StrEnum):
    """The moderator's verdict on a comment (docs/rules.md §4.2): only valid comments are answered."""

    VALID = "valid"
    DUPLICATE = "duplicate"
    IRRELEVANT = "irrelevant"
    ILLEGAL = "illegal"


class RejectionReason(StrEnum):
    """Why a moderator did not accept a comment; the feedback counts rejected comments by these."""

    SPAM = "spam"
    ILLEGAL = "illegal"
    ABUSIVE = "abusive"
    IRRELEVANT = "irrelevant"
    DUPLICATE = "duplicate"

    @property
    def validity(self) -> Validity:
        if self is RejectionReason.DUPLICATE:
            return Validity.DUPLICATE
        if self is RejectionReason.IRRELEVANT:
            return Validity.IRRELEVANT
        # Gambling and advertising spam, illegal content and abuse are all 含违法或不良信息.
        return Validity.ILLEGAL


class Adoption(StrEnum):
    """The drafting department's answer to a valid comment (采纳情况)."""

    ADOPTED = "adopted"
    PARTLY_ADOPTED = "partly_adopted"
    NOT_ADOPTED = "not_adopted"
    OUT_OF_SCOPE = "out_of_scope"


class Consultation(db.Model):
    __tablename__ = "consultations"
    __table_args__ = (
        Index("ix_consultations_status_end", "status", "end_at"),
        Index("ix_consultations_department_status", "department_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    doc_type: Mapped[str] = mapped_column(String(40))  # a periods.DOCUMENT_TYPES code
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    contact_email: Mapped[str] = mapped_column(String(200), default="")
    contact_address: Mapped[str] = mapped_column(String(300), default="")
    intro: Mapped[str] = mapped_column(Text, default="")  # 征集说明
    explanation: Mapped[str] = mapped_column(Text, default="")  # 起草说明, required to publish
    interpretation: Mapped[str] = mapped_column(Text, default="")  # 政策解读, optional
    channels: Mapped[list[str]] = mapped_column(JSON, default=lambda: [Channel.ONLINE.value])
    start_at: Mapped[datetime | None]
    end_at: Mapped[datetime | None]
    shortening_reason: Mapped[str] = mapped_column(Text, default="")
    comment_display: Mapped[CommentDisplay] = mapped_column(
        enum_by_value(CommentDisplay), default=CommentDisplay.HIDDEN
    )
    round_number: Mapped[int] = mapped_column(Integer, default=1)
    previous_round_id: Mapped[int | None] = mapped_column(ForeignKey("consultations.id"))
    status: Mapped[ConsultationStatus] = mapped_column(
        enum_by_value(ConsultationStatus), default=ConsultationStatus.DRAFT
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    return_reason: Mapped[str] = mapped_column(Text, default="")
    secrecy_result: Mapped[SecrecyResult | None] = mapped_column(enum_by_value(SecrecyResult))
    secrecy_note: Mapped[str] = mapped_column(Text, default="")
    secrecy_reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    secrecy_reviewed_at: Mapped[datetime | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    department: Mapped[Department] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    secrecy_reviewer: Mapped[User | None] = relationship(foreign_keys=[secrecy_reviewer_id])
    previous_round: Mapped[Consultation | None] = relationship(remote_side=[id])
    units: Mapped[list[DraftUnitRow]] = relationship(
        back_populates="consultation", order_by="DraftUnitRow.position", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[ConsultationAttachment]] = relationship(
        back_populates="consultation", order_by="ConsultationAttachment.id", cascade="all, delete-orphan"
    )
    extensions: Mapped[list[ConsultationExtension]] = relationship(
        back_populates="consultation", order_by="ConsultationExtension.at", cascade="all, delete-orphan"
    )

    @property
    def document_type(self) -> periods.DocumentType:
        return periods.DOCUMENT_TYPES[self.doc_type]

    def phase(self, now: datetime | None = None) -> periods.ConsultationPhase | None:
        """upcoming/open/closed by the clock once published; None while still being prepared."""
        if not self.status.is_published or self.start_at is None or self.end_at is None:
            return None
        return periods.phase(self.start_at, self.end_at, now or utcnow())

    def days_left(self, now: datetime | None = None) -> int:
        return periods.days_left(self.end_at, now or utcnow()) if self.end_at else 0

    def accepts(self, channel: Channel) -> bool:
        return channel.value in (self.channels or [])

    def public_contacts(self) -> list[str]:
        """The department's own published contacts, which its answers and 解读 may name (never masked)."""
        values = (self.contact_phone, self.contact_email, self.department.office_phone, self.department.email)
        return [value for value in values if value and value.strip()]

    def unit_choices(self) -> tuple[tuple[str, str], ...]:
        """(key, label) of the units a resident can comment on: not the preamble or the closing lines."""
        if self.status.is_published:
            return _published_unit_choices(self.id, self.updated_at)
        return _read_unit_choices(self.id)

    def draft_units(self) -> list[DraftUnit]:
        return [row.as_draft_unit() for row in self.units]

    def unit(self, key: str) -> DraftUnitRow | None:
        """The unit of the draft with this key, from an index of the loaded units, built again when it is stale
        (a unit removed, replaced or re-keyed), so naming every unit of a draft reads the list once."""
        index: dict[str, DraftUnitRow] | None = getattr(self, "_units_by_key", None)
        row = index.get(key) if index is not None else None
        if row is None or row.key != key or row.consultation is not self:
            index = {unit.key: unit for unit in self.units}
            self._units_by_key = index
            row = index.get(key)
        return row


class DraftUnitRow(db.Model):
    """One commentable unit of a consultation's draft, as saved after the editor corrected the split."""

    __tablename__ = "consultation_units"
    __table_args__ = (UniqueConstraint("consultation_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))
    number: Mapped[str] = mapped_column(String(40), default="")
    title: Mapped[str] = mapped_column(String(300), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    parent_key: Mapped[str | None] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)

    consultation: Mapped[Consultation] = relationship(back_populates="units")

    def as_draft_unit(self) -> DraftUnit:
        return DraftUnit(self.key, self.kind, self.number, self.title, self.text, self.parent_key)

    @property
    def label(self) -> str:
        """How the unit is named in a feedback table, a list or a screen reader's link: its numbering within its
        parents, as the picker numbers it, and its title (一、（三）1. 坚持正确导向; 第十条; 附件1 一、（一）)."""
        return " ".join(part for part in (self.numbering, self.title) if part) or self.key

    @property
    def numbering(self) -> str:
        """Its number after those of the parents that number it (一、（三）1.; an article's number alone)."""
        ancestors = []
        row = self
        for _level in UNIT_KINDS:  # deeper than any draft: parent keys that loop end here
            parent = row.consultation.unit(row.parent_key) if row.parent_key and row.consultation else None
            if parent is None:
                break
            ancestors.append(parent)
            row = parent
        prefix = ""
        for parent in reversed(ancestors):
            prefix = prefix_for_children(parent.kind, parent.number, parent.title, prefix + parent.number)
        return prefix + self.number


def _read_unit_choices(consultation_id: int) -> tuple[tuple[str, str], ...]:
    # Fetch the short columns and the start of the text, not every unit's whole text.
    rows = db.session.execute(
        db.select(
            DraftUnitRow.key,
            DraftUnitRow.kind,
            DraftUnitRow.number,
            DraftUnitRow.title,
            func.substr(DraftUnitRow.text, 1, FIRST_WORDS + 1),
            DraftUnitRow.parent_key,
        )
        .where(DraftUnitRow.consultation_id == consultation_id, DraftUnitRow.kind.not_in(("preamble", "closing")))
        .order_by(DraftUnitRow.position)
    ).all()
    return picker_labels(PickerRow(*row) for row in rows)


# A published draft never changes (services.replace_units refuses it) and every change of status moves
# updated_at, so a worker keeps the choices it reads on each comment form and post instead of reading them again.
@cached(LRUCache(maxsize=256), key=lambda consultation_id, updated_at: (consultation_id, updated_at), lock=Lock())
def _published_unit_choices(consultation_id: int, updated_at: datetime) -> tuple[tuple[str, str], ...]:
    return _read_unit_choices(consultation_id)


class ConsultationAttachment(db.Model):
    """A file published with the notice (the draft as .docx, explanations, annexes)."""

    __tablename__ = "consultation_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]

    consultation: Mapped[Consultation] = relationship(back_populates="attachments")


class ConsultationExtension(db.Model):
    """One extension of an open consultation's end: only ever later, always with a reason."""

    __tablename__ = "consultation_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    old_end: Mapped[datetime]
    new_end: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    consultation: Mapped[Consultation] = relationship(back_populates="extensions")
    by: Mapped[User | None] = relationship()


class Comment(db.Model):
    """A comment (意见) on the whole draft (unit_key None) or one unit. Phone and e-mail are never public."""

    __tablename__ = "consultation_comments"
    __table_args__ = (
        Index("ix_consultation_comments_consultation_unit", "consultation_id", "unit_key"),
        Index("ix_consultation_comments_consultation_status", "consultation_id", "moderation_status"),
        Index("ix_consultation_comments_consultation_fingerprint", "consultation_id", "fingerprint"),
        Index("ix_consultation_comments_consultation_cluster", "consultation_id", "cluster_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    # Unit keys are stable across edits of the text (draft_parser), so a comment keeps its anchor.
    unit_key: Mapped[str | None] = mapped_column(String(40))
    channel: Mapped[Channel] = mapped_column(enum_by_value(Channel, 20), default=Channel.ONLINE)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    author_name: Mapped[str] = mapped_column(String(200), default="")
    respondent_type: Mapped[RespondentType] = mapped_column(enum_by_value(RespondentType))
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    content: Mapped[str] = mapped_column(Text)
    basis: Mapped[str] = mapped_column(Text, default="")
    attachment_name: Mapped[str] = mapped_column(String(200), default="")
    attachment_stored_name: Mapped[str | None] = mapped_column(String(80), unique=True)
    attachment_type: Mapped[str] = mapped_column(String(100), default="")
    attachment_size: Mapped[int] = mapped_column(Integer, default=0)
    privacy_notice_version: Mapped[str] = mapped_column(String(40), default="")
    publish_name: Mapped[bool] = mapped_column(Boolean, default=False)
    notify_me: Mapped[bool] = mapped_column(Boolean, default=False)
    receipt_number: Mapped[str] = mapped_column(String(32), unique=True)
    # From a hidden field set when the form was rendered: a retried POST finds the comment it already stored.
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    moderation_status: Mapped[ModerationStatus] = mapped_column(
        enum_by_value(ModerationStatus, 20), default=ModerationStatus.PENDING
    )
    screening: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The screening flags as " flag flag ", so the moderation queue can filter with LIKE on any database.
    flags: Mapped[str] = mapped_column(String(400), default="")
    # SHA-256 of the content's matching form (core.dedup.fingerprint): equal for exact copies.
    fingerprint: Mapped[str] = mapped_column(String(64), default="")
    # The id of the first comment of its cluster of exact and near duplicates (that comment included);
    # None for a comment that duplicates nothing. A campaign is one cluster, answered once.
    cluster_id: Mapped[int | None] = mapped_column(Integer)
    validity: Mapped[Validity | None] = mapped_column(enum_by_value(Validity, 20))
    rejection_reason: Mapped[RejectionReason | None] = mapped_column(enum_by_value(RejectionReason, 20))
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    moderated_at: Mapped[datetime | None]
    adoption: Mapped[Adoption | None] = mapped_column(enum_by_value(Adoption, 20))
    answer_reason: Mapped[str] = mapped_column(Text, default="")
    answer_change: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None]
    # The staff member who typed in a letter, e-mail or meeting comment; None for online submissions.
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]

    consultation: Mapped[Consultation] = relationship()

    @property
    def is_valid(self) -> bool:
        return self.validity is Validity.VALID

    @property
    def flag_list(self) -> list[str]:
        return self.flags.split()
