"""Full-text search of the public site, Chinese first: the registry of providers, the search and the /search page.

Each feature package registers a provider in its init_app (as with core.portal's sections), so core never imports
a feature package. A provider turns the criteria (terms with their synonyms, filters) into SQL that requires every
term and returns public documents only; this module checks each document again on its masked texts
(core.search_match), ranks, highlights and, when nothing is found, tries the relaxed pass (spread-out
abbreviations, bigrams) and then suggests a close word ("did you mean").

The database side: the search index (core/search_index.py, a tsvector of character bigrams on PostgreSQL, an FTS5
table on SQLite) narrows each term to the items holding its bigrams, then LIKE checks the term on those rows
only; without the index (not built yet, a single Chinese character, the relaxed pass) LIKE scans the texts.

Ranking: terms found in the title first, then the number of (term, field) pairs matched, then the most recent. A
provider returns at most MAX_CANDIDATES rows and ranking happens in Python.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from typing import Any

from flask import Blueprint, Flask, current_app, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from core import integrity, search_index, search_match, synonyms
from core.db import utcnow
from core.extensions import db, limiter
from core.i18n import current_language
from core.models import Department
from core.pagination import paginate_list
from core.screening import mask_personal_data
from core.search_query import (
    LOCAL_ZONE,
    Criteria,
    Filters,
    Query,
    Term,
    expand,
    is_chinese,
    parse_query,
    relaxed_terms,
    take_phase,
)
from core.search_query import any_contains as any_contains  # providers import it from here
from core.textstats import tokenizer

bp = Blueprint("search", __name__)

# Rows a provider returns at most (the most recent first); ranking and paging happen on these in Python.
MAX_CANDIDATES = 300
PER_PAGE = 20
RATE_LIMIT = "60 per minute"


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
    """A public page a provider found: everything a result shows, the texts it was found in, and its facets."""

    kind: str
    title: str
    url: str
    fields: tuple[Field, ...]  # in the order a snippet is looked for
    status: Any
    status_class: str  # a .badge modifier: open, closed or ""
    department: str
    date: datetime | None
    department_id: int | None = None
    doc_type: str = ""  # a code a provider offers in Provider.doc_types (行政规范性文件 …)
    doc_type_label: Any = ""
    phase: str = ""  # one of search_query.PHASES
    keywords: str = ""  # searched, never shown: the names of the type and department in every language


@dataclass(frozen=True)
class Provider:
    """Finds public documents of one kind matching the criteria: find(criteria) -> at most MAX_CANDIDATES."""

    kind: str
    label: Any
    find: Callable[[Criteria], list[Document]]
    order: int = 100
    doc_types: Callable[[], list[tuple[str, Any]]] | None = None  # (code, label) for the type filter


def register_search_provider(app: Flask, provider: Provider) -> None:
    providers = app.extensions.setdefault("minyi_search_providers", [])
    providers.append(provider)
    providers.sort(key=lambda item: item.order)


def providers() -> list[Provider]:
    return list(current_app.extensions.get("minyi_search_providers", []))


def department_labels() -> dict[int, tuple[str, str]]:
    """Every department's names (Chinese, English), so a term like 住建局 finds what that department put out."""
    rows = db.session.execute(db.select(Department.id, Department.name, Department.name_en))
    return {row.id: (row.name, row.name_en) for row in rows}


def doc_type_choices() -> list[tuple[str, Any]]:
    return list(dict(choice for p in providers() if p.doc_types for choice in p.doc_types()).items())


# ------------------------------------------------------------------------------------------------ results


