"""The 意见采纳情况表 as data: an .xlsx workbook (a summary sheet and the table), CSV and JSON, all streamed from
the rows of consultation.summary.data; and the internal reply list, the one export that carries phone numbers
and e-mail addresses, for the department to answer the commenters.

The table of the CSV and the xlsx is built a batch of comments at a time, column by column (`table_rows`): codes
become words and are neutralised once per export, free text per cell, and the rows go to core.exports as
NeutralisedRows, written without a second check of every cell (a million comments to CSV in about 16 s).

The JSON structure ("minyi.consultation_summary/1"):

    {"format": "minyi.consultation_summary/1",
     "verification": {"code": "ABCD-2345", "url": "https://…/verify", "note": "…"},
     "version": "public" | "internal", "generated_at": ISO 8601 with +08:00,
     "consultation": {"id", "title", "department", "document_type", "start", "end", "notice_url", "channels": [code],
                      "days": {"actual", "minimum", "unit": "calendar_day" | "working_day"} | null,
                      "shortening_reason", "extensions": [{"old_end", "new_end", "reason", "at"}],
                      "feedback_published_at" | null, "feedback_url", "exemption": {"basis", "label", "note"} | null},
     "statistics": {"received", "participants", "valid", "pending", "rejected", "unanswered",
                    "rejected_by_reason": {code: n}, "by_channel": {code: n}, "by_respondent": {code: n},
                    "by_adoption": {code: n}},
     "concentrated_opinions": [{"label", "submitters", "comments", "sample",
                                "answers": [{"adoption": code | null, "reason", "change", "count"}]}],
     "main_changes": "…",
     "comments": [{"number", "receipt", "name", "respondent_type", "channel", "received_at", "unit", "content",
                   "adoption", "adoption_label", "reason", "change", "cluster"}]}

Codes are the enum values of consultation.models; times are ISO 8601 in Beijing time.
"""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from consultation.comments.commenting import unit_comment_counts
from consultation.comments.public_names import public_name_of
from consultation.drafting.picker import unit_names
from consultation.handling.answer_sheet import ADOPTION_WORDS
from consultation.handling.feedback import ConcentratedOpinion
from consultation.models import Channel, Comment, RespondentType, Validity
from consultation.summary import data as summary_data
from consultation.summary import sections
from consultation.summary.data import Summary, SummaryRow
from core import progress
from core.documents import VerificationMark
from core.exports import LOCAL_TZ, LocalTimes, NeutralisedRows, Sheet, iter_csv, local_time, neutralise_cell
from core.extensions import db
from core.screening import mask_personal_data, mask_personal_data_keeping

JSON_FORMAT = "minyi.consultation_summary/1"
JSON_CHUNK_ROWS = 500
TABLE_HEADER = (
    "序号",
    "编号",
    "意见建议人",
    "意见人类别",
    "提交渠道",
    "收到时间（北京时间）",
    "条款",
    "意见内容",
    "采纳情况",
    "理由",
    "修改情况",
    "相似意见组",
)
TABLE_KINDS = ("number", "text", "text", "text", "text", "datetime", "text", "wrap", "text", "wrap", "wrap", "number")
REPLY_HEADER = ("序号", "编号", "意见建议人", "电话", "电子邮件", "条款", "意见内容", "处理结果", "理由")


# What the table reads of each valid comment, in the order of the columns; codes as their stored strings.
_TABLE_COLUMNS = (
    Comment.receipt_number,
    Comment.author_name,
    summary_data.as_code(Comment.respondent_type),
    Comment.publish_name,
    summary_data.as_code(Comment.channel),
    Comment.received_at,
    Comment.unit_key,
    Comment.content,
    summary_data.as_code(Comment.adoption),
    Comment.answer_reason,
    Comment.answer_change,
    Comment.cluster_id,
)
NAME_MEMO = 10_000  # distinct public names remembered: masking one takes longer than looking it up


