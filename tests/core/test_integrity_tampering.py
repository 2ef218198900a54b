"""Tampering found by attacking the demo from outside: every public place an item appears verifies it first."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from core.extensions import db
from core.integrity import check
from surveys.models import QuestionType
from tests.consultation.conftest import make_consultation
from tests.factories import make_department
from tests.surveys.helpers import make_survey

DEFACED = "澳门金沙博彩"


@pytest.fixture(autouse=True)
def _ledger_head_outside_instance(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> None:
    app.config["INTEGRITY_LEDGER_HEAD"] = str(tmp_path_factory.mktemp("head") / "head.json")


def _sql(statement: str, **values: Any) -> None:
    db.session.execute(text(statement), values)  # as an intruder with database access would
    db.session.commit()


def _sealed_survey(**fields: Any) -> Any:
    survey = make_survey([[("q1", QuestionType.SINGLE, {"options": ["满意", "不满意"]})]], title="满意度调查", **fields)
    check.seal_all()
    db.session.commit()
    return survey


def test_a_defaced_survey_title_is_on_neither_the_home_page_nor_the_site_map(client: Any) -> None:
    survey = _sealed_survey()
    assert "满意度调查" in client.get("/").get_data(as_text=True)
    _sql("UPDATE surveys SET title = :t WHERE id = :id", t=DEFACED, id=survey.id)
    for page in ("/", "/sitemap"):
        assert DEFACED not in client.get(page).get_data(as_text=True), page


def test_public_results_show_only_the_approved_questions(client: Any) -> None:
    survey = _sealed_survey(results_published=True)
    assert client.get(f"/surveys/{survey.id}/results").status_code == 200
    _sql("UPDATE survey_options SET label = :t WHERE label = '满意'", t=DEFACED)
    page = client.get(f"/surveys/{survey.id}/results")
    assert page.status_code == 503 and DEFACED not in page.get_data(as_text=True)


def test_a_survey_linked_to_a_consultation_is_named_there_only_as_approved(client: Any) -> None:
    consultation = make_consultation(make_department())
    survey = _sealed_survey(consultation_id=consultation.id)
    assert "满意度调查" in client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    _sql("UPDATE surveys SET title = :t WHERE id = :id", t=DEFACED, id=survey.id)
    page = client.get(f"/consultations/{consultation.id}")
    assert page.status_code == 200 and DEFACED not in page.get_data(as_text=True)


def test_a_consultation_inserted_by_sql_is_not_in_the_site_map(client: Any) -> None:
    make_consultation(make_department(), title="《真实的办法》")
    check.seal_all()
    db.session.commit()
    make_consultation(make_department(), title=f"《{DEFACED}》")  # published, never sealed
    db.session.commit()
    page = client.get("/sitemap").get_data(as_text=True)
    assert "《真实的办法》" in page and DEFACED not in page


def test_a_new_round_never_quotes_a_defaced_earlier_round(client: Any) -> None:
    department = make_department()
    first = make_consultation(department, phase="closed")
    second = make_consultation(department, previous_round_id=first.id, round_number=2)
    check.seal_all()
    db.session.commit()
    _sql("UPDATE consultation_units SET text = :t WHERE consultation_id = :id", t=DEFACED, id=first.id)
    page = client.get(f"/consultations/{second.id}")
    assert page.status_code == 200 and DEFACED not in page.get_data(as_text=True)


def _check(runner: Any) -> Any:
    return runner.invoke(args=["integrity", "check"])


def test_a_comment_period_lengthened_in_the_database_is_refused_until_extended_properly(
    client: Any, runner: Any
) -> None:
    from datetime import timedelta

    from consultation.drafting import services
    from tests.factories import make_user

    consultation = make_consultation(make_department())
    check.seal_all()
    db.session.commit()
    later = consultation.end_at + timedelta(days=60)
    _sql("UPDATE consultations SET end_at = :end WHERE id = :id", end=later, id=consultation.id)
    assert client.get(f"/consultations/{consultation.id}").status_code == 503
    assert client.get(f"/api/v1/consultations/{consultation.id}").status_code == 503
    assert consultation.title not in client.get("/consultations/open").get_data(as_text=True)
    assert client.post(f"/consultations/{consultation.id}/comment", data={"content": "建议"}).status_code == 503
    result = _check(runner)
    assert result.exit_code == 1 and f"changed\tconsultation.period\t{consultation.id}" in result.output
    # The same extension through the workflow (a reason, the audit log) is sealed and served.
    _sql("UPDATE consultations SET end_at = :end WHERE id = :id", end=later - timedelta(days=60), id=consultation.id)
    db.session.expire_all()
    services.extend(consultation, make_user("editor", consultation.department), later, "应企业要求延长")
    db.session.commit()
    assert client.get(f"/consultations/{consultation.id}").status_code == 200
    assert _check(runner).exit_code == 0


def test_a_survey_kept_open_or_its_results_published_in_the_database_is_refused(
    client: Any, runner: Any, auth: Any
) -> None:
    from datetime import timedelta

    survey = _sealed_survey()
    approved_end = survey.ends_at
    _sql("UPDATE surveys SET ends_at = :end WHERE id = :id", end=approved_end + timedelta(days=90), id=survey.id)
    assert client.get(f"/surveys/{survey.id}").status_code == 503
    assert "满意度调查" not in client.get("/surveys/").get_data(as_text=True)
    assert f"changed\tsurvey.schedule\t{survey.id}" in _check(runner).output
    _sql("UPDATE surveys SET ends_at = :end WHERE id = :id", end=approved_end, id=survey.id)
    _sql("UPDATE surveys SET results_published = :yes WHERE id = :id", yes=True, id=survey.id)
    assert client.get(f"/surveys/{survey.id}/results").status_code == 503
    assert client.get(f"/api/v1/surveys/{survey.id}/results").status_code == 503
    # Published by an approver of the department: sealed, and public.
    _sql("UPDATE surveys SET results_published = :no WHERE id = :id", no=False, id=survey.id)
    auth.login_as("approver", survey.department)
    assert client.post(f"/manage/surveys/{survey.id}/results/publish", data={"publish": "1"}).status_code == 302
    auth.logout()
    assert client.get(f"/surveys/{survey.id}/results").status_code == 200
    db.session.rollback()  # the survey as the request left it, not as this test's session last read it
    result = _check(runner)
    assert result.exit_code == 0, result.output


def test_an_upgraded_site_serves_until_seal_all_seals_what_the_new_version_seals(client: Any, runner: Any) -> None:
    from core.integrity import ledger

    consultation = make_consultation(make_department())
    # As the previous version sealed it: the notice and its department, and the first start marker only.
    ledger.seal("consultation", consultation)
    ledger.seal("department", consultation.department)
    ledger.append(ledger.START_KIND, "start", ledger.GENESIS, "seal-all")
    db.session.commit()
    assert client.get(f"/consultations/{consultation.id}").status_code == 200
    assert f"unsealed\tconsultation.period\t{consultation.id}" in _check(runner).output
    assert runner.invoke(args=["integrity", "seal-all"]).exit_code == 0
    assert _check(runner).exit_code == 0
    _sql("UPDATE consultations SET start_at = end_at WHERE id = :id", id=consultation.id)
    assert client.get(f"/consultations/{consultation.id}").status_code == 503


def _docx(text_: str) -> bytes:
    import io

    import docx

    document = docx.Document()
    document.add_paragraph(text_)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _download(client: Any, address: str) -> tuple[int, bytes]:
    with client.get(address) as response:  # a file's handle is closed with its response
        return response.status_code, response.data


def _published_attachment(text_: str = "附件：起草说明。") -> tuple[Any, Any]:
    from consultation.drafting import uploads
    from consultation.models import ConsultationAttachment

    stored = uploads.store(_docx(text_), "起草说明.docx")
    consultation = make_consultation(make_department())
    attachment = ConsultationAttachment(
        filename=stored.filename, stored_name=stored.stored_name, content_type=stored.content_type, size=stored.size
    )
    consultation.attachments.append(attachment)
    check.seal_all()
    db.session.commit()
    return consultation, attachment


def test_an_attachment_whose_bytes_were_replaced_on_disk_is_not_served(app: Flask, client: Any, runner: Any) -> None:
    from core import storage
    from core.integrity.models import IntegrityAlert

    consultation, attachment = _published_attachment()
    address = f"/consultations/{consultation.id}/attachments/{attachment.id}"
    assert _download(client, address)[0] == 200
    path = storage.folder("uploads") / attachment.stored_name
    swapped = _docx(f"附件：{DEFACED}。")
    path.write_bytes(swapped[: attachment.size].ljust(attachment.size, b"\0"))  # same name, same size
    status, data = _download(client, address)
    assert status == 503 and DEFACED.encode() not in data
    alerts = db.session.scalars(db.select(IntegrityAlert)).all()
    assert [(a.kind, a.subject_id, a.problem) for a in alerts] == [
        ("file", f"uploads/{attachment.stored_name}", "file_changed")
    ]
    result = _check(runner)
    assert result.exit_code == 1
    assert f"file_changed\tfile\tuploads/{attachment.stored_name}\t{consultation.title}" in result.output


def test_a_file_replaced_in_the_shared_database_or_in_a_hosts_copy_is_never_served(
    app: Flask, client: Any, runner: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app, "instance_path", str(tmp_path / "instance"))  # this host's copies of served files
    app.config["STORAGE_BACKEND"] = "database"
    consultation, attachment = _published_attachment()
    address = f"/consultations/{consultation.id}/attachments/{attachment.id}"
    original = _download(client, address)[1]  # this host keeps a copy of what it served
    copy = tmp_path / "instance" / "storage-cache" / "uploads" / attachment.stored_name
    copy.write_bytes(_docx(DEFACED))
    assert _download(client, address)[0] == 503
    copy.write_bytes(original)
    assert _download(client, address) == (200, original)
    _sql("UPDATE stored_files SET data = :data WHERE name = :name", data=_docx(DEFACED), name=attachment.stored_name)
    assert f"file_changed\tfile\tuploads/{attachment.stored_name}" in _check(runner).output
    copy.unlink()  # a host that has no copy yet
    status, data = _download(client, address)
    assert status == 503 and DEFACED.encode() not in data


def test_an_upgraded_site_serves_its_files_until_seal_all_seals_their_bytes(
    client: Any, runner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.integrity import files

    with monkeypatch.context() as earlier_version:
        earlier_version.setattr(files, "seal_files", lambda *args: None)
        consultation, attachment = _published_attachment()
    address = f"/consultations/{consultation.id}/attachments/{attachment.id}"
    assert _download(client, address)[0] == 200
    assert f"unsealed\tfile\tuploads/{attachment.stored_name}" in _check(runner).output
    assert runner.invoke(args=["integrity", "seal-all"]).exit_code == 0
    assert _check(runner).exit_code == 0


def test_a_defaced_department_or_interpretation_is_in_no_list_of_interpretations_nor_search(
    app: Flask, client: Any
) -> None:
    from consultation.decision import documents, services
    from core.models import Role
    from tests.consultation.test_decision import DOC_TITLE, PARTS, decided, publish_document
    from tests.factories import make_user

    department = make_department(name="区住建局")
    consultation = decided(department)
    editor, approver = make_user(Role.EDITOR, department), make_user(Role.APPROVER, department)
    publish_document(
        consultation,
        editor,
        approver,
        documents.DocumentInput(DOC_TITLE, "东政发〔2026〕8号", "https://www.dongzhou.gov.cn/8.html"),
    )
    interpretation = services.save_interpretation(consultation, editor, PARTS)
    services.submit(interpretation, editor)
    services.approve(interpretation, approver)
    check.seal_all()
    db.session.commit()
    pages = ("/consultations/interpretations", "/consultations/interpretations/feed.atom", "/api/v1/interpretations")
    assert "区住建局" in client.get(pages[0]).get_data(as_text=True)
    _sql("UPDATE departments SET name = :t WHERE id = :id", t=DEFACED, id=department.id)
    for page in pages:
        assert DEFACED not in client.get(page).get_data(as_text=True), page
    _sql("UPDATE departments SET name = '区住建局' WHERE id = :id", id=department.id)
    word = PARTS["background"][:4]
    assert PARTS["title"] in client.get(f"/search?q={word}").get_data(as_text=True)
    _sql("UPDATE policy_interpretations SET background = :t WHERE id = :id", t=f"{word}{DEFACED}", id=interpretation.id)
    assert DEFACED not in client.get(f"/search?q={word}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("statement", "kinds"),
    [
        ("UPDATE consultations SET status = 'draft'", ["consultation", "consultation.period"]),
        ("UPDATE surveys SET status = 'draft'", ["survey", "survey.schedule"]),
        ("UPDATE departments SET is_active = false WHERE name = '区民政局'", ["department"]),
    ],
)
def test_a_published_item_hidden_in_the_database_is_named_by_check(
    runner: Any, statement: str, kinds: list[str]
) -> None:
    make_consultation(make_department(name="区民政局"))
    _sealed_survey()
    assert _check(runner).exit_code == 0
    _sql(statement)
    result = _check(runner)
    assert result.exit_code == 1
    assert sorted(line.split("\t")[1] for line in result.output.splitlines() if line.startswith("gone\t")) == kinds


def test_taking_an_item_off_the_site_through_the_workflow_or_accepting_it_is_no_alarm(
    runner: Any, client: Any, auth: Any
) -> None:
    from surveys.builder import review
    from tests.factories import make_user

    survey = _sealed_survey()
    department = make_department(name="区民政局")
    consultation = make_consultation(department)
    check.seal_all()
    db.session.commit()
    review.reopen(survey, make_user("approver", survey.department))
    db.session.commit()
    auth.login_as("admin")
    form = {"code": department.code, "name": "区民政局", "office_phone": "024-56620002"}  # no longer listed
    assert client.post(f"/admin/departments/{department.id}", data=form).status_code == 302
    auth.logout()
    db.session.rollback()
    _sql("UPDATE consultations SET status = 'draft' WHERE id = :id", id=consultation.id)
    assert [line.split("\t")[1] for line in _check(runner).output.splitlines() if line.startswith("gone\t")] == [
        "consultation",
        "consultation.period",
    ]
    make_user("admin", email="office@example.cn")
    db.session.commit()
    for kind in ("consultation", "consultation.period"):
        accepted = runner.invoke(args=["integrity", "accept", kind, str(consultation.id), "--by", "office@example.cn"])
        assert "recorded as withdrawn" in accepted.output
    result = _check(runner)
    assert result.exit_code == 0, result.output


def test_an_old_seal_moved_to_the_end_of_the_ledger_does_not_get_an_old_version_served(
    client: Any, runner: Any
) -> None:
    from core.integrity import ledger
    from core.integrity.models import LedgerEntry

    department = make_department(name="区民政局", office_phone="024-56620001")
    check.seal_all()
    db.session.commit()
    first = ledger.latest("department", str(department.id))
    department.office_phone = "024-56620002"  # corrected by the portal office, sealed
    ledger.seal("department", department)
    db.session.commit()
    # The intruder restores the old row and renumbers its old seal to the end of the chain (its HMAC still holds).
    _sql("UPDATE departments SET office_phone = '024-56620001' WHERE id = :id", id=department.id)
    end = db.session.scalar(db.select(db.func.max(LedgerEntry.id))) + 1
    _sql("UPDATE integrity_ledger SET id = :end WHERE id = :id", end=end, id=first.id)
    page = client.get("/departments").get_data(as_text=True)
    assert "024-56620001" not in page
    result = _check(runner)
    assert result.exit_code == 1 and f"forged\tdepartment\t{department.id}" in result.output


def test_a_picture_of_a_published_interpretation_swapped_on_disk_is_not_served(client: Any, runner: Any) -> None:
    from core import storage
    from tests.consultation.test_decision_revisions import _published

    consultation, _editor, _approver = _published(make_department(name="区住建局"))
    image = db.session.scalar(text("SELECT id FROM policy_interpretation_images"))
    name = db.session.scalar(text("SELECT stored_name FROM policy_interpretation_images"))
    address = f"/consultations/{consultation.id}/interpretation/images/{image}"
    assert _download(client, address)[0] == 200
    (storage.folder("uploads") / name).write_bytes(_docx(DEFACED))
    assert _download(client, address)[0] == 503
    assert f"file_changed\tfile\tuploads/{name}" in _check(runner).output


def test_verify_never_vouches_for_a_register_entry_written_in_the_database(client: Any, runner: Any) -> None:
    import hashlib
    import io

    from core.verification import issue

    genuine = issue("test", "consultation", 1, "pdf", "public", b"%PDF genuine", "a" * 64, "说明.pdf", None)
    check.seal_all()
    db.session.commit()
    forged = "%PDF forged: 360足球直播".encode()
    _sql(
        "INSERT INTO issued_documents (code, sha256, kind, object_type, object_id, format, version,"
        " source_fingerprint, issued_at, filename, size) SELECT 'ZZZZ2222', :sha, kind, object_type, object_id,"
        " format, version, source_fingerprint, issued_at, filename, :size FROM issued_documents WHERE id = :id",
        sha=hashlib.sha256(forged).hexdigest(), size=len(forged), id=genuine.id,
    )  # fmt: skip
    data = {"code": "", "document": (io.BytesIO(forged), "说明.pdf")}
    page = client.post("/verify", data=data, content_type="multipart/form-data")
    assert page.status_code == 503
    assert client.get("/verify?code=ZZZZ2222").status_code == 503
    result = _check(runner)
    assert result.exit_code == 1 and "unsealed\tissued_document\t" in result.output
    assert client.get(f"/verify?code={genuine.code}").status_code == 200


def test_the_feedback_feed_never_quotes_an_addendum_rewritten_in_the_database(client: Any) -> None:
    from consultation.comments.commenting import CommentInput
    from consultation.models import Channel, RespondentType
    from tests.consultation.handling_helpers import add_comment
    from tests.consultation.opendata_helpers import publish_addendum, publish_feedback

    consultation = make_consultation(make_department(name="区住建局"), phase="closed", title="充电管理办法")
    publish_feedback(consultation, [add_comment(consultation, "建议改为每周巡查。")])
    letter = CommentInput(
        "信件：建议增设充电车棚。", RespondentType.INDIVIDUAL, author_name="赵建华", channel=Channel.LETTER
    )
    publish_addendum(consultation, letter, note="该信件于截止日前寄出。")
    check.seal_all()
    db.session.commit()
    assert "该信件于截止日前寄出" in client.get("/consultations/feedback/feed.atom").get_data(as_text=True)
    _sql("UPDATE consultation_feedback_addenda SET note = :t", t=DEFACED)
    feed = client.get("/consultations/feedback/feed.atom").get_data(as_text=True)
    assert DEFACED not in feed


def test_an_outcome_rewritten_or_written_in_the_database_is_never_shown(client: Any, auth: Any, runner: Any) -> None:
    from consultation.models import ConsultationStatus
    from core.models import Role

    department = make_department(name="区住建局")
    consultation = make_consultation(department, phase="closed", status=ConsultationStatus.FEEDBACK_PUBLISHED)
    other = make_consultation(department, phase="closed", status=ConsultationStatus.FEEDBACK_PUBLISHED)
    check.seal_all()
    db.session.commit()
    auth.login_as(Role.EDITOR, department)
    form = {"outcome": "withdrawn", "note": "因上位法修订，暂缓出台。", "document_url": ""}
    assert client.post(f"/manage/consultations/{consultation.id}/conclude", data=form).status_code == 302
    auth.logout()
    assert "暂缓出台" in client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    _sql("UPDATE consultation_conclusions SET note = :t, document_url = 'https://casino.example.com/'", t=DEFACED)
    page = client.get(f"/consultations/{consultation.id}")
    assert page.status_code == 503 and "casino" not in page.get_data(as_text=True)
    _sql(
        "INSERT INTO consultation_conclusions (consultation_id, outcome, note, document_url, concluded_at)"
        " SELECT :id, outcome, note, document_url, concluded_at FROM consultation_conclusions",
        id=other.id,
    )
    assert client.get(f"/consultations/{other.id}").status_code == 503
    output = _check(runner).output
    assert f"changed\tconsultation.conclusion\t{consultation.id}" in output
    assert f"unsealed\tconsultation.conclusion\t{other.id}" in output


def _published_feedback_with_an_organisation(seal: bool = True) -> Any:
    from consultation.models import RespondentType
    from tests.consultation.handling_helpers import add_comment
    from tests.consultation.opendata_helpers import publish_feedback

    consultation = make_consultation(make_department(name="区住建局"), phase="closed")
    comment = add_comment(consultation, "建议增设充电车棚。")
    comment.respondent_type, comment.author_name = RespondentType.ENTERPRISE, "抚顺东洲物业服务有限公司"
    publish_feedback(consultation, [comment])
    if seal:
        check.seal_all()
    db.session.commit()
    return consultation, comment


def test_an_organisation_renamed_in_the_feedback_table_is_not_served(client: Any, runner: Any) -> None:
    consultation, comment = _published_feedback_with_an_organisation()
    assert "抚顺东洲物业服务有限公司" in client.get(f"/consultations/{consultation.id}/feedback").get_data(as_text=True)
    _sql("UPDATE consultation_comments SET author_name = :t WHERE id = :id", t=f"{DEFACED}有限公司", id=comment.id)
    page = client.get(f"/consultations/{consultation.id}/feedback")
    assert page.status_code == 503 and DEFACED not in page.get_data(as_text=True)
    assert client.get(f"/api/v1/consultations/{consultation.id}/feedback").status_code == 503
    assert f"changed\tconsultation.feedback\t{consultation.id}" in _check(runner).output


def test_feedback_sealed_before_names_were_is_served_until_seal_all_seals_it_again(client: Any, runner: Any) -> None:
    from consultation.sealing import feedback_content
    from core.integrity import canonical, ledger, registry

    consultation, comment = _published_feedback_with_an_organisation(seal=False)
    subject = str(consultation.id)
    # As the previous version sealed the site: everything of generations 1 and 2, the feedback without names.
    for kind in ("consultation", "consultation.period", "department"):
        ledger.seal(kind, consultation.department_id if kind == "department" else consultation.id, reason="seal-all")
    earlier = canonical.content_hash(feedback_content(subject, names=False))
    ledger.append("consultation.feedback", subject, earlier, "publish")
    ledger.seal_summary(registry.kind("consultation.feedback"), subject, "publish")
    for generation in (1, 2):
        ledger.append(ledger.START_KIND, ledger.start_subject(generation), ledger.GENESIS, "seal-all")
    db.session.commit()
    assert client.get(f"/consultations/{consultation.id}/feedback").status_code == 200
    assert _check(runner).exit_code == 0
    assert "sealed 1 consultation.feedback" in runner.invoke(args=["integrity", "seal-all"]).output
    _sql("UPDATE consultation_comments SET author_name = :t WHERE id = :id", t=f"{DEFACED}有限公司", id=comment.id)
    assert client.get(f"/consultations/{consultation.id}/feedback").status_code == 503
