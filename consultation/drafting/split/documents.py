"""Where the draft's attached documents begin, and which heading lines are only a table of contents.

A notice often carries the documents it issues: each starts at an annex header (附件1) or, without one, after the
notice's signature and date, or where the numbering starts again at 一、 / 第一条 under a new title. Every rule
looks at each paragraph a bounded number of times, so a draft splits in linear time.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from consultation.drafting.split import headings as h
from consultation.drafting.split.headings import Heading

_TITLE_LINES_MAX = 3
_RESTARTING = ("part", "article", "chapter")


@dataclass(frozen=True)
class Segment:
    """Paragraphs [start, end) of one attached document: its header line, title and where its body begins."""

    start: int
    end: int
    header: str
    title: str
    body: int


def skip_contents(paragraphs: list[str], found: list[Heading | None]) -> None:
    """A 目录 before the first article lists headings that come again in the body: they stay text."""
    first_article = next((i for i, heading in enumerate(found) if heading and heading.kind == "article"), None)
    contents = next((i for i in range(first_article or 0) if h.is_contents(paragraphs[i])), None)
    if contents is None or first_article is None:
        return
    entries = [i for i in range(contents + 1, first_article) if found[i] is not None]
    if not entries:
        return
    first = _squeezed(paragraphs[entries[0]])
    body = next((i for i in range(entries[0] + 1, first_article + 1) if _squeezed(paragraphs[i]) == first), None)
    for i in range(contents + 1, body if body is not None else contents + 1):
        found[i] = None


def _squeezed(line: str) -> str:
    return "".join(line.split())


def segments(paragraphs: list[str], found: list[Heading | None]) -> list[Segment]:
    """The attached documents after the first (the draft itself runs from 0 to the first segment's start)."""
    starts: list[int] = []
    last_heading: dict[str, int] = {}  # per restarting kind, the index of its last heading since the last start
    previous_heading = -1
    sentence_seen = False
    for i, line in enumerate(paragraphs):
        heading = found[i]
        start = None
        if i and _annex_header_starts(paragraphs, found, i):
            start = i
        elif sentence_seen and h.DATE_LINE.match(line) and i and h.closing_like(paragraphs[i - 1]):
            start = _after_signature(paragraphs, found, i)
        elif heading and _restarts(heading, last_heading):
            start = _title_before(paragraphs, previous_heading + 1, i)
        elif heading and sentence_seen and heading.kind in _RESTARTING and heading.kind not in last_heading:
            start = _named_title_right_before(paragraphs, max(previous_heading + 1, 1), i)
        if start is not None and start > (starts[-1] if starts else 0):
            starts.append(start)
            last_heading, sentence_seen = {}, False
        if heading:
            last_heading[heading.kind] = i
            previous_heading = i
        sentence_seen = sentence_seen or "。" in line
    bounds = [*starts, len(paragraphs)]
    return [_segment(paragraphs, found, start, end) for start, end in itertools.pairwise(bounds)]


def _restarts(heading: Heading, last_heading: dict[str, int]) -> bool:
    """一、 or 第一条 again (or 第一章 again outside books, whose chapters start again in each 编)."""
    if heading.kind not in _RESTARTING or heading.value != 1 or heading.sub or heading.kind not in last_heading:
        return False
    return not (heading.kind == "chapter" and "book" in last_heading)


def _annex_header_starts(paragraphs: list[str], found: list[Heading | None], i: int) -> bool:
    """An annex header followed, before the next one, by the attached document: not a line of the list of
    attachments ("附件：" opens that list; "附件1：名单" lines follow one another). A numbered header ("附件一")
    needs any content, a bare "附件" a sentence or a numbered part or article."""
    header = h.ANNEX_HEADER.match(paragraphs[i])
    if header is None or (not header["n"] and paragraphs[i].endswith(("：", ":"))):
        return False
    if header["title"] and not h.title_like(header["title"]):  # "附件一所列的条例，予以废止。" is a sentence
        return False
    for j in range(i + 1, len(paragraphs)):
        line, heading = paragraphs[j], found[j]
        if h.ANNEX_HEADER.match(line):
            return False
        if "。" in line or (heading is not None and heading.kind in _RESTARTING):
            return True
        if header["n"] and (heading is not None or not h.closing_like(line)):
            return True
    return False


def _after_signature(paragraphs: list[str], found: list[Heading | None], i: int) -> int | None:
    """After a date line ending a signature, the next document when a title and a sentence follow."""
    j = i + 1
    while j < len(paragraphs) and h.TRAILER_LINE.match(paragraphs[j]):
        j += 1
    if j >= len(paragraphs) or found[j] is not None or not h.title_like(paragraphs[j]):
        return None
    if h.ANNEX_HEADER.match(paragraphs[j]) or h.is_signature(paragraphs[j]):
        return None  # an annex header is a start of its own; 印发 lines are the closing
    rest = range(j + 1, min(len(paragraphs), j + 1 + 50))
    return j if any("。" in paragraphs[k] or found[k] is not None for k in rest) else None


def _title_before(paragraphs: list[str], low: int, i: int) -> int | None:
    """Numbering that starts again: the new document starts at the title between the last unit's text and it."""
    candidates = [k for k in range(i - 1, low - 1, -1) if h.title_like(paragraphs[k]) and len(paragraphs[k]) >= 4]
    candidates = [k for k in candidates if not h.is_signature(paragraphs[k])]
    if not candidates:
        return None
    named = [k for k in candidates if h.document_title_like(paragraphs[k])]
    start = named[0] if named else candidates[0]
    for _ in range(_TITLE_LINES_MAX - 1):  # a title broken over lines, or an annex header above it
        above = paragraphs[start - 1] if start - 1 >= low else ""
        if not above or not h.title_like(above) or h.is_signature(above) or h.TRAILER_LINE.match(above):
            break
        start -= 1
    return start


def _named_title_right_before(paragraphs: list[str], low: int, i: int) -> int | None:
    """A notice's words, then "XX实施方案" and its first 一、: the issued document starts at its title."""
    start = i
    while start - 1 >= low and i - start < _TITLE_LINES_MAX and h.title_like(paragraphs[start - 1]):
        if h.is_signature(paragraphs[start - 1]) or h.TRAILER_LINE.match(paragraphs[start - 1]):
            break
        start -= 1
    named = any(h.document_title_like(paragraphs[k]) for k in range(start, i))
    return start if named and start > low else None


def _segment(paragraphs: list[str], found: list[Heading | None], start: int, end: int) -> Segment:
    header, title, body = "", [], start
    annex = h.ANNEX_HEADER.match(paragraphs[start])
    if annex:
        header = paragraphs[start] if not annex["title"] else paragraphs[start][: annex.start("title")].strip()
        header = header.rstrip("：:").strip()
        body = start + 1
        if annex["title"]:
            title.append(annex["title"].strip())
    while (
        body < end
        and len(title) < _TITLE_LINES_MAX
        and found[body] is None
        and h.title_like(paragraphs[body])
        and not h.is_doc_number(paragraphs[body])
    ):
        title.append(paragraphs[body])
        body += 1
    return Segment(start, end, header, "".join(title), body)
