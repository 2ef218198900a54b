"""Checks on rendered pages that a Chinese reader sees Chinese: shared by the page tests and the live crawler.

`latin_words_on_chinese_page(html)` returns the Latin words a zh_CN page shows that are not proper names, codes,
URLs or e-mail addresses: a missing translation ("Received"), an enum's code shown instead of its label
("gambling"), or a survey question's code used as a heading ("street").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser

# Names and abbreviations a Chinese page writes in Latin letters on purpose.
PROPER_NAMES = frozenset(
    {
        "Minyi",
        "CSV",
        "PDF",
        "Excel",
        "Word",
        "API",
        "Atom",
        "XLSForm",
        "SPSS",
        "JSON",
        "QR",
        "ID",
        "OpenAPI",
        "UTF",
        "BOM",
        "TOTP",
        "URL",
        "HTTPS",
        "IP",
        "ICP",  # the 辽ICP备…号 filing number in the footer is written so by law
        "SHA",
        "NPS",
        "English",  # the language switch names its language in that language
        "WPS",
        "Markdown",
        "IPv",
        "JPEG",
        "PNG",
        "SVG",
        "MB",
        "KB",
        "zip",
        "QQ",
        "WeChat",
        "KoboToolbox",
        "ODK",
    }
)

# Elements whose text is never read as prose: code, scripts, and what the visitor typed back into a form.
_SKIPPED_ELEMENTS = frozenset({"script", "style", "code", "kbd", "samp", "pre", "textarea", "template", "svg"})
_VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)
# Attributes a person reads (or hears from a screen reader) as text.
_TEXT_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
_BUTTON_INPUTS = frozenset({"submit", "button", "reset"})

_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b|(?<![\w/])/[\w\-./?=&%#]+")
# A run of letters, digits and the punctuation of codes; a leading dot keeps ".xlsx" one (code-like) token.
_TOKEN = re.compile(r"\.?[A-Za-z0-9_][A-Za-z0-9_.\-/:#]*[A-Za-z0-9_]|[A-Za-z]")
_LATIN_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")


class _PageText(HTMLParser):
    """The visible text of a page, split into runs, without the elements above or those marked as another language."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.runs: list[str] = []
        self._stack: list[bool] = []  # for each open element: is its content skipped?

    def _skipping(self) -> bool:
        return bool(self._stack) and self._stack[-1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        lang = values.get("lang")
        skipped = (
            self._skipping()
            or tag in _SKIPPED_ELEMENTS
            or (lang is not None and lang != "" and not lang.lower().startswith("zh"))
            or values.get("translate") == "no"
        )
        if not skipped:
            self.runs.extend(values[name] for name in _TEXT_ATTRIBUTES if values.get(name))
            if tag == "input" and values.get("type") in _BUTTON_INPUTS and values.get("value"):
                self.runs.append(values["value"])
        if tag not in _VOID_ELEMENTS:
            self._stack.append(skipped)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID_ELEMENTS:
            self._stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag not in _VOID_ELEMENTS and self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        if not self._skipping() and data.strip():
            self.runs.append(data)


def _is_code_like(token: str) -> bool:
    # Receipt numbers, file names, question codes with digits, dotted or slashed identifiers: never prose.
    return any(ch.isdigit() or ch in "_./:#" for ch in token) or (len(token) > 1 and "-" in token.strip("-"))


def latin_words_on_chinese_page(html: str, allowed: Iterable[str] = ()) -> list[str]:
    """The Latin words on a Chinese page that are not proper names, codes, URLs or e-mail addresses, each once.

    `allowed` adds words the page may show as they are, such as words residents wrote in their comments.
    """
    accepted = PROPER_NAMES | set(allowed)
    parser = _PageText()
    parser.feed(html)
    parser.close()
    found: dict[str, None] = {}
    for run in parser.runs:
        for token in _TOKEN.findall(_URL.sub(" ", run)):
            if _is_code_like(token):
                continue
            for word in _LATIN_WORD.findall(token):
                if len(word) > 1 and word not in accepted:
                    found.setdefault(word, None)
    return list(found)
