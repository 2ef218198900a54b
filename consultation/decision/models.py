"""Tables of the decision stage (docs/rules.md §7.3, rule 9): the decided document as published, and its 政策解读
with figures and pictures, each reviewed by a second person before it goes out (the document as PreparedDocument
until approved). Both can be revised once public: the 解读 in a new version reviewed like the first (one row per
version), the document by a correction reviewed the same way that keeps the version it replaced
(DecidedDocumentVersion); the public reads the earlier versions beside the current one."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import created_at, enum_by_value, utcnow
from core.extensions import db
from core.models import User


class DecidedDocument(db.Model):
    """The document the decision-making body issued, published on the site as a file or a link to it: only once an
    approver approved what an editor prepared (PreparedDocument), so this row is what the public reads."""

    __tablename__ = "consultation_decided_documents"

    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    # 文号, e.g. 东政发〔2026〕8号; empty when the document has none.
    number: Mapped[str] = mapped_column(String(100), default="")
    # Where the issued document is published elsewhere (http or https); empty when it is uploaded here.
    url: Mapped[str] = mapped_column(String(500), default="")
    filename: Mapped[str] = mapped_column(String(200), default="")
    stored_name: Mapped[str | None] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    # When it was first published; a correction keeps it and sets revised_at.
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The approver who published the current version.
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # 1 until corrected; each correction keeps the version it replaced (DecidedDocumentVersion) and says what changed.
    version: Mapped[int] = mapped_column(Integer, default=1)
    revised_at: Mapped[datetime | None]
    revision_note: Mapped[str] = mapped_column(Text, default="")

    published_by: Mapped[User | None] = relationship()

    @property
    def is_file(self) -> bool:
        return bool(self.stored_name)


class DecidedDocumentVersion(db.Model):
    """A version of the decided document a correction replaced, kept as the public read it (its file is kept)."""

    __tablename__ = "consultation_decided_document_versions"
    __table_args__ = (UniqueConstraint("consultation_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    number: Mapped[str] = mapped_column(String(100), default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    filename: Mapped[str] = mapped_column(String(200), default="")
    # The file as it was; the next version may keep the same file.
    stored_name: Mapped[str | None] = mapped_column(String(80))
    content_type: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    # When this version went public (the first publication, or the correction that made it), and what changed then.
    published_at: Mapped[datetime]
    revision_note: Mapped[str] = mapped_column(Text, default="")
    superseded_at: Mapped[datetime] = mapped_column(default=utcnow)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def is_file(self) -> bool:
        return bool(self.stored_name)


class InterpretationStatus(StrEnum):
    """A 解读 is written, reviewed by an approver who did not write it, then published (or returned)."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    RETURNED = "returned"
    PUBLISHED = "published"
    # An earlier version a revision replaced: still readable on its own page, never changed again.
    SUPERSEDED = "superseded"

    @property
    def is_editable(self) -> bool:
        return self in (InterpretationStatus.DRAFT, InterpretationStatus.RETURNED)


class PreparedDocument(db.Model):
    """The decided document (or a correction of it) as an editor prepared it, reviewed like the 解读 before it is
    published: an approver of the department who did not prepare it approves it (then it becomes the published
    DecidedDocument) or returns it. One row per version: while a correction is prepared or reviewed the published
    version stays served unchanged; an approved row stays as the record of who prepared and who approved it."""

    __tablename__ = "consultation_prepared_documents"
    # Two editors starting the same version at once: the second finds it taken (revisions.insert_unless_taken).
    __table_args__ = (UniqueConstraint("consultation_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    # The version it becomes when approved: 1, or the published one's + 1 for a correction.
    version: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(300), default="")
    number: Mapped[str] = mapped_column(String(100), default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    filename: Mapped[str] = mapped_column(String(200), default="")
    # A correction starts with the published file; once approved the published document holds the same name.
    stored_name: Mapped[str | None] = mapped_column(String(80))
    content_type: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    revision_note: Mapped[str] = mapped_column(Text, default="")
    # The same steps as the 解读: draft, in review, returned, published (never superseded: the versions a
    # correction replaced are DecidedDocumentVersion rows).
    status: Mapped[InterpretationStatus] = mapped_column(
        enum_by_value(InterpretationStatus, 20), default=InterpretationStatus.DRAFT
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None]
    return_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[created_at]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    @property
    def is_file(self) -> bool:
        return bool(self.stored_name)

    @property
    def is_correction(self) -> bool:
        return (self.version or 1) > 1


class ChartKind(StrEnum):
    """Bars to compare amounts; one 100% bar per row to show shares."""

    BARS = "bars"
    SHARES = "shares"


class Interpretation(db.Model):
    """The 政策解读 of a decided policy: background, goals, key measures, and what changed from the draft and why.

    One row per version: the first, then each revision an editor starts from the published one. At most one is
    published; the others are earlier versions (superseded) or the revision being written or reviewed, while the
    published one stays served unchanged."""

    __tablename__ = "policy_interpretations"
    __table_args__ = (UniqueConstraint("consultation_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(300))
    # Markdown, shown sanitised (consultation.drafting.rendering).
    background: Mapped[str] = mapped_column(Text, default="")
    goals: Mapped[str] = mapped_column(Text, default="")
    key_measures: Mapped[str] = mapped_column(Text, default="")
    changes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[InterpretationStatus] = mapped_column(
        enum_by_value(InterpretationStatus, 20), default=InterpretationStatus.DRAFT
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None]
    return_reason: Mapped[str] = mapped_column(Text, default="")
    # When the 解读 was first published (a revision carries it over); revised_at when this version replaced the one
    # before, revision_note what the editor says changed (shown on the public page); superseded_at when replaced.
    published_at: Mapped[datetime | None]
    revised_at: Mapped[datetime | None]
    revision_note: Mapped[str] = mapped_column(Text, default="")
    superseded_at: Mapped[datetime | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    figures: Mapped[list[InterpretationFigure]] = relationship(
        back_populates="interpretation", order_by="InterpretationFigure.position", cascade="all, delete-orphan"
    )
    images: Mapped[list[InterpretationImage]] = relationship(
        back_populates="interpretation", order_by="InterpretationImage.id", cascade="all, delete-orphan"
    )

    @property
    def is_revision(self) -> bool:
        """A version after the first: it says what changed, and replaces the published one when approved."""
        return (self.version or 1) > 1  # None until the row is flushed: a new row is the first version


class InterpretationFigure(db.Model):
    """A small table (rows of a label and numbers, one column per series) shown as a chart and as a table."""

    __tablename__ = "policy_interpretation_figures"

    id: Mapped[int] = mapped_column(primary_key=True)
    interpretation_id: Mapped[int] = mapped_column(
        ForeignKey("policy_interpretations.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(40), default="")
    kind: Mapped[ChartKind] = mapped_column(enum_by_value(ChartKind, 20), default=ChartKind.BARS)
    series: Mapped[list[str]] = mapped_column(JSON, default=list)
    # [[label, [number, …]], …], one number per series.
    rows: Mapped[list[Any]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")  # the source of the figures

    interpretation: Mapped[Interpretation] = relationship(back_populates="figures")


class InterpretationImage(db.Model):
    """A picture of the 解读 (an infographic, a photo), checked by content like every upload."""

    __tablename__ = "policy_interpretation_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    interpretation_id: Mapped[int] = mapped_column(
        ForeignKey("policy_interpretations.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    # What the picture shows, for readers who cannot see it; required.
    alt: Mapped[str] = mapped_column(String(300))
    caption: Mapped[str] = mapped_column(String(300), default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]

    interpretation: Mapped[Interpretation] = relationship(back_populates="images")
