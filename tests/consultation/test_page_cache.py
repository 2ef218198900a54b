"""Public pages served from a worker's short-lived cache: shared by anonymous visitors, never their tokens."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from consultation.models import Comment
from core import page_cache
from core.captcha import challenge_from_token
from core.extensions import db
from tests.conftest import AuthActions, make_app
from tests.consultation.conftest import make_consultation
from tests.factories import make_department

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")

CACHE_SECONDS = 30
TITLE = "《东洲区住宅小区电动自行车充电管理办法（征求意见稿）》"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The cache's clock, stepped by the test: now[0] is the time in seconds."""
    now = [1000.0]
    monkeypatch.setattr(page_cache, "clock", lambda: now[0])
    return now


@pytest.fixture
def cached_app(app: Flask, test_config: dict, clock: list[float]) -> Flask:
    """The production set-up: pages cached, CSRF checked."""
    return make_app(test_config, PUBLIC_PAGE_CACHE_SECONDS=CACHE_SECONDS, WTF_CSRF_ENABLED=True)


@pytest.fixture
def consultation(app: Flask):
    consultation = make_consultation(make_department())
    db.session.commit()
    return consultation


def _csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def _submission_key(html: str) -> str:
    return re.search(r'name="submission_key"[^>]*value="([^"]+)"', html).group(1)


def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]+"', "", html)


def test_anonymous_visitors_share_one_rendering_each_with_a_token_of_their_own(cached_app, consultation, clock):
    first, second = cached_app.test_client(), cached_app.test_client()
    page_one = first.get(f"/consultations/{consultation.id}").text
    consultation.title = "《改过的标题》"
    db.session.commit()
    page_two = second.get(f"/consultations/{consultation.id}").text

    assert TITLE in page_two, "served from the cache, as rendered for the first visitor"
    assert _without_tokens(page_one) == _without_tokens(page_two)
    assert _csrf_token(page_one) != _csrf_token(page_two)
    assert "minyi-hole-" not in page_two
    # The language switch on the shared page works with each visitor's own token.
    switched = second.post("/language?next=/", data={"lang": "en", "csrf_token": _csrf_token(page_two)})
    assert switched.status_code == 302

    clock[0] += CACHE_SECONDS + 1
    assert "《改过的标题》" in second.get(f"/consultations/{consultation.id}").text


def test_each_language_has_its_own_rendering(cached_app, consultation):
    client = cached_app.test_client()
    chinese = client.get(f"/consultations/{consultation.id}").text
    english = client.get(f"/consultations/{consultation.id}", headers={"Accept-Language": "en"}).text
    assert 'lang="zh-CN"' in chinese and 'lang="en"' in english


def test_signed_in_staff_always_see_the_current_page(cached_app, consultation):
    cached_app.config["WTF_CSRF_ENABLED"] = False  # the login helper posts without a token
    anonymous, staff = cached_app.test_client(), cached_app.test_client()
    AuthActions(staff).login_as("moderator")
    anonymous.get(f"/consultations/{consultation.id}")
    consultation.title = "《改过的标题》"
    db.session.commit()
    assert "《改过的标题》" in staff.get(f"/consultations/{consultation.id}").text
    assert TITLE in anonymous.get(f"/consultations/{consultation.id}").text


def test_a_message_waiting_for_the_visitor_is_shown_not_a_cached_page(cached_app, consultation):
    client = cached_app.test_client()
    client.get(f"/consultations/{consultation.id}")
    with client.session_transaction() as session:
        session["_flashes"] = [("error", "请稍后再试")]
    assert "请稍后再试" in client.get(f"/consultations/{consultation.id}").text
    assert "请稍后再试" not in client.get(f"/consultations/{consultation.id}").text


