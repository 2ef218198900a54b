"""The 征求意见情况说明 carries the sections real ones have (purpose and basis, statutory procedures, targeted
consultation and meetings, surveys, hotline calls, the opinions not adopted, follow-up), read back from the Word
file and from the PDF's text; no "。。"; the feedback address on one line of the PDF."""

from __future__ import annotations

from datetime import date

import pytest

from consultation.comments import moderation
from consultation.handling import answers, feedback, procedures
from consultation.handling.participation import ParticipationForm, PartyKind, Procedure, ProcedureState
from consultation.legality.models import ConsultationConclusion, ConsultationExemption, ExemptionBasis, Outcome
from consultation.models import Adoption, Channel
from consultation.summary import exports as summary_exports
from consultation.summary.data import build_summary, decision_links
from consultation.summary.participation import THANKS
from core.extensions import db
from core.verification import DocumentFormat, DocumentVersion
from surveys.models import QuestionType
from tests.consultation.handling_helpers import add_comment
from tests.consultation.summary_helpers import (
    MAIN_CHANGES,
    REASON_DAILY,
    docx_tables,
    docx_text,
    handled_consultation,
    pdf_text,
)
from tests.surveys.helpers import make_survey

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")
INTRO = "为规范住宅小区电动自行车充电管理，依据《中华人民共和国消防法》《辽宁省消防条例》，制定本办法。"
CALL = "来电反映充电桩收费过高，建议明确收费标准。"
DOCUMENT_URL = "https://www.dongzhou.gov.cn/zwgk/zcwj/202612/t20261205_1.html"


def _full_record():
    """A handled consultation with everything a 说明 can report recorded on it."""
    handled = handled_consultation(publish=False)
    consultation, editor = handled.consultation, handled.editor
    consultation.intro = f"## 征集目的\n\n{INTRO}"
    procedures.record_procedure(consultation, Procedure.EXPERT_REVIEW, ProcedureState.DONE, editor,
                                done_on=date(2026, 10, 9), note="5名专家论证，认为总体可行。",
                                reference="专家论证报告.pdf")  # fmt: skip
    procedures.record_procedure(consultation, Procedure.HEARING, ProcedureState.NOT_REQUIRED, editor,
                                note="不涉及群众切身利益的重大调整，无需听证。")  # fmt: skip
    procedures.add_participation(consultation, procedures.ParticipationInput(
        ParticipationForm.FORUM, PartyKind.RESIDENT, "东洲社区居民代表", date(2026, 10, 12), "东洲街道会议室", 12,
        "居民希望增加充电车棚。"), editor)  # fmt: skip
    procedures.add_participation(consultation, procedures.ParticipationInput(
        ParticipationForm.WRITTEN, PartyKind.NPC_DEPUTY, "区人大代表王建国、李秀兰"), editor)  # fmt: skip
    call = add_comment(consultation, CALL, name="来电群众", unit_key=None, channel=Channel.PHONE)
    moderation.approve([call], handled.moderator)
    answers.answer(
        consultation, [call], answers.AnswerInput(Adoption.OUT_OF_SCOPE, "收费标准由物价部门另行规定。"), editor
    )
    feedback.publish(consultation, MAIN_CHANGES, editor)
    survey = make_survey([[("q1", QuestionType.SINGLE, {"options": ["是", "否"]})]], department=handled.department,
                         title="充电设施需求调查", consultation_id=consultation.id)  # fmt: skip
    db.session.add(ConsultationConclusion(consultation_id=consultation.id, outcome=Outcome.DECIDED,
                                          note="经区政府常务会议审议通过", document_url=DOCUMENT_URL))  # fmt: skip
    db.session.commit()
    return handled, survey


def _issue(app, consultation, fmt):
    with app.test_request_context():
        issued = summary_exports.export(consultation, fmt, DocumentVersion.PUBLIC, None)
    db.session.commit()
    return issued.content


def _table(content: bytes, first: str) -> list[list[str]]:
    return next(table for table in docx_tables(content) if table[0][0] == first)


def test_the_word_summary_has_every_section_of_a_real_one(app):
    handled, survey = _full_record()
    content = _issue(app, handled.consultation, DocumentFormat.DOCX)
    text = docx_text(content)
    for heading in (
        "征集目的及决策依据",
        "履行决策法定程序情况",
        "定向征求意见及其他参与方式",
        "未采纳意见及理由",
        "后续工作",
    ):
        assert heading in text
    assert INTRO in text
    steps = {row[0]: row for row in _table(content, "程序")[1:]}
    assert steps["专家论证"][1:3] == ["已履行", "2026年10月9日"] and "专家论证报告.pdf" in steps["专家论证"][3]
    assert steps["听证"][1] == "无需履行" and "无需听证" in steps["听证"][3]
    assert steps["风险评估"][1] == "尚未履行"  # a major decision must account for it
    assert steps["公众参与（公开征求意见）"][1] == "已履行"  # read from the notice itself
    meetings = _table(content, "方式")
    assert [
        "座谈会",
        "群众代表：东洲社区居民代表",
        "2026年10月12日",
        "东洲街道会议室",
        "12人",
        "居民希望增加充电车棚。",
    ] in meetings
    assert any(row[1] == "人大代表：区人大代表王建国、李秀兰" for row in meetings)
    assert f"问卷调查《{survey.title}》" in text and f"/surveys/{survey.id}" in text
    assert "通过电话及12345政务服务便民热线收到意见1件" in text and CALL in text
    not_adopted = _table(content, "序号")  # the first 序号 table is the list of opinions not adopted
    assert not_adopted[0] == ["序号", "意见内容", "条数", "未采纳理由"]
    assert [row[3] for row in not_adopted[1:] if row[2] == "3"] == [REASON_DAILY]  # the campaign, once
    assert len(not_adopted) - 1 == 3  # two single comments and the campaign once
    assert f"正式文件 | {DOCUMENT_URL}" in text
    assert THANKS in text and "联系电话：024-56620078" in text
    assert "。。" not in text


