"""Tables for handling comments after they arrive: duplicate search, burst counting, answer templates, feedback."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consultation.models import Adoption
from core.db import created_at, enum_by_value, utcnow
from core.extensions import db
from core.models import Department, User


class CommentBand(db.Model):
    """One LSH band key of a comment's MinHash signature (consultation/comments/duplicates.py).

    Stored rows let any worker find the near-duplicate candidates of a new comment with one indexed query,
    so clustering never depends on memory that differs between gunicorn workers or hosts.
    """

    __tablename__ = "consultation_comment_bands"
    __table_args__ = (Index("ix_consultation_comment_bands_consultation_band", "consultation_id", "band"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    comment_id: Mapped[int] = mapped_column(ForeignKey("consultation_comments.id", ondelete="CASCADE"), index=True)
    band: Mapped[int] = mapped_column(BigInteger)


class SubmissionSource(db.Model):
    """A recent online submission from one source, for burst detection; rows live only for the burst window.

    `source` is a keyed hash of the address that changes every day, so it links nothing beyond the window and
    is never copied onto the comment (docs/rules.md §4.2: no IP address in the comment record).
    """

    __tablename__ = "consultation_submission_sources"
    __table_args__ = (Index("ix_consultation_submission_sources_source_at", "source", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ReasonCategory(StrEnum):
    """What kind of reason an answer template gives, so the library offers them by kind (rules.md §2 rule 5)."""

    LEGAL_BASIS = "legal_basis"  # 与上位法不一致 / 上位法已有规定
    OUT_OF_SCOPE = "out_of_scope"  # 不属于本文件调整范围
    ALREADY_COVERED = "already_covered"  # 已在其他条款或文件中体现
    IMPLEMENTATION = "implementation"  # 属于执行层面，在实施中研究
    CONDITIONS = "conditions"  # 目前条件尚不具备
    OTHER = "other"


class AnswerTemplate(db.Model):
    """A reusable answer of one department (e.g. "不属于本办法调整范围，已转交相关部门研究")."""

    __tablename__ = "consultation_answer_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    adoption: Mapped[Adoption] = mapped_column(enum_by_value(Adoption, 20))
    category: Mapped[ReasonCategory] = mapped_column(
        enum_by_value(ReasonCategory, 30), default=ReasonCategory.OTHER, server_default=ReasonCategory.OTHER.value
    )
    reason: Mapped[str] = mapped_column(Text, default="")
    change: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]

    department: Mapped[Department] = relationship()


class ConsultationFeedback(db.Model):
    """The published feedback (结果反馈) of a consultation: the main changes the editor writes, and when."""

    __tablename__ = "consultation_feedback"

    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True)
    main_changes: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    published_by: Mapped[User | None] = relationship()
