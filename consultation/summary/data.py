"""What the 征求意见情况说明 and the 意见采纳情况表 are made of, read from the live data: the consultation's facts,
the feedback statistics (the very numbers of the feedback page), the concentrated opinions, the main changes and
one row per valid comment, in a public form (names masked unless the commenter opted in, organisations in full)
or an internal one (names in full). Neither carries a phone number or an e-mail address; personal data inside a
comment's text is masked in both. Rows are read in batches, so a consultation of any size streams.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from flask import current_app, url_for
from flask_babel import force_locale
from sqlalchemy import Enum, Row, Select, String, type_coerce

from consultation import labels
from consultation.comments.public_names import public_name
from consultation.decision.models import DecidedDocument, Interpretation, InterpretationStatus
from consultation.drafting import periods, services
from consultation.handling import feedback
from consultation.handling.answer_sheet import ADOPTION_WORDS
from consultation.handling.models import ConsultationFeedback
from consultation.legality.models import ConsultationConclusion, ConsultationExemption, ExemptionBasis, Outcome
from consultation.models import Comment, Consultation, Validity
from core.db import utcnow
from core.documents import chinese_date
from core.exports import local_time
from core.extensions import db
from core.links import site_url
from core.screening import mask_personal_data, mask_personal_data_keeping
from core.verification import DocumentVersion

KIND = "consultation_summary"
OBJECT_TYPE = "consultations"
BATCH_ROWS = 1000
WHOLE_DRAFT = "全文"
UNNAMED = "（未署名）"
EXEMPTION_WORDS = {
    ExemptionBasis.STATE_SECRET: "依法需要保密",
    ExemptionBasis.NOT_DISCLOSED: "依法不予公开",
    ExemptionBasis.INTERNAL_AFFAIRS: "内部事务",
    ExemptionBasis.EMERGENCY: "突发事件",
}
# The columns read for the table, the fingerprint and the reply list: never a whole Comment object.
_ROW_COLUMNS = (
    Comment.id,
    Comment.receipt_number,
    Comment.author_name,
    Comment.respondent_type,
    Comment.publish_name,
    Comment.channel,
    Comment.received_at,
    Comment.unit_key,
    Comment.content,
    Comment.adoption,
    Comment.answer_reason,
    Comment.answer_change,
    Comment.cluster_id,
)


@dataclass(frozen=True)
class Words:
    """The Chinese names of the codes, resolved once: documents are Chinese whatever the reader's UI language."""

    channel: dict
    respondent: dict
    rejection: dict


def chinese_words() -> Words:
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return Words(
            channel={key: str(label) for key, label in labels.CHANNEL_LABELS.items()},
            respondent={key: str(label) for key, label in labels.RESPONDENT_LABELS.items()},
            rejection={key: str(label) for key, label in labels.REJECTION_LABELS.items()},
        )


@dataclass(slots=True)
class SummaryRow:
    """One valid comment and its answer, as the table shows it."""

    number: int
    receipt: str
    name: str
    respondent: str
    channel: str
    received_at: datetime
    unit: str
    content: str
    adoption: str
    reason: str
    change: str
    cluster: int | None
    codes: tuple[str, str, str]  # respondent type, channel and adoption as codes, for the JSON


