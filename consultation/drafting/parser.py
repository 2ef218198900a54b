"""Split a draft policy into commentable units with stable keys.

Two drafting styles are understood:

* statute style: 第X章 chapters, 第X节 sections and 第X条 articles. Articles are numbered across the whole
  text, so an article's key is its number alone ("a12"); (一)(二) and 1. 2. lines stay inside their article.
* policy-document style: 一、二、 parts holding items. The first item marker met inside a part
  (1. / 1、 / １．, （1） or （一）) sets that part's item level; other markers stay inside the item text.

A document with neither but with top-level items (1. 2. …) gives items keyed "i1", "i2"…; a document with
no numbering at all gives one unit of kind "paragraph" per paragraph, keyed "g1", "g2"…, so it is still
commentable. Text before the first unit is the "preamble"; a trailing signature, date or attachment list is
the "closing". Keys come from the numbering, never from position, so a comment keeps its anchor when text
around it is edited; a number used twice gets "-2", "-3"… appended. Markdown markup is removed first.
"""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from docx.table import Table

UNIT_KINDS = ("preamble", "chapter", "section", "article", "part", "item", "paragraph", "closing")

_CN_DIGITS = {ch: value for value, ch in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN = "零〇一二两三四五六七八九十百千"
_NUM = rf"[{_CN}0-9０-９]+"
_ARABIC = r"[0-9０-９]+"

_CHAPTER = re.compile(rf"^第({_NUM})章(?![的规中])\s*(.*)$")
_SECTION = re.compile(rf"^第({_NUM})节(?![的规中])\s*(.*)$")
# A line that merely cites an article ("第十条规定的", "第十条第二款", "第十条、") is not a heading.
_ARTICLE = re.compile(rf"^第({_NUM})条(?![的规之中款项至、，,。和或及与第所以有对])\s*(.*)$")
_PART = re.compile(rf"^([{_CN}]+)(?:、|．|\.(?![0-9]))\s*(.*)$")
# "1.5倍" and "2023.9.27" start with digits and a dot but are not item markers.
_ITEM_DOT = re.compile(rf"^({_ARABIC})(?:[.．](?![0-9０-９])|、)\s*(.*)$")
_ITEM_PAREN_ARABIC = re.compile(rf"^[（(]({_ARABIC})[）)]\s*(.*)$")
_ITEM_PAREN_CN = re.compile(rf"^[（(]([{_CN}]+)[）)]\s*(.*)$")
_ITEM_PATTERNS = {"dot": _ITEM_DOT, "paren-arabic": _ITEM_PAREN_ARABIC, "paren-cn": _ITEM_PAREN_CN}

_ATTACHMENT = re.compile(rf"^附件\s*(?:{_NUM})?\s*(?:[:：]|$)")
_DATE_LINE = re.compile(rf"^{_NUM}\s*年\s*{_NUM}\s*月?\s*(?:{_NUM}\s*日)?$")
_ISSUER_LINE = re.compile(r"(?:政府|办公室|办公厅|委员会|局|厅|委|办|部|院|中心|[(（]盖章[)）])$")
# Signature lines carry no sentence punctuation; "|" marks a table row read from Word, which is content.
_NOT_IN_SIGNATURE = re.compile(r"[。；;！!？?，,：:|]")
_CLOSING_LINE_MAX = 40

# Bounds that keep any upload a few seconds' work (splitting, then the correction form). The longest Chinese law,
# the Civil Code, has about 110,000 characters in some 1,400 chapters, sections and articles.
MAX_CHARACTERS = 1_000_000
MAX_PARAGRAPHS = 10_000
MAX_UNITS = 2_000  # the correction form holds at most this many (consultation/forms.py)
# The XML a .docx unpacks to (a few MB for the Civil Code); python-docx reads about 4 MB a second.
MAX_DOCX_XML_BYTES = 10 * 1024 * 1024

_ODD_SPACES = re.compile(r"[\s\u3000\u00a0\u2000-\u200b\u202f\u205f\ufeff]+")
_MD_LINE_MARKUP = re.compile(r"^(?:#{1,6}\s+|>\s*|[-*+]\s+)")
_MD_RULE = re.compile(r"^(?:[-*_]\s*){3,}$")
# Every pattern here stays linear on any line. A pattern whose body may run over its own opening character
# ("[^\]]*" after "[", ".+?" after "*") rescans the rest of the line from every opening that is never closed:
# 250 kB of "[" took minutes. So a link's text stops at the next "[", its address at the second "(" (one pair
# of brackets inside is allowed: .../law(2021)), and an emphasis at the next "*" ("**" and "__" pair with the
# next one, so at most one opening per line fails).
_MD_LINK_ADDRESS = r"\((?:[^()]|\([^()]*\))*\)"
_MD_INLINE = (
    (re.compile(rf"!\[([^\[\]]*)\]{_MD_LINK_ADDRESS}"), r"\1"),
    (re.compile(rf"\[([^\[\]]+)\]{_MD_LINK_ADDRESS}"), r"\1"),
    (re.compile(r"\*\*(.+?)\*\*"), r"\1"),
    (re.compile(r"__(.+?)__"), r"\1"),
    (re.compile(r"(?<![*A-Za-z0-9])\*(?!\s)([^*]+?)(?<!\s)\*(?!\*)"), r"\1"),
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!])"), r"\1"),
)


