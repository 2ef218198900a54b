"""From an upload to a list of paragraphs: Word, Markdown and text files, decoded and with Markdown markup removed."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePath
from typing import TYPE_CHECKING

from consultation.drafting.split.units import MAX_DOCX_XML_BYTES, MAX_PARAGRAPHS, DraftFormatError

if TYPE_CHECKING:
    from docx.table import Table

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
_OLD_FORMATS = {
    ".doc": "Word 97-2003 (.doc) files",
    ".wps": "WPS (.wps) files",
    ".pdf": "PDF files",
    ".rtf": "RTF files",
}


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


def paragraphs(text: str) -> list[str]:
    """Non-empty lines with Markdown markup removed and odd whitespace collapsed to single spaces."""
    text = _without_comments(text.replace("\r\n", "\n").replace("\r", "\n"))
    found = []
    for raw in text.split("\n"):
        line = _ODD_SPACES.sub(" ", raw).strip()
        if not line or _MD_RULE.match(line):
            continue
        line = _ODD_SPACES.sub(" ", _strip_markdown(line)).strip()
        if line:
            found.append(line)
            if len(found) > MAX_PARAGRAPHS:
                raise DraftFormatError(f"The draft has more than {MAX_PARAGRAPHS} paragraphs.", "too_long")
    return found


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


def document_text(filename: str, data: bytes) -> str:
    """The text of an uploaded .docx, .md, .markdown or .txt file; other types are refused with the reason."""
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".docx":
        return docx_to_text(data)
    if suffix in (".md", ".markdown", ".txt"):
        return _decode(data)
    shown = _OLD_FORMATS.get(suffix, f"{suffix} files" if suffix else "Files without an extension")
    raise DraftFormatError(
        f"{shown} are not supported; upload .docx, .md or .txt (save Word files as .docx).",
        "unsupported_type",
    )