class _TableColumns:
    """Turns a batch of comments into table rows column by column, every cell already spreadsheet-safe.

    The words for codes, units and adoptions are looked up and neutralised once per export; free text (receipts,
    names, contents, reasons, changes) is neutralised per cell; numbers never. Both versions mask personal data in
    the comments; the public one also masks names (each distinct name once) and what the answers quote.
    """

    def __init__(self, summary: Summary, *, times_as_text: bool) -> None:
        words = summary.words
        self.internal = summary.internal
        self.respondents = {code.value: neutralise_cell(words.respondent.get(code, "")) for code in RespondentType}
        self.organisations = {code.value: code.is_organisation for code in RespondentType}
        self.channels = {code.value: neutralise_cell(words.channel.get(code, "")) for code in Channel}
        self.adoptions = {code.value: neutralise_cell(word) for code, word in ADOPTION_WORDS.items()}
        self.units = {row.key: neutralise_cell(row.label) for row in summary.consultation.units}
        self.whole_draft = neutralise_cell(summary_data.WHOLE_DRAFT)
        self.times = LocalTimes() if times_as_text else None
        self._public_names: dict[tuple[str, bool, str], str] = {}
        # Staff answers: the public version masks a resident's number quoted in one, keeping the office's own line.
        contacts = tuple(summary.consultation.public_contacts())
        self.answer = str if self.internal else functools.partial(mask_personal_data_keeping, keep=contacts)

    def rows(self, batch: Sequence[Sequence[Any]], first_number: int) -> Iterator[tuple[Any, ...]]:
        (receipts, authors, respondents, publish, channels, received, units, contents, adoptions, reasons, changes,
         clusters) = zip(*batch, strict=True)  # fmt: skip
        names = (
            [neutralise_cell(name.strip() or summary_data.UNNAMED) for name in authors]
            if self.internal
            else list(map(self._public_name, authors, publish, respondents))
        )
        unit_words, whole_draft = self.units, self.whole_draft
        return zip(
            range(first_number, first_number + len(batch)),
            map(neutralise_cell, receipts),
            names,
            map(self.respondents.get, respondents, itertools.repeat("")),
            map(self.channels.get, channels, itertools.repeat("")),
            self.times(received) if self.times is not None else received,
            [unit_words.get(key or "", whole_draft) for key in units],
            [neutralise_cell(mask_personal_data(text)) for text in contents],
            map(self.adoptions.get, adoptions, itertools.repeat("")),
            [neutralise_cell(self.answer(text)) for text in reasons],
            [neutralise_cell(self.answer(text)) for text in changes],
            clusters,
            strict=True,
        )

    def _public_name(self, author: str, publish: bool, respondent: str) -> str:
        key = (author, publish, respondent)
        name = self._public_names.get(key)
        if name is None:
            if len(self._public_names) >= NAME_MEMO:
                self._public_names.clear()
            organisation = self.organisations.get(respondent, False)
            name = neutralise_cell(public_name_of(author, publish, organisation) or summary_data.UNNAMED)
            self._public_names[key] = name
        return name


def table_rows(summary: Summary, *, times_as_text: bool = False) -> NeutralisedRows:
    """The table's rows, streamed a batch at a time; times as aware datetimes (xlsx) or Beijing-time text (CSV)."""
    columns = _TableColumns(summary, times_as_text=times_as_text)
    query = summary_data.valid_rows_query(summary.consultation.id, *_TABLE_COLUMNS)

    def rows() -> Iterator[tuple[Any, ...]]:
        number = 1
        for batch in summary_data.stream_batches(query):
            yield from columns.rows(batch, number)
            number += len(batch)

    return NeutralisedRows(progress.counted(rows()))  # an export job's progress bar (core/progress.py)


def unit_counts(summary: Summary) -> list[tuple[str | None, str, int]]:
    """Valid comments per unit at every level (article, item, point…) in draft order, then on the whole draft."""
    counts = unit_comment_counts(summary.consultation, Comment.validity == Validity.VALID)
    named = [(key, name, counts.get(key, 0)) for key, name in unit_names(summary.consultation.units)]
    return [*named, (None, summary_data.WHOLE_DRAFT, counts.get(None, 0))]


