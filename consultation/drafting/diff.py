"""Compare two consultation rounds' drafts unit by unit, with an inline diff of what changed.

Units are paired in three passes so that renumbering (an article inserted or deleted, shifting every later
number) does not show the rest of the draft as removed and re-added:

1. units whose title and text are identical, aligned in document order (difflib over the unit sequence);
2. in what is left, units of the same kind whose texts are similar (difflib ratio >= 0.6), most similar first;
3. in what is left, units with the same key (an article rewritten beyond recognition keeps its number).

Whatever is still unpaired is "added" (new round) or "removed" (old round).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

from markupsafe import Markup, escape

from consultation.drafting.split import DraftUnit

SIMILARITY_THRESHOLD = 0.6
# An unchanged run this short between two edits is folded into them, so that a reworded phrase reads as one
# <del>old phrase</del><ins>new phrase</ins> instead of a comb of single characters.
_MERGE_GAP = 2
# Chinese is diffed character by character; Latin words and numbers stay whole ("2019" -> "2020" is one edit).
_TOKEN = re.compile(r"[A-Za-z0-9]+|[０-９]+|\s+|.", re.DOTALL)

Status = Literal["unchanged", "changed", "added", "removed"]


@dataclass
class UnitChange:
    """How one unit fared between rounds; diff_html is safe HTML with <ins>/<del> marking the edits."""

    status: Status
    old: DraftUnit | None
    new: DraftUnit | None
    diff_html: str

    @property
    def renumbered(self) -> bool:
        """True when the unit was paired across rounds but now has another key (第十条 -> 第十一条)."""
        return self.old is not None and self.new is not None and self.old.key != self.new.key


def _content(unit: DraftUnit) -> str:
    """What a reader compares: the heading title (chapters, parts) on its own line, then the body text."""
    return f"{unit.title}\n{unit.text}" if unit.title else unit.text


def _similarity(a: str, b: str) -> float:
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    # The cheap upper bounds skip the quadratic comparison for pairs that cannot reach the threshold.
    if matcher.real_quick_ratio() < SIMILARITY_THRESHOLD or matcher.quick_ratio() < SIMILARITY_THRESHOLD:
        return 0.0
    return matcher.ratio()


def _merged_opcodes(old: list[str], new: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib opcodes with short unchanged runs between two edits folded into a single replacement."""
    merged: list[tuple[str, int, int, int, int]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag != "equal" and len(merged) >= 2:
            gap_tag, gap_i1, gap_i2, _, _ = merged[-1]
            if gap_tag == "equal" and gap_i2 - gap_i1 <= _MERGE_GAP:
                merged.pop()
                _, first_i1, _, first_j1, _ = merged.pop()
                merged.append(("replace", first_i1, i2, first_j1, j2))
                continue
        merged.append((tag, i1, i2, j1, j2))
    return merged


def inline_diff_html(old_text: str, new_text: str) -> Markup:
    """Old and new text as one escaped HTML string, deletions in <del> and insertions in <ins>."""
    old, new = _TOKEN.findall(old_text), _TOKEN.findall(new_text)
    parts: list[Markup] = []
    for tag, i1, i2, j1, j2 in _merged_opcodes(old, new):
        if tag == "equal":
            parts.append(escape("".join(old[i1:i2])))
            continue
        if i2 > i1:
            parts.append(Markup("<del>{}</del>").format("".join(old[i1:i2])))
        if j2 > j1:
            parts.append(Markup("<ins>{}</ins>").format("".join(new[j1:j2])))
    return Markup("").join(parts)


def _pair_identical(old: Sequence[DraftUnit], new: Sequence[DraftUnit]) -> dict[int, int]:
    signatures_old = [(u.kind, _content(u)) for u in old]
    signatures_new = [(u.kind, _content(u)) for u in new]
    matcher = SequenceMatcher(None, signatures_old, signatures_new, autojunk=False)
    return {block.a + k: block.b + k for block in matcher.get_matching_blocks() for k in range(block.size)}


def _pair_similar(old: Sequence[DraftUnit], new: Sequence[DraftUnit], pairs: dict[int, int]) -> None:
    paired_new = set(pairs.values())
    candidates = []
    for i, old_unit in enumerate(old):
        if i in pairs:
            continue
        for j, new_unit in enumerate(new):
            if j in paired_new or new_unit.kind != old_unit.kind:
                continue
            ratio = _similarity(_content(old_unit), _content(new_unit))
            if ratio >= SIMILARITY_THRESHOLD:
                # Equal ratios go to the pair whose keys agree, then to the nearest positions.
                candidates.append((-ratio, old_unit.key != new_unit.key, abs(i - j), i, j))
    for *_, i, j in sorted(candidates):
        if i not in pairs and j not in paired_new:
            pairs[i] = j
            paired_new.add(j)


def _pair_same_key(old: Sequence[DraftUnit], new: Sequence[DraftUnit], pairs: dict[int, int]) -> None:
    paired_new = set(pairs.values())
    unpaired_new = {unit.key: j for j, unit in enumerate(new) if j not in paired_new}
    for i, old_unit in enumerate(old):
        j = unpaired_new.get(old_unit.key)
        if i not in pairs and j is not None and new[j].kind == old_unit.kind:
            pairs[i] = j
            del unpaired_new[old_unit.key]


def _change(old: DraftUnit | None, new: DraftUnit | None) -> UnitChange:
    if old is None:
        assert new is not None
        return UnitChange("added", None, new, Markup("<ins>{}</ins>").format(_content(new)))
    if new is None:
        return UnitChange("removed", old, None, Markup("<del>{}</del>").format(_content(old)))
    if _content(old) == _content(new):
        return UnitChange("unchanged", old, new, escape(_content(new)))
    return UnitChange("changed", old, new, inline_diff_html(_content(old), _content(new)))


def compare_rounds(old: Sequence[DraftUnit], new: Sequence[DraftUnit]) -> list[UnitChange]:
    """Every unit of both rounds, in the new round's order; a removed unit follows its old predecessor."""
    pairs = _pair_identical(old, new)
    _pair_similar(old, new, pairs)
    _pair_same_key(old, new, pairs)
    old_for_new = {j: i for i, j in pairs.items()}
    changes: list[UnitChange] = []

    def emit_removed_from(i: int) -> None:
        """Removed old units from index i on, up to the next one that was paired."""
        while i < len(old) and i not in pairs:
            changes.append(_change(old[i], None))
            i += 1

    emit_removed_from(0)
    for j, new_unit in enumerate(new):
        i = old_for_new.get(j)
        changes.append(_change(None if i is None else old[i], new_unit))
        if i is not None:
            emit_removed_from(i + 1)
    return changes
