"""The self-hosted captcha: solvable by picture or by question, refused when wrong, forged, old or reused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import render_template_string
from werkzeug.datastructures import MultiDict

from core.captcha import CaptchaForm, challenge_from_token, check_answer, new_challenge, purge_used
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


def test_question_answer_is_an_accessible_alternative(request_context) -> None:
    challenge = new_challenge()
    assert str(challenge.a) in challenge.question and str(challenge.b) in challenge.question
    assert check_answer(challenge.token, str(challenge.a + challenge.b)) is None


def test_full_width_digits_from_a_chinese_keyboard_count(request_context) -> None:
    challenge = new_challenge()
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in str(challenge.a + challenge.b))
    assert check_answer(challenge.token, full_width) is None


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
    assert 'for="captcha_answer"' in html and "加" in html


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
