"""Measuring and counting resident-written text: keyword frequencies of Chinese free text, display widths.

`top_terms` answers "what do people write about?" for consultation comments and survey free-text answers:
jieba word segmentation, a shipped stop-word list, and document frequency (each term counts once per text, so
one long comment repeating "停车" twenty times does not outweigh twenty residents mentioning it once).
"""

from __future__ import annotations

import logging
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jieba

DEFAULT_STOPWORDS = Path(__file__).parent / "data" / "stopwords_zh.txt"


def display_width(text: str) -> int:
    """Return how many columns `text` takes in a monospaced grid: CJK and full-width characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def normalize_term(term: str) -> str:
    """Return the form terms are compared in: NFKC (full-width "ＷｉＦｉ" -> "WiFi"), lower case, trimmed."""
    return unicodedata.normalize("NFKC", term).strip().lower()


@cache
def load_stopwords(path: Path = DEFAULT_STOPWORDS) -> frozenset[str]:
    """Read a stop-word file: one word per line, blank lines and lines starting with "#" ignored."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(normalize_term(line) for line in lines if line.strip() and not line.lstrip().startswith("#"))


@cache
def tokenizer() -> jieba.Tokenizer:
    """A jieba tokenizer with its dictionary loaded, built once per process on first use.

    Loading takes about a second (and reads or writes jieba's cache file), so it happens lazily, not at import;
    gunicorn.conf.py builds it in the master before forking, so workers share it. Our own instance leaves jieba's
    global tokenizer to other code.
    """
    # Imported here, not at the top: jieba's tables take ~20 MiB, which modules using display_width don't need.
    import jieba

    # jieba logs "Building prefix dict..." at DEBUG on its own handler; keep it out of the application log.
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def _is_term(token: str, stopwords: frozenset[str]) -> bool:
    """Whether a normalised token is worth counting.

    Single characters are dropped (的, 了, 是, 在 and the other function words are nearly all single characters,
    and one character alone rarely names a topic), so are stop words and tokens with no letter at all
    (punctuation, whitespace, numbers such as "2024" or "13800138000"). CJK ideographs count as letters.
    """
    return len(token) >= 2 and token not in stopwords and any(ch.isalpha() for ch in token)


def terms_of(text: str, stopwords: frozenset[str] | None = None) -> set[str]:
    """Return the distinct countable terms of one text (normalised: NFKC, English lower-cased)."""
    stopwords = load_stopwords() if stopwords is None else stopwords
    tokens = (normalize_term(token) for token in tokenizer().lcut(unicodedata.normalize("NFKC", text)))
    return {token for token in tokens if _is_term(token, stopwords)}


def top_terms(texts: Iterable[str], n: int = 30, *, extra_stopwords: Iterable[str] = ()) -> list[tuple[str, int]]:
    """Return the `n` most frequent terms across `texts` as (term, number of texts containing it).

    Counts are document frequencies: a term counts once per text however often that text repeats it. Order is
    deterministic: count descending, then the term in code-point order. `extra_stopwords` adds words to drop for
    this call (e.g. the consultation's own subject, which every comment mentions).
    """
    stopwords = load_stopwords() | {normalize_term(word) for word in extra_stopwords}
    counts: Counter[str] = Counter()
    for text in texts:
        if text:
            counts.update(terms_of(text, stopwords))
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:n]
