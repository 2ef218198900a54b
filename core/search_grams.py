"""The words of the search index: Chinese cut into overlapping character pairs, other scripts as whole words.

Chinese queries are mostly two-character words (管理, 停车) or synonyms of two, which trigram indexes (pg_trgm)
cannot serve; character bigrams can: a text that contains 电动自行车 contains its bigrams 电动, 动自, 自行 and 行车,
so the items holding every bigram of a word are a superset of those holding the word, and the database checks
the word itself on those few only. Latin words and numbers are kept whole and looked up by their beginning
("park" finds "parking"). The index narrows, it never decides: what cannot be cut into tokens (a single Chinese
character) is not narrowed at all.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A run of Chinese, or a run of letters and digits of other scripts ("_", "%" and punctuation separate).
_RUN = re.compile(rf"[{CJK}]+|[^\W_{CJK}]+")
_CHINESE = re.compile(rf"[{CJK}]")


def _runs(text: str) -> list[str]:
    return _RUN.findall(unicodedata.normalize("NFKC", text or "").lower())


def _pairs(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def text_tokens(texts: Iterable[str]) -> list[str]:
    """The distinct tokens of a document's texts: each text cut on its own, so no pair spans two texts."""
    tokens: dict[str, None] = {}
    for text in texts:
        for run in _runs(text):
            tokens.update(dict.fromkeys(_pairs(run) if _CHINESE.match(run) else [run]))
    return list(tokens)


def word_tokens(word: str) -> tuple[list[str], list[str]] | None:
    """What a document containing `word` must hold: (bigrams, beginnings of Latin words); None when the word
    has nothing the index can look up (a single Chinese character, only punctuation)."""
    pairs: list[str] = []
    prefixes: list[str] = []
    for run in _runs(word):
        if _CHINESE.match(run):
            pairs.extend(_pairs(run))
        else:
            prefixes.append(run)
    if not pairs and not prefixes:
        return None
    return list(dict.fromkeys(pairs)), list(dict.fromkeys(prefixes))


def any_word(words: Sequence[str], dialect: str) -> str | None:
    """The full-text query for "one of these words" (a term and its synonyms), in the database's syntax: FTS5
    on SQLite, tsquery on PostgreSQL; None when one of the words cannot be looked up (the term is not narrowed)."""
    alternatives = []
    for word in words:
        tokens = word_tokens(word)
        if tokens is None:
            return None
        pairs, prefixes = tokens
        if dialect == "postgresql":
            parts = [f"'{pair}'" for pair in pairs] + [f"'{prefix}':*" for prefix in prefixes]
            alternatives.append("(" + " & ".join(parts) + ")")
        else:
            parts = [f'"{pair}"' for pair in pairs] + [f'"{prefix}"*' for prefix in prefixes]
            alternatives.append("(" + " AND ".join(parts) + ")")
    if not alternatives:
        return None
    return (" | " if dialect == "postgresql" else " OR ").join(dict.fromkeys(alternatives))
