"""Split a draft policy into commentable units with stable keys.

Statute style: 第X编 books, 第X分编 subbooks, 第X章 chapters, 第X节 sections, 第X条 and 第X条之一 articles (keys
"a12", "a133-z1": articles are numbered across the whole text), an unnumbered 附则; 款 and （一） 项 stay inside
their article, and "第X条（标题）" gives the article its caption as title. Policy style (GB/T 9704): 一、 parts,
（一） items, 1. points and （1） sub-points, each under the nearest higher level; "（一）指导思想。…" has its lead
phrase as title (kept in the text, which still reads whole), while a one-sentence provision keeps its full text.

A document with no numbering at all gives one unit of kind "paragraph" per paragraph, keyed "g1", "g2"…, so it is
still commentable. Text before the first unit is the "preamble"; a trailing signature, date or attachment list is
the "closing". Each attached document (附件, or a new title after the signature, or numbering that starts again)
is a top-level "annex" unit with its title, holding its own units ("annex1-p1"). Markdown markup is removed first.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from consultation.drafting.split import documents
from consultation.drafting.split.headings import Heading, classify
from consultation.drafting.split.numerals import cn_numeral_to_int
from consultation.drafting.split.reading import document_text, docx_to_text, paragraphs
from consultation.drafting.split.splitter import Document, Keys, choose_style, statute_group_headings
from consultation.drafting.split.units import (
    HEADING_KINDS,
    MAX_CHARACTERS,
    MAX_DOCX_XML_BYTES,
    MAX_PARAGRAPHS,
    MAX_UNITS,
    NOT_COMMENTABLE,
    UNIT_KINDS,
    DraftFormatError,
    DraftUnit,
)

__all__ = [
    "HEADING_KINDS",
    "MAX_CHARACTERS",
    "MAX_DOCX_XML_BYTES",
    "MAX_PARAGRAPHS",
    "MAX_UNITS",
    "NOT_COMMENTABLE",
    "UNIT_KINDS",
    "DraftFormatError",
    "DraftUnit",
    "cn_numeral_to_int",
    "docx_to_text",
    "split_document",
    "split_text",
    "units_to_json",
]


def split_text(text: str) -> list[DraftUnit]:
    """Split pasted text or Markdown into units; see the module docstring for the rules. Raises DraftFormatError
    for a text beyond the bounds in units.py."""
    if len(text) > MAX_CHARACTERS:
        raise DraftFormatError(f"The draft is longer than {MAX_CHARACTERS} characters.", "too_long")
    lines = paragraphs(text)
    found = [classify(line) for line in lines]
    documents.skip_contents(lines, found)
    attached = documents.segments(lines, found)
    main_end = attached[0].start if attached else len(lines)
    if not attached and choose_style(found) is None:
        units = [DraftUnit(f"g{i}", "paragraph", "", "", line, None) for i, line in enumerate(lines, 1)]
    else:
        keys = Keys()
        units = _main_units(lines[:main_end], found[:main_end], keys)
        for number, segment in enumerate(attached, 1):
            units += _annex_units(lines, found, segment, number, keys)
    if len(units) > MAX_UNITS:
        raise DraftFormatError(f"The draft splits into more than {MAX_UNITS} parts.", "too_many_units")
    return units


def _fill(document: Document, lines: list[str], found: list[Heading | None]) -> Document:
    if document.style == "statute":
        found = statute_group_headings(found)
    for line, heading in zip(lines, found, strict=True):
        document.feed(line, heading)
    document.take_trailing_closing()
    return document


def _main_units(lines: list[str], found: list[Heading | None], keys: Keys) -> list[DraftUnit]:
    document = _fill(Document(choose_style(found), keys), lines, found)
    preamble = [DraftUnit("preamble", "preamble", "", "", "\n".join(document.preamble), None)]
    return (preamble if document.preamble else []) + document.result()


def _annex_units(
    lines: list[str], found: list[Heading | None], segment: documents.Segment, number: int, keys: Keys
) -> list[DraftUnit]:
    key = keys.unique(f"annex{number}")
    body, body_found = lines[segment.body : segment.end], found[segment.body : segment.end]
    document = _fill(Document(choose_style(body_found), keys, f"{key}-", key), body, body_found)
    annex = DraftUnit(key, "annex", segment.header, segment.title, "\n".join(document.preamble), None)
    return [annex, *document.result(keys.unique(f"{key}-closing"))]


def split_document(filename: str, data: bytes) -> list[DraftUnit]:
    """Split an uploaded .docx, .md, .markdown or .txt file into units."""
    units = split_text(document_text(filename, data))
    if not units:
        raise DraftFormatError("The file contains no text.", "empty")
    return units


def units_to_json(units: Iterable[DraftUnit]) -> list[dict[str, str | None]]:
    """Units as plain dicts {key, kind, number, title, text, parent}, for JSON and the correction form."""
    return [dataclasses.asdict(unit) for unit in units]
