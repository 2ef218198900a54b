"""Demo: what the 加装电梯 consultation's department did besides the notice — the statutory procedures, a forum with
residents, a written consultation of deputies and departments, and two hotline calls — so its 说明 shows every
section (consultation/summary/sections.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from consultation.comments import commenting, intake, moderation
from consultation.handling import answers, procedures
from consultation.handling.participation import (
    ParticipationForm,
    PartyKind,
    Procedure,
    ProcedureState,
    TargetedParticipation,
)
from consultation.models import Adoption, Channel, Comment, Consultation, ConsultationStatus, RespondentType
from core.extensions import db
from core.models import User

CALLS = (
    ("a6", "12345热线来电：询问加装电梯补助能否用于一楼住户的补偿，建议办法写明。"),
    ("a7", "来电反映已加装的电梯故障后无人维修，建议明确维保责任主体和响应时限。"),
)
CALL_ANSWERS = {
    "a6": answers.AnswerInput(Adoption.NOT_ADOPTED, "补助资金用于电梯建设，低层住户的补偿由业主协商确定。"),
    "a7": answers.AnswerInput(Adoption.ADOPTED, "", "第七条明确维保单位报修后二十四小时内响应。"),
}
PARTICIPATIONS = (
    procedures.ParticipationInput(
        ParticipationForm.FORUM, PartyKind.RESIDENT, "东洲街道、新华街道老旧小区居民代表", None,
        "东洲街道办事处三楼会议室", 18,
        "居民普遍支持加装电梯，关注低层住户补偿和后期维保费用分摊，已在第六条、第七条中研究吸收。",
    ),
    procedures.ParticipationInput(
        ParticipationForm.WRITTEN, PartyKind.DEPARTMENT, "区住建局、区自然资源局、区市场监管局、区财政局", None, "",
        None, "各部门均无不同意见；区市场监管局建议明确电梯使用登记程序，已采纳。",
    ),
    procedures.ParticipationInput(
        ParticipationForm.WRITTEN, PartyKind.NPC_DEPUTY, "区人大代表5名、区政协委员3名", None, "", None,
        "代表委员建议加大对有老年人、残疾人单元的补助力度，已在第六条中采纳。",
    ),
)  # fmt: skip


def add_to(consultation: Consultation, editor: User | None, moderator: User | None) -> Iterator[str]:
    """Record the procedures, meetings and calls once (a demo database loaded earlier gets them too)."""
    if editor is None or moderator is None:
        return
    recorded = db.session.scalar(
        db.select(TargetedParticipation.id).where(TargetedParticipation.consultation_id == consultation.id)
    )
    if recorded is not None or consultation.start_at is None or consultation.status is not ConsultationStatus.SCHEDULED:
        return
    start = consultation.start_at.date()
    for offset, data in enumerate(PARTICIPATIONS):
        held = start + timedelta(days=8 + offset * 3)
        procedures.add_participation(consultation, _on(data, held), editor)
    procedures.record_procedure(consultation, Procedure.RISK_ASSESSMENT, ProcedureState.DONE, editor,
                                done_on=start - timedelta(days=10), note="社会稳定风险评估结论为低风险。",
                                reference="加装电梯社会稳定风险评估报告.pdf")  # fmt: skip
    procedures.record_procedure(consultation, Procedure.FAIR_COMPETITION, ProcedureState.DONE, editor,
                                done_on=start - timedelta(days=6), note="未发现排除、限制竞争的内容。",
                                reference="公平竞争审查表.pdf")  # fmt: skip
    procedures.record_procedure(consultation, Procedure.EXPERT_REVIEW, ProcedureState.NOT_REQUIRED, editor,
                                note="本办法不属于专业性、技术性较强的事项，已征求行业主管部门意见。")  # fmt: skip
    procedures.record_procedure(consultation, Procedure.HEARING, ProcedureState.NOT_REQUIRED, editor,
                                note="已召开居民座谈会充分听取意见，法律法规未要求听证。")  # fmt: skip
    _calls(consultation, editor, moderator)
    yield f"procedures, {len(PARTICIPATIONS)} targeted consultations, {len(CALLS)} hotline calls: 既有住宅加装电梯"


def _on(data: procedures.ParticipationInput, held: date) -> procedures.ParticipationInput:
    return procedures.ParticipationInput(
        data.form, data.party_kind, data.parties, held, data.place, data.people, data.opinions
    )


def _calls(consultation: Consultation, editor: User, moderator: User) -> None:
    """Two calls typed in like letters, approved and answered before the feedback is published."""
    assert consultation.start_at is not None
    for day, (unit_key, gist) in enumerate(CALLS, start=5):
        received = consultation.start_at + timedelta(days=day, hours=2)
        comment = Comment(
            consultation_id=consultation.id, unit_key=unit_key, channel=Channel.PHONE, received_at=received,
            author_name="来电群众", respondent_type=RespondentType.INDIVIDUAL, content=gist,
            receipt_number=commenting.new_receipt_number(received), recorded_by_id=editor.id,
        )  # fmt: skip
        intake.screen_and_add(comment)
        db.session.flush()
        moderation.approve([comment], moderator)
        answers.answer(consultation, [comment], CALL_ANSWERS[unit_key], editor, how="demo")
