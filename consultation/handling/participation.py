"""Tables of what a department did besides the public notice: the statutory procedures of the decision
(履行决策法定程序: 专家论证, 风险评估, 听证 …), the targeted consultations and meetings (定向征求意见, 座谈会, 听证会,
论证会), and the addenda to a published feedback that answer late letters (docs/rules.md §1.1 第二十六条, §4.4)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import created_at, enum_by_value, utcnow
from core.extensions import db
from core.models import User


class Procedure(StrEnum):
    """The statutory procedures of a decision, in the order they are carried out (713号 第二章)."""

    PUBLIC_PARTICIPATION = "public_participation"
    EXPERT_REVIEW = "expert_review"
    RISK_ASSESSMENT = "risk_assessment"
    HEARING = "hearing"
    FAIR_COMPETITION = "fair_competition"
    LEGALITY_REVIEW = "legality_review"
    COLLECTIVE_DECISION = "collective_decision"


class ProcedureState(StrEnum):
    DONE = "done"
    NOT_REQUIRED = "not_required"


class StatutoryProcedure(db.Model):
    """One procedure as the department recorded it: done on a date (with its record or file), or not required
    (with the reason). Public participation and legality review are also read from the site's own records."""

    __tablename__ = "consultation_procedures"
    __table_args__ = (UniqueConstraint("consultation_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    code: Mapped[Procedure] = mapped_column(enum_by_value(Procedure, 30))
    state: Mapped[ProcedureState] = mapped_column(enum_by_value(ProcedureState, 20))
    done_on: Mapped[date | None]
    # A hearing (听证) only: the day it was announced to the public, at least CONSULTATION_HEARING_NOTICE_DAYS
    # before it was held (docs/rules.md §1.1 第十七条). None for the other procedures and for rows recorded earlier.
    announced_on: Mapped[date | None]
    # What was found or decided (done), or why it is not required (not required).
    note: Mapped[str] = mapped_column(Text, default="")
    # Where its record is: an address, or the name of the file in the packet (专家论证报告.pdf).
    reference: Mapped[str] = mapped_column(String(500), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    recorded_by: Mapped[User | None] = relationship()


class ParticipationForm(StrEnum):
    """How a targeted consultation was held (713号 第十四条)."""

    WRITTEN = "written"  # 书面征求意见
    FORUM = "forum"  # 座谈会
    HEARING = "hearing"  # 听证会
    EXPERT_MEETING = "expert_meeting"  # 论证会
    VISIT = "visit"  # 实地走访


class PartyKind(StrEnum):
    """Who was consulted directly."""

    DEPARTMENT = "department"
    ENTERPRISE = "enterprise"
    ASSOCIATION = "association"
    NPC_DEPUTY = "npc_deputy"
    CPPCC_MEMBER = "cppcc_member"
    EXPERT = "expert"
    RESIDENT = "resident"
    OTHER = "other"


class TargetedParticipation(db.Model):
    """A targeted consultation or a meeting: who, how, when, where, how many people, and the gist of what they
    said. It is named in the 说明 (listed, not only counted)."""

    __tablename__ = "consultation_participations"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    form: Mapped[ParticipationForm] = mapped_column(enum_by_value(ParticipationForm, 20))
    party_kind: Mapped[PartyKind] = mapped_column(enum_by_value(PartyKind, 20))
    parties: Mapped[str] = mapped_column(Text)  # 区发改局、区市场监管局 / 东洲社区居民代表
    held_on: Mapped[date | None]
    # A 听证会 only: the day it was announced to the public (as for StatutoryProcedure.announced_on).
    announced_on: Mapped[date | None]
    place: Mapped[str] = mapped_column(String(200), default="")
    people: Mapped[int | None] = mapped_column(Integer)
    opinions: Mapped[str] = mapped_column(Text, default="")  # the gist of what was said and how it was handled
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]


class FeedbackAddendum(db.Model):
    """A supplement to a published feedback (补充反馈): the late comments it answers publicly, and a note."""

    __tablename__ = "consultation_feedback_addenda"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    comment_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
