"""The synonym list of the site search: groups of words a resident may use for the same thing (电动车 and
电动自行车, 充电桩 and 充电设施), so that a search for one word also finds the others.

While the table is empty the shipped list (core/data/search_synonyms.txt) is in force; the admin page copies it
into the table on its first visit, and from then on the table is the list. Every change is audit-logged. The
list is small (hundreds of groups), so a search reads it afresh: an edit takes effect with the next search in
every worker.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from core import audit
from core.db import created_at
from core.extensions import db
from core.models import User
from core.textstats import normalize_term

DEFAULT_SYNONYMS = Path(__file__).resolve().parent / "data" / "search_synonyms.txt"
MAX_GROUP_LENGTH = 500
MAX_WORDS_PER_GROUP = 20
# Words in a group are separated by commas (half or full width), the enumeration comma or semicolons.
_SEPARATORS = re.compile(r"[,，、;；]+")


class SynonymGroup(db.Model):
    """One group of words that mean the same; stored as the words joined by "，"."""

    __tablename__ = "search_synonym_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    words: Mapped[str] = mapped_column(String(MAX_GROUP_LENGTH))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]

    @property
    def word_list(self) -> list[str]:
        return split_group(self.words)


def split_group(line: str) -> list[str]:
    """The distinct words of a group as typed ("电动车, 电动自行车，电瓶车"), blanks dropped, order kept."""
    words = [" ".join(word.split()) for word in _SEPARATORS.split(line)]
    return list(dict.fromkeys(word for word in words if word))[:MAX_WORDS_PER_GROUP]


@cache
def default_groups() -> tuple[tuple[str, ...], ...]:
    """The shipped groups, read once per process."""
    groups = []
    for line in DEFAULT_SYNONYMS.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words = split_group(line)
            if len(words) > 1:
                groups.append(tuple(words))
    return tuple(groups)


def current_groups() -> list[tuple[str, ...]]:
    """The groups in force: the table's, or the shipped ones while the table is empty."""
    rows = db.session.scalars(db.select(SynonymGroup.words).order_by(SynonymGroup.id)).all()
    if not rows:
        return list(default_groups())
    return [tuple(words) for words in map(split_group, rows) if len(words) > 1]


class SynonymIndex:
    """Every word of the groups (normalised) to the words it stands for, itself included."""

    def __init__(self, groups: Iterable[Iterable[str]]) -> None:
        self._variants: dict[str, list[str]] = {}
        for group in groups:
            words = list(dict.fromkeys(normalize_term(word) for word in group))
            for word in words:
                known = self._variants.setdefault(word, [word])
                known.extend(other for other in words if other not in known)

    def variants(self, term: str) -> tuple[str, ...]:
        """The term first, then its synonyms from every group it belongs to."""
        return tuple(self._variants.get(term, [term]))

    def __contains__(self, term: str) -> bool:
        return term in self._variants

    def words(self) -> list[str]:
        return list(self._variants)


def current_index() -> SynonymIndex:
    return SynonymIndex(current_groups())


# ------------------------------------------------------------------------------------------------ changing


def ensure_seeded() -> bool:
    """Copy the shipped groups into the empty table, so an administrator edits from them; True if it did."""
    if db.session.scalar(db.select(SynonymGroup.id).limit(1)) is not None:
        return False
    for words in default_groups():
        db.session.add(SynonymGroup(words="，".join(words)))
    db.session.flush()
    return True


def add_groups(lines: Iterable[str], actor: User) -> list[str]:
    """Add one group per line (lines with fewer than two words are skipped); returns the groups added."""
    ensure_seeded()
    existing = {tuple(map(normalize_term, words)) for words in current_groups()}
    added = []
    for line in lines:
        words = split_group(line[:MAX_GROUP_LENGTH])
        key = tuple(map(normalize_term, words))
        if len(words) < 2 or key in existing:
            continue
        existing.add(key)
        joined = "，".join(words)[:MAX_GROUP_LENGTH]
        db.session.add(SynonymGroup(words=joined, added_by_id=actor.id))
        added.append(joined)
    if added:
        audit.record("synonyms.add", detail={"groups": added}, actor=actor)
    db.session.flush()
    return added


def remove_groups(group_ids: Iterable[int], actor: User) -> list[str]:
    """Remove groups by id; returns the groups removed. An empty table brings the shipped list back."""
    rows = db.session.scalars(db.select(SynonymGroup).where(SynonymGroup.id.in_(list(group_ids)))).all()
    removed = [row.words for row in rows]
    for row in rows:
        db.session.delete(row)
    if removed:
        audit.record("synonyms.remove", detail={"groups": removed}, actor=actor)
    db.session.flush()
    return removed


def all_groups() -> list[SynonymGroup]:
    """The table's groups for the admin page (seeded from the shipped list first if empty)."""
    ensure_seeded()
    return list(db.session.scalars(db.select(SynonymGroup).order_by(SynonymGroup.id)))
