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
    expect(desktop.locator("#legality-checklist .check-item.ok")).to_have_count(6)
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
