"""Comment text for the moderator, with matched sensitive words, links and personal data marked.

Spans come from screening the text now (with the word lists in force), so the marks always line up with
the text shown. The output is escaped HTML; only <mark> elements are added.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from core.screening import find_links, find_personal_data
from core.words import category_label, current_matcher

# What a mark's tooltip calls it: the moderator reads these, never the screening's codes.
_KIND_LABELS = {
    "id_number": _l("ID card number"),
    "bank_card": _l("Bank card number"),
    "email": _l("E-mail address"),
    "mobile": _l("Mobile phone number"),
    "landline": _l("Landline number"),
    "address": _l("Address"),
    "url": _l("Link"),
    "qq": _l("QQ number"),
    "wechat": _l("WeChat account"),
}


@dataclass(frozen=True)
class Mark:
    start: int
    end: int
    css_class: str
    title: str


def marks(text: str) -> list[Mark]:
    """Non-overlapping marks, in text order. Overlapping marks of one kind ("365体育" and "体育投注") become one;
    where kinds overlap, the earlier-starting (then longer) mark wins."""
    found = [Mark(hit.start, hit.end, "hl-word", hit.category) for hit in current_matcher().find(text)]
    found += [Mark(hit.start, hit.end, "hl-pii", hit.kind) for hit in find_personal_data(text)]
    found += [Mark(hit.start, hit.end, "hl-link", hit.kind) for hit in find_links(text)]
    found.sort(key=lambda mark: (mark.start, -(mark.end - mark.start)))
    kept: list[Mark] = []
    for mark in found:
        if not kept or mark.start >= kept[-1].end:
            kept.append(mark)
        elif mark.css_class == kept[-1].css_class and mark.end > kept[-1].end:
            last = kept[-1]
            titles = last.title if mark.title in last.title.split() else f"{last.title} {mark.title}"
            kept[-1] = Mark(last.start, mark.end, last.css_class, titles)
    return kept


def _title(codes: str) -> str:
    """The tooltip of a mark: what it found (the word list's name, the kind of personal data or link)."""
    labels = (str(_KIND_LABELS[code]) if code in _KIND_LABELS else category_label(code) for code in codes.split())
    return " / ".join(labels)


def highlight(text: str) -> Markup:
    """`text` as HTML with <mark> around what the screening found; line breaks kept as <br>."""
    parts: list[str] = []
    position = 0
    for mark in marks(text):
        parts.append(str(escape(text[position : mark.start])))
        title, marked = escape(_title(mark.title)), escape(text[mark.start : mark.end])
        parts.append(f'<mark class="{mark.css_class}" title="{title}">{marked}</mark>')
        position = mark.end
    parts.append(str(escape(text[position:])))
    return Markup("".join(parts).replace("\n", "<br>"))  # noqa: S704 - every piece of text was escaped above
