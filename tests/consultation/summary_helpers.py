"""A consultation taken all the way through: closed, moderated, answered, feedback published; and readers for the
files the summary is issued as (Word, PDF, xlsx) that return their text for checking."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from consultation.comments import moderation
from consultation.handling import answers, feedback
from consultation.models import Adoption, Channel, Comment, Consultation, RejectionReason, RespondentType
from core.models import Department, Role, User
from tests.consultation.conftest import make_consultation
from tests.consultation.handling_helpers import add_comment, campaign
from tests.factories import make_department, make_user

PHONE = "13904135566"
EMAIL = "zhang.xiaoming@example.cn"
PHONE_IN_TEXT = "13812345678"
FORMULA = '=HYPERLINK("http://evil.example","点击")建议删除第二条'
SPAM = "360足球直播_365体育投注-平台官网，注册就送彩金，加微信 vx: bet365kf"
REASON_DAILY = "每日巡查是消防安全的基本要求，不宜放宽。"
MAIN_CHANGES = "一、第二条增加了适用范围的例外情形。"


@dataclass
class Handled:
    """The people and the consultation of a finished consultation, and what each comment was answered."""

    department: Department
    editor: User
    approver: User
    moderator: User
    consultation: Consultation
    named: Comment  # 张晓明, phone and e-mail given, name not to be published
    consenting: Comment  # 李红, agreed to publish her name
    organisation: Comment
    formula: Comment
    personal: Comment
    copies: list[Comment] = field(default_factory=list)
    spam: Comment | None = None

    @property
    def valid(self) -> list[Comment]:
        return [self.named, self.consenting, self.organisation, self.formula, self.personal, *self.copies]


def handled_consultation(*, publish: bool = True, department: Department | None = None) -> Handled:
    """A closed consultation with a named commenter, one who consented, an organisation, a formula, personal data
    in a text, a campaign of three (a concentrated opinion), spam, all answered and the feedback published."""
    department = department or make_department(name="区住建局")
    editor = make_user(Role.EDITOR, department)
    approver = make_user(Role.APPROVER, department)
    moderator = make_user(Role.MODERATOR)
    consultation = make_consultation(department, phase="closed", created_by=editor)
    named = add_comment(
        consultation, "第一条应写明依据的上位法。", name="张晓明", unit_key="a1", phone=PHONE, email=EMAIL
    )
    consenting = add_comment(consultation, "施行日期建议推迟三个月。", name="李红", unit_key="a2", publish_name=True)
    organisation = add_comment(
        consultation, "建议明确物业企业的责任边界。", name="东洲物业服务有限公司",
        respondent_type=RespondentType.ENTERPRISE, unit_key=None, channel=Channel.EMAIL,
    )  # fmt: skip
    formula = add_comment(consultation, FORMULA, name="赵六", unit_key="a2")
    personal = add_comment(consultation, f"我的电话{PHONE_IN_TEXT}，楼道里堆满了电动车。", name="王五", unit_key=None)
    copies = campaign(consultation, 3)
    spam = add_comment(consultation, SPAM, name="推广员", unit_key=None)
    handled = Handled(department, editor, approver, moderator, consultation, named, consenting, organisation,
                      formula, personal, copies, spam)  # fmt: skip
    moderation.approve(handled.valid, moderator)
    moderation.reject([spam], RejectionReason.SPAM, moderator)
    answers.answer(consultation, [named], answers.AnswerInput(Adoption.ADOPTED, "", "第一条增加依据。"), editor)
    answers.answer(
        consultation, [consenting, formula], answers.AnswerInput(Adoption.NOT_ADOPTED, "已充分考虑。"), editor
    )
    answers.answer(
        consultation, [organisation], answers.AnswerInput(Adoption.PARTLY_ADOPTED, "部分情形已明确。"), editor
    )
    answers.answer(consultation, [personal], answers.AnswerInput(Adoption.OUT_OF_SCOPE, "转交街道处理。"), editor)
    answers.answer(consultation, copies, answers.AnswerInput(Adoption.NOT_ADOPTED, REASON_DAILY), editor)
    if publish:
        feedback.publish(consultation, MAIN_CHANGES, editor)
    return handled


def download(client, url: str):
    """GET a download and close it as a WSGI server does (that closes the spooled file behind a file body)."""
    response = client.get(url)
    response.data  # noqa: B018 - reads the whole body before closing
    response.close()
    return response


def docx_text(content: bytes) -> str:
    """Every paragraph and table cell of a .docx, one per line."""
    document = Document(io.BytesIO(content))
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def docx_tables(content: bytes) -> list[list[list[str]]]:
    document = Document(io.BytesIO(content))
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def xlsx_sheets(content: bytes) -> dict[str, list[tuple]]:
    workbook = load_workbook(io.BytesIO(content))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets}
