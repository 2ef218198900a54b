"""How a unit is named where a resident picks what to comment on: its numbering within its parents and its first
words, so that "1." reads "一、（三）1. 坚持正确导向" and an untitled article "第十条 起草单位应当公开征求…"."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from consultation.drafting.split.units import NOT_COMMENTABLE

FIRST_WORDS = 20  # characters of the text shown when a unit has no title
ANNEX_WORDS = 12  # characters of an unnumbered attached document's title before its units' numbers
# Numberings that start again under each parent (and in each attached document): the numbers of these parents
# tell one "1." from another.
_NAMING_PARENTS = ("annex", "part", "item", "point")


class PickerRow(NamedTuple):
    key: str
    kind: str
    number: str
    title: str
    text_start: str  # the text's first FIRST_WORDS + 1 characters (enough to know whether it was cut)
    parent: str | None


def prefix_for_children(kind: str, number: str, title: str, numbering: str) -> str:
    """What a unit's children write before their own numbers, given the unit's `numbering` (its number after its
    parents'): that numbering for a part, item or point; an attached document's number or title; nothing for
    the rest (an article's or a chapter's children are numbered on their own: 第三条, not 第一章第三条)."""
    if kind == "annex":
        return f"{number or _cut(title, ANNEX_WORDS)} "
    return numbering if kind in _NAMING_PARENTS else ""


def picker_labels(rows: Iterable[PickerRow]) -> tuple[tuple[str, str], ...]:
    """(key, label) for each row, in the order given (parents come before their units)."""
    prefixes: dict[str, str] = {}
    choices = []
    for row in rows:
        own = prefixes.get(row.parent or "", "") + row.number
        prefixes[row.key] = prefix_for_children(row.kind, row.number, row.title, own)
        words = row.title or _first_words(row.text_start)
        choices.append((row.key, " ".join(part for part in (own, words) if part) or row.key))
    return tuple(choices)


def _first_words(text: str) -> str:
    return _cut(text.split("\n", 1)[0].strip(), FIRST_WORDS)


def _cut(words: str, length: int) -> str:
    return f"{words[:length]}…" if len(words) > length else words


def unit_names(units: Iterable[Any]) -> tuple[tuple[str, str], ...]:
    """(key, label) of a saved draft's commentable units (DraftUnitRow), named as in the picker."""
    return picker_labels(
        PickerRow(unit.key, unit.kind, unit.number, unit.title, unit.text[: FIRST_WORDS + 1], unit.parent_key)
        for unit in units
        if unit.kind not in NOT_COMMENTABLE
    )
