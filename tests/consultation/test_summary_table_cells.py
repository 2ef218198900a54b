"""The 意见采纳情况表 (CSV and xlsx) is built column by column for speed: it must say exactly what the comment by
comment rows of the Word, PDF and JSON say, every cell that could start a formula neutralised, names masked in
the public version and in full in the internal one."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest

from consultation.comments import moderation
from consultation.handling import answers
from consultation.models import Adoption, RespondentType
from consultation.summary.data import Summary, SummaryRow, build_summary
from consultation.summary.tables import csv_chunks, table_rows
from core.exports import local_time, neutralise_cell
from core.extensions import db
from core.verification import DocumentVersion
from tests.consultation.handling_helpers import add_comment
from tests.consultation.summary_helpers import handled_consultation

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")

FORMULA_STARTS = tuple("=+-@\t\r＝＋－＠")
# Names, texts and answers as people type them: formulas, also behind spaces or in full-width forms, and contacts.
TRICKY = [
    {"name": "=SUM(A1:A9)", "content": " =1+2 前面有空格的公式", "reason": "@SUM(1)与上位法不符", "change": "－1"},
    {"name": "  ＋欧阳修锋  ", "content": "＝全角等号开头", "reason": "\t=制表符后的公式", "change": ""},
    {"name": "", "content": "-5%的降幅，电话 139 0413 5566", "reason": "+86 也不行", "change": "=A1"},
    {"name": "@某某商会", "content": "邮箱 a.b@example.cn", "reason": "", "change": "", "organisation": True},
    {"name": "＠张三", "content": "平常的意见", "reason": "理由：已有规定", "change": "", "publish_name": True},
]


@pytest.fixture
def consultation(app):
    handled = handled_consultation(publish=False)  # answers are final once the feedback is published
    comments = [
        add_comment(
            handled.consultation,
            case["content"],
            name=case["name"],
            publish_name=case.get("publish_name", False),
            respondent_type=RespondentType.ENTERPRISE if case.get("organisation") else RespondentType.INDIVIDUAL,
        )
        for case in TRICKY
    ]
    moderation.approve(comments, handled.moderator)
    for comment, case in zip(comments, TRICKY, strict=True):
        adoption = Adoption.NOT_ADOPTED if case["reason"] else Adoption.ADOPTED  # a refusal needs a reason
        reply = answers.AnswerInput(adoption, case["reason"], case["change"])
        answers.answer(handled.consultation, [comment], reply, handled.editor)
    db.session.commit()
    return handled.consultation


def _summary(app, consultation, version: DocumentVersion) -> Summary:
    with app.test_request_context():  # the summary holds the addresses of the notice and the feedback
        return build_summary(consultation, version)


def _cells(row: SummaryRow) -> tuple[object, ...]:
    return (row.number, row.receipt, row.name, row.respondent, row.channel, row.received_at, row.unit, row.content,
            row.adoption, row.reason, row.change, row.cluster)  # fmt: skip


def _checked(value: object) -> object:
    """What the shared writers make of a cell they check themselves: the rows before the column-wise build."""
    return value if value is None or isinstance(value, datetime) else neutralise_cell(value)


@pytest.mark.parametrize("version", [DocumentVersion.PUBLIC, DocumentVersion.INTERNAL])
def test_the_table_rows_say_what_the_comment_rows_say_with_every_cell_made_safe(app, consultation, version):
    summary = _summary(app, consultation, version)
    expected = [tuple(_checked(cell) for cell in _cells(row)) for row in summary.rows()]
    assert len(expected) == 8 + len(TRICKY)
    assert [tuple(row) for row in table_rows(summary)] == expected  # xlsx: times stay datetimes
    as_text = [tuple(local_time(c) if isinstance(c, datetime) else c for c in row) for row in expected]
    assert [tuple(row) for row in table_rows(summary, times_as_text=True)] == as_text  # CSV


def _csv(app, consultation, version: DocumentVersion) -> list[list[str]]:
    text = b"".join(csv_chunks(_summary(app, consultation, version), bom=True)).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_no_cell_of_either_csv_can_start_a_formula(app, consultation):
    for version in (DocumentVersion.PUBLIC, DocumentVersion.INTERNAL):
        for row in _csv(app, consultation, version)[1:]:
            for cell in row:
                assert not cell.lstrip().startswith(FORMULA_STARTS), (version, row)


def test_the_internal_csv_names_people_in_full_and_the_public_one_masks_them(app, consultation):
    internal = {row[2] for row in _csv(app, consultation, DocumentVersion.INTERNAL)[1:]}
    public = {row[2] for row in _csv(app, consultation, DocumentVersion.PUBLIC)[1:]}
    assert {"'=SUM(A1:A9)", "'＋欧阳修锋", "'@某某商会", "'＠张三", "（未署名）"} <= internal
    # A masked name keeps its first character, so it needs the apostrophe as much as the name in full.
    assert {"'=**********", "'＋***锋", "'@某某商会", "'＠张三", "（未署名）"} <= public
    assert not public & {"'=SUM(A1:A9)", "'＋欧阳修锋"}
    contents = " ".join(row[7] for row in _csv(app, consultation, DocumentVersion.PUBLIC)[1:])
    assert "139 0413 5566" not in contents and "a.b@example.cn" not in contents
