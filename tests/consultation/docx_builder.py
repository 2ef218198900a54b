"""Build .docx files for draft-splitting tests, the way district offices write them."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from typing import Literal

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH

HeadingMode = Literal["bold", "styles"]

_ARTICLE_LABEL = re.compile(r"^(第[零〇一二两三四五六七八九十百千0-9]+条)\s*(.*)$")


def paragraphs_to_docx(paragraphs: Iterable[str], table_rows: list[list[str]] | None = None) -> bytes:
    """A .docx with one plain paragraph per string, and optionally a table after them."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table_rows:
        table = document.add_table(rows=len(table_rows), cols=len(table_rows[0]))
        for row, values in zip(table.rows, table_rows, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
    return _save(document)


def statute_markdown_to_docx(markdown: str, headings: HeadingMode) -> bytes:
    """A .docx of a statute from the Markdown copies in shared/data/statutes.

    headings="bold": headings are centred plain paragraphs in bold, and each 第X条 label is a bold run
    followed by an ideographic space, as offices type them. headings="styles": Title / Heading 1 / 2 styles.
    """
    document = docx.Document()
    for line in markdown.splitlines():
        line = line.strip()
        if not line or line.startswith("<!--"):
            continue
        level = len(line) - len(line.lstrip("#"))
        text = line.lstrip("#").strip()
        if level and headings == "styles":
            document.add_heading(text, level=level - 1)  # "#" is the title: Word's level 0
        elif level:
            paragraph = document.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.add_run(text).bold = True
        elif (article := _ARTICLE_LABEL.match(text)) and headings == "bold":
            paragraph = document.add_paragraph()
            paragraph.add_run(article.group(1)).bold = True
            paragraph.add_run("\u3000" + article.group(2))
        else:
            document.add_paragraph(text)
    return _save(document)


def _save(document: docx.document.Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
