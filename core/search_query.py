"""What a search asks for: the resident's words cut into terms, each widened by its synonyms, and the filters.

Chinese is written without spaces, so the query is cut into words with jieba's search mode; stop words and
punctuation are dropped, and words inside quotes ("…", “…”, 「…」) stay one phrase. Neighbouring words that
together form a word of the synonym list (行政 + 规范性 + 文件) are joined again, so the synonyms of the whole word
apply. Each term becomes a `Term`: the word and its synonyms, any one of which a result must contain.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, false, or_, true

from core import search_index
from core.search_grams import CJK as _CJK
from core.synonyms import SynonymIndex
from core.textstats import load_stopwords, normalize_term, tokenizer

MAX_QUERY_LENGTH = 100
# Each term adds a condition on every searched column; more than this says nothing more about what is wanted.
MAX_TERMS = 10
LOCAL_ZONE = ZoneInfo("Asia/Shanghai")
PHASES = ("open", "upcoming", "closed", "feedback")

_RUN = re.compile(rf"[{_CJK}]+|[^\s{_CJK}]+")
_CHINESE = re.compile(rf"[{_CJK}]")
_PHRASE = re.compile(r'["“「『]([^"“”「」『』]+)["”」』]')
# Trimmed from the ends of a non-Chinese word; "%" and "_" stay, so "50%" or "file_name" are searched literally.
_TRIM = "".join(ch for ch in string.punctuation if ch not in "%_") + "，。、；：？！“”‘’（）《》〈〉【】「」『』…—·～"
# One-character words that carry no meaning on their own; other single characters (税, 水) are real searches.
_FUNCTION_CHARACTERS = frozenset("的了是在和与及或也都就而之其被把对为等着过吗呢吧啊个这那我你他她它请")


def is_chinese(text: str) -> bool:
    return bool(_CHINESE.search(text))


@dataclass(frozen=True)
class Query:
    """What the resident typed (cut to MAX_QUERY_LENGTH) and the terms every result must contain."""

    text: str
    terms: tuple[str, ...]
    truncated: bool = False


def _is_search_term(term: str) -> bool:
    if not any(ch.isalnum() for ch in term) or term in load_stopwords():
        return False
    return len(term) > 1 or term not in _FUNCTION_CHARACTERS


def _chinese_words(run: str) -> list[str]:
    """A run of Chinese cut by jieba's search mode (cut_for_search, with positions), as terms to require.

    The finer words of the search mode (自行, 行车 of 自行车) lie inside the longer ones, so requiring the longer
    ones requires them too: only the words no other word contains are kept. A meaningful single character that
    jieba split off a word ("发文审核单" -> 发文/审核/单) stays glued to its neighbour ("审核单"): alone, "单"
    would match nearly every text. Stop words and function characters are dropped and break the gluing.
    """
    spans = [(start, end) for _word, start, end in tokenizer().tokenize(run, mode="search")]
    longest = sorted(
        (start, end)
        for start, end in spans
        if not any(s <= start and end <= e and (s, e) != (start, end) for s, e in spans)
    )
    kept: list[list[int]] = []
    for start, end in longest:
        if not _is_search_term(normalize_term(run[start:end])):
            continue
        previous = kept[-1] if kept else None
        if previous and previous[1] == start and (end - start == 1 or previous[1] - previous[0] == 1):
            previous[1] = end
        else:
            kept.append([start, end])
    return [run[start:end] for start, end in kept]


def _words(text: str) -> list[str]:
    """Chinese runs segmented; other runs (English words, numbers, "50%", "file_name") kept whole."""
    words = []
    for run in _RUN.findall(text):
        words.extend(_chinese_words(run) if _CHINESE.match(run) else [run.strip(_TRIM)])
    return words


def _without_redundant(terms: list[str]) -> tuple[str, ...]:
    """Distinct terms minus those inside another term: requiring "自行车" already requires "自行" and "行车"."""
    distinct = list(dict.fromkeys(terms))
    return tuple(term for term in distinct if not any(term != other and term in other for other in distinct))


def parse_query(raw: str) -> Query:
    """The search terms of what the resident typed: quoted phrases whole, the rest segmented, stop words dropped."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    truncated = len(text) > MAX_QUERY_LENGTH
    text = text[:MAX_QUERY_LENGTH]
    phrases = [" ".join(phrase.split()) for phrase in _PHRASE.findall(text)]
    rest = _PHRASE.sub(" ", text)
    candidates = [normalize_term(phrase) for phrase in phrases if any(ch.isalnum() for ch in phrase)]
    candidates += [term for term in map(normalize_term, _words(rest)) if _is_search_term(term)]
    return Query(text=text, terms=_without_redundant(candidates)[:MAX_TERMS], truncated=truncated)


# Words naming a stage that residents type with their search (正在征集 电动车): they choose the stage rather
# than being looked for in the texts, where no notice writes them.
PHASE_WORDS = {
    "open": ("正在征求意见", "征求意见中", "正在征集", "征集中", "进行中"),
    "upcoming": ("即将开始", "未开始", "即将征集"),
    "closed": ("已结束", "已截止", "往期征集", "已关闭"),
    "feedback": ("已发布反馈", "结果反馈", "反馈结果", "已反馈"),
}


def take_phase(query: Query) -> tuple[Query, str]:
    """The query without a word naming a stage, and that stage ("" when it names none)."""
    for phase, words in PHASE_WORDS.items():
        for word in words:
            if word in query.text:
                rest = parse_query(query.text.replace(word, " ", 1))
                return Query(text=rest.text, terms=rest.terms, truncated=query.truncated), phase
    return query, ""


# ------------------------------------------------------------------------------------------------ terms


