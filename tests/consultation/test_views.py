"""The public pages: lists, the notice with its draft unit by unit, rounds, and what is never shown."""

from __future__ import annotations

import pytest

from consultation.comments import commenting, moderation
from consultation.comments.commenting import CommentInput
from consultation.drafting import services
from consultation.models import ConsultationStatus, RespondentType
from core.extensions import db
from core.models import Role
from tests.consultation.conftest import days_from_now, last_day_from_today, make_consultation
from tests.factories import make_department, make_user

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")
EN = {"Accept-Language": "en"}


def test_the_list_separates_open_upcoming_and_closed_and_filters_by_department(client):
    housing, education = make_department(name="区住建局"), make_department(name="区教育局")
    make_consultation(housing, title="《开放中的办法》")
    make_consultation(housing, phase="upcoming", title="《即将开始的办法》")
    make_consultation(education, phase="closed", title="《已结束的办法》")
    make_consultation(housing, status=ConsultationStatus.DRAFT, title="《还在起草的办法》")
    db.session.commit()
    page = client.get("/consultations/").text
    open_part, _, rest = page.partition('id="upcoming"')
    upcoming_part, _, closed_part = rest.partition('id="closed"')
    assert "《开放中的办法》" in open_part
    assert "《即将开始的办法》" in upcoming_part
    assert "《已结束的办法》" in closed_part
    assert "《还在起草的办法》" not in page
    filtered = client.get(f"/consultations/?department={education.id}").text
    assert "《已结束的办法》" in filtered and "《开放中的办法》" not in filtered
    # The feedback list shows only consultations whose feedback is published (tests/consultation/test_feedback.py).
    assert "《已结束的办法》" not in client.get("/consultations/feedback").text


def test_an_unpublished_consultation_is_not_found(client):
    draft = make_consultation(make_department(), status=ConsultationStatus.IN_REVIEW)
    db.session.commit()
    assert client.get(f"/consultations/{draft.id}").status_code == 404


def test_the_notice_shows_each_unit_with_an_anchor_a_comment_link_and_its_count(client):
    consultation = make_consultation(make_department(), shortening_reason="上级要求限期出台")
    for n, unit_key in enumerate(["a3", "a3", None]):
        data = CommentInput(content="意见", respondent_type=RespondentType.INDIVIDUAL, author_name=f"居民{n}")
        data.unit_key = unit_key
        comment, _created = commenting.submit_online_comment(consultation, data, f"view-test-key-{n:08d}")
        moderation.approve([comment], make_user(Role.MODERATOR))  # the public counts approved comments
    db.session.commit()
    page = client.get(f"/consultations/{consultation.id}", headers=EN).text
    for key in ("a1", "a2", "a3"):
        assert f'id="unit-{key}"' in page
        assert f"/consultations/{consultation.id}/comment?unit={key}" in page
    article_three = page.split('id="unit-a3"')[1].split("</section>")[0]
    assert "2 comments" in article_three
    assert "1 comment on the whole draft" in page  # one comment, said in the singular
    assert "上级要求限期出台" in page
    assert "024-56620078" in page  # the office phone residents may call


def test_markdown_in_the_explanation_is_rendered_and_script_is_not(client):
    consultation = make_consultation(make_department(), explanation="**重点**\n\n<script>alert(1)</script>")
    db.session.commit()
    page = client.get(f"/consultations/{consultation.id}").text
    assert "<strong>重点</strong>" in page
    assert "<script>alert(1)" not in page


def test_commenters_contact_data_never_reaches_the_public_page(client):
    consultation = make_consultation(make_department())
    data = CommentInput(
        content="意见", respondent_type=RespondentType.INDIVIDUAL, author_name="李四", phone="13900001111",
        email="lisi@example.cn",
    )  # fmt: skip
    commenting.submit_online_comment(consultation, data, "contact-data-key-0001")
    db.session.commit()
    page = client.get(f"/consultations/{consultation.id}").text
    assert "13900001111" not in page and "lisi@example.cn" not in page


def test_a_new_round_shows_what_changed_and_keeps_comments_on_their_round(client):
    department = make_department()
    editor = make_user(Role.EDITOR, department)
    first = make_consultation(department, phase="closed")
    data = CommentInput(
        content="第三条太严", respondent_type=RespondentType.INDIVIDUAL, author_name="王五", unit_key="a3"
    )
    first_comment, _ = commenting.submit_online_comment(
        first, data, "round-one-key-000001", now=first.start_at + (first.end_at - first.start_at) / 2
    )
    second = services.start_new_round(first, editor)
    db.session.flush()
    second.units[-1].text = "物业服务企业应当每周巡查充电场所。"
    second.status = ConsultationStatus.SCHEDULED
    second.start_at, second.end_at = days_from_now(-1), last_day_from_today(40)
    db.session.commit()
    page = client.get(f"/consultations/{second.id}", headers=EN).text
    assert "What changed since round 1" in page
    assert "<del>日</del><ins>周</ins>" in page
    assert commenting.unit_comment_counts(second) == {}
    assert commenting.unit_comment_counts(first) == {"a3": 1}
    assert first_comment.consultation_id == first.id
    assert "A revised draft is out for comment" in client.get(f"/consultations/{first.id}", headers=EN).text


def test_the_home_page_lists_open_consultations_with_days_left(client):
    make_consultation(make_department(), title="《首页展示的办法》")
    db.session.commit()
    page = client.get("/", headers=EN).text
    assert "《首页展示的办法》" in page and "days left" in page
