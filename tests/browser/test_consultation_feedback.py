"""Moderation, answers and feedback in a real browser: a moderator works a campaign, an editor answers a cluster
in bulk and imports a spreadsheet, a resident reads the feedback on a phone and finds no personal data."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from consultation.comments import moderation
from consultation.handling import answers, feedback
from consultation.models import Adoption, Comment, CommentDisplay, ModerationStatus
from core.extensions import db
from core.models import Role
from tests.consultation.conftest import known_holiday_calendars, make_consultation  # noqa: F401
from tests.consultation.handling_helpers import add_comment, campaign
from tests.factories import DEFAULT_PASSWORD, make_department, make_user

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")

SPAM = "360足球直播_365体育投注-平台官网，注册就送彩金，加微信 vx: bet365kf"
PERSONAL = "我家楼道堆满电动车，我的电话13904135566，身份证号210402196803150020，请尽快处理。"


def _log_in(page, base_url: str, email: str) -> None:
    page.goto(base_url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/manage/")


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_a_moderator_works_the_queue_on_a_campaign_of_near_duplicates(live_server, desktop, shot):
    consultation = make_consultation(make_department(), comment_display=CommentDisplay.APPROVED_MASKED)
    copies = campaign(consultation, 40)
    spam = add_comment(consultation, SPAM, name="推广员")
    moderator = make_user(Role.MODERATOR)
    db.session.commit()
    _log_in(desktop, live_server.url, moderator.email)
    desktop.click("a[href='/manage/moderation/']")
    desktop.wait_for_url("**/manage/moderation/")
    assert desktop.locator("mark.hl-word").count() >= 2
    shot(desktop, "queue")
    # Follow the cluster badge of a campaign copy, tick "every comment matching", approve them all at once.
    desktop.click(f"#comment-{copies[5].id} a.cluster")
    desktop.select_option("#action", "approve")
    desktop.check("#all_matching")
    desktop.click("#moderate-submit")
    desktop.wait_for_selector(".flash-success")
    shot(desktop, "campaign-approved")
    # The spam: filter by the gambling list, tick it, reject it as spam.
    desktop.goto(live_server.url + "/manage/moderation/?flag=sensitive:gambling")
    desktop.check(f"#comment-{spam.id} input[name=comment]")
    desktop.select_option("#action", "reject")
    desktop.select_option("#reason", "spam")
    desktop.click("#moderate-submit")
    desktop.wait_for_selector(".flash-success")
    with live_server.app.app_context():
        statuses = dict(db.session.execute(db.select(Comment.id, Comment.moderation_status)).all())
        assert {statuses[c.id] for c in copies} == {ModerationStatus.APPROVED}
        assert statuses[spam.id] is ModerationStatus.REJECTED
    desktop.goto(live_server.url + f"/consultations/{consultation.id}")
    assert "体育投注" not in desktop.content()


def test_an_editor_answers_a_cluster_in_bulk_and_imports_answers_from_the_spreadsheet(
    live_server, desktop, shot, tmp_path
):
    consultation = make_consultation(make_department(), phase="closed")
    copies = campaign(consultation, 25)
    singles = [
        add_comment(consultation, "施行日期建议推迟到明年一月一日。", name="李四", unit_key="a2"),
        add_comment(consultation, "第一条应补充消防条例的名称。", name="王五", unit_key="a1"),
    ]
    moderation.approve([*copies, *singles], make_user(Role.MODERATOR))
    editor = make_user(Role.EDITOR, consultation.department)
    db.session.commit()
    _log_in(desktop, live_server.url, editor.email)
    desktop.goto(live_server.url + f"/manage/consultations/{consultation.id}")
    desktop.click("#answers-link")
    desktop.check(f"input[name=cluster][value='{copies[0].cluster_id}']")
    desktop.check("input[name=adoption][value=not_adopted]")
    desktop.fill("#reason", "每日巡查是消防安全的最低要求，不宜放宽。")
    shot(desktop, "bulk-answer")
    desktop.click("#bulk-answer-submit")
    desktop.wait_for_selector(".flash-success")

    with desktop.expect_download() as download_info:
        desktop.click("details.spreadsheet summary")
        desktop.click("#export-answers")
    exported = tmp_path / "export.xlsx"
    download_info.value.save_as(exported)
    workbook = load_workbook(exported)
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("编号")].value == singles[0].receipt_number:
            row[header.index("采纳情况")].value = "部分采纳"
            row[header.index("理由")].value = "既有小区给予一年过渡期。"
        if row[header.index("编号")].value == singles[1].receipt_number:
            row[header.index("采纳情况")].value = "采纳"
            row[header.index("修改情况")].value = "第一条增加《辽宁省消防条例》。"
    path = tmp_path / "意见处理表.xlsx"
    workbook.save(path)
    desktop.set_input_files("#file", str(path))
    desktop.click("#import-form button[type=submit]")
    desktop.wait_for_selector(".flash-success")
    shot(desktop, "imported")
    with live_server.app.app_context():
        adoptions = dict(db.session.execute(db.select(Comment.id, Comment.adoption)).all())
        assert {adoptions[c.id] for c in copies} == {Adoption.NOT_ADOPTED}
        assert [adoptions[c.id] for c in singles] == [Adoption.PARTLY_ADOPTED, Adoption.ADOPTED]
    assert "0" in desktop.inner_text("#answer-progress strong")


def test_a_resident_reads_the_feedback_on_a_phone_and_finds_no_personal_data(live_server, phone, shot):
    consultation = make_consultation(make_department(name="区住建局"), phase="closed")
    copies = campaign(consultation, 15)
    personal = add_comment(consultation, PERSONAL, name="张晓祥", phone="13811112222", email="zhang@example.cn")
    spam = add_comment(consultation, SPAM, name="推广员")
    moderator, editor = make_user(Role.MODERATOR), make_user(Role.EDITOR, consultation.department)
    moderation.approve([*copies, personal], moderator)
    moderation.reject([spam], moderation.RejectionReason.SPAM, moderator)
    no = answers.AnswerInput(Adoption.NOT_ADOPTED, "每日巡查是消防安全的最低要求。")
    answers.answer(consultation, answers.cluster_members(consultation, copies[0].cluster_id), no, editor)
    answers.answer(consultation, [personal], answers.AnswerInput(Adoption.ADOPTED, "", "增加夜间巡查。"), editor)
    feedback.publish(consultation, "一、第三条增加夜间巡查要求。\n二、其余条款未作修改。", editor)
    db.session.commit()
    phone.goto(live_server.url + "/consultations/feedback")
    phone.click(f"a[href='/consultations/{consultation.id}/feedback']")
    phone.wait_for_url(f"**/consultations/{consultation.id}/feedback")
    phone.wait_for_load_state("load")
    _fits(phone)
    shot(phone, "feedback")
    text = phone.inner_text("main")
    for secret in ("13904135566", "210402196803150020", "13811112222", "zhang@example.cn", "张晓祥", "体育投注"):
        assert secret not in text
    assert "张*祥" in text and "139****5566" in text
    assert phone.inner_text("#count-received") == "17" and phone.inner_text("#count-valid") == "16"
    assert phone.locator(".feedback-table tbody tr").count() == 2  # the campaign once, and the one resident


def test_a_resident_on_a_phone_reads_every_published_comment_without_contacts(live_server, phone, shot):
    consultation = make_consultation(make_department(), comment_display=CommentDisplay.APPROVED_MASKED)
    comments = [
        add_comment(
            consultation, f"第{n}条建议：充电车棚第{n}号位置增设灭火器。电话1390413{n:04d}", name=f"王晓{n:02d}"
        )
        for n in range(25)
    ]
    moderation.approve(comments, make_user(Role.MODERATOR))
    db.session.commit()
    phone.goto(f"{live_server.url}/consultations/{consultation.id}")
    phone.click(f"a[href='/consultations/{consultation.id}/comments']")
    expect(phone.locator("ol.public-comments > li")).to_have_count(25)
    _fits(phone)
    shot(phone, "all-comments")
    text = phone.content()
    assert "1390413" not in text and "王晓" not in text  # masked names, no phones


def test_a_resident_reads_the_addendum_that_answers_a_late_letter(live_server, desktop, phone, shot):
    from consultation.models import Channel
    from tests.consultation.summary_helpers import handled_consultation

    handled = handled_consultation()
    consultation = handled.consultation
    db.session.commit()
    # The editor registers a letter that arrived after the feedback; the gate's checklist shows it.
    _log_in(desktop, live_server.url, handled.editor.email)
    desktop.goto(live_server.url + f"/manage/consultations/{consultation.id}/comments/new")
    desktop.select_option("#channel", Channel.LETTER.value)
    desktop.fill("#received_on", "2026-11-20")
    desktop.fill("#author_name", "赵建华")
    desktop.fill("#content", "来信：建议在小区出入口增设充电车棚。")
    desktop.click("main form button[type=submit]")
    desktop.wait_for_selector(".flash-success")
    expect(desktop.locator("#legality-checklist [data-check=late_comments_answered]")).to_have_class(
        "check-item missing"
    )
    desktop.click("#feedback-link")
    expect(desktop.locator("#late-comments")).to_contain_text("增设充电车棚")
    desktop.click("#late-comments a.answer-late")
    desktop.check("input[name=adoption][value=partly_adopted]")
    desktop.fill("#reason", "将在实施细则中统筹考虑车棚建设。")
    desktop.click("main form button[type=submit]")
    desktop.wait_for_selector(".flash-success")
    desktop.goto(live_server.url + f"/manage/consultations/{consultation.id}/feedback")
    desktop.fill("#note", "该信件于截止日前寄出，在结果反馈发布后收到。")
    desktop.click("#publish-addendum")
    desktop.wait_for_selector("#feedback-addenda")
    shot(desktop, "addendum-published")
    # A resident on a phone sees the addendum, the name masked.
    phone.goto(live_server.url + f"/consultations/{consultation.id}/feedback")
    addendum = phone.locator("#feedback-addenda")
    expect(addendum).to_contain_text("将在实施细则中统筹考虑车棚建设。")
    expect(addendum).to_contain_text("赵*华")
    assert "赵建华" not in phone.content()
    _fits(phone)
    shot(phone, "addendum-phone")