@dataclass
class Summary:
    """Everything a summary document or table says; the rows stream from `rows()`, and what takes a pass over
    every comment (counts, concentrated opinions, fingerprint) is worked out when first asked for."""

    consultation: Consultation
    version: DocumentVersion
    main_changes: str
    feedback_published_at: datetime | None
    notice_url: str
    feedback_url: str
    period: periods.PeriodCheck | None
    exemption: ConsultationExemption | None
    generated_at: datetime
    words: Words

    @cached_property
    def stats(self) -> feedback.FeedbackStats:
        return feedback.statistics(self.consultation)

    @cached_property
    def fingerprint(self) -> str:
        """Of the comments and answers when first asked for: a streamed file asks when its last byte has gone, so a
        change made while it was being written shows on /verify as a change (never the reverse)."""
        return source_fingerprint(self.consultation.id) or ""

    @cached_property
    def opinions(self) -> list[feedback.ConcentratedOpinion]:
        """The concentrated opinions, worked out only for the formats that print them (not for CSV)."""
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):  # their labels are printed, in Chinese
            return feedback.concentrated_opinions(self.consultation)

    @property
    def internal(self) -> bool:
        return self.version is DocumentVersion.INTERNAL

    @property
    def title(self) -> str:
        name = self.consultation.title.strip()
        if not name.startswith("《"):
            name = f"《{name}》"
        return f"关于{name}公开征求意见情况的说明"

    @property
    def version_label(self) -> str:
        return "内部版本（供合法性审查使用）" if self.internal else "公开版本"

    def rows(self) -> Iterator[SummaryRow]:
        return summary_rows(self.consultation, self.internal, self.words)


def build_summary(consultation: Consultation, version: DocumentVersion | str) -> Summary:
    """The summary of `consultation` as the data stands now (inside a request, or a test request context)."""
    record = db.session.get(ConsultationFeedback, consultation.id)
    return Summary(
        consultation=consultation,
        version=DocumentVersion(version),
        main_changes=record.main_changes if record else "",
        feedback_published_at=record.published_at if record else None,
        notice_url=site_url("consultation.detail", consultation_id=consultation.id),
        feedback_url=site_url("consultation.feedback", consultation_id=consultation.id),
        period=services.check_period(consultation),
        exemption=db.session.get(ConsultationExemption, consultation.id),
        generated_at=utcnow(),
        words=chinese_words(),
    )


def valid_rows_query(consultation_id: int, *columns: Any) -> Select:
    """The valid comments of a consultation in the order the table lists them."""
    return (
        db.select(*(columns or _ROW_COLUMNS))
        .where(Comment.consultation_id == consultation_id, Comment.validity == Validity.VALID)
        .order_by(Comment.received_at, Comment.id)
    )


def stream_batches(query: Select) -> Iterator[Sequence[Row]]:
    """Plain rows in lists of up to `BATCH_ROWS`, without the ORM's per-row bookkeeping (a million rows stream)."""
    # On the statement, not the connection: Connection.execution_options() changes the session's connection for
    # good, and every later statement (an INSERT included) would then ask PostgreSQL for a server-side cursor.
    return db.session.connection().execute(query.execution_options(yield_per=BATCH_ROWS)).partitions()


def stream_rows(query: Select) -> Iterator[Row]:
    """Plain rows read `BATCH_ROWS` at a time, one by one."""
    return itertools.chain.from_iterable(stream_batches(query))


def as_code(column: Any) -> Any:
    """An enum column read as its stored string: no enum object made per row, for a pass over every comment."""
    return type_coerce(column, String)


def summary_rows(consultation: Consultation, internal: bool, words: Words) -> Iterator[SummaryRow]:
    """The rows of the table; the units and the query are read now, the rows as they are iterated (a streamed
    download iterates them after the request's session has closed, so nothing here touches `consultation` then)."""
    units = {row.key: row.label for row in consultation.units}
    contacts = tuple(consultation.public_contacts())
    return _summary_rows(valid_rows_query(consultation.id), units, internal, words, contacts)