def sheets(summary: Summary, mark: VerificationMark) -> list[Sheet]:
    """A summary sheet (facts, counts, verification code) and the table, each with filters and set widths."""
    overview = [
        ("标题", summary.title),
        *summary_data.fact_rows(summary),
        *summary_data.statistic_rows(summary),
        ("相对集中意见", f"{len(summary.opinions)}项"),
        ("各条款意见数", "；".join(f"{name} {n}条" for _k, name, n in unit_counts(summary) if n) or "无"),
        ("主要修改情况", summary.main_changes or "无"),
        ("验证码", mark.code),
        ("核验地址", mark.qr_data),
        ("生成时间（北京时间）", local_time(summary.generated_at)),
    ]
    return [
        Sheet(name="概况", header=("项目", "内容"), rows=overview, column_widths=(22, 90), kinds=("text", "wrap")),
        Sheet(
            name="意见采纳情况表",
            header=TABLE_HEADER,
            rows=table_rows(summary),
            column_widths=(7, 20, 16, 14, 14, 20, 16, 60, 12, 40, 30, 11),
            kinds=TABLE_KINDS,
        ),
    ]


def csv_chunks(summary: Summary, *, bom: bool) -> Iterator[bytes]:
    """The table as CSV bytes (UTF-8, with a BOM for Excel when asked), formula cells neutralised by iter_csv.

    What the rows need besides the rows themselves is read now: the chunks may be iterated after the request."""
    rows = table_rows(summary, times_as_text=True)
    return (text.encode("utf-8") for text in iter_csv(TABLE_HEADER, rows, bom=bom))


# ------------------------------------------------------------------------------------------------ JSON


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(LOCAL_TZ).isoformat() if value is not None else None


def _codes(counts: dict) -> dict[str, int]:
    return {str(getattr(key, "value", key)): count for key, count in counts.items() if key is not None}


def _head(summary: Summary, mark: VerificationMark) -> dict[str, Any]:
    """Everything in the JSON before the comments, in the order of the documented structure."""
    consultation = summary.consultation
    return {
        "format": JSON_FORMAT,
        "verification": {"code": mark.code, "url": mark.qr_data, "note": mark.sha_note},
        "version": summary.version.value,
        "generated_at": _iso(summary.generated_at),
        "title": summary.title,
        "consultation": _consultation_facts(summary),
        "statistics": _statistics(summary),
        "concentrated_opinions": [_opinion(opinion) for opinion in summary.opinions],
        "main_changes": summary.main_changes,
        **sections.json_sections(consultation),
        "decision_links": [{"label": label, "url": url} for label, url in summary_data.decision_links(consultation)],
    }


def _consultation_facts(summary: Summary) -> dict[str, Any]:
    """The consultation: who, what, when, where it was announced, its period and extensions, any exemption."""
    consultation, check, exemption = summary.consultation, summary.period, summary.exemption
    return {
        "id": consultation.id,
        "title": consultation.title,
        "department": consultation.department.name,
        "document_type": consultation.doc_type,
        "start": _iso(consultation.start_at),
        "end": _iso(consultation.end_at),
        "notice_url": summary.notice_url,
        "channels": list(consultation.channels or []),
        "days": {"actual": check.actual, "minimum": check.minimum, "unit": check.unit.value} if check else None,
        "shortening_reason": consultation.shortening_reason,
        "extensions": [
            {"old_end": _iso(e.old_end), "new_end": _iso(e.new_end), "reason": e.reason, "at": _iso(e.at)}
            for e in consultation.extensions
        ],
        "feedback_published_at": _iso(summary.feedback_published_at),
        "feedback_url": summary.feedback_url,
        "exemption": {
            "basis": exemption.basis.value,
            "label": summary_data.EXEMPTION_WORDS[exemption.basis],
            "note": exemption.note,
        }
        if exemption is not None
        else None,
    }


