"""Consultations in a real browser: a resident comments from a phone; an editor imports a draft; an approver approves.

Selectors use ids, names and addresses rather than button text, so the tests hold in both languages.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from consultation.models import Comment, Consultation, ConsultationStatus
from core.extensions import db
from core.models import Role
from tests.consultation.conftest import (  # the fixture is imported so this directory can use it
    STATUTE_DRAFT,
    days_from_now,
    known_holiday_calendars,  # noqa: F401
    last_day_from_today,
    make_consultation,
)
from tests.consultation.docx_builder import paragraphs_to_docx
from tests.factories import DEFAULT_PASSWORD, make_department, make_user

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")


def _fits(page) -> None:
    page.wait_for_load_state("domcontentloaded")  # a click may have just started loading the next page
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def _fill_comment(page, content: str) -> None:
    page.fill("#content", content)
    page.fill("#author_name", "张晓明")
    page.fill("#phone", "139 1234 5678")
    page.check("#privacy_ack")


def test_a_resident_on_a_phone_comments_on_the_third_article_and_looks_up_the_receipt(live_server, phone, shot):
    consultation = make_consultation(make_department(name="区住建局"))
    db.session.commit()
    phone.goto(live_server.url + "/consultations/")
    phone.click(f"a[href='/consultations/{consultation.id}']")
    phone.wait_for_url(f"**/consultations/{consultation.id}")
    _fits(phone)
    shot(phone, "notice")
    phone.click("#unit-a3 a[href*='unit=a3']")
    assert phone.input_value("#unit_key") == "a3"
    _fill_comment(phone, "建议改为每日两次巡查，夜间尤其要加强。")
    _fits(phone)
    shot(phone, "form")
    phone.click("form.comment-form button[type=submit]")
    receipt = phone.inner_text(".receipt-number").strip()
    shot(phone, "receipt")
    with live_server.app.app_context():
        stored = db.session.scalar(db.select(Comment))
        assert (stored.receipt_number, stored.unit_key) == (receipt, "a3")

    phone.goto(live_server.url + "/consultations/receipt")
    phone.fill("#receipt", receipt.lower())
    phone.fill("#contact", "13912345678")
    phone.click("main form button[type=submit]")
    assert phone.inner_text(".receipt-number").strip() == receipt
    expect(phone.locator(".lookup-status")).to_be_visible()
    assert "13912345678" not in phone.content()
    shot(phone, "lookup")


def test_two_residents_comment_through_the_same_cached_form_and_each_gets_a_receipt(live_server, phone, desktop, shot):
    consultation = make_consultation(make_department(name="区住建局"))
    db.session.commit()
    form_address = f"{live_server.url}/consultations/{consultation.id}/comment?unit=a2"
    # Both open the form within the cache period: the second gets the first's rendering with its own tokens.
    for page in (phone, desktop):
        page.goto(form_address)
    keys = [page.input_value("input[name=submission_key]") for page in (phone, desktop)]
    assert keys[0] != keys[1]
    receipts = []
    for number, page in enumerate((phone, desktop)):
        _fill_comment(page, f"第二条的适用范围建议包括商住楼，第{number + 1}位居民。")
        page.click("form.comment-form button[type=submit]")
        receipts.append(page.inner_text(".receipt-number").strip())
    shot(phone, "receipt")
    shot(desktop, "receipt")
    with live_server.app.app_context():
        stored = db.session.scalars(db.select(Comment.receipt_number).order_by(Comment.id)).all()
    assert stored == receipts and len(set(receipts)) == 2


def test_a_form_error_keeps_what_the_resident_typed(live_server, phone, shot):
    consultation = make_consultation(make_department())
    db.session.commit()
    phone.goto(f"{live_server.url}/consultations/{consultation.id}/comment")
    phone.fill("#content", "这是一条很长的意见，写了很久。")
    phone.fill("#author_name", "李四")
    phone.click("form.comment-form button[type=submit]")  # the privacy notice is not acknowledged
    expect(phone.locator(".error-summary")).to_be_visible()
    assert phone.input_value("#content") == "这是一条很长的意见，写了很久。"
    assert phone.input_value("#author_name") == "李四"
    shot(phone, "error")
    phone.check("#privacy_ack")
    phone.click("form.comment-form button[type=submit]")
    expect(phone.locator(".receipt-number")).to_be_visible()


def _log_in(page, base_url: str, email: str) -> None:
    page.goto(base_url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/manage/")


def test_an_editor_imports_a_docx_fixes_the_split_and_an_approver_approves(live_server, desktop, shot, tmp_path):
    department = make_department(name="区住建局")
    editor = make_user(Role.EDITOR, department, email="editor@example.cn")
    approver = make_user(Role.APPROVER, department, email="approver@example.cn")
    consultation = make_consultation(
        department,
        status=ConsultationStatus.DRAFT,
        draft="",
        created_by=editor,
        start_at=days_from_now(2),
        end_at=last_day_from_today(45),
    )
    db.session.commit()
    docx_path: Path = tmp_path / "办法.docx"
    docx_path.write_bytes(paragraphs_to_docx(STATUTE_DRAFT.split("\n\n")))

    _log_in(desktop, live_server.url, editor.email)
    desktop.goto(f"{live_server.url}/manage/consultations/{consultation.id}/draft")
    desktop.set_input_files("#file", str(docx_path))
    desktop.click("main form button[type=submit]")
    desktop.wait_for_selector("fieldset.unit-edit")  # count() does not wait for the page
    assert desktop.locator("fieldset.unit-edit").count() == 4
    desktop.fill("#edit-a3 textarea", "物业服务企业应当每日两次巡查充电场所。")
    shot(desktop, "split")
    desktop.click("form.unit-editor button[value=save]")
    desktop.wait_for_url(f"**/manage/consultations/{consultation.id}")
    desktop.click(f"form[action$='/{consultation.id}/submit'] button")
    desktop.get_by_role("button", name="退出登录").click()

    _log_in(desktop, live_server.url, approver.email)
    desktop.click(f"a[href$='/manage/consultations/{consultation.id}/review']")
    desktop.check("input[name=secrecy_result][value=cleared]")
    desktop.check("input[name=decision][value=approve]")
    shot(desktop, "review")
    desktop.click("main form button[type=submit]")
    desktop.wait_for_url(f"**/manage/consultations/{consultation.id}")
    shot(desktop, "approved")
    with live_server.app.app_context():
        saved = db.session.get(Consultation, consultation.id)
        assert saved.status is ConsultationStatus.SCHEDULED
        assert [u.text for u in saved.units if u.key == "a3"] == ["物业服务企业应当每日两次巡查充电场所。"]


def test_an_editor_records_that_a_draft_was_withdrawn_and_a_resident_reads_it_on_a_phone(
    live_server, desktop, phone, shot
):
    department = make_department(name="区住建局")
    make_user(Role.EDITOR, department, email="editor@example.cn")
    consultation = make_consultation(department, phase="closed", status=ConsultationStatus.FEEDBACK_PUBLISHED)
    db.session.commit()
    _log_in(desktop, live_server.url, "editor@example.cn")
    desktop.goto(f"{live_server.url}/manage/consultations/{consultation.id}")
    desktop.click("#outcome-link")
    desktop.select_option("#outcome", "withdrawn")
    desktop.click("main form button[type=submit]")  # no note yet: refused, the choice kept
    expect(desktop.locator(".error-summary")).to_be_visible()
    assert desktop.input_value("#outcome") == "withdrawn"
    desktop.fill("#note", "因上位法正在修订，本办法暂缓出台。")
    shot(desktop, "outcome-form")
    desktop.click("main form button[type=submit]")
    desktop.wait_for_url(f"**/manage/consultations/{consultation.id}")

    phone.goto(f"{live_server.url}/consultations/{consultation.id}")
    expect(phone.locator("#outcome")).to_contain_text("因上位法正在修订，本办法暂缓出台。")
    _fits(phone)
    shot(phone, "public-outcome")