@dataclass
class Hit:
    """A ranked result: the document, the strings that stand for each term, and its rank. The highlighted title,
    type and snippet are made when a page shows them, so a search finding hundreds highlights only twenty."""

    document: Document
    kind_label: Any
    found: Sequence[Sequence[str]]
    rank: tuple[int, int, float]

    @cached_property
    def _strings(self) -> list[str]:
        return [string for group in self.found for string in group]

    @cached_property
    def _parts(self) -> list[Field]:
        return [replace(part, text=mask_personal_data(part.text)) for part in self.document.fields]

    @cached_property
    def title(self) -> Markup:
        return search_match.highlight(mask_personal_data(self.document.title), self._strings)

    @cached_property
    def doc_type(self) -> Markup:
        return search_match.highlight(str(self.document.doc_type_label), self._strings)

    @cached_property
    def snippet_field(self) -> Field | None:
        """The first part of the document where a term was found."""
        plain = search_match.plain
        return next((part for part in self._parts if search_match.spans(plain(part.text), self._strings)), None)

    @cached_property
    def snippet(self) -> Markup:
        shown = self.snippet_field or next((part for part in self._parts if part.text.strip()), None)
        return search_match.snippet(shown.text, self._strings) if shown else Markup("")


@dataclass
class Results:
    hits: list[Hit]
    filters: Filters  # as chosen, or as a word of the query chose the stage
    relaxed: bool = False  # found only by the relaxed pass
    suggestion: str = ""  # a query that finds something, when this one found nothing


def _texts(document: Document) -> dict[str, str]:
    """The document's texts by field name, masked and lower-cased: what matching and ranking look at."""
    meta = f"{document.doc_type_label} {document.department} {document.keywords}"
    texts = {"title": document.title, "meta": meta}
    for part in document.fields:
        texts[part.name] = texts.get(part.name, "") + "\n" + part.text
    return {name: mask_personal_data(text).lower() for name, text in texts.items()}


def _matches(texts: dict[str, str], terms: Sequence[Term]) -> list[list[str]] | None:
    """Per term, the strings of the document that stand for it; None when a term is missing."""
    whole = "\n".join(texts.values())
    found = [search_match.found_strings(whole, term) for term in terms]
    return found if all(found) or not terms else None


def _rank(document: Document, texts: dict[str, str], found: Sequence[Sequence[str]]) -> tuple[int, int, float]:
    in_title = sum(any(s in texts["title"] for s in strings) for strings in found)
    in_fields = sum(any(s in body for s in strings) for strings in found for body in texts.values())
    return in_title, in_fields, document.date.timestamp() if document.date else 0.0


def _passes(document: Document, filters: Filters) -> bool:
    """The filters again on what the provider returned (a provider may ignore some of them)."""
    year = document.date.astimezone(LOCAL_ZONE).year if document.date else None
    return (
        (not filters.doc_type or document.doc_type == filters.doc_type)
        and (not filters.department_id or document.department_id == filters.department_id)
        and (not filters.year or year == filters.year)
        and (not filters.phase or document.phase == filters.phase)
    )


def _run(criteria: Criteria) -> list[Hit]:
    hits = []
    for provider in providers():
        if criteria.filters.kind and provider.kind != criteria.filters.kind:
            continue
        for document in provider.find(criteria):
            if not _passes(document, criteria.filters):
                continue
            texts = _texts(document)  # masked once per document: masking is the costly part
            found = _matches(texts, criteria.terms)
            if found is not None:
                hits.append(Hit(document, provider.label, found, _rank(document, texts, found)))
    return sorted(hits, key=lambda hit: hit.rank, reverse=True)


def search(query: Query, filters: Filters | None = None) -> Results:
    """Every public document containing all the query's terms (or a synonym), best first; relaxed if none."""
    filters = filters or Filters()
    query, phase = take_phase(query)
    if phase and not filters.phase:
        filters = replace(filters, phase=phase)
    if not query.terms and not filters.active:
        return Results([], filters)
    index = synonyms.current_index()
    terms = expand(query, index)
    hits = _run(Criteria(terms, filters, use_index=search_index.ready()))
    if hits or not terms:
        return Results(hits, filters)
    if any(is_chinese(term.text) for term in terms):
        hits = _run(Criteria(relaxed_terms(query, index), filters))
        if hits:
            return Results(hits, filters, relaxed=True)
    return Results([], filters, suggestion=suggest(query, terms, filters, index))


