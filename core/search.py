"""Full-text search of the public site, Chinese first: the registry of providers and the /search page.

Each feature package registers a provider in its init_app (as with core.portal's sections), so core never imports
a feature package. A provider turns the query's terms into SQL that requires every term (AND, case-insensitive
substring matching with LIKE/ILIKE, which SQLite and PostgreSQL both do) and returns public documents only; this
module segments the query, ranks what the providers found and marks the matches in escaped text.

Chinese is written without spaces, so the query is cut into words with jieba's search mode; stop words and
punctuation are dropped, and words inside quotes ("…", “…”, 「…」) stay one phrase. Ranking: terms found in the
title first, then the number of (term, field) pairs matched, then the most recent. At a district's scale (hundreds
of consultations) a provider returns at most MAX_CANDIDATES rows and ranking happens in Python.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint, Flask, current_app, render_template, request
from markupsafe import Markup, escape
from sqlalchemy import ColumnElement, or_

from core.extensions import limiter
from core.pagination import paginate_list
from core.textstats import load_stopwords, normalize_term, tokenizer

bp = Blueprint("search", __name__)

MAX_QUERY_LENGTH = 100
# Each term adds a condition on every searched column; more than this says nothing more about what is wanted.
MAX_TERMS = 10
# Rows a provider returns at most (the most recent first); ranking and paging happen on these in Python.
MAX_CANDIDATES = 300
PER_PAGE = 20
SNIPPET_BEFORE = 30
SNIPPET_LENGTH = 120
RATE_LIMIT = "60 per minute"

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_CJK}]+|[^\s{_CJK}]+")
_CHINESE = re.compile(rf"[{_CJK}]")
_PHRASE = re.compile(r'["“「『]([^"“”「」『』]+)["”」』]')
# Trimmed from the ends of a non-Chinese word; "%" and "_" stay, so "50%" or "file_name" are searched literally.
_TRIM = "".join(ch for ch in string.punctuation if ch not in "%_") + "，。、；：？！“”‘’（）《》〈〉【】「」『』…—·～"
# One-character words that carry no meaning on their own; other single characters (税, 水) are real searches.
_FUNCTION_CHARACTERS = frozenset("的了是在和与及或也都就而之其被把对为等着过吗呢吧啊个这那我你他她它请")
_MARKDOWN = re.compile(r"(?m)^\s{0,3}(?:#{1,6}|[-*+>]|\d+\.)\s+|\*\*")


# ------------------------------------------------------------------------------------------------ the query


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


def contains(column: Any, term: str) -> ColumnElement[bool]:
    """Case-insensitive substring match with "%" and "_" taken literally (ILIKE on PostgreSQL, LIKE on SQLite)."""
    return column.icontains(term, autoescape=True)


def any_contains(term: str, *columns: Any) -> ColumnElement[bool]:
    """The term appears in at least one of the columns: providers AND this over the query's terms."""
    return or_(*(contains(column, term) for column in columns))


# ------------------------------------------------------------------------------------------------ providers


@dataclass(frozen=True)
class Field:
    """A searchable part of a document; `name` groups parts for ranking (all draft articles are one "draft")."""

    name: str
    text: str
    label: Any = ""  # shown before a snippet taken from this part, e.g. "第三条" or "起草说明"
    url: str = ""  # where this part is on the public page, if it has an anchor of its own


@dataclass(frozen=True)
class Document:
    """A public page a provider found: everything a result shows, and the texts it was found in."""

    kind: str
    title: str
    url: str
    fields: tuple[Field, ...]  # in the order a snippet is looked for
    status: Any
    status_class: str  # a .badge modifier: open, closed or ""
    department: str
    date: datetime | None


@dataclass(frozen=True)
class Provider:
    """Finds public documents of one kind containing every term: find(terms) -> at most MAX_CANDIDATES."""

    kind: str
    label: Any
    find: Callable[[Sequence[str]], list[Document]]
    order: int = 100


