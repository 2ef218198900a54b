"""Questionnaires: surveys, their pages, questions and options, anonymous responses, and the tokens kept apart.

Responses and answers carry nothing that identifies a respondent: no IP address, no account, no token.
The one-response-per-person token (DedupToken) and the save-and-resume draft (ResumeDraft) live in their own
tables with no link to a response, and are deleted when the survey closes.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from core.db import created_at, enum_by_value, utcnow
from core.extensions import db
from core.models import Department, User

CODE_LENGTH = 255  # question and option codes: XLSForm names run long, and are never cut


class ReviewStatus(StrEnum):
    """Where the survey content is in the internal review (起草 → 审核 → 发布)."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    RETURNED = "returned"


class Phase(StrEnum):
    """What a resident sees: computed from the review status, the clock and the response cap."""

    NOT_PUBLISHED = "not_published"
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"


class QuestionType(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    DROPDOWN = "dropdown"
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    DATE = "date"
    SCALE = "scale"
    NPS = "nps"
    MATRIX = "matrix"
    RANKING = "ranking"
    NOTE = "note"
    # A value computed from earlier answers (XLSForm `calculate`): settings["calculation"], never asked.
    CALCULATE = "calculate"
    # A group answered once per member (XLSForm `begin_repeat`): settings["members"] are its sub-questions,
    # the answer a list of {member code: value}, one per instance (a household's members).
    REPEAT = "repeat"

    @property
    def has_options(self) -> bool:
        return self in (QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.DROPDOWN, QuestionType.RANKING,
                        QuestionType.MATRIX)  # fmt: skip

    @property
    def takes_answer(self) -> bool:
        """Whether the respondent answers it (a calculation's value is computed, a note has none)."""
        return self not in (QuestionType.NOTE, QuestionType.CALCULATE)

    @property
    def in_results(self) -> bool:
        """Whether results pages count its answers; a repeat group's entries go to their own export sheet."""
        return self.takes_answer and self is not QuestionType.REPEAT


class Survey(db.Model):
    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text, default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    response_cap: Mapped[int | None] = mapped_column(Integer)
    closed_message: Mapped[str] = mapped_column(Text, default="")
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    # [{"field": "联系电话", "purpose": "回访核实"}]: every personal field asked, with why (个人信息保护法).
    personal_fields: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    # A consultation this survey belongs to. The key names the table, so neither feature package imports the
    # other; a deleted consultation leaves the survey standing, unattached.
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultations.id", ondelete="SET NULL"), index=True)
    short_code: Mapped[str] = mapped_column(String(16), unique=True)
    status: Mapped[ReviewStatus] = mapped_column(enum_by_value(ReviewStatus, 20), default=ReviewStatus.DRAFT)
    results_published: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    review_note: Mapped[str] = mapped_column(Text, default="")
    reviewed_at: Mapped[datetime | None]
    # Set when the cap is reached, before the end date.
    closed_early_at: Mapped[datetime | None]
    # Set when the dedup tokens and resume drafts of the closed survey were deleted.
    purged_at: Mapped[datetime | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    department: Mapped[Department] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    pages: Mapped[list[SurveyPage]] = relationship(
        back_populates="survey", order_by="SurveyPage.position", cascade="all, delete-orphan"
    )

    def phase(self, now: datetime | None = None) -> Phase:
        if self.status is not ReviewStatus.APPROVED:
            return Phase.NOT_PUBLISHED
        now = now or utcnow()
        if self.closed_early_at is not None or now >= self.ends_at:
            return Phase.CLOSED
        return Phase.SCHEDULED if now < self.starts_at else Phase.OPEN

    @property
    def questions(self) -> list[Question]:
        """Every question in the order a respondent meets them."""
        return [question for page in self.pages for question in page.questions]

    @property
    def is_editable(self) -> bool:
        return self.status in (ReviewStatus.DRAFT, ReviewStatus.RETURNED)


class SurveyPage(db.Model):
    __tablename__ = "survey_pages"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200), default="")

    survey: Mapped[Survey] = relationship(back_populates="pages")
    questions: Mapped[list[Question]] = relationship(
        back_populates="page", order_by="Question.position", cascade="all, delete-orphan"
    )


