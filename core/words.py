"""The admin-maintained sensitive-word lists by category, and the matcher every worker builds from them.

Until an administrator changes anything, the shipped starter list (core/data/sensitive_words.txt) is in force;
the first change copies it into the table. Every change bumps a version number in the database, and each
process rebuilds its matcher when it sees a version it has not built, so all gunicorn workers and hosts
screen with the same list within one request of a change.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Iterable
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core import audit
from core.db import created_at, utcnow
from core.extensions import db
from core.models import User
from core.screening import DEFAULT_WORD_LIST, SensitiveWordMatcher, default_matcher, load_word_list, normalize_text

CATEGORY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
# What the shipped lists (and the example in the admin form) are called on screen; a category an administrator
# adds is shown by its code.
CATEGORY_LABELS = {
    "gambling": _l("Gambling"),
    "advertising": _l("Advertising"),
    "illegal": _l("Illegal trade"),
    "abuse": _l("Abuse"),
    "fraud": _l("Fraud"),
}
MAX_WORD_LENGTH = 100
_VERSION_ROW_ID = 1


class SensitiveWord(db.Model):
    __tablename__ = "sensitive_words"
    __table_args__ = (UniqueConstraint("category", "word"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(40))
    word: Mapped[str] = mapped_column(String(MAX_WORD_LENGTH))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]


class SensitiveWordListVersion(db.Model):
    """One row: the version of the word lists. Its absence means the shipped starter list is in force."""

    __tablename__ = "sensitive_word_list_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Random per change, so a process never mistakes a rebuilt database's version 2 for the one it cached.
    stamp: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


def category_label(category: str) -> str:
    """A word list's name for people: its label when it is a shipped category, else its code."""
    label = CATEGORY_LABELS.get(category)
    return str(label) if label is not None else category


class WordListError(ValueError):
    """A category name that is not a short lower-case code."""


# ------------------------------------------------------------------------------------------------ reading


# Every comment is screened; reading the stamp once a second per process instead is plenty for an admin's edit.
_STAMP_READ_EVERY_SECONDS = 1.0
_STAMP_MEMO = "minyi_word_list_stamp"  # in app.extensions: (monotonic time read, stamp)


def _stamp() -> str:
    """Empty while the shipped list is in force, else the stamp of the last change (read at most once a second)."""
    memo = current_app.extensions.get(_STAMP_MEMO)
    now = time.monotonic()
    if memo is not None and now - memo[0] < _STAMP_READ_EVERY_SECONDS:
        return memo[1]
    stamp = (
        db.session.scalar(
            db.select(SensitiveWordListVersion.stamp).where(SensitiveWordListVersion.id == _VERSION_ROW_ID)
        )
        or ""
    )
    current_app.extensions[_STAMP_MEMO] = (now, stamp)
    return stamp


def current_word_lists() -> dict[str, list[str]]:
    """{category: [words]} as the screening uses them now."""
    if not _stamp():
        return load_word_list(DEFAULT_WORD_LIST)
    lists: dict[str, list[str]] = {}
    for category, word in db.session.execute(
        db.select(SensitiveWord.category, SensitiveWord.word).order_by(SensitiveWord.category, SensitiveWord.word)
    ):
        lists.setdefault(category, []).append(word)
    return lists


class _MatcherCache:
    """The matcher of the last change this process built; rebuilt when the database names another."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._built: tuple[str, SensitiveWordMatcher] | None = None

    def get(self) -> SensitiveWordMatcher:
        stamp = _stamp()
        if not stamp:
            return default_matcher()
        built = self._built
        if built is None or built[0] != stamp:
            built = (stamp, SensitiveWordMatcher(current_word_lists()))
            with self._lock:
                self._built = built
        return built[1]


_cache = _MatcherCache()


def current_matcher() -> SensitiveWordMatcher:
    """The matcher for the word lists in force, rebuilt in this process when an admin changed them."""
    return _cache.get()


# ------------------------------------------------------------------------------------------------ changing


def _ensure_seeded() -> SensitiveWordListVersion:
    """Copy the shipped list into the table on the first change, so edits start from it."""
    row = db.session.get(SensitiveWordListVersion, _VERSION_ROW_ID)
    if row is not None:
        return row
    for category, words in load_word_list(DEFAULT_WORD_LIST).items():
        for word in dict.fromkeys(words):
            db.session.add(SensitiveWord(category=category, word=word))
    row = SensitiveWordListVersion(id=_VERSION_ROW_ID, version=1)
    db.session.add(row)
    db.session.flush()
    return row


def _bump(row: SensitiveWordListVersion) -> None:
    row.version += 1
    row.stamp = secrets.token_hex(16)
    row.changed_at = utcnow()
    current_app.extensions.pop(_STAMP_MEMO, None)  # this process screens with the change at once


def check_category(category: str) -> str:
    category = category.strip().lower()
    if not CATEGORY_PATTERN.match(category):
        raise WordListError(category)
    return category


def add_words(category: str, words: Iterable[str], actor: User) -> list[str]:
    """Add words (one per item; blanks and words already listed are skipped); returns the words added."""
    category = check_category(category)
    row = _ensure_seeded()
    existing = {
        normalize_text(word)
        for word in db.session.scalars(db.select(SensitiveWord.word).where(SensitiveWord.category == category))
    }
    added: list[str] = []
    for raw in words:
        word = raw.strip()[:MAX_WORD_LENGTH]
        key = normalize_text(word)
        # A word with no letters or digits left after normalising would match nothing (or everything).
        if not key or key in existing:
            continue
        existing.add(key)
        db.session.add(SensitiveWord(category=category, word=word, added_by_id=actor.id))
        added.append(word)
    if added:
        _bump(row)
        audit.record("words.add", detail={"category": category, "words": added}, actor=actor)
    db.session.flush()
    return added


def remove_words(word_ids: Iterable[int], actor: User) -> list[str]:
    """Remove words by id; returns "category: word" for each removed."""
    row = _ensure_seeded()
    rows = db.session.scalars(db.select(SensitiveWord).where(SensitiveWord.id.in_(list(word_ids)))).all()
    removed = [f"{item.category}: {item.word}" for item in rows]
    for item in rows:
        db.session.delete(item)
    if removed:
        _bump(row)
        audit.record("words.remove", detail={"words": removed}, actor=actor)
    db.session.flush()
    return removed


def seed_words() -> bool:
    """Put the shipped list into the table if it is not there yet (demo data, `flask` setup); True if done."""
    if db.session.get(SensitiveWordListVersion, _VERSION_ROW_ID) is not None:
        return False
    _ensure_seeded()
    return True


def words_by_category() -> dict[str, list[SensitiveWord]]:
    """The table's rows by category, for the admin page (the table is seeded first if needed)."""
    _ensure_seeded()
    grouped: dict[str, list[SensitiveWord]] = {}
    for item in db.session.scalars(db.select(SensitiveWord).order_by(SensitiveWord.category, SensitiveWord.word)):
        grouped.setdefault(item.category, []).append(item)
    return grouped
