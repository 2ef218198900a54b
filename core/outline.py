"""A table of contents for a long text split into units (a draft policy's 编/章/节, or 一、/（一）), built from the unit
tree alone: whatever kinds a splitter gives, a unit that holds other units is a heading.

A unit is anything with `key`, `kind`, `number`, `title`, `text` and `parent_key`. Headings are units of a heading
kind (book, part, chapter, section) and units other units name as their parent (an 一、 holding （一）); a draft with
no headings at all but many units lists its top-level units (第一条 …) instead, each by its number and first words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

HEADING_KINDS = frozenset({"book", "part", "chapter", "section"})
# Units never listed: the lines before the first article and after the last one.
_NOT_LISTED = frozenset({"preamble", "closing"})
# Fewer units than this: the draft fits on a phone screen or two and needs no contents.
MIN_UNITS = 8
FIRST_WORDS = 16


@dataclass
class Entry:
    key: str
    label: str
    children: list[Entry] = field(default_factory=list)


@dataclass
class Outline:
    entries: list[Entry]
    keys: frozenset[str]  # the units that get a "back to contents" link

    def __bool__(self) -> bool:
        return bool(self.entries)


def _label(unit: Any) -> str:
    words = " ".join((unit.text or "").split())
    title = unit.title or (words[:FIRST_WORDS] + ("…" if len(words) > FIRST_WORDS else ""))
    return " ".join(part for part in (unit.number, title) if part)


def outline(units: Iterable[Any]) -> Outline:
    """The contents of a draft: its headings nested as the tree nests them; empty for a short or flat draft."""
    units = [unit for unit in units if unit.kind not in _NOT_LISTED]
    if len(units) < MIN_UNITS:
        return Outline([], frozenset())
    parents = {unit.parent_key for unit in units if unit.parent_key}
    by_key = {unit.key: unit for unit in units}
    # An article's own parts (its （一）（二）) are read with the article, not listed as headings.
    listed = [
        unit
        for unit in units
        if unit.kind in HEADING_KINDS
        or (unit.key in parents and unit.kind != "article" and not _inside_article(unit, by_key))
    ]
    if not listed:
        listed = [unit for unit in units if not unit.parent_key]
    listed_keys = {unit.key for unit in listed}
    entries: dict[str, Entry] = {}
    roots: list[Entry] = []
    for unit in listed:
        entry = entries[unit.key] = Entry(unit.key, _label(unit))
        parent = _listed_ancestor(unit, by_key, listed_keys)
        (entries[parent].children if parent in entries else roots).append(entry)
    return Outline(roots, frozenset(listed_keys))


def _ancestors(unit: Any, by_key: dict[str, Any]) -> Iterable[Any]:
    seen: set[str] = set()
    key = unit.parent_key
    while key in by_key and key not in seen:  # `seen`: a malformed tree must not loop
        seen.add(key)
        yield by_key[key]
        key = by_key[key].parent_key


def _inside_article(unit: Any, by_key: dict[str, Any]) -> bool:
    return any(ancestor.kind == "article" for ancestor in _ancestors(unit, by_key))


def _listed_ancestor(unit: Any, by_key: dict[str, Any], listed: set[str]) -> str | None:
    return next((ancestor.key for ancestor in _ancestors(unit, by_key) if ancestor.key in listed), None)
