"""A hearing (听证) is recorded only with the day it was announced to the public, at least
CONSULTATION_HEARING_NOTICE_DAYS before it was held (docs/rules.md §1.1 第十七条); one recorded before the rule is
flagged on the legality gate; the 说明 gives the announcement date."""

from __future__ import annotations

from datetime import date

import pytest

from consultation.drafting.services import WorkflowError
from consultation.handling import procedures
from consultation.handling.participation import (
    ParticipationForm,
    PartyKind,
    Procedure,
    ProcedureState,
    StatutoryProcedure,
    TargetedParticipation,
)
from consultation.legality import gate
from consultation.summary import sections
from core.audit import AuditEvent
from core.extensions import db
from core.models import Role
from tests.consultation.conftest import make_consultation
from tests.consultation.summary_helpers import handled_consultation
from tests.factories import make_department, make_user

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")
EN = {"Accept-Language": "en"}
HELD = "2026-10-20"


def _hearing(announced: str = "", held: str = HELD) -> dict[str, str]:
    return {"procedure": "hearing", "state": "done", "done_on": held, "announced_on": announced,
            "note": "听证会认为收费标准总体合理。", "reference": "听证报告.pdf"}  # fmt: skip


def test_a_hearing_announced_four_days_ahead_is_refused_saying_how_many_days_it_needed(client, auth):
    department = make_department()
    editor = auth.login_as(Role.EDITOR, department)
    consultation = make_consultation(department, phase="closed", created_by=editor)
    db.session.commit()
    url = f"/manage/consultations/{consultation.id}/procedures"
    late = client.post(url, data=_hearing("2026-10-16"), headers=EN)
    assert late.status_code == 400
    assert (
        "A hearing must be announced to the public at least 7 days before it is held; "
        "this one was announced only 4 days before." in late.text
    )
    missing = client.post(url, data=_hearing(""), headers=EN)
    assert missing.status_code == 400 and "Give the day the hearing was announced to the public." in missing.text
    assert procedures.recorded(consultation) == {}
    chinese = client.post(url, data=_hearing("2026-10-16"))
    assert "听证会应当至少在举行7日前向社会公告" in chinese.text and "仅提前4日" in chinese.text


def test_a_hearing_announced_seven_days_ahead_is_recorded_audited_and_shown(client, auth):
    department = make_department()
    editor = auth.login_as(Role.EDITOR, department)
    consultation = make_consultation(department, phase="closed", created_by=editor)
    db.session.commit()
    base = f"/manage/consultations/{consultation.id}"
    assert client.post(base + "/procedures", data=_hearing("2026-10-13")).status_code == 302
    row = procedures.recorded(consultation)[Procedure.HEARING]
    assert row.announced_on == date(2026, 10, 13) and row.done_on == date(2026, 10, 20)
    event = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "consultation.procedure_record")).one()
    assert event.detail["announced"] == "2026-10-13"
    page = client.get(base + "/participation", headers=EN)
    assert "announced 2026-10-13" in page.text and 'id="hearing-notice-flags"' not in page.text
    rows = {row[0]: row for row in sections.procedure_rows(consultation)}
    assert rows["听证"][1:3] == ("已履行", "2026年10月20日")
    assert rows["听证"][3].startswith("于2026年10月13日向社会公告；听证会认为收费标准总体合理。")


def test_a_hearing_among_the_meetings_needs_its_announcement_too(client, auth):
    department = make_department()
    editor = auth.login_as(Role.EDITOR, department)
    consultation = make_consultation(department, phase="closed", created_by=editor)
    db.session.commit()
    url = f"/manage/consultations/{consultation.id}/participation"
    meeting = {"form": "hearing", "party_kind": "resident", "parties": "东洲街道居民代表",
               "held_on": HELD, "place": "区政府第一会议室", "people": "25"}  # fmt: skip
    late = client.post(url, data={**meeting, "announced_on": "2026-10-21"}, headers=EN)
    assert late.status_code == 400 and "The hearing was announced after the day it was held." in late.text
    assert client.post(url, data={**meeting, "announced_on": "2026-10-10"}).status_code == 302
    forum = {**meeting, "form": "forum", "parties": "物业企业代表"}  # a forum needs no public announcement
    assert client.post(url, data=forum).status_code == 302
    rows = sections.participation_rows(consultation)
    assert rows[0][0] == "听证会" and rows[0][2] == "2026年10月20日（2026年10月10日公告）"
    assert rows[1][0] == "座谈会" and rows[1][2] == "2026年10月20日"


def test_the_days_asked_for_follow_the_setting(app):
    department = make_department()
    editor = make_user(Role.EDITOR, department)
    consultation = make_consultation(department, phase="closed", created_by=editor)
    app.config["CONSULTATION_HEARING_NOTICE_DAYS"] = 15
    with pytest.raises(WorkflowError) as refused:
        procedures.add_participation(
            consultation,
            procedures.ParticipationInput(ParticipationForm.HEARING, PartyKind.RESIDENT, "居民代表", date(2026, 10, 20),
                                          "区政府", 20, announced_on=date(2026, 10, 10)),
            editor,
        )  # fmt: skip
    assert refused.value.problems == ["hearing_notice_short:10"]
    procedures.record_procedure(consultation, Procedure.HEARING, ProcedureState.DONE, editor,
                                done_on=date(2026, 10, 20), announced_on=date(2026, 10, 5))  # fmt: skip
    assert procedures.hearing_flags(consultation) == []


def test_a_hearing_recorded_before_the_rule_is_flagged_for_the_legality_reviewer(client, auth, app):
    handled = handled_consultation()
    consultation = handled.consultation
    # Rows from before the rule: the procedure and a meeting, neither with its announcement date.
    db.session.add(StatutoryProcedure(consultation_id=consultation.id, code=Procedure.HEARING,
                                      state=ProcedureState.DONE, done_on=date(2026, 10, 20)))  # fmt: skip
    db.session.add(TargetedParticipation(consultation_id=consultation.id, form=ParticipationForm.HEARING,
                                         party_kind=PartyKind.RESIDENT, parties="东洲街道居民代表",
                                         held_on=date(2026, 10, 22), place="区政府", people=25,
                                         announced_on=date(2026, 10, 19)))  # fmt: skip
    gate.submit(consultation, handled.editor)  # a flag, not a refusal: the reviewer decides
    db.session.commit()
    flags = gate.checklist(consultation).hearing_flags
    assert [flag.problem for flag in flags] == ["hearing_announcement_missing", "hearing_notice_short:3"]
    auth.login_as(Role.REVIEWER)
    page = client.get(f"/manage/review/{consultation.id}", headers=EN)
    box = page.text[page.text.index('id="hearing-notice-flags"') :]
    assert "Hearing held 2026-10-20: Give the day the hearing was announced to the public." in box
    assert "Hearing held 2026-10-22 (东洲街道居民代表), announced 2026-10-19: A hearing must be announced" in box