def _vocabulary(index: synonyms.SynonymIndex) -> list[str]:
    """Words a suggestion may use: those of the public documents' titles and types, and of the synonym list."""
    words = set(index.words())
    for provider in providers():
        for document in provider.find(Criteria(())):
            # Masked first, and words without a letter (numbers) left out: a suggestion never shows a phone number.
            text = mask_personal_data(f"{document.title} {document.doc_type_label} {document.department}")
            tokens = (word.strip() for word, _s, _e in tokenizer().tokenize(text, mode="search"))
            words.update(word for word in tokens if len(word) > 1 and any(ch.isalpha() for ch in word))
    return sorted(word.lower() for word in words)


def suggest(query: Query, terms: Sequence[Term], filters: Filters, index: synonyms.SynonymIndex) -> str:
    """A query like this one that finds something: close words from the site in place of the words that find
    nothing even alone (冲电桩 -> 充电桩), else the query without them (充电桩 见义勇为 -> 充电桩)."""
    finds_alone = [len(terms) > 1 and _finds(term.text, filters, index) for term in terms]
    vocabulary = _vocabulary(index)
    words = [
        term.text if alone else search_match.closest_word(term.text, vocabulary) or term.text
        for term, alone in zip(terms, finds_alone, strict=True)
    ]
    if words != [term.text for term in terms] and _finds(" ".join(words), filters, index):
        return " ".join(words)
    kept = [term.text for term, alone in zip(terms, finds_alone, strict=True) if alone]
    if kept and len(kept) < len(terms) and _finds(" ".join(kept), filters, index):
        return " ".join(kept)
    return ""


def _finds(text: str, filters: Filters, index: synonyms.SynonymIndex) -> bool:
    return bool(_run(Criteria(expand(parse_query(text), index), filters, use_index=search_index.ready())))


# ------------------------------------------------------------------------------------------------ the page


PHASE_LABELS = {
    "open": _l("Open for comment"),
    "upcoming": _l("Upcoming"),
    "closed": _l("Closed"),
    "feedback": _l("Feedback published"),
}
YEARS_OFFERED = 10


def filter_choices() -> dict[str, list[tuple[Any, Any]]]:
    """The choices of each filter: what is searched, document type, department, year, phase."""
    departments = db.session.scalars(db.select(Department).where(Department.is_active).order_by(Department.name))
    departments = integrity.servable("department", departments)  # a defaced name is never offered as a filter
    this_year = utcnow().astimezone(LOCAL_ZONE).year
    return {
        "kind": [(provider.kind, provider.label) for provider in providers()],
        "doc_type": doc_type_choices(),
        "department": [(department.id, department.display_name(current_language())) for department in departments],
        "year": [(year, str(year)) for year in range(this_year, this_year - YEARS_OFFERED, -1)],
        "phase": list(PHASE_LABELS.items()),
    }


def read_filters(choices: dict[str, list[tuple[Any, Any]]]) -> Filters:
    """The filters in the address; a value that is not one of the choices counts as "any"."""

    def chosen(name: str, convert: Callable[[str], Any] = str) -> Any:
        raw = request.args.get(name, "")
        try:
            value = convert(raw) if raw else None
        except ValueError:
            return None
        return value if value in {key for key, _label in choices[name]} else None

    return Filters(
        kind=chosen("kind") or "",
        doc_type=chosen("doc_type") or "",
        department_id=chosen("department", int),
        year=chosen("year", int),
        phase=chosen("phase") or "",
    )


@bp.route("/search")
@limiter.limit(RATE_LIMIT)
def index() -> str:
    """The search form and, when something was asked, the results (GET, so a search can be linked and bookmarked)."""
    query = parse_query(request.args.get("q", ""))
    choices = filter_choices()
    filters = read_filters(choices)
    results = search(query, filters)
    page = paginate_list(results.hits, PER_PAGE)
    # The suggestion keeps the filters: only the words change.
    suggestion_args = {**request.args.to_dict(), "q": results.suggestion}
    suggestion_args.pop("page", None)
    return render_template(
        "search/index.html",
        query=query,
        asked=bool(query.text) or filters.active,
        filters=results.filters,
        choices=choices,
        page=page,
        results=results,
        terms=query.terms,
        suggestion_url=url_for("search.index", **suggestion_args),
    )
