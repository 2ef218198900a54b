"""The self-hosted captcha: solvable by picture or by question, refused when wrong, forged, old or reused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import render_template_string
from flask_babel import refresh
from werkzeug.datastructures import MultiDict

from core.captcha import CaptchaForm, challenge_from_token, check_answer, new_challenge, purge_used
from core.captcha_questions import BANK
from core.extensions import db


@pytest.fixture
def request_context(app):
    app.config["CAPTCHA_ENABLED"] = True
    with app.test_request_context("/"):
        yield


def test_picture_code_solves_the_challenge_once(request_context) -> None:
    challenge = new_challenge()
    assert check_answer(challenge.token, challenge.code.lower()) is None
    assert "已使用" in check_answer(challenge.token, challenge.code)


def _challenge_asking(fragment: str):
    """A new challenge whose everyday question contains `fragment` (the bank is small: a few tries find one)."""
    for _ in range(500):
        challenge = new_challenge()
        if fragment in challenge.question:
            return challenge
    raise AssertionError(f"no question with {fragment!r}")


def test_everyday_question_is_an_alternative_needing_no_sight_or_sums(request_context) -> None:
    challenge = _challenge_asking("一年有几个月")
    assert "加" not in challenge.question and "+" not in challenge.question
    assert check_answer(challenge.token, "十二") is None
    challenge = _challenge_asking("太阳从哪个方向升起")
    assert check_answer(challenge.token, " 东边。") is None  # spaces and the full stop a phone adds are ignored
    assert "不正确" in check_answer(_challenge_asking("太阳从哪个方向升起").token, "西")


def test_every_question_is_asked_and_translated(app) -> None:
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        refresh()  # the locale is kept per application context, which the test's app fixture shares
        english = {new_challenge().question for _ in range(400)}
    with app.test_request_context("/"):
        refresh()
        chinese = {new_challenge().question for _ in range(400)}
    assert len(english) == len(chinese) == len(BANK)
    assert all(question.isascii() for question in english)
    assert not any(question.isascii() for question in chinese)


def test_english_answer_and_full_width_digits_count(request_context) -> None:
    challenge = _challenge_asking("一年有几个月")
    assert check_answer(challenge.token, "Twelve") is None
    challenge = _challenge_asking("一年有几个月")
    assert check_answer(challenge.token, "１２") is None  # full-width digits from a Chinese keyboard


def test_wrong_forged_and_expired_answers_are_refused(request_context, app) -> None:
    challenge = new_challenge()
    assert "不正确" in check_answer(challenge.token, "WRONG")
    assert "无效" in check_answer(challenge.token[:-2] + "xx", challenge.code)
    app.config["CAPTCHA_MAX_AGE"] = timedelta(seconds=-1)
    assert "过期" in check_answer(challenge.token, challenge.code)


def test_token_does_not_reveal_the_answer(request_context) -> None:
    challenge = new_challenge()
    assert challenge.code not in challenge.token
    assert challenge_from_token(challenge.token).code == challenge.code


def test_captcha_form_validates_and_can_be_switched_off(request_context, app) -> None:
    challenge = new_challenge()
    form = CaptchaForm(MultiDict({"captcha_token": challenge.token, "captcha_answer": "nope"}), meta={"csrf": False})
    assert not form.validate()
    assert form.captcha_answer.errors
    app.config["CAPTCHA_ENABLED"] = False
    form = CaptchaForm(MultiDict({}), meta={"csrf": False})
    assert form.validate()


def test_rendered_field_has_picture_question_and_label(request_context) -> None:
    form = CaptchaForm(meta={"csrf": False})
    html = render_template_string('{% from "_captcha.html" import captcha_field %}{{ captcha_field(form) }}', form=form)
    assert '<img class="captcha-image" src="/captcha/' in html
    assert 'for="captcha_answer"' in html and "？" in html and "（必填）" in html


def test_picture_is_served_as_png_and_forged_token_is_404(client, app) -> None:
    with app.test_request_context("/"):
        token = new_challenge().token
    response = client.get(f"/captcha/{token}.png")
    assert response.status_code == 200 and response.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/captcha/forged.png").status_code == 404


def test_old_used_nonces_are_purged(request_context) -> None:
    challenge = new_challenge()
    check_answer(challenge.token, challenge.code)
    db.session.commit()
    assert purge_used(older_than=timedelta(seconds=-1)) == 1
