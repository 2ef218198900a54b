"""The summary and the legality review in a real browser: an editor downloads the summary and the packet, the gate
refuses with its reasons and then accepts, a reviewer verifies a summary by code and by upload and sees one that
was edited after issue flagged."""

from __future__ import annotations

import json
import zipfile

import pytest
from playwright.sync_api import expect

from consultation.handling import feedback
from consultation.legality import gate as legality
from consultation.models import Adoption
from core.extensions import db
from core.models import Role
from tests.consultation.conftest import known_holiday_calendars  # noqa: F401
from tests.consultation.summary_helpers import MAIN_CHANGES, docx_text, handled_consultation
from tests.factories import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")


def _log_in(page, base_url: str, email: str) -> None:
    page.goto(base_url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/manage/")


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def _save(page, selector: str, folder) -> bytes:
    with page.expect_download() as info:
        page.click(selector)
    download = info.value
    path = folder / download.suggested_filename
    download.save_as(path)
    return path.read_bytes()


def test_an_editor_downloads_the_summary_and_the_packet(live_server, desktop, shot, tmp_path):
    handled = handled_consultation()
    db.session.commit()
    _log_in(desktop, live_server.url, handled.editor.email)
    desktop.goto(live_server.url + f"/manage/consultations/{handled.consultation.id}")
    expect(desktop.locator("#legality-checklist .check-item.ok")).to_have_count(7)  # late letters answered too
    desktop.click("#summary-link")
    shot(desktop, "summary-page")
    word = _save(desktop, "ul[data-version=internal] a[data-format=docx]", tmp_path)
    assert "张晓明" in docx_text(word) and "公开征求意见情况的说明" in docx_text(word)
    packet = tmp_path / "packet.zip"
    packet.write_bytes(_save(desktop, "#packet-link", tmp_path))
    with zipfile.ZipFile(packet) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert len(manifest["files"]) == 6 and "清单.txt" in archive.namelist()


def test_the_gate_refuses_with_reasons_and_then_accepts(live_server, phone, shot):
    handled = handled_consultation(publish=False)
    db.session.commit()
    _log_in(phone, live_server.url, handled.editor.email)
    phone.goto(live_server.url + f"/manage/consultations/{handled.consultation.id}/summary")
    expect(phone.locator("#legality-checklist .check-item.missing")).to_have_count(1)
    phone.locator("form[action$='/legality/submit'] button").click()
    expect(phone.locator(".flash-error")).to_have_count(1)  # the one unmet condition: the feedback
    shot(phone, "refused")
    _fits(phone)
    db.session.expire_all()
    feedback.publish(handled.consultation, MAIN_CHANGES, handled.editor)
    db.session.commit()
    phone.reload()
    expect(phone.locator("#legality-checklist .check-item.missing")).to_have_count(0)
    phone.locator("form[action$='/legality/submit'] button").click()
    expect(phone.locator(".flash-success")).to_have_count(1)
    expect(phone.locator(".review-state .badge")).to_be_visible()
    shot(phone, "submitted")


def test_a_reviewer_verifies_a_summary_by_code_and_by_upload_and_sees_an_edited_one_flagged(
    live_server, desktop, shot, tmp_path
):
    handled = handled_consultation()
    legality.submit(handled.consultation, handled.editor)
    reviewer = make_user(Role.REVIEWER)
    db.session.commit()
    _log_in(desktop, live_server.url, reviewer.email)
    desktop.goto(live_server.url + "/manage/review/")
    desktop.click(f"#review-{handled.consultation.id} h2 a")
    shot(desktop, "review-item")
    word = tmp_path / "summary.docx"
    word.write_bytes(_save(desktop, "ul[data-version=internal] a[data-format=docx]", tmp_path))
    code = docx_text(word.read_bytes()).split("验证码：", 1)[1].split()[0]
    desktop.goto(live_server.url + "/verify")
    desktop.fill("#code", code)
    desktop.locator("main form button[type=submit]").click()
    expect(desktop.locator(".verify-result .flash-success")).to_have_count(2)  # authentic, and current
    expect(desktop.locator(".verify-result .error-summary")).to_have_count(0)
    desktop.goto(live_server.url + "/verify")
    desktop.set_input_files("#document", str(word))
    desktop.locator("main form button[type=submit]").click()
    expect(desktop.locator(".verify-result .flash-success").first).to_be_visible()
    shot(desktop, "verified-upload")
    # The department changes an answer after the summary was issued: /verify now says so.
    db.session.expire_all()
    handled.named.adoption, handled.named.answer_reason = Adoption.NOT_ADOPTED, "经研究不予采纳。"
    db.session.commit()
    desktop.goto(live_server.url + f"/verify?code={code.replace('-', '')}")
    expect(desktop.locator(".verify-result .error-summary")).to_be_visible()
    shot(desktop, "changed-after-issue")
    desktop.goto(live_server.url + f"/manage/review/{handled.consultation.id}")
    desktop.click("form[action$='/received'] button")
    expect(desktop.locator(".flash-success")).to_have_count(1)
    expect(desktop.locator("#consultation-history")).to_contain_text(reviewer.email)


def test_an_editor_records_procedures_a_forum_and_a_hotline_call_and_the_summary_reports_them(
    live_server, desktop, phone, shot, tmp_path
):
    from consultation.comments import moderation
    from consultation.handling import answers
    from consultation.models import Channel, Comment

    handled = handled_consultation(publish=False)
    consultation = handled.consultation
    db.session.commit()
    _log_in(desktop, live_server.url, handled.editor.email)
    desktop.goto(live_server.url + f"/manage/consultations/{consultation.id}")
    expect(desktop.locator("#procedures-missing")).to_be_visible()  # a major decision lacks 专家论证 and others
    desktop.click("#participation-link")
    # 专家论证 done on a date, with its report; 听证 not required, with the reason.
    desktop.select_option("#procedure", "expert_review")
    desktop.check("input[name=state][value=done]")
    desktop.fill("#done_on", "2026-10-09")
    desktop.fill("#note", "五名专家论证，认为总体可行。")
    desktop.fill("#reference", "专家论证报告.pdf")
    desktop.click("#procedure-form button[type=submit]")
    desktop.wait_for_selector(".flash-success")
    desktop.select_option("#procedure", "hearing")
    desktop.check("input[name=state][value=not_required]")
    desktop.fill("#note", "已召开座谈会听取意见，法律法规未要求听证。")
    desktop.click("#procedure-form button[type=submit]")
    desktop.wait_for_selector(".flash-success")
    expect(desktop.locator("#procedures-table tr[data-procedure=expert_review]")).to_contain_text("2026-10-09")
    # A residents' forum: date, place and number of people.
    desktop.select_option("#form", "forum")
    desktop.select_option("#party_kind", "resident")
    desktop.fill("#parties", "东洲社区居民代表")
    desktop.fill("#held_on", "2026-10-12")
    desktop.fill("#place", "东洲街道会议室")
    desktop.fill("#people", "12")
    desktop.fill("#opinions", "居民希望增加充电车棚。")
    desktop.click("#participation-form button[type=submit]")
    desktop.wait_for_selector(".flash-success")
    expect(desktop.locator("#participation-table")).to_contain_text("东洲街道会议室")
    shot(desktop, "procedures-and-meetings")
    # A 12345 hotline call, typed in like a letter.
    desktop.click("#record-call")
    desktop.select_option("#channel", "phone")
    desktop.fill("#received_on", "2026-10-15")
    desktop.fill("#author_name", "来电群众")
    desktop.fill("#content", "12345来电：建议明确充电桩收费标准。")
    desktop.click("main form button[type=submit]")
    desktop.wait_for_selector(".flash-success")
    with live_server.app.app_context():
        call = db.session.scalars(db.select(Comment).where(Comment.channel == Channel.PHONE)).one()
        moderation.approve([call], handled.moderator)
        reply = answers.AnswerInput(Adoption.OUT_OF_SCOPE, "收费标准由价格主管部门规定。")
        answers.answer(call.consultation, [call], reply, handled.editor)
        feedback.publish(call.consultation, MAIN_CHANGES, handled.editor)
        db.session.commit()
    desktop.goto(live_server.url + f"/manage/consultations/{consultation.id}/participation")
    expect(desktop.locator("#calls-count")).to_contain_text("1")
    desktop.goto(live_server.url + f"/manage/consultations/{consultation.id}/summary")
    text = docx_text(_save(desktop, "ul[data-version=public] a[data-format=docx]", tmp_path))
    assert "履行决策法定程序情况" in text and "专家论证 | 已履行 | 2026年10月9日" in text
    assert "座谈会 | 群众代表：东洲社区居民代表 | 2026年10月12日 | 东洲街道会议室 | 12人" in text
    assert "通过电话及12345政务服务便民热线收到意见1件" in text and "充电桩收费标准" in text
    # The same page on a phone: nothing wider than the screen.
    _log_in(phone, live_server.url, handled.editor.email)
    phone.goto(live_server.url + f"/manage/consultations/{consultation.id}/participation")
    _fits(phone)
    shot(phone, "procedures-phone")
