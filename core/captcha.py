"""A self-hosted captcha that works without JavaScript and inside China, with an accessible alternative.

Each challenge is a signed token carrying only a random nonce. The picture's characters and an everyday
question (core/captcha_questions.py: "How many months are there in a year?") are derived from the nonce with an
HMAC, so nothing secret is in the page and any process or host can check an answer. A solved nonce is recorded
once, so one solution cannot be replayed. The resident may type either the characters in the picture or the answer
to the question, which a screen reader reads aloud and which needs neither sight nor arithmetic.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import abort, current_app, render_template_string, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import String, delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import HiddenField, StringField, ValidationError
from wtforms.validators import Length

from core import blueprints
from core.captcha_questions import BANK
from core.db import created_at, utcnow
from core.extensions import db
from core.routing import Routes

bp = Routes(blueprints.public)

# No 0/O, 1/I/L: the code must be easy to read on a phone.
ALPHABET = "2345678ABCDEFHJKMNPRSTUVWXY"
CODE_LENGTH = 5
_SALT = "minyi-captcha"


class CaptchaUse(db.Model):
    """A nonce whose challenge was solved; kept until the challenge would have expired anyway."""

    __tablename__ = "captcha_uses"

    nonce: Mapped[str] = mapped_column(String(32), primary_key=True)
    used_at: Mapped[created_at]


@dataclass(frozen=True)
class Challenge:
    token: str
    code: str
    question_index: int

    @property
    def image_url(self) -> str:
        return url_for("public.captcha_image", token=self.token)

    @property
    def question(self) -> str:
        return str(BANK[self.question_index].text)

    def accepts(self, given: str) -> bool:
        """The picture's characters, or an accepted answer to the question (normalised as `_normalise` does)."""
        answers = {_normalise(answer) for answer in BANK[self.question_index].answers}
        return hmac.compare_digest(given.encode(), self.code.encode()) or _strip_punctuation(given) in answers


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _derive(nonce: str) -> tuple[str, int]:
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), f"{_SALT}:{nonce}".encode(), hashlib.sha256).digest()
    code = "".join(ALPHABET[byte % len(ALPHABET)] for byte in digest[:CODE_LENGTH])
    return code, int.from_bytes(digest[CODE_LENGTH : CODE_LENGTH + 2], "big") % len(BANK)


def new_challenge() -> Challenge:
    nonce = secrets.token_hex(16)
    code, question_index = _derive(nonce)
    return Challenge(token=_serializer().dumps(nonce), code=code, question_index=question_index)


def challenge_from_token(token: str, max_age: timedelta | None = None) -> Challenge:
    """The challenge behind a token; raises BadSignature (or SignatureExpired) for a forged or old one."""
    age = max_age or current_app.config["CAPTCHA_MAX_AGE"]
    nonce = _serializer().loads(token, max_age=int(age.total_seconds()))
    code, question_index = _derive(nonce)
    return Challenge(token=token, code=code, question_index=question_index)


def _normalise(answer: str) -> str:
    # Full-width input from a Chinese IME counts the same as half-width.
    return "".join(answer.split()).translate({c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}).upper()


def _strip_punctuation(answer: str) -> str:
    # "红色。" or "Red!" answer the question as well as "红色" (a phone keyboard adds the full stop by itself).
    return "".join(char for char in answer if char.isalnum() or char == "-")


def check_answer(token: str, answer: str) -> str | None:
    """None when the answer solves the challenge (and the challenge is now used up), else the reason refused."""
    try:
        challenge = challenge_from_token(token)
    except SignatureExpired:
        return _("The verification code has expired. A new one is shown: please answer it.")
    except BadSignature:
        return _("The verification code is not valid. A new one is shown: please answer it.")
    if not challenge.accepts(_normalise(answer)):
        return _("The verification answer is not right. A new code is shown: please try again.")
    nonce = _serializer().loads(token)
    try:
        # Its own short transaction: the request's own writes come later, and SQLite's single writer lock must
        # not be held while the submission is screened. A refused submission still spends its challenge.
        with db.engine.begin() as connection:
            connection.execute(db.insert(CaptchaUse).values(nonce=nonce, used_at=utcnow()))
    except IntegrityError:
        return _("This verification code has already been used. A new one is shown: please answer it.")
    return None


def purge_used(older_than: timedelta | None = None) -> int:
    """Forget used nonces whose challenges have expired anyway (their tokens can no longer be checked)."""
    cutoff = utcnow() - (older_than or current_app.config["CAPTCHA_MAX_AGE"])
    result = db.session.execute(delete(CaptchaUse).where(CaptchaUse.used_at < cutoff))
    return result.rowcount or 0


class CaptchaForm(FlaskForm):
    """Base class for every form a resident submits; the captcha is checked unless CAPTCHA_ENABLED is off."""

    captcha_token = HiddenField()
    captcha_answer = StringField(
        _l("Verification"),
        validators=[Length(max=20)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )

    def validate_captcha_answer(self, field: StringField) -> None:
        if not current_app.config["CAPTCHA_ENABLED"]:
            return
        if not (field.data or "").strip():
            raise ValidationError(_("Enter the characters in the picture, or the answer to the question."))
        refusal = check_answer(self.captcha_token.data or "", field.data)
        if refusal:
            raise ValidationError(refusal)

    def fresh_challenge(self) -> Challenge:
        """Issue a new challenge for rendering; the old answer is cleared (it cannot be reused)."""
        challenge = new_challenge()
        self.captcha_token.data = challenge.token
        self.captcha_answer.data = ""
        return challenge


_FRESH_FIELD = '{% from "_captcha.html" import captcha_field with context %}{{ captcha_field(form) }}'


def fresh_field_html() -> str:
    """A new challenge's field, as a blank form shows it: what fills a cached page's captcha hole."""
    return render_template_string(_FRESH_FIELD, form=CaptchaForm(formdata=None))


@bp.route("/captcha/<token>.png", endpoint="captcha_image")
def image(token: str) -> Any:
    try:
        challenge = challenge_from_token(token)
    except BadSignature:
        abort(404)
    from captcha.image import ImageCaptcha  # here: it loads Pillow and its fonts, ~10 MiB only images need

    png = ImageCaptcha(width=180, height=64).generate(challenge.code, format="png")
    response = send_file(io.BytesIO(png.getvalue()), mimetype="image/png", max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response