def _summary_rows(
    query: Select, units: dict[str, str], internal: bool, words: Words, contacts: tuple[str, ...]
) -> Iterator[SummaryRow]:
    def answer(text: str) -> str:  # the public version masks a resident's number quoted in an answer
        return text if internal else mask_personal_data_keeping(text, contacts)

    for number, row in enumerate(stream_rows(query), start=1):
        # public_name reads publish_name, author_name and respondent_type, which the row has.
        name = (row.author_name.strip() if internal else public_name(row)) or UNNAMED  # type: ignore[arg-type]
        yield SummaryRow(
            number=number,
            receipt=row.receipt_number,
            name=name,
            respondent=words.respondent.get(row.respondent_type, ""),
            channel=words.channel.get(row.channel, ""),
            received_at=row.received_at,
            unit=units.get(row.unit_key or "", WHOLE_DRAFT),
            content=mask_personal_data(row.content),
            adoption=ADOPTION_WORDS.get(row.adoption, "") if row.adoption else "",
            reason=answer(row.answer_reason),
            change=answer(row.answer_change),
            cluster=row.cluster_id,
            codes=(row.respondent_type.value, row.channel.value, row.adoption.value if row.adoption else ""),
        )


# ------------------------------------------------------------------------------------------------ fingerprint

# Everything about a comment that a summary reports, directly or through the statistics.
_FINGERPRINT_COLUMNS = (
    Comment.id,
    Comment.moderation_status,
    Comment.validity,
    Comment.rejection_reason,
    Comment.cluster_id,
    Comment.unit_key,
    Comment.channel,
    Comment.author_name,
    Comment.respondent_type,
    Comment.publish_name,
    Comment.content,
    Comment.adoption,
    Comment.answer_reason,
    Comment.answer_change,
)


def source_fingerprint(consultation_id: int) -> str | None:
    """A SHA-256 over the comments, their moderation and answers and the main changes, as they are now; None when
    the consultation is gone. Hashed row by row, so memory stays flat however many comments there are."""
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        return None
    digest = hashlib.sha256()
    record = db.session.get(ConsultationFeedback, consultation_id)
    digest.update(json.dumps(["main_changes", record.main_changes if record else ""], ensure_ascii=False).encode())
    # Enum columns read as their stored strings, so each row's repr() is plain data made in C, and quick.
    columns = [as_code(column) if isinstance(column.type, Enum) else column for column in _FINGERPRINT_COLUMNS]
    query = db.select(*columns).where(Comment.consultation_id == consultation_id).order_by(Comment.id)
    for batch in stream_batches(query):
        # One update per batch hashes the same bytes as one per row (issued fingerprints stay valid), in less time.
        digest.update("".join([repr(tuple(row)) for row in batch]).encode())
    return digest.hexdigest()


def describe(consultation_id: int) -> tuple[str, str] | None:
    """(title, public address) for /verify; drafts that were never published show no address to follow."""
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        return None
    if not consultation.status.is_published:
        return consultation.title, ""
    return consultation.title, url_for("consultation.detail", consultation_id=consultation.id)


# ------------------------------------------------------------------------------------------------ facts


def days_text(summary: Summary) -> str:
    """ "32日（法定最短30日）", or for working days "8个工作日（法定最短7个工作日）"."""
    check = summary.period
    if check is None:
        return ""
    unit = "个工作日" if check.unit is periods.PeriodUnit.WORKING_DAY else "日"
    text = f"{check.actual}{unit}（最短{check.minimum}{unit}）"
    if check.provisional:
        # The reader relies on this count: say that a year's holidays were not known when it was made.
        years = "、".join(str(year) for year in check.provisional_years)
        text += f"（{years}年节假日安排未录入，暂按双休日计算）"
    return text


def _local_day(value: datetime | None) -> str:
    return chinese_date(periods.local_date(value)) if value is not None else ""


