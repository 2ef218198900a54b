"""A published 解读 is revised in a new version reviewed by a second person, while the published one stays served;
approved, it replaces it, is sealed again, says "修订于" with what changed, and the earlier version stays readable.
Search, the feed and the API see the new text. (Corrections of the decided document: test_decision_documents.py.)"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import text

from consultation.decision import deadline, documents, services
from consultation.decision.models import ChartKind, Interpretation, InterpretationStatus
from consultation.drafting import uploads
from consultation.drafting.services import WorkflowError
from core.audit import AuditEvent
from core.extensions import db
from core.i18n import local_datetime
from core.integrity import check
from core.models import Role
from tests.atom import parse_feed
from tests.consultation.test_decision import DOC_TITLE, PARTS, decided, png_bytes, publish_document
from tests.factories import make_department, make_user

EN = {"Accept-Language": "en"}
NEW_MEASURES = "## 主要措施\n\n- 新建小区按车位的25%配建充电设施\n- 物业早晚巡检"
NOTE = "配建比例按区政府常务会议决定由20%调整为25%。"


@pytest.fixture(autouse=True)
def _ledger_head_outside_instance(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> None:
    app.config["INTEGRITY_LEDGER_HEAD"] = str(tmp_path_factory.mktemp("head") / "head.json")


@pytest.fixture
def department(app):
    return make_department(name="区住建局")


def _published(department):
    """A decided consultation whose document and 解读 (with a figure and a picture) are published."""
    consultation = decided(department)
    editor, approver = make_user(Role.EDITOR, department), make_user(Role.APPROVER, department)
    document = documents.DocumentInput(DOC_TITLE, "东政发〔2026〕8号", "https://www.dongzhou.gov.cn/zwgk/8.html")
    publish_document(consultation, editor, approver, document)
    interpretation = services.save_interpretation(consultation, editor, PARTS)
    services.save_figure(interpretation, editor, {"title": "配建比例", "unit": "%", "series": ["比例"],
                                                  "rows": [["新建小区", [20]]], "kind": ChartKind.BARS})  # fmt: skip
    services.add_image(interpretation, editor, uploads.store(png_bytes(), "图解.png"), "充电设施分布示意图", "")
    services.submit(interpretation, editor)
    services.approve(interpretation, approver)
    check.seal_all()  # the notice and feedback of this test's consultation, as an upgraded site has them
    db.session.commit()
    return consultation, editor, approver


def _revise_through_the_pages(client, auth, consultation, editor, approver) -> None:
    base = f"/manage/consultations/{consultation.id}"
    auth.login(editor.email)
    started = client.post(f"{base}/interpretation/revise")
    assert started.status_code == 303 and started.headers["Location"].endswith(f"{base}/interpretation")
    form = {**PARTS, "key_measures": NEW_MEASURES, "revision_note": NOTE}
    assert client.post(f"{base}/interpretation", data=form).status_code == 303
    assert client.post(f"{base}/interpretation/submit").status_code == 303
    auth.logout()
    public = client.get(f"/consultations/{consultation.id}/interpretation").text
    assert "20%配建" in public and "25%" not in public and 'id="revised-on"' not in public, "unchanged in review"
    auth.login(approver.email)
    review = client.get(f"{base}/interpretation/review", headers=EN).text
    assert NOTE in review and "Parts that differ from the published version: Key measures" in review
    assert client.post(f"{base}/interpretation/review", data={"decision": "approve"}).status_code == 303
    auth.logout()


def test_a_revision_replaces_the_published_version_only_when_approved(client, auth, department, runner):
    consultation, editor, approver = _published(department)
    first = db.session.scalar(db.select(Interpretation))
    old_picture = first.images[0].id
    _revise_through_the_pages(client, auth, consultation, editor, approver)

    db.session.expire_all()
    rows = db.session.scalars(db.select(Interpretation).order_by(Interpretation.version)).all()
    assert [(row.version, row.status) for row in rows] == [
        (1, InterpretationStatus.SUPERSEDED), (2, InterpretationStatus.PUBLISHED)]  # fmt: skip
    current = rows[1]
    assert current.published_at == rows[0].published_at, "first published then; revised now"
    page = client.get(f"/consultations/{consultation.id}/interpretation").text
    day = local_datetime(current.revised_at, "yyyy-MM-dd")
    assert f"修订于{day}" in page and "25%配建" in page and NOTE in page
    assert f'href="/consultations/{consultation.id}/interpretation/versions/1"' in page
    earlier = client.get(f"/consultations/{consultation.id}/interpretation/versions/1").text
    assert "20%配建" in earlier and 'id="earlier-version"' in earlier and "25%配建" not in earlier
    assert client.get(f"/consultations/{consultation.id}/interpretation/versions/2").status_code == 404
    new_picture = current.images[0].id
    for picture in (old_picture, new_picture):  # the revision's picture is a copy: both versions show theirs
        shown = client.get(f"/consultations/{consultation.id}/interpretation/images/{picture}")
        assert shown.status_code == 200 and shown.mimetype == "image/png"
        shown.close()
    actions = set(db.session.scalars(db.select(AuditEvent.action)))
    assert {"consultation.interpretation_revision_start", "consultation.interpretation_revise"} <= actions
    assert runner.invoke(args=["integrity", "check"]).exit_code == 0, "the new version and the old one are sealed"


def test_search_the_feed_and_the_api_see_the_revised_text(client, auth, department):
    consultation, editor, approver = _published(department)
    _revise_through_the_pages(client, auth, consultation, editor, approver)
    search = client.get("/search", query_string={"q": "早晚巡检", "kind": "interpretation"}, headers=EN).text
    assert f'<h3><a href="/consultations/{consultation.id}/interpretation">' in search
    old = client.get("/search", query_string={"q": "每日巡查", "kind": "interpretation"}, headers=EN).text
    assert not re.search(r'<h3><a href="/consultations/\d+/interpretation">', old)
    _feed, entries = parse_feed(client.get("/consultations/interpretations/feed.atom"))
    current = db.session.scalar(db.select(Interpretation).where(Interpretation.version == 2))
    assert entries[0]["summary"].startswith(f"修订于{local_datetime(current.revised_at, 'yyyy-MM-dd')}: {NOTE}")
    assert entries[0]["updated"].startswith(current.revised_at.strftime("%Y-%m-%dT%H:%M"))
    api = client.get(f"/api/v1/consultations/{consultation.id}/interpretation").get_json()
    assert api["version"] == 2 and api["revision_note"] == NOTE and "25%" in api["key_measures"]
    assert api["earlier_versions"][0]["url"].endswith(f"/consultations/{consultation.id}/interpretation/versions/1")


def test_a_revision_says_what_changed_changes_something_and_is_not_approved_by_its_author(app, department):
    consultation, editor, approver = _published(department)
    revision = services.start_revision(consultation, editor)
    with pytest.raises(WorkflowError) as in_progress:
        services.start_revision(consultation, editor)
    assert in_progress.value.problems == ["revision_in_progress"]
    with pytest.raises(WorkflowError) as refused:
        services.submit(revision, editor)
    assert refused.value.problems == ["revision_note_missing", "revision_unchanged"]
    services.save_interpretation(consultation, editor, {"key_measures": NEW_MEASURES, "revision_note": NOTE})
    services.submit(revision, editor)
    with pytest.raises(WorkflowError) as same:
        services.approve(revision, editor)
    assert same.value.problems == ["same_person"]
    services.return_to_author(revision, approver, "请补充调整依据。")
    assert revision.status is InterpretationStatus.RETURNED
    assert db.session.scalar(
        db.select(Interpretation.status).where(Interpretation.version == 1)
    ) is InterpretationStatus.PUBLISHED  # fmt: skip


def test_a_revision_is_discarded_with_its_pictures_and_the_published_one_is_untouched(client, auth, department):
    consultation, editor, _approver = _published(department)
    revision = services.start_revision(consultation, editor)
    copied = revision.images[0].stored_name
    db.session.commit()
    auth.login(editor.email)
    overview = client.get(f"/manage/consultations/{consultation.id}/decision", headers=EN).text
    assert 'id="revision-state"' in overview and "The public reads version 1" in overview
    assert client.post(f"/manage/consultations/{consultation.id}/interpretation/discard").status_code == 303
    assert [row.version for row in db.session.scalars(db.select(Interpretation))] == [1]
    assert not uploads.path_of(copied).exists()
    assert client.get(f"/consultations/{consultation.id}/interpretation").status_code == 200
    first = db.session.scalar(db.select(Interpretation))
    with pytest.raises(WorkflowError) as refused:
        services.discard_revision(first, editor)
    assert refused.value.problems == ["not_a_revision"]


def test_a_revision_in_progress_does_not_make_the_decision_due_again(app, department):
    consultation, editor, _approver = _published(department)
    services.start_revision(consultation, editor)
    db.session.commit()
    assert deadline.decision_due({department.id}) == []


def test_a_rewritten_earlier_version_is_not_served(client, auth, department):
    consultation, editor, approver = _published(department)
    _revise_through_the_pages(client, auth, consultation, editor, approver)
    db.session.execute(text("UPDATE policy_interpretations SET background = '360体育投注' WHERE version = 1"))
    db.session.commit()
    assert client.get(f"/consultations/{consultation.id}/interpretation/versions/1").status_code == 503
    page = client.get(f"/consultations/{consultation.id}/interpretation")
    assert page.status_code == 200 and "/interpretation/versions/1" not in page.text, "left out of the list"