class Question(db.Model):
    __tablename__ = "survey_questions"
    __table_args__ = (UniqueConstraint("survey_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Denormalised from the page so the database itself keeps codes unique per survey.
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("survey_pages.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # As the editor or the XLSForm wrote it (`Sub-ward`, 年龄): codes are data, kept exactly (CODE_LENGTH).
    code: Mapped[str] = mapped_column(String(CODE_LENGTH))
    type: Mapped[QuestionType] = mapped_column(enum_by_value(QuestionType, 20))
    text: Mapped[str] = mapped_column(Text)
    help: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    validation: Mapped[str] = mapped_column(Text, default="")
    validation_message: Mapped[str] = mapped_column(String(300), default="")
    # Stored as the editor wrote them; the parsed trees are cached as JSON (conditions.to_json).
    validation_tree: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    show_if: Mapped[str] = mapped_column(Text, default="")
    show_if_tree: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # min_selections, max_selections, min_value, max_value, scale_min, scale_max, scale_min_label,
    # scale_max_label, other, shuffle, rows ([{"code", "label"}] for a matrix), calculation (CALCULATE),
    # choice_filter (options shown: a condition over the answers and the option's columns, `${@column}`).
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # What an imported XLSForm row said that the fields above hold in one language only: every language of
    # label, hint, constraint_message, required_message ({"label": {"English (en)": "..."}}), so the form
    # exports again as it came. NULL for questions made in the builder.
    xlsform: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    page: Mapped[SurveyPage] = relationship(back_populates="questions")
    options: Mapped[list[Option]] = relationship(
        back_populates="question", order_by="Option.position", cascade="all, delete-orphan"
    )

    def setting(self, key: str, default: Any = None) -> Any:
        value = (self.settings or {}).get(key)
        return default if value is None or value == "" else value


class Option(db.Model):
    __tablename__ = "survey_options"
    __table_args__ = (UniqueConstraint("question_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    code: Mapped[str] = mapped_column(String(CODE_LENGTH))
    label: Mapped[str] = mapped_column(String(300))
    # From an XLSForm choices row: {"label": {language: text}, "columns": {column: value}} (the columns a
    # choice_filter reads, e.g. the county a town belongs to). NULL for options made in the builder.
    xlsform: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    question: Mapped[Question] = relationship(back_populates="options")


class Response(db.Model):
    """One submitted questionnaire. Deliberately no IP, account, token or exact time (see submitted_at)."""

    __tablename__ = "survey_responses"
    __table_args__ = (Index("ix_survey_responses_survey_complete", "survey_id", "complete"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    # Rounded down to the hour, so it cannot be matched to a web server log line by its second.
    submitted_at: Mapped[datetime]
    complete: Mapped[bool] = mapped_column(Boolean, default=True)
    # The answers again as one document, {"values": {code: value}, "other": {code: text}}, written with the
    # response (see pack_answers below): results and exports read one row per response instead of one per
    # answer. NULL for responses stored before the column existed; readers then fall back to the Answer rows.
    answer_data: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    answers: Mapped[list[Answer]] = relationship(back_populates="response", cascade="all, delete-orphan")


class Answer(db.Model):
    __tablename__ = "survey_answers"
    __table_args__ = (Index("ix_survey_answers_code", "question_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_responses.id", ondelete="CASCADE"), index=True)
    question_code: Mapped[str] = mapped_column(String(CODE_LENGTH))
    # str, int/float, list[str] (multiple choice, ranking) or dict[row, column] (matrix).
    value: Mapped[Any] = mapped_column(JSON)
    other_text: Mapped[str] = mapped_column(Text, default="")

    response: Mapped[Response] = relationship(back_populates="answers")


def answer_document(values: dict[str, Any], other: dict[str, str]) -> dict[str, Any]:
    """What Response.answer_data holds: the values by question code and the non-empty "other" texts."""
    return {"values": values, "other": {code: text for code, text in other.items() if text}}


@event.listens_for(Response, "before_insert")
def pack_answers(_mapper: Mapper[Response], _connection: Any, response: Response) -> None:
    """Fill answer_data from the answers inserted with the response, whichever code path stored it.

    Answers are only ever written together with their response (a submitted response is never edited), so
    the document taken here stays equal to the Answer rows. Bulk INSERTs bypass this and set it themselves.
    """
    if response.answer_data is None:
        response.answer_data = answer_document(
            {answer.question_code: answer.value for answer in response.answers},
            {answer.question_code: answer.other_text for answer in response.answers},
        )


class DedupToken(db.Model):
    """HMAC of a browser's per-survey token: refuses a second response. No id, no time, no link to answers,
    so neither its order nor its timestamp can tie it to a response."""

    __tablename__ = "survey_dedup_tokens"

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Hash of the idempotency key of the final POST, so a retried submission is recognised as the same one.
    submission_hash: Mapped[str] = mapped_column(String(64), default="")


class ResumeDraft(db.Model):
    """The answers so far, keyed by the hash of a random resume token kept in the respondent's cookie."""

    __tablename__ = "survey_resume_drafts"
    __table_args__ = (UniqueConstraint("survey_id", "token_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    page_index: Mapped[int] = mapped_column(Integer, default=0)
    # The idempotency key the final page's form carries.
    submission_key: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