def fact_rows(summary: Summary) -> list[tuple[str, str]]:
    """The consultation's facts as label-value rows (Chinese), shared by the documents and the spreadsheet."""
    consultation = summary.consultation
    rows = [
        ("征求意见稿", consultation.title),
        ("起草单位", consultation.department.name),
        ("文件类型", consultation.document_type.label_zh),
        ("征求意见期间", f"{_time(consultation.start_at)} 至 {_time(consultation.end_at)}"),
        ("征求意见天数", days_text(summary)),
        ("公告地址", summary.notice_url if consultation.status.is_published else "未公开发布"),
        ("征求意见渠道", "、".join(summary.words.channel.get(c, c) for c in consultation.channels or [])),
    ]
    if consultation.shortening_reason:
        rows.append(("缩短期限理由", consultation.shortening_reason))
    for extension in consultation.extensions:
        rows.append(
            (
                "延长征求意见期限",
                f"{_local_day(extension.at)}延长至{_time(extension.new_end)}，理由：{extension.reason}",
            )
        )
    if summary.feedback_published_at is not None:
        # The address in a row of its own: after "发布，" the PDF wrapped it in the middle of the URL.
        rows.append(("结果反馈", f"{_local_day(summary.feedback_published_at)}发布"))
        rows.append(("结果反馈地址", summary.feedback_url))
    if summary.exemption is not None:
        rows.append(("免于公开征求意见", exemption_text(summary.exemption)))
    rows.append(("本说明版本", summary.version_label))
    return rows


def decision_links(consultation: Consultation) -> list[tuple[str, str]]:
    """(label, address) of the decided document and its 解读 once they are known; empty until then. The decision
    stage fills this in; until it does, the address recorded with the conclusion is the decided document."""
    links = []
    final_url = (getattr(consultation, "final_document_url", "") or "").strip()
    conclusion = db.session.get(ConsultationConclusion, consultation.id)
    if not final_url and conclusion is not None and conclusion.outcome is Outcome.DECIDED:
        final_url = conclusion.document_url.strip()
    # The decided document and 解读 as published on this site (consultation/decision), read from their tables.
    document = db.session.get(DecidedDocument, consultation.id)
    if document is not None:  # the title in a row of its own, so the PDF never wraps the address after it
        links.append(("正式文件", f"{document.title}（{document.number}）" if document.number else document.title))
        links.append(("正式文件地址", site_url("consultation.document", consultation_id=consultation.id)))
    elif final_url:
        links.append(("正式文件", final_url))
    interpretation_url = (getattr(consultation, "interpretation_url", "") or "").strip()
    if db.session.scalar(
        db.select(Interpretation.id).where(
            Interpretation.consultation_id == consultation.id, Interpretation.status == InterpretationStatus.PUBLISHED
        )
    ):
        interpretation_url = site_url("consultation.interpretation", consultation_id=consultation.id)
    if interpretation_url:
        links.append(("政策解读", interpretation_url))
    return links


def exemption_text(exemption: ConsultationExemption) -> str:
    text = f"依据：{EXEMPTION_WORDS[exemption.basis]}"
    return f"{text}；说明：{exemption.note}" if exemption.note else text


def _time(value: datetime | None) -> str:
    return local_time(value)[:16] if value is not None else ""


def statistic_rows(summary: Summary) -> list[tuple[str, str]]:
    """The counts of the feedback page as label-value rows: received, participants, valid, by answer, by reason."""
    stats, words = summary.stats, summary.words
    adoption = "；".join(f"{word}{stats.by_adoption.get(key, 0)}条" for key, word in ADOPTION_WORDS.items())
    if stats.unanswered:
        adoption += f"；尚未答复{stats.unanswered}条"
    rejected = "；".join(f"{words.rejection[key]}{count}条" for key, count in stats.rejected_by_reason.items() if key)
    rows = [
        ("参与人数", f"{stats.participants}人（单位）"),
        ("收到意见", f"{stats.received}条"),
        ("有效意见", f"{stats.valid}条"),
        ("未予采用", f"{stats.rejected}条" + (f"（{rejected}）" if rejected else "")),
    ]
    if stats.pending:
        rows.append(("尚待审核", f"{stats.pending}条"))
    rows += [
        ("按意见人类别", _breakdown(stats.by_respondent, words.respondent)),
        ("按提交渠道", _breakdown(stats.by_channel, words.channel)),
        ("有效意见采纳情况", adoption),
    ]
    return rows


def _breakdown(counts: dict, names: dict) -> str:
    return "；".join(f"{names.get(key, key)}{count}条" for key, count in counts.items() if count) or "无"