class DraftFormatError(ValueError):
    """A draft file that cannot be read; `code` lets a view pick a translated message."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class DraftUnit:
    """One commentable piece of a draft: a chapter, article, part, item, paragraph, preamble or closing."""

    key: str
    kind: str
    number: str
    title: str
    text: str
    parent: str | None


def cn_numeral_to_int(s: str) -> int:
    """Read a number written in Chinese numerals (一百二十三, 两百, 二〇二三) or Arabic/full-width digits."""
    s = s.strip()
    if not s:
        raise ValueError("empty numeral")
    if s.isdecimal():
        return int(s)  # int() reads full-width digits as well
    if all(ch in _CN_DIGITS for ch in s):  # positional, as in years: 二〇二三
        return int("".join(str(_CN_DIGITS[ch]) for ch in s))
    total, digit, last_unit = 0, None, 10**9
    for ch in s:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            unit = _CN_UNITS[ch]
            if unit >= last_unit:
                raise ValueError(f"not a Chinese numeral: {s!r}")
            total += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
        else:
            raise ValueError(f"not a Chinese numeral: {s!r}")
    return total + (digit or 0)


def _strip_markdown(line: str) -> str:
    line = _MD_LINE_MARKUP.sub("", line)
    for pattern, replacement in _MD_INLINE:
        line = pattern.sub(replacement, line)
    return line


def _without_comments(text: str) -> str:
    """`text` with each closed <!-- … --> replaced by a line break. A search that stops at the first comment never
    closed, where a regex would rescan the rest of the text from every later "<!--"."""
    pieces, position = [], 0
    while (start := text.find("<!--", position)) != -1 and (end := text.find("-->", start + 4)) != -1:
        pieces += [text[position:start], "\n"]
        position = end + 3
    pieces.append(text[position:])
    return "".join(pieces)


def _paragraphs(text: str) -> list[str]:
    """Non-empty lines with Markdown markup removed and odd whitespace collapsed to single spaces."""
    text = _without_comments(text.replace("\r\n", "\n").replace("\r", "\n"))
    paragraphs = []
    for raw in text.split("\n"):
        line = _ODD_SPACES.sub(" ", raw).strip()
        if not line or _MD_RULE.match(line):
            continue
        line = _ODD_SPACES.sub(" ", _strip_markdown(line)).strip()
        if line:
            paragraphs.append(line)
            if len(paragraphs) > MAX_PARAGRAPHS:
                raise DraftFormatError(f"The draft has more than {MAX_PARAGRAPHS} paragraphs.", "too_long")
    return paragraphs


@dataclass
class _Heading:
    kind: str
    style: str  # which marker family matched; items of one part share a style
    value: int
    label: str
    rest: str


def _match(kind: str, style: str, pattern: re.Pattern[str], line: str) -> _Heading | None:
    found = pattern.match(line)
    if not found:
        return None
    try:
        value = cn_numeral_to_int(found.group(1))
    except ValueError:  # numeral characters in a non-numeral order, e.g. "十十、": ordinary text
        return None
    label = line[: found.start(2)].strip()
    return _Heading(kind, style, value, label, found.group(2).strip())


def _classify(line: str) -> _Heading | None:
    """What numbered heading, if any, a paragraph starts with."""
    for kind, pattern in (
        ("chapter", _CHAPTER),
        ("section", _SECTION),
        ("article", _ARTICLE),
        ("part", _PART),
    ):
        heading = _match(kind, kind, pattern, line)
        if heading:
            return heading
    for style, pattern in _ITEM_PATTERNS.items():
        heading = _match("item", style, pattern, line)
        if heading:
            return heading
    return None


@dataclass
class _Open:
    """A unit being filled while the paragraphs are read."""

    key: str
    kind: str
    number: str
    title: str
    parent: str | None
    lines: list[str]
    fixed: int  # leading lines that belong to the heading paragraph and cannot be a closing


class _Splitter:
    """Reads classified paragraphs in order and opens a unit at each heading the document's style uses."""

    def __init__(self, style: str) -> None:
        self.style = style
        self.units: list[_Open] = []
        self.preamble: list[str] = []
        self.closing: list[str] = []
        self.used_keys: set[str] = set()
        self.next_suffix: dict[str, int] = {}  # per key, the suffix to try next: no rescan of "-2", "-3"…
        self.chapter: str | None = None
        self.section: str | None = None
        self.part: str | None = None
        self.item_style: str | None = None

    def _unique(self, key: str) -> str:
        candidate, n = key, self.next_suffix.get(key, 1)
        while candidate in self.used_keys:
            n += 1
            candidate = f"{key}-{n}"
        self.next_suffix[key] = n
        self.used_keys.add(candidate)
        return candidate

    def _open(self, key: str, heading: _Heading, title: str, parent: str | None, lines: list[str]) -> str:
        key = self._unique(key)
        self.units.append(_Open(key, heading.kind, heading.label, title, parent, lines, len(lines)))
        return key

    def _heading_for(self, line: str) -> _Heading | None:
        heading = _classify(line)
        if heading is None:
            return None
        if self.style == "statute":
            return heading if heading.kind in ("chapter", "section", "article") else None
        if self.style == "policy" and heading.kind == "part":
            return heading
        if heading.kind == "item" and (self.part is not None or self.style == "list"):
            if self.item_style is None:
                self.item_style = heading.style
            return heading if heading.style == self.item_style else None
        return None

    def feed(self, line: str) -> None:
        if self.closing or (self.units and _ATTACHMENT.match(line)):
            self.closing.append(line)
            return
        heading = self._heading_for(line)
        if heading is None:
            (self.units[-1].lines if self.units else self.preamble).append(line)
            return
        body = [heading.rest] if heading.rest else []
        n = heading.value
        if heading.kind == "chapter":
            self.chapter, self.section = self._open(f"c{n}", heading, heading.rest, None, []), None
        elif heading.kind == "section":
            prefix = f"{self.chapter}-" if self.chapter else ""
            self.section = self._open(f"{prefix}s{n}", heading, heading.rest, self.chapter, [])
        elif heading.kind == "article":
            self._open(f"a{n}", heading, "", self.section or self.chapter, body)
        elif heading.kind == "part":
            # "二、主要任务。各单位要……" puts the heading and the part's opening sentence in one paragraph.
            title, _, intro = heading.rest.partition("。")
            intro_lines = [intro.strip()] if intro.strip() else []
            self.part, self.item_style = self._open(f"p{n}", heading, title, None, intro_lines), None
        else:
            prefix = f"{self.part}-" if self.part else ""
            self._open(f"{prefix}i{n}", heading, "", self.part, body)

    def take_trailing_closing(self) -> None:
        """Move a signature block (issuer, date, 此件公开发布) ending the last unit into the closing."""
        if self.closing or not self.units:
            return
        last = self.units[-1]
        start = len(last.lines)
        while start > last.fixed and _closing_like(last.lines[start - 1]):
            start -= 1
        tail = last.lines[start:]
        if any(_DATE_LINE.match(line) or _ISSUER_LINE.search(line) for line in tail):
            self.closing, last.lines = tail, last.lines[:start]

    def result(self) -> list[DraftUnit]:
        units = []
        if self.preamble:
            units.append(DraftUnit("preamble", "preamble", "", "", "\n".join(self.preamble), None))
        units += [DraftUnit(u.key, u.kind, u.number, u.title, "\n".join(u.lines), u.parent) for u in self.units]
        if self.closing:
            units.append(DraftUnit("closing", "closing", "", "", "\n".join(self.closing), None))
        return units


