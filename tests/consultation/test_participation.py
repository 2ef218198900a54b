"""Rule 5 (a reason must say something), the template library by kind of reason, the statutory procedures and
targeted consultations recorded by the department and shown at the gate, and late letters answered in an
addendum to the published feedback."""

from __future__ import annotations

from datetime import date

import pytest

from consultation.comments import commenting
from consultation.comments.commenting import CommentInput
from consultation.drafting.services import WorkflowError
from consultation.handling import addenda, answers, procedures
from consultation.handling.participation import Procedure, ProcedureState
from consultation.legality import gate
from consultation.models import Adoption, Channel, RespondentType
from core.audit import AuditEvent
from core.extensions import db
from core.models import Role
from tests.consultation.conftest import make_consultation
from tests.consultation.handling_helpers import add_comment
from tests.consultation.summary_helpers import handled_consultation
from tests.factories import make_department, make_user

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")
EN = {"Accept-Language": "en"}


def _open_with_comment():
    department = make_department()
    editor = make_user(Role.EDITOR, department)
    consultation = make_consultation(department, phase="closed", created_by=editor)
    comment = add_comment(consultation, "建议删除第三条。")
    from consultation.comments import moderation

    moderation.approve([comment], make_user(Role.MODERATOR))
    return consultation, comment, editor


@pytest.mark.parametrize("reason", ["。", "不予采纳。", "未采纳", "……", "无", "同上。"])
def test_a_reason_that_says_nothing_is_refused(app, reason):
    consultation, comment, editor = _open_with_comment()
    with pytest.raises(WorkflowError) as refused:
        answers.answer(consultation, [comment], answers.AnswerInput(Adoption.NOT_ADOPTED, reason), editor)
    assert refused.value.problems == ["reason_too_short:4"]
    assert comment.adoption is None


def test_a_real_reason_is_accepted_and_the_minimum_is_configurable(app):
    consultation, comment, editor = _open_with_comment()
    reason = answers.AnswerInput(Adoption.NOT_ADOPTED, "与上位法规定不一致。")
    app.config["CONSULTATION_REASON_MIN_CHARS"] = 20
    with pytest.raises(WorkflowError):
        answers.answer(consultation, [comment], reason, editor)
    app.config["CONSULTATION_REASON_MIN_CHARS"] = 4
    assert answers.answer(consultation, [comment], reason, editor) == 1
    assert comment.answer_reason == "与上位法规定不一致。"


def test_the_answer_page_says_why_a_bare_full_stop_is_refused(client, auth):
    consultation, comment, _editor = _open_with_comment()
    auth.login_as(Role.EDITOR, consultation.department)
    url = f"/manage/consultations/{consultation.id}/answers/comment/{comment.id}"
    response = client.post(url, data={"adoption": "not_adopted", "reason": "。"}, headers=EN)
    assert response.status_code == 400
    assert "at least 4 letters or digits" in response.text


def test_the_template_library_offers_reasons_by_kind(client, auth):
    consultation, comment, _editor = _open_with_comment()
    auth.login_as(Role.EDITOR, consultation.department)
    client.post(
        "/manage/consultations/answer-templates",
        data={"department_id": consultation.department_id, "title": "上位法已有规定", "category": "legal_basis",
              "adoption": "not_adopted", "reason": "《消防法》已有明确规定，本办法不再重复。"},
    )  # fmt: skip
    page = client.get(f"/manage/consultations/{consultation.id}/answers/comment/{comment.id}", headers=EN)
    picker = page.text[page.text.index('id="template-picker"') :]
    assert "Higher law decides it" in picker and "上位法已有规定" in picker
    assert "Outside what this document regulates" in picker  # no template of that kind yet: the standard reason
    standard = client.get(
        f"/manage/consultations/{consultation.id}/answers/comment/{comment.id}?standard=out_of_scope", headers=EN
    )
    assert "该意见不属于本文件的调整范围" in standard.text


def test_the_gate_shows_the_procedures_the_document_type_still_lacks(client, auth, app):
    department = make_department()
    editor = make_user(Role.EDITOR, department)
    consultation = make_consultation(department, phase="closed", created_by=editor, doc_type="normative_doc_market")
    assert procedures.missing(consultation) == [Procedure.FAIR_COMPETITION]
    procedures.record_procedure(consultation, Procedure.FAIR_COMPETITION, ProcedureState.DONE, editor,
                                done_on=date(2026, 11, 2), reference="公平竞争审查表.pdf")  # fmt: skip
    assert procedures.missing(consultation) == []
    major = make_consultation(department, phase="closed", created_by=editor)  # a major decision: all seven
    missing = procedures.missing(major)
    assert Procedure.EXPERT_REVIEW in missing and Procedure.RISK_ASSESSMENT in missing
    assert Procedure.PUBLIC_PARTICIPATION not in missing  # the site knows it was consulted
    with pytest.raises(WorkflowError) as refused:
        procedures.record_procedure(major, Procedure.HEARING, ProcedureState.NOT_REQUIRED, editor, note=" ")
    assert refused.value.problems == ["procedure_reason_missing"]
    db.session.commit()
    auth.login(editor.email)
    page = client.get(f"/manage/consultations/{major.id}", headers=EN)
    assert 'id="procedure-checklist"' in page.text and 'id="procedures-missing"' in page.text
    assert 'class="check-item procedure missing" data-procedure="expert_review"' in page.text


