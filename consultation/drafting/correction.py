"""The editor's corrections to a split before it is saved: join a unit to the one above, split one where a line
holds only "---", give a unit another level, delete one. Keys stay, so comments keep their anchor; a unit split
off gets a new key. Each unit's parent is worked out again from the levels, in the order the splitter uses."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from consultation.drafting.split.headings import classify
from consultation.drafting.split.splitter import Keys
from consultation.drafting.split.titles import Titled, article_title, heading_line, lead_title
from consultation.drafting.split.units import DraftUnit

SPLIT_MARK = "---"
_SPLIT_LINE = re.compile(r"^\s*-{3,}\s*$")
# Levels in one order for any draft: a unit belongs to the nearest unit above it of a lower level.
_LEVEL = {
    "annex": 0,
    "book": 1,
    "subbook": 2,
    "chapter": 3,
    "supplementary": 1,  # 附则 stands beside the books, not in the last one
    "section": 4,
    "article": 5,
    "part": 6,
    "item": 7,
    "point": 8,
    "subpoint": 9,
    "paragraph": 10,
}
_KEY_MAX = 40


@dataclass(frozen=True)
class Edited:
    """One unit as the correction form sent it back, with what the editor asked for."""

    unit: DraftUnit
    delete: bool = False
    merge: bool = False  # join to the unit above


def apply(rows: Iterable[Edited]) -> list[DraftUnit]:
    """The units after the editor's deletions, joins, splits and new levels, in order, each under its parent."""
    rows = list(rows)
    keys = Keys()
    for row in rows:
        keys.used.add(row.unit.key)
    result: list[DraftUnit] = []
    for row in rows:
        if row.delete:
            continue
        if row.merge and result:
            result[-1] = _joined(result[-1], row.unit)
            continue
        pieces = _pieces(row.unit.text)
        result.append(replace(row.unit, text=pieces[0]))
        result.extend(_split_off(row.unit, piece, keys) for piece in pieces[1:])
    return relinked(result)


def _pieces(text: str) -> list[str]:
    pieces: list[list[str]] = [[]]
    for line in text.splitlines():
        if _SPLIT_LINE.match(line):
            pieces.append([])
        else:
            pieces[-1].append(line)
    return ["\n".join(piece).strip() for piece in pieces[:1]] + [
        "\n".join(piece).strip() for piece in pieces[1:] if "".join(piece).strip()
    ]


def _joined(above: DraftUnit, unit: DraftUnit) -> DraftUnit:
    first = heading_line(unit)
    if first and unit.text and not unit.title:
        lines = [f"{first}{'' if first[-1] in '、）).．' else ' '}{unit.text}"]
    else:
        lines = [line for line in (first, unit.text) if line]
    return replace(above, text="\n".join(line for line in (above.text, *lines) if line))


def _split_off(unit: DraftUnit, text: str, keys: Keys) -> DraftUnit:
    """A new unit from the text after a "---" line; a numbering at its start gives its level and number."""
    key = keys.unique(f"{unit.key[: _KEY_MAX - 4]}-2")
    first, _, rest = text.partition("\n")
    heading = classify(first)
    if heading is None or heading.kind not in _LEVEL:
        return DraftUnit(key, unit.kind, "", "", text, unit.parent)
    if heading.kind == "article":
        titled = article_title(heading.rest)
    elif heading.kind in ("part", "item", "point", "subpoint"):
        titled = lead_title(heading.rest)
    else:
        titled = Titled(heading.rest, [])
    body = "\n".join(line for line in (*titled.lines, rest) if line)
    return DraftUnit(key, heading.kind, heading.label, titled.title, body, unit.parent)


def relinked(units: list[DraftUnit]) -> list[DraftUnit]:
    """Each unit under the nearest unit above it of a lower level (an attached document starts afresh)."""
    result = []
    stack: list[tuple[int, str]] = []
    annex: str | None = None
    for unit in units:
        if unit.kind == "preamble":
            parent = None
        elif unit.kind == "closing":
            parent = annex
        else:
            level = _LEVEL.get(unit.kind, _LEVEL["paragraph"])
            if unit.kind == "annex":
                stack, annex = [], unit.key
            while stack and stack[-1][0] >= level:
                stack.pop()
            parent = stack[-1][1] if stack else (annex if unit.kind != "annex" else None)
            stack.append((level, unit.key))
        result.append(replace(unit, parent=parent))
    return result