def test_the_pdf_summary_has_the_sections_and_keeps_the_feedback_address_on_one_line(app):
    # A real site's address: after "…日发布，" it used to be wrapped in the middle of the URL.
    app.config["SITE_URL"] = "https://www.dongzhou.gov.cn/"
    handled, _survey = _full_record()
    text = pdf_text(_issue(app, handled.consultation, DocumentFormat.PDF))
    compact = text.replace(" ", "")  # narrow table cells wrap, so only words that fit a cell are looked for
    sections = ("征集目的及决策依据", "履行决策法定程序情况", "专家论证", "座谈会", "12人")
    for words in (*sections, "未采纳意见及理由", "12345", "后续工作", "正式文件"):
        assert words in compact
    with app.test_request_context():
        feedback_url = build_summary(handled.consultation, DocumentVersion.PUBLIC).feedback_url
    assert feedback_url.startswith("https://www.dongzhou.gov.cn/")
    assert any(feedback_url in line for line in text.splitlines())
    assert "。。" not in compact


def test_an_exemption_note_ending_in_a_full_stop_is_printed_with_one(app):
    handled = handled_consultation()
    db.session.add(ConsultationExemption(consultation_id=handled.consultation.id, basis=ExemptionBasis.EMERGENCY,
                                         note="疫情防控需要立即实施。", recorded_by_id=handled.editor.id))  # fmt: skip
    db.session.commit()
    text = docx_text(_issue(app, handled.consultation, DocumentFormat.DOCX))
    assert "说明：疫情防控需要立即实施。" in text and "。。" not in text


def test_decision_links_are_empty_until_the_decided_document_is_known(app):
    handled = handled_consultation()
    assert decision_links(handled.consultation) == []
    db.session.add(ConsultationConclusion(consultation_id=handled.consultation.id, outcome=Outcome.DECIDED,
                                          note="通过", document_url=DOCUMENT_URL))  # fmt: skip
    db.session.flush()
    assert decision_links(handled.consultation) == [("正式文件", DOCUMENT_URL)]


def test_the_demo_elevator_consultation_reports_procedures_meetings_and_calls(app):
    from consultation import demo
    from consultation.handling.participation import Procedure as P
    from core.models import Role
    from tests.factories import make_department, make_user

    office = make_department("gov-office")
    make_user(Role.EDITOR, office, email="editor@demo.minyi.cn")
    make_user(Role.MODERATOR, email="moderator@demo.minyi.cn")
    list(demo.load())
    db.session.commit()
    assert list(demo.load()) == []  # loaded once
    from consultation.models import Consultation

    elevator = db.session.scalar(db.select(Consultation).where(Consultation.title == demo.AWAITING_TITLE))
    assert procedures.missing(elevator) == []  # every procedure before the review is accounted for
    assert {line.code for line in procedures.procedure_lines(elevator) if line.state} >= {P.RISK_ASSESSMENT, P.HEARING}
    text = docx_text(_issue(app, elevator, DocumentFormat.DOCX))
    assert "东洲街道办事处三楼会议室" in text and "18人" in text and "人大代表：区人大代表5名、区政协委员3名" in text
    assert "通过电话及12345政务服务便民热线收到意见2件" in text


def test_the_json_export_carries_the_same_sections(app):
    import json

    handled, survey = _full_record()
    with app.test_request_context():
        stream = summary_exports.export(handled.consultation, DocumentFormat.JSON, DocumentVersion.PUBLIC, None)
        data = json.loads(b"".join(stream.chunks))
    procedures_by_code = {item["code"]: item for item in data["procedures"]}
    assert procedures_by_code["expert_review"]["state"] == "done" and procedures_by_code["expert_review"]["date"]
    assert procedures_by_code["risk_assessment"]["missing"] is True
    forum = next(item for item in data["participation"] if item["form"] == "forum")
    assert (forum["place"], forum["people"], forum["date"]) == ("东洲街道会议室", 12, "2026-10-12")
    assert data["hotline_calls"]["count"] == 1 and data["surveys"][0]["title"] == survey.title
    assert data["decision_links"] == [{"label": "正式文件", "url": DOCUMENT_URL}]
    assert INTRO in data["purpose"]
