"""The statutory procedures of a decision (履行决策法定程序的说明, 713号 第二十六条) and the targeted consultations:
what the document type requires, what the department recorded, what the site knows by itself (the public notice,
the legality review), and which are still missing before the draft goes to the justice bureau.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app

from consultation.drafting import periods
from consultation.drafting.services import WorkflowError
from consultation.handling.participation import (
    ParticipationForm,
    PartyKind,
    Procedure,
    ProcedureState,
    StatutoryProcedure,
    TargetedParticipation,
)
from consultation.legality.models import (
    ConsultationConclusion,
    ConsultationExemption,
    LegalityReview,
    Outcome,
    ReviewState,
)
from consultation.models import Consultation
from core import audit
from core.db import utcnow
from core.extensions import db
from core.links import site_url
from core.models import User

_ALL = tuple(Procedure)
_BASE = (Procedure.PUBLIC_PARTICIPATION, Procedure.LEGALITY_REVIEW, Procedure.COLLECTIVE_DECISION)
# What each document type must account for (done, or not required with the reason): a major decision all seven
# (713号 第三章), a document touching market entities also the fair-competition review (713号 第二十九条;
# 优化营商环境条例), other normative documents and binding decisions the consultation, review and collective
# discussion (37号), other policy documents the consultation only (the district's notice).
REQUIRED: dict[str, tuple[Procedure, ...]] = {
    "major_decision": _ALL,
    "normative_doc_market": (*_BASE[:1], Procedure.FAIR_COMPETITION, *_BASE[1:]),
    "normative_doc": _BASE,
    "district_binding_decision": _BASE,
    "policy_doc_other": (Procedure.PUBLIC_PARTICIPATION,),
}
# Carried out before the legality review, so the packet must account for them (713号 第二十六条); the review
# itself and the collective discussion come after it.
BEFORE_REVIEW = frozenset(_ALL) - {Procedure.LEGALITY_REVIEW, Procedure.COLLECTIVE_DECISION}
MEETINGS = frozenset({ParticipationForm.FORUM, ParticipationForm.HEARING, ParticipationForm.EXPERT_MEETING})


@dataclass(frozen=True)
class ProcedureLine:
    """One procedure as the 说明 and the gate show it."""

    code: Procedure
    required: bool
    state: ProcedureState | None  # None: nothing recorded
    done_on: date | None = None
    note: str = ""
    reference: str = ""
    automatic: bool = False  # read from the site's own record, not typed in
    announced_on: date | None = None  # a hearing: the day it was announced to the public

    @property
    def missing(self) -> bool:
        """Required, due before the legality review, and not accounted for."""
        return self.required and self.state is None and self.code in BEFORE_REVIEW


def required_for(consultation: Consultation) -> tuple[Procedure, ...]:
    return REQUIRED.get(consultation.doc_type, _ALL)


def recorded(consultation: Consultation) -> dict[Procedure, StatutoryProcedure]:
    rows = db.session.scalars(
        db.select(StatutoryProcedure).where(StatutoryProcedure.consultation_id == consultation.id)
    )
    return {row.code: row for row in rows}


def _automatic(consultation: Consultation, code: Procedure, required: bool) -> ProcedureLine | None:
    """What the site records by itself: the public notice (or its exemption), the passed review, the decision."""
    if code is Procedure.PUBLIC_PARTICIPATION:
        exemption = db.session.get(ConsultationExemption, consultation.id)
        if exemption is not None:
            return ProcedureLine(code, required, ProcedureState.NOT_REQUIRED, exemption.recorded_at.date(),
                                 exemption.note, automatic=True)  # fmt: skip
        if consultation.status.is_published and consultation.start_at and consultation.end_at:
            start, end = periods.local_date(consultation.start_at), periods.local_date(consultation.end_at)
            note = f"{start.isoformat()}至{end.isoformat()}在区政府门户网站公开征求意见"
            url = site_url("consultation.detail", consultation_id=consultation.id)
            return ProcedureLine(code, required, ProcedureState.DONE, start, note, url, automatic=True)
    if code is Procedure.LEGALITY_REVIEW:
        review = db.session.get(LegalityReview, consultation.id)
        if review is not None and review.state is ReviewState.PASSED and review.decided_at is not None:
            return ProcedureLine(code, required, ProcedureState.DONE, periods.local_date(review.decided_at),
                                 "经合法性审查通过", automatic=True)  # fmt: skip
    if code is Procedure.COLLECTIVE_DECISION:
        conclusion = db.session.get(ConsultationConclusion, consultation.id)
        if conclusion is not None and conclusion.outcome is Outcome.DECIDED:
            return ProcedureLine(code, required, ProcedureState.DONE, periods.local_date(conclusion.concluded_at),
                                 conclusion.note, conclusion.document_url, automatic=True)  # fmt: skip
    return None


def procedure_lines(consultation: Consultation) -> list[ProcedureLine]:
    """Every procedure in order: what the department recorded wins over what the site knows by itself."""
    required, rows = set(required_for(consultation)), recorded(consultation)
    lines = []
    for code in Procedure:
        row = rows.get(code)
        if row is not None:
            lines.append(ProcedureLine(code, code in required, row.state, row.done_on, row.note, row.reference,
                                       announced_on=row.announced_on))  # fmt: skip
        else:
            lines.append(
                _automatic(consultation, code, code in required) or ProcedureLine(code, code in required, None)
            )
    return lines


def missing(consultation: Consultation) -> list[Procedure]:
    """The procedures the document type requires before legality review that nobody has accounted for."""
    return [line.code for line in procedure_lines(consultation) if line.missing]


def record_procedure(
    consultation: Consultation,
    code: Procedure,
    state: ProcedureState,
    user: User,
    *,
    done_on: date | None = None,
    note: str = "",
    reference: str = "",
    announced_on: date | None = None,
) -> StatutoryProcedure:
    """Record (or correct) one procedure: done needs its date, not required needs the reason; a hearing held
    needs the day it was announced, early enough (hearing_notice_problem)."""
    problems = []
    if state is ProcedureState.DONE and done_on is None:
        problems.append("procedure_date_missing")
    if state is ProcedureState.NOT_REQUIRED and not note.strip():
        problems.append("procedure_reason_missing")
    hearing_held = code is Procedure.HEARING and state is ProcedureState.DONE
    notice = hearing_notice_problem(announced_on, done_on) if hearing_held else None
    if notice:
        problems.append(notice)
    if problems:
        raise WorkflowError(problems)
    row = recorded(consultation).get(code)
    if row is None:
        row = StatutoryProcedure(consultation_id=consultation.id, code=code)
        db.session.add(row)
    row.state, row.note, row.reference = state, note.strip(), reference.strip()
    row.done_on = done_on if state is ProcedureState.DONE else None
    row.announced_on = announced_on if hearing_held else None
    row.recorded_by_id, row.recorded_at = user.id, utcnow()
    detail = {"procedure": code.value, "state": state.value, "on": done_on.isoformat() if done_on else None}
    if row.announced_on is not None:
        detail["announced"] = row.announced_on.isoformat()
    audit.record("consultation.procedure_record", consultation, detail=detail, actor=user)
    db.session.flush()
    return row


def clear_procedure(consultation: Consultation, code: Procedure, user: User) -> None:
    row = recorded(consultation).get(code)
    if row is None:
        raise WorkflowError(["procedure_not_recorded"])
    audit.record("consultation.procedure_clear", consultation, detail={"procedure": code.value}, actor=user)
    db.session.delete(row)


# ------------------------------------------------------------------------------------------------ participation


@dataclass(frozen=True)
class ParticipationInput:
    form: ParticipationForm
    party_kind: PartyKind
    parties: str
    held_on: date | None = None
    place: str = ""
    people: int | None = None
    opinions: str = ""
    announced_on: date | None = None  # a 听证会: the day it was announced to the public


def participations(consultation: Consultation) -> list[TargetedParticipation]:
    return list(
        db.session.scalars(
            db.select(TargetedParticipation)
            .where(TargetedParticipation.consultation_id == consultation.id)
            # Dated meetings in order, then written consultations without a date (NULLs sort differently per database).
            .order_by(TargetedParticipation.held_on.is_(None), TargetedParticipation.held_on, TargetedParticipation.id)
        )
    )


def add_participation(consultation: Consultation, data: ParticipationInput, user: User) -> TargetedParticipation:
    """A targeted consultation; a meeting (座谈会, 听证会, 论证会) needs its date, place and number of people, and a
    听证会 the day it was announced, early enough (hearing_notice_problem)."""
    problems = [] if data.parties.strip() else ["participation_parties_missing"]
    if data.form in MEETINGS and (data.held_on is None or not data.place.strip() or not data.people):
        problems.append("meeting_details_missing")
    hearing = data.form is ParticipationForm.HEARING
    notice = hearing_notice_problem(data.announced_on, data.held_on) if hearing and data.held_on else None
    if notice:
        problems.append(notice)
    if problems:
        raise WorkflowError(problems)
    row = TargetedParticipation(
        consultation_id=consultation.id, form=data.form, party_kind=data.party_kind, parties=data.parties.strip(),
        held_on=data.held_on, place=data.place.strip(), people=data.people, opinions=data.opinions.strip(),
        announced_on=data.announced_on if hearing else None, recorded_by_id=user.id,
    )  # fmt: skip
    db.session.add(row)
    db.session.flush()
    audit.record(
        "consultation.participation_add",
        consultation,
        detail={"id": row.id, "form": data.form.value, "parties": row.parties},
        actor=user,
    )
    return row


def delete_participation(consultation: Consultation, row: TargetedParticipation, user: User) -> None:
    if row.consultation_id != consultation.id:
        raise WorkflowError(["nothing_selected"])
    audit.record(
        "consultation.participation_delete", consultation, detail={"id": row.id, "parties": row.parties}, actor=user
    )
    db.session.delete(row)


# ------------------------------------------------------------------------------------------------ hearings


def hearing_notice_days() -> int:
    return int(current_app.config["CONSULTATION_HEARING_NOTICE_DAYS"])


def hearing_notice_problem(announced_on: date | None, held_on: date | None) -> str | None:
    """Why a hearing's public announcement falls short, or None: it must have been announced at least
    CONSULTATION_HEARING_NOTICE_DAYS calendar days before the day it was held (docs/rules.md §1.1 第十七条)."""
    if held_on is None:
        return None  # the date is asked for by its own rule
    if announced_on is None:
        return "hearing_announcement_missing"
    gap = (held_on - announced_on).days
    if gap < 0:
        return "hearing_announced_after"
    return f"hearing_notice_short:{gap}" if gap < hearing_notice_days() else None


@dataclass(frozen=True)
class HearingFlag:
    """A hearing already recorded whose announcement is missing or was too late, for the legality reviewer."""

    held_on: date
    announced_on: date | None
    problem: str
    parties: str = ""  # a 听证会 among the meetings: who took part; empty for the statutory procedure


def hearing_flags(consultation: Consultation, lines: list[ProcedureLine] | None = None) -> list[HearingFlag]:
    """Every hearing recorded (the statutory procedure and the 听证会 among the meetings) that does not meet the
    notice rule today: recorded before the rule, or before the setting was raised."""
    flags = []
    for line in lines if lines is not None else procedure_lines(consultation):
        if line.code is Procedure.HEARING and line.state is ProcedureState.DONE and line.done_on is not None:
            problem = hearing_notice_problem(line.announced_on, line.done_on)
            if problem:
                flags.append(HearingFlag(line.done_on, line.announced_on, problem))
    for row in participations(consultation):
        if row.form is ParticipationForm.HEARING and row.held_on is not None:
            problem = hearing_notice_problem(row.announced_on, row.held_on)
            if problem:
                flags.append(HearingFlag(row.held_on, row.announced_on, problem, row.parties))
    return flags