def _statistics(summary: Summary) -> dict[str, Any]:
    """The feedback page's counts, by code, and the valid comments per unit."""
    stats = summary.stats
    return {
        "received": stats.received,
        "participants": stats.participants,
        "valid": stats.valid,
        "pending": stats.pending,
        "rejected": stats.rejected,
        "unanswered": stats.unanswered,
        "rejected_by_reason": _codes(stats.rejected_by_reason),
        "by_channel": _codes(stats.by_channel),
        "by_respondent": _codes(stats.by_respondent),
        "by_adoption": _codes(stats.by_adoption),
        "by_unit": [{"unit_key": key, "unit": name, "count": n} for key, name, n in unit_counts(summary)],
    }


def _opinion(opinion: ConcentratedOpinion) -> dict[str, Any]:
    """One concentrated opinion with how its comments were answered."""
    return {
        "label": opinion.label,
        "submitters": opinion.submitters,
        "comments": opinion.comments,
        "sample": opinion.sample,
        "answers": [
            {"adoption": adoption.value if adoption else None, "reason": reason, "change": change, "count": n}
            for adoption, reason, change, n in opinion.answers
        ],
    }


def _comment(row: SummaryRow) -> dict[str, Any]:
    respondent, channel, adoption = row.codes
    return {
        "number": row.number,
        "receipt": row.receipt,
        "name": row.name,
        "respondent_type": respondent,
        "channel": channel,
        "received_at": _iso(row.received_at),
        "unit": row.unit,
        "content": row.content,
        "adoption": adoption or None,
        "adoption_label": row.adoption,
        "reason": row.reason,
        "change": row.change,
        "cluster": row.cluster,
    }


def json_chunks(summary: Summary, mark: VerificationMark) -> Iterator[bytes]:
    """The summary as one JSON object, written piece by piece: the head, then the comments in chunks.

    The head (facts, statistics, concentrated opinions) is worked out now, while the request's session is open;
    only the comments are read as the chunks are iterated."""
    head = json.dumps(_head(summary, mark), ensure_ascii=False, indent=1)
    return _json_body(head[: head.rindex("}")].rstrip() + ',\n "comments": [', summary.rows())


def _json_body(head: str, rows: Iterator[SummaryRow]) -> Iterator[bytes]:
    yield head.encode()
    first = True
    while chunk := list(itertools.islice(rows, JSON_CHUNK_ROWS)):
        text = ",".join("\n  " + json.dumps(_comment(row), ensure_ascii=False) for row in chunk)
        yield (text if first else "," + text).encode()
        first = False
    yield b"\n ]\n}\n"


# ------------------------------------------------------------------------------------------------ reply list


def reply_rows(summary: Summary) -> Iterator[Sequence[Any]]:
    """Every comment whose author left a phone number or an e-mail address, with what became of it.

    The units and the query are made now; the comments are read as the rows are iterated, which for the CSV
    download is after the request's session has closed."""
    consultation = summary.consultation
    units = {row.key: row.label for row in consultation.units}
    query = (
        db.select(Comment)
        .where(Comment.consultation_id == consultation.id, (Comment.phone != "") | (Comment.email != ""))
        .order_by(Comment.received_at, Comment.id)
        .execution_options(yield_per=summary_data.BATCH_ROWS)
    )
    return _reply_rows(query, units, summary.words)


def _reply_rows(query: Any, units: dict[str, str], words: summary_data.Words) -> Iterator[Sequence[Any]]:
    for number, comment in enumerate(db.session.scalars(query), start=1):
        if comment.adoption is not None:
            outcome = ADOPTION_WORDS[comment.adoption]
        elif comment.rejection_reason is not None:
            outcome = "未予采用：" + words.rejection[comment.rejection_reason]
        else:
            outcome = "尚未答复"
        yield (
            number,
            comment.receipt_number,
            comment.author_name or summary_data.UNNAMED,
            comment.phone,
            comment.email,
            units.get(comment.unit_key or "", summary_data.WHOLE_DRAFT),
            mask_personal_data(comment.content),
            outcome,
            comment.answer_reason,
        )


def reply_sheet(summary: Summary) -> Sheet:
    return Sheet(
        name="答复联系名单",
        header=REPLY_HEADER,
        rows=reply_rows(summary),
        column_widths=(7, 20, 16, 16, 28, 16, 60, 20, 40),
        kinds=("number", "text", "text", "text", "text", "text", "wrap", "text", "wrap"),
    )