def _closing_like(line: str) -> bool:
    return len(line) <= _CLOSING_LINE_MAX and not _NOT_IN_SIGNATURE.search(line)


def _choose_style(headings: Iterable[_Heading | None]) -> str | None:
    """Statute, policy or list style, by which kind of numbered heading the document uses most."""
    kinds = [h.kind for h in headings if h is not None]
    statute = sum(kind in ("chapter", "section", "article") for kind in kinds)
    parts = kinds.count("part")
    if statute and statute >= parts:
        return "statute"
    if parts:
        return "policy"
    if "item" in kinds:
        return "list"
    return None


def split_text(text: str) -> list[DraftUnit]:
    """Split pasted text or Markdown into units; see the module docstring for the rules. Raises DraftFormatError
    for a text beyond the bounds above."""
    if len(text) > MAX_CHARACTERS:
        raise DraftFormatError(f"The draft is longer than {MAX_CHARACTERS} characters.", "too_long")
    paragraphs = _paragraphs(text)
    style = _choose_style(_classify(p) for p in paragraphs)
    if style is None:
        units = [DraftUnit(f"g{i}", "paragraph", "", "", p, None) for i, p in enumerate(paragraphs, 1)]
    else:
        splitter = _Splitter(style)
        for paragraph in paragraphs:
            splitter.feed(paragraph)
        splitter.take_trailing_closing()
        units = splitter.result()
    if len(units) > MAX_UNITS:
        raise DraftFormatError(f"The draft splits into more than {MAX_UNITS} parts.", "too_many_units")
    return units


