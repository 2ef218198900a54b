"""What a split draft is made of, and the bounds that keep any upload a few seconds' work."""

from __future__ import annotations

from dataclasses import dataclass

UNIT_KINDS = (
    "preamble",
    "book",
    "subbook",
    "chapter",
    "section",
    "article",
    "supplementary",
    "part",
    "item",
    "point",
    "subpoint",
    "annex",
    "paragraph",
    "closing",
)
# Kinds that carry no words of the draft a resident comments on.
NOT_COMMENTABLE = ("preamble", "closing")
# Kinds shown as headings of the text under them (an article, item or point is read as a paragraph).
HEADING_KINDS = ("book", "subbook", "chapter", "section", "supplementary", "part", "annex")

# The longest Chinese law, the Civil Code, has about 110,000 characters in some 1,400 chapters, sections and
# articles; 刑法 as .docx splits in a few hundredths of a second (bench/draft_split.py).
MAX_CHARACTERS = 1_000_000
MAX_PARAGRAPHS = 10_000
MAX_UNITS = 2_000  # the correction form holds at most this many (consultation/forms.py)
# The XML a .docx unpacks to (a few MB for the Civil Code); python-docx reads about 4 MB a second.
MAX_DOCX_XML_BYTES = 10 * 1024 * 1024


class DraftFormatError(ValueError):
    """A draft file that cannot be read; `code` lets a view pick a translated message."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class DraftUnit:
    """One piece of a draft: a book, chapter, article, part, item, point, annex, preamble or closing…"""

    key: str
    kind: str
    number: str
    title: str
    text: str
    parent: str | None
