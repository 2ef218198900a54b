"""Password hashing (Argon2id) and the strength rule: long enough, not common, no composition rules."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l

_hasher = PasswordHasher()


@cache
def dummy_hash() -> str:
    """Verifying against this keeps a login for an unknown e-mail as slow as one for a real account.

    Made on first use, not at import: hashing takes Argon2's 64 MiB for a moment, which every process that never
    checks a password (exports, commands) would otherwise carry in its peak memory. gunicorn makes it before forking.
    """
    return _hasher.hash("minyi-timing-equaliser")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problems(password: str, *, user_inputs: tuple[str, ...] = ()) -> list[str]:
    """Why a new password is refused (empty when it is acceptable), in the user's language."""
    problems: list[str] = []
    min_length = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < min_length:
        problems.append(str(_l("Use at least %(n)d characters.", n=min_length)))
    if len(password) > 128:
        problems.append(str(_l("Use at most 128 characters.")))
        return problems
    # Imported here: its dictionaries take ~12 MiB, which only the few requests that set a password need.
    from zxcvbn import zxcvbn

    # zxcvbn knows the common-password and dictionary lists; it also penalises the user's own e-mail and name.
    strength = zxcvbn(password, user_inputs=[part for part in user_inputs if part])
    if strength["score"] < current_app.config["PASSWORD_MIN_STRENGTH"]:
        problems.append(
            str(_l("This password is too common or too easy to guess. A few unrelated words make a good one."))
        )
    return problems