def test_an_editor_records_procedures_and_meetings_and_they_are_audited(client, auth):
    department = make_department()
    editor = auth.login_as(Role.EDITOR, department)
    consultation = make_consultation(department, phase="closed", created_by=editor)
    db.session.commit()
    base = f"/manage/consultations/{consultation.id}"
    risk = {"procedure": "risk_assessment", "state": "done", "done_on": "2026-10-20",
            "note": "社会稳定风险评估为低风险。", "reference": "风险评估报告.pdf"}  # fmt: skip
    client.post(base + "/procedures", data=risk)
    refused = client.post(base + "/participation", data={"form": "forum", "party_kind": "enterprise",
                                                          "parties": "东洲物业公司"}, headers=EN)  # fmt: skip
    assert refused.status_code == 400 and "A meeting needs its date, place and number of people." in refused.text
    forum = {"form": "forum", "party_kind": "enterprise", "parties": "东洲物业公司",
             "held_on": "2026-10-15", "place": "区住建局三楼会议室", "people": "8"}  # fmt: skip
    client.post(base + "/participation", data=forum)
    page = client.get(base + "/participation", headers=EN)
    assert "社会稳定风险评估为低风险。" in page.text and "区住建局三楼会议室" in page.text
    actions = {event.action for event in db.session.scalars(db.select(AuditEvent))}
    assert {"consultation.procedure_record", "consultation.participation_add"} <= actions


def test_a_resident_cannot_reach_the_procedures_page(client, auth):
    department = make_department()
    consultation = make_consultation(department, phase="closed")
    db.session.commit()
    assert client.get(f"/manage/consultations/{consultation.id}/participation").status_code in (302, 401, 403)
    auth.login_as(Role.EDITOR, make_department(name="区教育局"))
    assert client.get(f"/manage/consultations/{consultation.id}/participation").status_code in (403, 404)


def test_a_late_letter_is_on_the_checklist_until_an_addendum_answers_it_publicly(client, app):
    handled = handled_consultation()
    consultation, editor = handled.consultation, handled.editor
    letter = commenting.record_offline_comment(
        consultation,
        CommentInput(
            content="信件：建议增设充电车棚。",
            author_name="赵建华",
            respondent_type=RespondentType.INDIVIDUAL,
            channel=Channel.LETTER,
        ),
        editor,
    )  # fmt: skip
    db.session.commit()
    late = next(item for item in gate.checklist(consultation).items if item.code == "late_comments_answered")
    assert not late.ok and late.count == 1
    with pytest.raises(WorkflowError) as refused:
        addenda.publish_addendum(consultation, "", editor)
    assert refused.value.problems == ["comments_unanswered:1"]
    answers.answer(
        consultation, [letter], answers.AnswerInput(Adoption.PARTLY_ADOPTED, "将在实施细则中统筹考虑。"), editor
    )
    addenda.publish_addendum(consultation, "该信件于截止日前寄出。", editor)
    db.session.commit()
    assert next(item for item in gate.checklist(consultation).items if item.code == "late_comments_answered").ok
    page = client.get(f"/consultations/{consultation.id}/feedback")
    section = page.text[page.text.index('id="feedback-addenda"') :]
    assert "该信件于截止日前寄出。" in section and "将在实施细则中统筹考虑。" in section
    assert "赵*华" in section and "赵建华" not in page.text  # masked like the feedback table
    with pytest.raises(WorkflowError):  # an answered addendum cannot be reopened by answering again
        answers.answer(consultation, [letter], answers.AnswerInput(Adoption.ADOPTED), editor)


def test_the_reviewer_sees_which_procedures_the_packet_accounts_for(client, auth):
    handled = handled_consultation()
    consultation = handled.consultation
    procedures.record_procedure(consultation, Procedure.RISK_ASSESSMENT, ProcedureState.DONE, handled.editor,
                                done_on=date(2026, 10, 20), reference="风险评估报告.pdf")  # fmt: skip
    gate.submit(consultation, handled.editor)
    db.session.commit()
    auth.login_as(Role.REVIEWER)
    page = client.get(f"/manage/review/{consultation.id}", headers=EN)
    listed = page.text[page.text.index('id="procedure-checklist"') :]
    assert 'data-procedure="risk_assessment"' in listed and "风险评估报告.pdf" in listed
    assert 'class="check-item procedure missing" data-procedure="expert_review"' in listed
    assert "Expert review (专家论证)" in page.text[page.text.index('id="procedures-missing"') :]


def test_a_notice_that_accepts_calls_says_which_number_to_call(client):
    consultation = make_consultation(
        make_department(), channels=[Channel.ONLINE.value, Channel.PHONE.value], contact_phone="024-56620078"
    )
    db.session.commit()
    page = client.get(f"/consultations/{consultation.id}", headers=EN)
    assert "By telephone to 024-56620078, or through the 12345 hotline." in page.text