@dataclass(frozen=True)
class Term:
    """One word of the query and its synonyms: a result must contain at least one of `variants`. A relaxed term
    (the second pass) also matches its characters spread out or most of its bigrams."""

    text: str
    variants: tuple[str, ...]
    relaxed: bool = False

    def __str__(self) -> str:
        return self.text


def _joined(terms: tuple[str, ...], synonyms: SynonymIndex) -> list[str]:
    """Neighbouring terms joined where together they are a word of the synonym list (longest first)."""
    joined, i = [], 0
    while i < len(terms):
        for j in range(len(terms), i + 1, -1):
            if "".join(terms[i:j]) in synonyms:
                joined.append("".join(terms[i:j]))
                i = j
                break
        else:
            joined.append(terms[i])
            i += 1
    return joined


def expand(query: Query, synonyms: SynonymIndex) -> tuple[Term, ...]:
    """The query's terms, each with its synonyms."""
    return tuple(Term(text, synonyms.variants(text)) for text in _joined(query.terms, synonyms))


def relaxed_terms(query: Query, synonyms: SynonymIndex) -> tuple[Term, ...]:
    """The terms of the relaxed pass: each run of Chinese as typed (公共租房, not 公共 + 租房), and the others."""
    runs = [normalize_term(run) for run in _RUN.findall(query.text.replace('"', " ")) if _CHINESE.match(run)]
    whole = [run for run in dict.fromkeys(runs) if len(run) > 2]
    others = [term for term in query.terms if not any(term in run for run in whole)]
    return tuple(Term(text, synonyms.variants(text), relaxed=True) for text in [*whole, *others])[:MAX_TERMS]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def in_order_pattern(term: str) -> str:
    """电动车 -> %电%动%车%: the characters in order with anything between (the database's rough pass)."""
    return "%" + "%".join(_escape_like(ch) for ch in term) + "%"


def bigrams(term: str) -> list[str]:
    return list(dict.fromkeys(term[i : i + 2] for i in range(len(term) - 1)))


# Relaxed matching: abbreviations up to this length may be spread out (公租房 in 公共租赁住房); terms of at least
# this many bigrams may match by most of their bigrams (停车收费标准 in 停车服务收费的标准).
MAX_SPREAD_TERM = 6
MIN_BIGRAMS = 3


def like_patterns(term: Term) -> list[str]:
    """LIKE patterns of which a text must match one: the variants; relaxed, also the spread and bigram forms."""
    patterns = [f"%{_escape_like(variant)}%" for variant in term.variants]
    if term.relaxed and is_chinese(term.text):
        if 2 < len(term.text) <= MAX_SPREAD_TERM:
            patterns.append(in_order_pattern(term.text))
        grams = bigrams(term.text)
        if len(grams) >= MIN_BIGRAMS:
            patterns.extend(f"%{_escape_like(gram)}%" for gram in grams)
    return list(dict.fromkeys(patterns))


# ------------------------------------------------------------------------------------------------ filters


@dataclass(frozen=True)
class Filters:
    """What the resident narrowed the search to; empty values mean "any"."""

    kind: str = ""
    doc_type: str = ""
    department_id: int | None = None
    year: int | None = None
    phase: str = ""

    @property
    def active(self) -> bool:
        return bool(self.doc_type or self.department_id or self.year or self.phase)

    def year_bounds(self) -> tuple[datetime, datetime] | None:
        """The chosen year as [start, end) instants (the year of Beijing time)."""
        if not self.year:
            return None
        return datetime(self.year, 1, 1, tzinfo=LOCAL_ZONE), datetime(self.year + 1, 1, 1, tzinfo=LOCAL_ZONE)


@dataclass(frozen=True)
class Criteria:
    """What a provider is asked: every term (any of its variants) and the filters. Iterating yields the terms."""

    terms: tuple[Term, ...]
    filters: Filters = field(default_factory=Filters)
    use_index: bool = False  # the search index may narrow the terms (core.search_index.ready())

    @property
    def relaxed(self) -> bool:
        return any(term.relaxed for term in self.terms)

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)

    def __len__(self) -> int:
        return len(self.terms)

    def contains(self, term: Term, *columns: Any) -> ColumnElement[bool]:
        """The database's pass for one term: a column contains a variant (relaxed: or its spread/bigram form)."""
        return any_contains(term, *columns)

    def indexed(self, term: Term, kind: str, id_column: Any) -> ColumnElement[bool]:
        """The search index's pass for one term: `id_column` is among the items of `kind` holding the bigrams of a
        variant. Always true when the index cannot narrow the term: not built yet, a relaxed term (spread-out
        characters share no bigram with the term), a variant of a single Chinese character."""
        if not self.use_index or term.relaxed:
            return true()
        return search_index.matching(kind, term.variants, id_column)

    def labelled(self, term: Term, labels: Mapping[Any, Iterable[str]]) -> list[Any]:
        """The keys whose label (any of its names) contains a variant of the term: 行政规范性文件 -> its code."""
        variants = [variant.lower() for variant in term.variants]
        return [
            key
            for key, names in labels.items()
            if any(variant in str(name).lower() for name in names for variant in variants)
        ]


def any_contains(term: Term | str, *columns: Any) -> ColumnElement[bool]:
    """Some column contains the term or a synonym (case-insensitive, "%" and "_" literal): ILIKE / LIKE.
    A provider ANDs this over the criteria's terms; a relaxed term also lets its spread and bigram forms through."""
    if isinstance(term, str):
        term = Term(term, (term,))
    patterns = like_patterns(term)
    conditions = [column.ilike(pattern, escape="\\") for column in columns for pattern in patterns]
    return or_(*conditions) if conditions else false()