def _table_lines(table: Table) -> list[str]:
    """One line per table row, cells joined by " | "; python-docx repeats a merged cell, keep it once."""
    lines = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(p.text.strip() for p in cell.paragraphs if p.text.strip()))
        if any(cells):
            lines.append(" | ".join(cells))
    return lines


def docx_to_text(data: bytes) -> str:
    """The text of a .docx: body paragraphs and table rows in document order, one per line."""
    # Imported here: python-docx and lxml weigh ~10 MiB, and only an upload of a Word draft needs them.
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.text.paragraph import Paragraph
    from lxml import etree

    invalid = DraftFormatError("The file is not a valid Word (.docx) document.", "invalid_docx")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            xml_bytes = sum(item.file_size for item in package.infolist() if item.filename.endswith((".xml", ".rels")))
    except zipfile.BadZipFile as exc:
        raise invalid from exc
    # Checked before python-docx unpacks anything: a few MB of zip can hold GB of repeated XML.
    if xml_bytes > MAX_DOCX_XML_BYTES:
        raise DraftFormatError("The Word document is too large to read.", "too_long")
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise invalid from exc
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(block.text)
        else:
            lines.extend(_table_lines(block))
    return "\n".join(lines)


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data:
        raise DraftFormatError("The file looks binary, not text.", "undecodable")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DraftFormatError("The text is neither UTF-8 nor GB18030 encoded.", "undecodable")


_OLD_FORMATS = {
    ".doc": "Word 97-2003 (.doc) files",
    ".wps": "WPS (.wps) files",
    ".pdf": "PDF files",
    ".rtf": "RTF files",
}


def split_document(filename: str, data: bytes) -> list[DraftUnit]:
    """Split an uploaded .docx, .md, .markdown or .txt file into units."""
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".docx":
        text = docx_to_text(data)
    elif suffix in (".md", ".markdown", ".txt"):
        text = _decode(data)
    else:
        shown = _OLD_FORMATS.get(suffix, f"{suffix} files" if suffix else "Files without an extension")
        raise DraftFormatError(
            f"{shown} are not supported; upload .docx, .md or .txt (save Word files as .docx).",
            "unsupported_type",
        )
    units = split_text(text)
    if not units:
        raise DraftFormatError("The file contains no text.", "empty")
    return units


def units_to_json(units: Iterable[DraftUnit]) -> list[dict[str, str | None]]:
    """Units as plain dicts {key, kind, number, title, text, parent}, for JSON and the correction form."""
    return [dataclasses.asdict(unit) for unit in units]
