"""After the decision, in a real browser: an editor (desktop) prepares the decided document and writes the 解读
with a figure and a picture and submits both, an approver (phone) reviews and publishes the document then the 解读,
and a resident follows the chain draft ↔ feedback ↔ decided document ↔ 解读 from the home page on a phone and a
desktop."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from consultation.decision.models import DecidedDocument, Interpretation, InterpretationStatus
from core.db import utcnow
from core.extensions import db
from core.models import Role
from tests.consultation.test_decision import DOC_TITLE, PARTS, decided, png_bytes
from tests.factories import DEFAULT_PASSWORD, make_department, make_user


def _log_in(page, base_url: str, email: str) -> None:
    page.goto(base_url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/manage/")


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], page.url


def _editor_publishes_and_writes(page, base: str, consultation_id: int, shot) -> None:
    item = page.locator(f"#dashboard-decision-due li[data-consultation='{consultation_id}']")
    assert item.locator(".badge.warn").count() == 1, "45 days after the decision it is overdue"
    shot(page, "editor-dashboard")
    item.locator("a").click()
    # The click only starts the navigation: wait for the decision page before reading it.
    expect(page.locator("#decision-due.warn")).to_have_count(1)
    page.fill("#number", "东政发〔2026〕8号")
    page.fill("#title", DOC_TITLE)
    page.fill("#url", "https://www.dongzhou.gov.cn/zwgk/2026/8.html")
    page.click("#submit-document")
    page.wait_for_selector(".flash-success")
    expect(page.locator("#document-state")).to_have_text("审核中")
    page.click("#write-interpretation")
    for name in ("background", "goals", "key_measures", "changes"):
        page.fill(f"#{name}", PARTS[name])
    page.click("#interpretation-form button[type=submit]")
    page.wait_for_selector(".flash-success")
    page.click("#add-figure")
    page.fill("#title", "充电设施配建比例")
    page.fill("#unit", "%")
    page.fill("#series_1", "征求意见稿")
    page.fill("#series_2", "正式文件")
    for row, (label, draft, final) in enumerate((("新建小区", "15", "20"), ("既有小区", "5", "8"))):
        page.fill(f"#rows-{row}-label", label)
        page.fill(f"#rows-{row}-value_1", draft)
        page.fill(f"#rows-{row}-value_2", final)
    shot(page, "editor-figure-table")
    page.click("#figure-form button[type=submit]")
    page.wait_for_selector(".flash-success")
    page.set_input_files(
        "#pictures-editor input[type=file]", {"name": "图解.png", "mimeType": "image/png", "buffer": png_bytes()}
    )
    page.fill("#alt", "全区充电设施分布示意图")
    page.click("#pictures-editor button[type=submit]")
    page.wait_for_selector(".flash-success")
    assert page.locator("#figures-editor svg").count() == 1
    shot(page, "editor-interpretation")
    page.click("form[action$='/interpretation/submit'] button")
    page.wait_for_selector(".flash-success")
    shot(page, "editor-submitted")


def _approver_publishes_the_document(phone, consultation_id: int, approver_id: int, shot) -> None:
    """On a phone, from the dashboard: what the editor prepared, read and approved; then it is public."""
    phone.click(f"#dashboard-document-review li[data-consultation='{consultation_id}'] a")
    expect(phone.locator("#prepared-number")).to_have_text("东政发〔2026〕8号")
    expect(phone.locator("#review-form button[value=approve]")).to_be_visible()
    _fits(phone)
    shot(phone, "approver-document-review")
    phone.click("#review-form button[value=approve]")
    phone.wait_for_selector(".flash-success")
    expect(phone.locator("#published-document")).to_contain_text("东政发〔2026〕8号")
    _fits(phone)
    shot(phone, "approver-document-published")
    db.session.expire_all()
    assert db.session.get(DecidedDocument, consultation_id).published_by_id == approver_id


def test_editor_approver_and_resident_carry_the_decision_through(live_server, desktop, phone, shot):
    department = make_department(name="区住建局")
    consultation = decided(department, concluded_at=utcnow() - timedelta(days=45))
    editor = make_user(Role.EDITOR, department)
    approver = make_user(Role.APPROVER, department)
    db.session.commit()
    base = live_server.url

    _log_in(desktop, base, editor.email)
    _editor_publishes_and_writes(desktop, base, consultation.id, shot)

    _log_in(phone, base, approver.email)
    _approver_publishes_the_document(phone, consultation.id, approver.id, shot)
    phone.goto(base + "/manage/")
    phone.click("#dashboard-interpretation-review a")
    expect(phone.locator("article.preview svg")).to_have_count(1)
    expect(phone.locator("article.preview img")).to_have_count(1)
    _fits(phone)
    shot(phone, "approver-review")
    phone.click("button[value=approve]")
    phone.wait_for_selector(".flash-success")
    db.session.expire_all()
    assert db.session.scalar(db.select(Interpretation)).status is InterpretationStatus.PUBLISHED

    for page, device in ((phone, "phone"), (desktop, "desktop")):
        page.context.clear_cookies()  # a resident, not signed in
        page.goto(base + "/")
        page.click(f"#home-interpretations a[href='/consultations/{consultation.id}/interpretation']")
        page.wait_for_url(f"**/consultations/{consultation.id}/interpretation")
        expect(page.locator("figure.decision-figure svg")).to_be_visible()
        assert page.locator("table.figure-table td").first.inner_text() == "15"
        assert "139****5566" in page.inner_text("main") and "13904135566" not in page.content()
        _fits(page)
        shot(page, f"resident-interpretation-{device}")
        page.click("#policy-chain a[href$='/decided-document']")
        page.wait_for_url("**/decided-document")
        assert "东政发〔2026〕8号" in page.inner_text("#document-number")
        _fits(page)
        shot(page, f"resident-document-{device}")
        page.click("#policy-chain a[href$='/feedback']")
        page.wait_for_url("**/feedback")
        _fits(page)
        page.click("#policy-chain a[href$='/interpretation']")
        page.wait_for_url("**/interpretation")
        page.click(f"#policy-chain a[href='/consultations/{consultation.id}']")
        page.wait_for_url(f"**/consultations/{consultation.id}")
        assert page.locator("#policy-chain [aria-current=page]").inner_text() == "征求意见稿"
        _fits(page)
        shot(page, f"resident-draft-{device}")
