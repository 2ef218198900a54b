"""Revising a published 解读 in a real browser: an editor (desktop) starts a revision and submits it while the
public still reads the published version, an approver (phone) sees what changed and approves it, and a resident
(phone and desktop) reads the revised page with its "修订于" line and opens the earlier version."""

from __future__ import annotations

from playwright.sync_api import expect

from consultation.decision.models import Interpretation, InterpretationStatus
from core.extensions import db
from tests.browser.test_decision import _fits, _log_in
from tests.consultation.test_decision_revisions import NOTE, _published
from tests.factories import make_department

NEW_MEASURES = "## 主要措施\n\n- 新建小区按车位的25%配建充电设施\n- 物业早晚巡检"


def _editor_revises(page, base: str, consultation_id: int, shot) -> None:
    page.goto(f"{base}/manage/consultations/{consultation_id}/decision")
    expect(page.locator("#interpretation-state")).to_have_text("已发布")
    page.click("form[action$='/interpretation/revise'] button")
    page.wait_for_url(f"**/manage/consultations/{consultation_id}/interpretation")
    expect(page.locator("#revision-note-box")).to_be_visible()
    page.fill("#key_measures", NEW_MEASURES)
    page.fill("#revision_note", NOTE)
    shot(page, "editor-revision")
    page.click("#interpretation-form button[type=submit]")
    page.wait_for_selector(".flash-success")
    page.click("form[action$='/interpretation/submit'] button")
    page.wait_for_selector(".flash-success")
    expect(page.locator("#revision-state")).to_be_visible()
    shot(page, "editor-revision-submitted")
    # Signed in, the editor sees the public page uncached: still the published version while in review.
    page.goto(f"{base}/consultations/{consultation_id}/interpretation")
    assert "20%配建" in page.inner_text("main") and page.locator("#revised-on").count() == 0


def test_editor_revises_approver_approves_on_a_phone_resident_reads_the_revision(live_server, desktop, phone, shot):
    consultation, editor, approver = _published(make_department(name="区住建局"))
    db.session.commit()
    base = live_server.url

    _log_in(desktop, base, editor.email)
    _editor_revises(desktop, base, consultation.id, shot)

    _log_in(phone, base, approver.email)
    phone.click("#dashboard-interpretation-review a")
    expect(phone.locator("#revision-summary")).to_contain_text(NOTE)
    expect(phone.locator("#revision-summary")).to_contain_text("主要举措")  # the part it changes
    _fits(phone)
    shot(phone, "approver-revision-review")
    phone.click("button[value=approve]")
    phone.wait_for_selector(".flash-success")
    db.session.expire_all()
    statuses = db.session.scalars(db.select(Interpretation.status).order_by(Interpretation.version)).all()
    assert statuses == [InterpretationStatus.SUPERSEDED, InterpretationStatus.PUBLISHED]

    for page, device in ((phone, "phone"), (desktop, "desktop")):
        page.context.clear_cookies()  # a resident, not signed in
        page.goto(f"{base}/consultations/{consultation.id}/interpretation")
        expect(page.locator("#revised-on")).to_contain_text("修订于")
        main = page.inner_text("main")
        assert "25%配建" in main and "早晚巡检" in main and NOTE in main
        expect(page.locator("#revisions li")).to_have_count(2)
        _fits(page)
        shot(page, f"resident-revised-{device}")
        page.click(f"#revisions a[href='/consultations/{consultation.id}/interpretation/versions/1']")
        page.wait_for_url(f"**/consultations/{consultation.id}/interpretation/versions/1")
        expect(page.locator("#earlier-version")).to_be_visible()
        assert "20%配建" in page.inner_text("main") and "早晚巡检" not in page.inner_text("main")
        expect(page.locator("img[alt='充电设施分布示意图']")).to_be_visible()
        _fits(page)
        shot(page, f"resident-earlier-version-{device}")