def register_search_provider(app: Flask, provider: Provider) -> None:
    providers = app.extensions.setdefault("minyi_search_providers", [])
    providers.append(provider)
    providers.sort(key=lambda item: item.order)


def providers() -> list[Provider]:
    return list(current_app.extensions.get("minyi_search_providers", []))


# ------------------------------------------------------------------------------------------------ results


@dataclass
class Hit:
    """A ranked result: the document, its highlighted title and snippet."""

    document: Document
    kind_label: Any
    title: Markup
    snippet: Markup
    snippet_field: Field | None
    rank: tuple[int, int, float]


def plain(text: str) -> str:
    """Text as a snippet shows it: Markdown marks removed, whitespace runs (line breaks too) one space."""
    return " ".join(_MARKDOWN.sub(" ", text or "").split())


def _spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """Where the terms occur, case-insensitively, as merged non-overlapping (start, end) spans in text order."""
    found = sorted(
        (match.start(), match.end()) for term in terms for match in re.finditer(re.escape(term), text, re.IGNORECASE)
    )
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, terms: Sequence[str]) -> Markup:
    """`text` escaped, with each match wrapped in <mark>: escaping comes first, so no markup of the text survives."""
    parts, position = [], 0
    for start, end in _spans(text, terms):
        parts.append(escape(text[position:start]))
        parts.append(Markup("<mark>{}</mark>").format(text[start:end]))
        position = end
    parts.append(escape(text[position:]))
    return Markup("").join(parts)


def snippet(text: str, terms: Sequence[str]) -> Markup:
    """About SNIPPET_LENGTH characters around the first match, highlighted; the start of the text without one."""
    text = plain(text)
    spans = _spans(text, terms)
    start = max(0, spans[0][0] - SNIPPET_BEFORE) if spans else 0
    end = min(len(text), start + SNIPPET_LENGTH)
    window = highlight(text[start:end], terms)
    return Markup("{}{}{}").format("…" if start else "", window, "…" if end < len(text) else "")


def rank(document: Document, terms: Sequence[str]) -> tuple[int, int, float]:
    """(terms in the title, (term, field) pairs matched, recency): higher sorts first."""
    title = document.title.lower()
    bodies: dict[str, str] = {}
    for part in document.fields:
        bodies[part.name] = bodies.get(part.name, "") + "\n" + part.text.lower()
    in_title = sum(term in title for term in terms)
    in_fields = sum(term in body for term in terms for body in bodies.values())
    return in_title, in_title + in_fields, document.date.timestamp() if document.date else 0.0


def to_hit(document: Document, terms: Sequence[str], kind_label: Any) -> Hit:
    matched = next((part for part in document.fields if _spans(plain(part.text), terms)), None)
    shown = matched or next((part for part in document.fields if part.text.strip()), None)
    return Hit(
        document=document,
        kind_label=kind_label,
        title=highlight(document.title, terms),
        snippet=snippet(shown.text, terms) if shown else Markup(""),
        snippet_field=matched,
        rank=rank(document, terms),
    )


def search(query: Query, kind: str = "") -> list[Hit]:
    """Every public document containing all the query's terms, best first; `kind` limits it to one provider."""
    if not query.terms:
        return []
    hits = [
        to_hit(document, query.terms, provider.label)
        for provider in providers()
        if not kind or provider.kind == kind
        for document in provider.find(query.terms)
    ]
    return sorted(hits, key=lambda hit: hit.rank, reverse=True)


@bp.route("/search")
@limiter.limit(RATE_LIMIT)
def index() -> str:
    """The search form and, when something was asked, the results (GET, so a search can be linked and bookmarked)."""
    query = parse_query(request.args.get("q", ""))
    kinds = [(provider.kind, provider.label) for provider in providers()]
    kind = request.args.get("kind", "")
    kind = kind if kind in dict(kinds) else ""
    page = paginate_list(search(query, kind), PER_PAGE)
    return render_template(
        "search.html", query=query, asked=bool(query.text), kind=kind, kinds=kinds, page=page, terms=query.terms
    )
