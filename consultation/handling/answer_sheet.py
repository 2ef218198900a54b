"""The 意见处理表: valid comments exported to .xlsx for answering offline, and the filled-in file imported back.

The import checks every row first and changes nothing unless every row is acceptable: a refused file comes
back with the reason for each refused row, and no answer of it is stored.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from consultation.comments.public_names import public_name
from consultation.drafting.services import WorkflowError
from consultation.handling import answers
from consultation.models import Adoption, Comment, Consultation, Validity
from core import audit
from core.db import utcnow
from core.exports import Sheet
from core.extensions import db
from core.models import User
from core.screening import mask_personal_data

# The columns as Chinese offices name them; the file is a working document in Chinese whatever the UI language.
COLUMNS = ("序号", "编号", "条款", "意见内容", "意见建议人", "采纳情况", "理由", "修改情况", "相似意见组")
RECEIPT, ADOPTION, REASON, CHANGE = "编号", "采纳情况", "理由", "修改情况"
REQUIRED_COLUMNS = (RECEIPT, ADOPTION, REASON, CHANGE)
ADOPTION_WORDS = {
    Adoption.ADOPTED: "采纳",
    Adoption.PARTLY_ADOPTED: "部分采纳",
    Adoption.NOT_ADOPTED: "未采纳",
    Adoption.OUT_OF_SCOPE: "不属于征求范围",
}
# What people type in the 采纳情况 column: the Chinese words, their common variants, and the codes.
_ADOPTION_BY_TEXT = (
    {word: adoption for adoption, word in ADOPTION_WORDS.items()}
    | {
        "已采纳": Adoption.ADOPTED,
        "不采纳": Adoption.NOT_ADOPTED,
        "不予采纳": Adoption.NOT_ADOPTED,
        "部分": Adoption.PARTLY_ADOPTED,
        "不属于征求意见范围": Adoption.OUT_OF_SCOPE,
    }
    | {adoption.value: adoption for adoption in Adoption}
)
MAX_ROWS = 100_000


def export_sheet(consultation: Consultation) -> Sheet:
    """The valid comments with their current answers, one row per comment, names and personal data masked."""
    units = {row.key: row.label for row in consultation.units}

    def rows() -> Iterator[Sequence[Any]]:
        for number, comment in enumerate(answers.valid_comments(consultation), start=1):
            yield (
                number,
                comment.receipt_number,
                units.get(comment.unit_key or "", "全文"),
                mask_personal_data(comment.content),
                public_name(comment),
                ADOPTION_WORDS.get(comment.adoption, "") if comment.adoption else "",
                comment.answer_reason,
                comment.answer_change,
                comment.cluster_id or "",
            )

    return Sheet(
        name="意见处理表",
        header=COLUMNS,
        rows=rows(),
        kinds=("number", "text", "text", "wrap", "text", "text", "wrap", "wrap", "number"),
    )


@dataclass(frozen=True)
class RowProblem:
    row: int  # the spreadsheet's row number, header = 1
    receipt: str
    code: str


@dataclass
class ImportReport:
    problems: list[RowProblem] = field(default_factory=list)
    file_problem: str = ""  # "not_xlsx", "empty", "too_many_rows" or "missing_columns:<names>"
    answered: int = 0
    skipped: int = 0

    @property
    def accepted(self) -> bool:
        return not self.problems and not self.file_problem


class ImportRefused(WorkflowError):
    def __init__(self, report: ImportReport) -> None:
        super().__init__(["import_refused"])
        self.report = report


def _text(value: Any) -> str:
    text = "" if value is None else str(value).strip()
    # The export protects cells that start like a formula with an apostrophe; take it off again.
    return text[1:] if text.startswith("'") and text[1:2] in "=+-@＝＋－＠" and len(text) > 1 else text


def _read_rows(content: bytes, report: ImportReport) -> list[tuple[int, dict[str, str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        report.file_problem = "not_xlsx"
        return []
    try:
        lines = workbook.worksheets[0].iter_rows(values_only=True)
        header = [_text(cell) for cell in next(lines, ())]
        missing = [name for name in REQUIRED_COLUMNS if name not in header]
        if missing:
            report.file_problem = "missing_columns:" + "、".join(missing)
            return []
        rows = []
        for number, values in enumerate(lines, start=2):
            if number > MAX_ROWS + 1:
                report.file_problem = "too_many_rows"
                return []
            cells = {name: _text(values[i]) if i < len(values) else "" for i, name in enumerate(header) if name}
            if any(cells.values()):
                rows.append((number, cells))
        return rows
    finally:
        workbook.close()


def check_file(
    consultation: Consultation, content: bytes
) -> tuple[ImportReport, list[tuple[Comment, answers.AnswerInput]]]:
    """Read and check every row; returns the report and, when it is accepted, the answers to store."""
    report = ImportReport()
    rows = _read_rows(content, report)
    if report.file_problem:
        return report, []
    if not rows:
        report.file_problem = "empty"
        return report, []
    comments = {
        comment.receipt_number: comment
        for comment in db.session.scalars(db.select(Comment).where(Comment.consultation_id == consultation.id))
    }
    concentrated = answers.concentrated_ids(consultation)
    planned: list[tuple[Comment, answers.AnswerInput]] = []
    seen: set[str] = set()
    for number, cells in rows:
        receipt = cells.get(RECEIPT, "").upper()
        adoption_text, reason, change = cells.get(ADOPTION, ""), cells.get(REASON, ""), cells.get(CHANGE, "")
        comment = comments.get(receipt)
        problem = ""
        if comment is None:
            problem = "unknown_receipt"
        elif receipt in seen:
            problem = "duplicate_receipt"
        elif not (adoption_text or reason or change):
            report.skipped += 1  # a row nobody filled in stays unanswered
        elif not adoption_text:
            problem = "adoption_missing"
        elif adoption_text not in _ADOPTION_BY_TEXT:
            problem = "unknown_adoption"
        elif comment.validity is not Validity.VALID:
            problem = "answer_not_valid"
        else:
            data = answers.AnswerInput(_ADOPTION_BY_TEXT[adoption_text], reason, change)
            problems = answers.answer_problems([comment], data, concentrated)
            if problems:
                problem = problems[0]
            else:
                planned.append((comment, data))
        seen.add(receipt)
        if problem:
            report.problems.append(RowProblem(number, receipt, problem))
    return report, planned


def import_answers(consultation: Consultation, content: bytes, filename: str, editor: User) -> ImportReport:
    """Store every answer of the file, or none: raises ImportRefused with the report when any row is refused."""
    answers.check_answerable(consultation)
    report, planned = check_file(consultation, content)
    if not report.accepted:
        raise ImportRefused(report)
    now = utcnow()
    for comment, data in planned:
        answers.set_answer(comment, data, editor, now)
    report.answered = len(planned)
    audit.record(
        "consultation.answers_import",
        consultation,
        detail={"file": filename, "answered": report.answered, "skipped": report.skipped},
        actor=editor,
    )
    return report
