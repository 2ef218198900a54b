"""What the content scan reads in a published file: its text everywhere a reader sees text, and its links.

Spam is planted where a reviewer does not look: in a Word file's header, footer, text box or footnote, in a PDF's
link annotations or document title, in an old binary .doc. So a .docx is read part by part (every XML part under
word/, its external hyperlinks from the relationships), a PDF page by page with its annotations' addresses and its
metadata, and a .doc as the UTF-16 text Word 97-2003 keeps Chinese in (plus any 8-bit text). Pictures are not read.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import dataclass, field

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOC = "application/msword"
PDF = "application/pdf"
_MAX_PART = 20 * 1024 * 1024  # read no more of one part than an upload may hold
_WORD_TEXT = re.compile(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>")
_PARAGRAPH_END = re.compile(r"</w:p>")
_EXTERNAL_TARGET = re.compile(r'<Relationship\s[^>]*Target="([^"]+)"[^>]*TargetMode="External"')
_URL = re.compile(r"https?://[^\s\"'<>\x00]+", re.IGNORECASE)
# Runs of readable text in a binary file: CJK, letters, digits and common punctuation, at least 2 characters.
_READABLE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffefA-Za-z0-9:/._\-?=&%#@ ]{2,}")


@dataclass
class FileText:
    text: str = ""
    links: list[str] = field(default_factory=list)


def read(content_type: str, data: bytes) -> FileText:
    """The text and links of a Word or PDF file; empty for other files. Raises on a file that cannot be read."""
    if content_type.startswith(DOCX):
        return _docx(data)
    if content_type.startswith(PDF):
        return _pdf(data)
    if content_type.startswith(DOC):
        return _doc(data)
    return FileText()


def _docx(data: bytes) -> FileText:
    texts, links = [], []
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for info in package.infolist():
            if not info.filename.startswith("word/") or info.file_size > _MAX_PART:
                continue
            if info.filename.endswith(".xml"):  # document, headers, footers, footnotes, comments, text boxes
                xml = package.read(info).decode("utf-8", errors="replace")
                xml = _PARAGRAPH_END.sub("\n", xml)
                texts.append("".join(html.unescape(part) for part in _WORD_TEXT.findall(xml)))
            elif info.filename.endswith(".rels"):
                rels = package.read(info).decode("utf-8", errors="replace")
                links.extend(html.unescape(target) for target in _EXTERNAL_TARGET.findall(rels))
    return FileText("\n".join(texts), links)


def _pdf(data: bytes) -> FileText:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    texts, links = [], []
    for page in reader.pages:
        texts.append(page.extract_text() or "")
        for annotation in page.get("/Annots") or ():
            action = annotation.get_object().get("/A") or {}
            uri = action.get("/URI") if hasattr(action, "get") else None
            if uri:
                links.append(str(uri))
    metadata = reader.metadata or {}
    texts.extend(str(value) for value in metadata.values() if isinstance(value, str))
    return FileText("\n".join(texts), links + _URL.findall("\n".join(texts)))


def _doc(data: bytes) -> FileText:
    runs = []
    for offset in (0, 1):  # UTF-16 text may start at an odd byte of the file
        runs.extend(_READABLE.findall(data[offset:].decode("utf-16-le", errors="replace")))
    runs.extend(_READABLE.findall(data.decode("latin-1")))
    text = "\n".join(runs)
    return FileText(text, _URL.findall(text))