def test_visitors_of_a_cached_comment_form_each_get_a_key_and_each_comment_is_stored(cached_app, consultation):
    residents = [cached_app.test_client() for _ in range(3)]
    forms = [resident.get(f"/consultations/{consultation.id}/comment?unit=a3").text for resident in residents]
    keys = [_submission_key(form) for form in forms]
    assert len(set(keys)) == 3
    assert all('<option selected value="a3">' in form or 'value="a3" selected' in form for form in forms)
    for number, (resident, form, key) in enumerate(zip(residents, forms, keys, strict=True)):
        response = resident.post(
            f"/consultations/{consultation.id}/comment",
            data={
                "csrf_token": _csrf_token(form),
                "submission_key": key,
                "unit_key": "a3",
                "author_name": f"居民{number}",
                "respondent_type": "individual",
                "content": f"第三条的巡查频次建议再明确一些，第{number}份意见。",
                "privacy_ack": "y",
            },
        )
        assert response.status_code == 303
    stored = db.session.scalars(db.select(Comment).where(Comment.consultation_id == consultation.id)).all()
    assert sorted(comment.idempotency_key for comment in stored) == sorted(keys)


def test_each_visitor_of_a_cached_form_gets_a_new_captcha_they_can_solve(cached_app, consultation):
    cached_app.config["CAPTCHA_ENABLED"] = True
    residents = [cached_app.test_client() for _ in range(2)]
    forms = [resident.get(f"/consultations/{consultation.id}/comment").text for resident in residents]
    tokens = [re.search(r'name="captcha_token"[^>]*value="([^"]+)"', form).group(1) for form in forms]
    assert tokens[0] != tokens[1]
    assert all('class="captcha-image"' in form for form in forms)
    response = residents[1].post(
        f"/consultations/{consultation.id}/comment",
        data={
            "csrf_token": _csrf_token(forms[1]),
            "submission_key": _submission_key(forms[1]),
            "captcha_token": tokens[1],
            "captcha_answer": challenge_from_token(tokens[1]).code,
            "unit_key": "",
            "author_name": "居民",
            "respondent_type": "individual",
            "content": "建议保留线下意见箱。",
            "privacy_ack": "y",
        },
    )
    assert response.status_code == 303


def test_a_comment_awaiting_moderation_is_counted_for_nobody_not_even_its_author(cached_app, consultation):
    resident, other = cached_app.test_client(), cached_app.test_client()
    page = resident.get(f"/consultations/{consultation.id}").text
    other.get(f"/consultations/{consultation.id}")
    form = resident.get(f"/consultations/{consultation.id}/comment").text
    response = resident.post(
        f"/consultations/{consultation.id}/comment",
        data={"csrf_token": _csrf_token(form), "submission_key": _submission_key(form), "unit_key": "",
              "author_name": "居民", "respondent_type": "individual", "content": "建议延长充电时段。",
              "privacy_ack": "y"},
    )  # fmt: skip
    assert response.status_code == 303
    comments = re.compile(r"<strong>(\d+)</strong> (?:comments|条意见)")
    assert comments.findall(page) == ["0"]
    # Public numbers count approved comments only: the author's page is fresh, and still shows 0.
    assert comments.findall(resident.get(f"/consultations/{consultation.id}").text) == ["0"]
    assert comments.findall(other.get(f"/consultations/{consultation.id}").text) == ["0"]


def test_a_crawler_walking_query_strings_cannot_grow_the_cache_past_its_bound(test_config, consultation, monkeypatch):
    probe = make_app(test_config, PUBLIC_PAGE_CACHE_SECONDS=CACHE_SECONDS)
    probe.test_client().get(f"/consultations/{consultation.id}")
    one_page = probe.extensions["minyi_page_cache"]._pages.currsize
    monkeypatch.setattr(page_cache, "_MAX_BYTES", 5 * one_page)
    small = make_app(test_config, PUBLIC_PAGE_CACHE_SECONDS=CACHE_SECONDS)
    client = small.test_client()
    for n in range(40):
        assert client.get(f"/consultations/{consultation.id}?x={n}").status_code == 200
    kept = small.extensions["minyi_page_cache"]._pages
    assert 0 < len(kept) <= 5 and kept.currsize <= 5 * one_page
