"""Tamper evidence: content changed outside the approval workflow is never served, is alerted and is named."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from consultation.drafting import services
from consultation.models import ConsultationStatus, SecrecyResult
from core.audit import AuditEvent
from core.extensions import db
from core.integrity import check, ledger
from core.integrity.models import IntegrityAlert, LedgerEntry
from core.outbox import OutboxMessage
from tests.consultation.conftest import make_consultation
from tests.factories import make_department, make_user

DEFACED = "360足球直播_365体育投注-平台官网"
_SET_TITLE = text("UPDATE consultations SET title = :t WHERE id = :id")  # as an intruder with database access would


@pytest.fixture(autouse=True)
def _ledger_head_outside_instance(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> None:
    # `integrity check` remembers the chain's end in a file; each test's database starts empty again.
    app.config["INTEGRITY_LEDGER_HEAD"] = str(tmp_path_factory.mktemp("head") / "head.json")


def _sealed_site() -> Any:
    department = make_department()
    make_user("admin", email="office@example.cn")
    consultation = make_consultation(department)
    check.seal_all()
    db.session.commit()
    return consultation


def _alerts() -> list[IntegrityAlert]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(IntegrityAlert)))


def test_title_changed_by_sql_is_not_served_alerted_and_named_by_check(app: Flask, client: Any, runner: Any) -> None:
    consultation = _sealed_site()
    assert client.get(f"/consultations/{consultation.id}").status_code == 200
    assert runner.invoke(args=["integrity", "check"]).exit_code == 0

    db.session.execute(
        text("UPDATE consultations SET title = :t WHERE id = :id"), {"t": DEFACED, "id": consultation.id}
    )
    db.session.commit()

    page = client.get(f"/consultations/{consultation.id}")
    assert page.status_code == 503
    body = page.get_data(as_text=True)
    assert DEFACED not in body and "暂时无法访问" in body
    english = client.get(f"/consultations/{consultation.id}", headers={"Accept-Language": "en"})
    assert "temporarily unavailable" in english.get_data(as_text=True)
    assert DEFACED not in client.get("/consultations/").get_data(as_text=True)
    api = client.get(f"/api/v1/consultations/{consultation.id}")
    assert api.status_code == 503 and api.get_json()["error"] == "unavailable"

    alerts = _alerts()
    assert [(a.kind, a.subject_id, a.problem) for a in alerts] == [("consultation", str(consultation.id), "changed")]
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "integrity.alert")) is not None
    mails = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.topic == "integrity-alert")).all()
    assert [m.recipient for m in mails] == ["office@example.cn"]

    result = runner.invoke(args=["integrity", "check"])
    assert result.exit_code == 1
    assert f"changed\tconsultation\t{consultation.id}" in result.output


def test_draft_unit_changed_by_sql_is_not_served(app: Flask, client: Any, runner: Any) -> None:
    consultation = _sealed_site()
    unit = consultation.units[1]
    db.session.execute(text("UPDATE consultation_units SET text = '澳门金沙博彩' WHERE id = :id"), {"id": unit.id})
    db.session.commit()
    assert client.get(f"/consultations/{consultation.id}").status_code == 503
    assert runner.invoke(args=["integrity", "check"]).exit_code == 1


def test_restoring_an_older_approved_version_is_not_served(app: Flask, client: Any) -> None:
    consultation = _sealed_site()
    old_title = consultation.title
    consultation.title = "《新标题》"
    ledger.seal("consultation", consultation, reason="approve")
    db.session.commit()
    assert client.get(f"/consultations/{consultation.id}").status_code == 200
    db.session.execute(
        text("UPDATE consultations SET title = :t WHERE id = :id"), {"t": old_title, "id": consultation.id}
    )
    db.session.commit()
    assert client.get(f"/consultations/{consultation.id}").status_code == 503


def test_approval_seals_with_the_approver_and_the_page_is_served(app: Flask, client: Any, runner: Any) -> None:
    department = make_department()
    editor, approver = make_user("editor", department), make_user("approver", department)
    consultation = make_consultation(
        department, status=ConsultationStatus.IN_REVIEW, phase="upcoming", created_by=editor
    )
    check.seal_all()
    services.approve(consultation, approver, SecrecyResult.CLEARED, "")
    db.session.commit()
    entry = ledger.latest("consultation", str(consultation.id))
    assert entry is not None and entry.approver_label == approver.email and entry.reason == "approve"
    assert client.get(f"/consultations/{consultation.id}").status_code == 200
    assert runner.invoke(args=["integrity", "check"]).exit_code == 0


def test_unsealed_content_is_served_until_seal_all_then_refused(app: Flask, client: Any, runner: Any) -> None:
    department = make_department()
    consultation = make_consultation(department)
    db.session.commit()
    assert client.get(f"/consultations/{consultation.id}").status_code == 200  # an upgraded site stays up
    assert "unsealed" in runner.invoke(args=["integrity", "check"]).output
    assert runner.invoke(args=["integrity", "seal-all"]).exit_code == 0
    assert client.get(f"/consultations/{consultation.id}").status_code == 200
    # A draft switched to published by SQL, never approved, is not served once the ledger is started.
    draft = make_consultation(department, status=ConsultationStatus.DRAFT, title="《未审核》")
    db.session.commit()
    db.session.execute(text("UPDATE consultations SET status = 'scheduled' WHERE id = :id"), {"id": draft.id})
    db.session.commit()
    assert client.get(f"/consultations/{draft.id}").status_code == 503


@pytest.mark.parametrize("tamper", ["delete", "edit"])
def test_removed_or_edited_ledger_entry_breaks_the_chain(app: Flask, client: Any, runner: Any, tamper: str) -> None:
    consultation = _sealed_site()
    make_consultation(consultation.department, title="《第二件》")
    check.seal_all()
    db.session.commit()
    first = db.session.scalar(db.select(LedgerEntry).order_by(LedgerEntry.id).limit(1))
    if tamper == "delete":
        db.session.execute(text("DELETE FROM integrity_ledger WHERE id = :id"), {"id": first.id})
    else:
        db.session.execute(text("UPDATE integrity_ledger SET approver_label = 'x' WHERE id = :id"), {"id": first.id})
    db.session.commit()
    result = runner.invoke(args=["integrity", "check"])
    assert result.exit_code == 1
    assert ("chain_gap" if tamper == "delete" else "chain_edited") in result.output


def test_a_seal_forged_by_sql_for_changed_content_is_refused(app: Flask, client: Any) -> None:
    consultation = _sealed_site()
    db.session.execute(
        text("UPDATE consultations SET title = :t WHERE id = :id"), {"t": DEFACED, "id": consultation.id}
    )
    forged_hash = db.session.execute(text("SELECT max(id) FROM integrity_ledger")).scalar()
    from core.integrity import canonical, registry

    db.session.commit()
    content = registry.kind("consultation").content(str(consultation.id))
    db.session.execute(
        text("UPDATE integrity_ledger SET content_hash = :h WHERE kind = 'consultation' AND subject_id = :s"),
        {"h": canonical.content_hash(content), "s": str(consultation.id)},
    )
    db.session.commit()
    assert forged_hash
    assert client.get(f"/consultations/{consultation.id}").status_code == 503


def test_entries_removed_from_the_end_of_the_ledger_are_noticed(app: Flask, runner: Any) -> None:
    consultation = _sealed_site()
    sealed_first = consultation.title
    consultation.title = "《改过的标题》"
    ledger.seal("consultation", consultation)
    db.session.commit()
    assert runner.invoke(args=["integrity", "check"]).exit_code == 0
    # The newest seal removed, and the content put back as the older seal says: no gap, every item holds.
    db.session.execute(text("DELETE FROM integrity_ledger WHERE id = (SELECT max(id) FROM integrity_ledger)"))
    db.session.execute(_SET_TITLE, {"t": sealed_first, "id": consultation.id})
    db.session.commit()
    result = runner.invoke(args=["integrity", "check"])
    assert result.exit_code == 1 and "chain_truncated\tledger" in result.output


def test_survey_question_changed_by_sql_is_not_served_nor_listed(app: Flask, client: Any, runner: Any) -> None:
    from surveys.models import Question, QuestionType
    from tests.surveys.helpers import make_survey

    survey = make_survey(
        [[("q1", QuestionType.SINGLE, {"options": ["满意", "不满意"]})]], title="《公共服务满意度调查》"
    )
    check.seal_all()
    db.session.commit()
    assert client.get(f"/surveys/{survey.id}").status_code == 200
    question = db.session.scalar(db.select(Question).where(Question.survey_id == survey.id))
    db.session.execute(
        text("UPDATE survey_options SET label = '澳门金沙' WHERE question_id = :id"), {"id": question.id}
    )
    db.session.commit()
    assert client.get(f"/surveys/{survey.id}").status_code == 503
    # The list shows only what was approved of it (the title); a changed title takes it off the list too.
    assert "澳门金沙" not in client.get("/surveys/").get_data(as_text=True)
    db.session.execute(text("UPDATE surveys SET title = '足球365' WHERE id = :id"), {"id": survey.id})
    db.session.commit()
    listing = client.get("/surveys/").get_data(as_text=True)
    assert "足球365" not in listing and "《公共服务满意度调查》" not in listing
    assert "survey" in runner.invoke(args=["integrity", "check"]).output


def test_department_phone_changed_by_sql_is_not_listed_but_an_admin_save_seals_it(
    app: Flask, client: Any, auth: Any
) -> None:
    department = make_department(name="区民政局", office_phone="024-56620001")
    check.seal_all()
    db.session.commit()
    assert "024-56620001" in client.get("/departments").get_data(as_text=True)
    db.session.execute(
        text("UPDATE departments SET office_phone = '400-365-3650' WHERE id = :id"), {"id": department.id}
    )
    db.session.commit()
    page = client.get("/departments").get_data(as_text=True)
    assert "400-365-3650" not in page and "区民政局" not in page
    assert [a.problem for a in _alerts()] == ["changed"]
    # The portal office saves the department through its page: the new phone is approved and sealed.
    auth.login_as("admin")
    form = {"code": department.code, "name": "区民政局", "office_phone": "024-56620002", "is_active": "y"}
    assert client.post(f"/admin/departments/{department.id}", data=form).status_code == 302
    auth.logout()
    assert "024-56620002" in client.get("/departments").get_data(as_text=True)


def test_a_defaced_department_name_takes_its_consultations_off_the_site(app: Flask, client: Any, runner: Any) -> None:
    consultation = _sealed_site()
    db.session.execute(
        text("UPDATE departments SET name = :n WHERE id = :id"), {"n": DEFACED, "id": consultation.department_id}
    )
    db.session.commit()
    assert client.get(f"/consultations/{consultation.id}").status_code == 503
    for page in ("/consultations/", "/departments", "/consultations/feed.atom", "/api/v1/consultations"):
        assert DEFACED not in client.get(page).get_data(as_text=True), page
    assert [(a.kind, a.problem) for a in _alerts()] == [("department", "changed")]
    result = runner.invoke(args=["integrity", "check"])
    assert result.exit_code == 1 and f"changed\tdepartment\t{consultation.department_id}" in result.output


def test_search_never_quotes_a_tampered_draft(app: Flask, client: Any) -> None:
    consultation = _sealed_site()
    assert "充电管理办法" in client.get("/search?q=电动自行车").get_data(as_text=True)
    unit = consultation.units[1]
    db.session.execute(
        text("UPDATE consultation_units SET text = :t WHERE id = :id"), {"t": f"电动自行车 {DEFACED}", "id": unit.id}
    )
    db.session.commit()
    page = client.get("/search?q=电动自行车").get_data(as_text=True)
    assert DEFACED not in page and "365体育" not in page


def test_a_comment_posted_to_a_defaced_notice_gets_the_unavailable_page(app: Flask, client: Any) -> None:
    consultation = _sealed_site()
    db.session.execute(_SET_TITLE, {"t": DEFACED, "id": consultation.id})
    db.session.commit()
    response = client.post(f"/consultations/{consultation.id}/comment", data={"content": "建议增加充电桩。"})
    assert response.status_code == 503 and DEFACED not in response.get_data(as_text=True)
