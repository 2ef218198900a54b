"""Matching a found document's texts again in Python: which words of the query it contains and where.

The database only narrows the candidates (LIKE over the raw columns); this module decides, on the texts as the
public sees them (personal data masked), whether every term is there and which strings to mark. Strictly, a term
is there when one of its variants is. Relaxed (when the strict search found nothing), a Chinese term is also
there when its characters appear in order within a short stretch (公租房 in 公共租赁住房) or, for longer terms,
when most of its character bigrams appear (the n-gram fallback). Highlighting escapes the text first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import Any

from markupsafe import Markup, escape

from core.search_query import MAX_SPREAD_TERM, MIN_BIGRAMS, Term, bigrams, is_chinese

SNIPPET_BEFORE = 30
SNIPPET_LENGTH = 120
# A spread-out abbreviation may have at most this many characters between two of its own.
MAX_GAP = 3
# Share of a long term's bigrams a text must contain in the relaxed pass.
BIGRAM_SHARE = 2 / 3
_MARKDOWN = re.compile(r"(?m)^\s{0,3}(?:#{1,6}|[-*+>]|\d+\.)\s+|\*\*")


def plain(text: str) -> str:
    """Text as a snippet shows it: Markdown marks removed, whitespace runs (line breaks too) one space."""
    return " ".join(_MARKDOWN.sub(" ", text or "").split())


def _spread(term: str) -> Any:
    # re2 runs in linear time, so no text can make this pattern slow; the gaps never cross a sentence end.
    import re2  # imported on first search: create_app() must not load it (tests/test_lazy_imports.py)

    gap = f"[^。；！？\\n]{{0,{MAX_GAP}}}?"
    return re2.compile(gap.join(re2.escape(ch) for ch in term))


def found_strings(text: str, term: Term) -> list[str]:
    """The strings of `text` (lower-cased) that stand for the term: variants, else (relaxed) its spread form
    or enough of its bigrams. Empty when the term is not there."""
    found = [variant for variant in term.variants if variant in text]
    if found or not term.relaxed or not is_chinese(term.text):
        return found
    if 2 < len(term.text) <= MAX_SPREAD_TERM:
        found = [match.group(0) for match in _spread(term.text).finditer(text)]
        if found:
            return list(dict.fromkeys(found))
    grams = bigrams(term.text)
    present = [gram for gram in grams if gram in text]
    if len(grams) >= MIN_BIGRAMS and len(present) >= BIGRAM_SHARE * len(grams):
        return present
    return []


def spans(text: str, strings: Sequence[str]) -> list[tuple[int, int]]:
    """Where the strings occur, case-insensitively, as merged non-overlapping (start, end) spans in text order."""
    found = sorted(
        (match.start(), match.end())
        for string in strings
        if string
        for match in re.finditer(re.escape(string), text, re.IGNORECASE)
    )
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, strings: Sequence[str]) -> Markup:
    """`text` escaped, with each match wrapped in <mark>: escaping comes first, so no markup of the text survives."""
    parts, position = [], 0
    for start, end in spans(text, strings):
        parts.append(escape(text[position:start]))
        parts.append(Markup("<mark>{}</mark>").format(text[start:end]))
        position = end
    parts.append(escape(text[position:]))
    return Markup("").join(parts)


def snippet(text: str, strings: Sequence[str]) -> Markup:
    """About SNIPPET_LENGTH characters around the first match, highlighted; the start of the text without one."""
    text = plain(text)
    found = spans(text, strings)
    start = max(0, found[0][0] - SNIPPET_BEFORE) if found else 0
    end = min(len(text), start + SNIPPET_LENGTH)
    window = highlight(text[start:end], strings)
    return Markup("{}{}{}").format("…" if start else "", window, "…" if end < len(text) else "")


# ------------------------------------------------------------------------------------------------ did you mean


def similarity(a: str, b: str) -> float:
    """How alike two words are, 0..1: shared characters in order (SequenceMatcher's ratio)."""
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def closest_word(term: str, vocabulary: Sequence[str], threshold: float = 0.5) -> str | None:
    """The word of the vocabulary most like `term` (a typo: 冲电桩 -> 充电桩), or None when none is close."""
    best, best_score = None, threshold
    for word in vocabulary:
        if word == term or abs(len(word) - len(term)) > max(2, len(term) // 2):
            continue
        score = similarity(term, word)
        if score > best_score or (score == best_score and best is not None and len(word) < len(best)):
            best, best_score = word, score
    return best
