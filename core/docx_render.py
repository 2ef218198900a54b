"""Word (.docx) rendering of an OfficialDocument with python-docx, laid out as GB/T 9704-2012 sets out for
official documents: A4 and its margins, 方正小标宋简体 title, 仿宋_GB2312 body, 黑体 and 楷体 headings, page
numbers "— 1 —" on the outer side, tables with a header row Word repeats on every page, and the verification mark."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.sax.saxutils import escape

import docx
from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import _Footer
from docx.shared import Mm, Pt
from docx.styles.style import ParagraphStyle
from lxml import etree

from core.documents import (
    LAYOUT,
    Facts,
    Heading,
    OfficialDocument,
    PageBreak,
    Paragraph,
    Table,
    VerificationMark,
    chinese_date,
    clean_text,
    numbered_blocks,
)
from core.qr import qr_png

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
# Government offices have the GB2312-era fonts; a plain Windows or WPS install has their successors. Word takes
# w:altName from the font table when the named font is missing, so the document never falls back to a Latin font.
FONT_SUBSTITUTES = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", HEADING2_FONT: "楷体"}
HEADER_SHADING = "E6E6E6"
TWIPS_PER_MM = 1440 / 25.4


@dataclass(frozen=True)
class _StyleSpec:
    name: str
    font: str
    size: float
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY
    first_indent_chars: float = 0
    right_indent_chars: float = 0
    exact_line: float | None = LAYOUT.line_pt
    space_after: float = 0
    outline_level: int | None = None


# Keyed by style id: ASCII ids (as Word writes them), Chinese names (what a clerk sees in Word's style list).
STYLES = {
    "MinyiTitle": _StyleSpec(
        "公文标题",
        TITLE_FONT,
        LAYOUT.title_pt,
        WD_ALIGN_PARAGRAPH.CENTER,
        exact_line=36,
        space_after=LAYOUT.line_pt / 2,
    ),
    "MinyiSubtitle": _StyleSpec(
        "公文副标题", HEADING2_FONT, LAYOUT.body_pt, WD_ALIGN_PARAGRAPH.CENTER, space_after=LAYOUT.line_pt
    ),
    "MinyiHeading1": _StyleSpec("公文一级标题", HEADING1_FONT, LAYOUT.body_pt, first_indent_chars=2, outline_level=0),
    "MinyiHeading2": _StyleSpec("公文二级标题", HEADING2_FONT, LAYOUT.body_pt, first_indent_chars=2, outline_level=1),
    "MinyiCell": _StyleSpec("表格文字", BODY_FONT, LAYOUT.table_pt, WD_ALIGN_PARAGRAPH.LEFT, exact_line=None),
    "MinyiHeaderCell": _StyleSpec(
        "表头文字", HEADING1_FONT, LAYOUT.table_pt, WD_ALIGN_PARAGRAPH.CENTER, exact_line=None
    ),
    "MinyiSignature": _StyleSpec("落款", BODY_FONT, LAYOUT.body_pt, WD_ALIGN_PARAGRAPH.RIGHT, right_indent_chars=2),
    "MinyiPageNumber": _StyleSpec("页码", PAGE_NUMBER_FONT, LAYOUT.page_number_pt, exact_line=None),
    "MinyiNote": _StyleSpec("核验信息", BODY_FONT, LAYOUT.footer_note_pt, WD_ALIGN_PARAGRAPH.LEFT, exact_line=None),
}


def _set_font(style: ParagraphStyle, family: str, size: float) -> None:
    style.font.name = family  # w:ascii and w:hAnsi
    style.font.size = Pt(size)
    # python-docx does not set the East Asian slot, which is the one Word uses for Chinese characters.
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), family)


def _define_style(document: Document, spec: _StyleSpec, style_id: str | None) -> ParagraphStyle:
    if style_id is None:
        style = document.styles["Normal"]
    else:
        style = document.styles.add_style(spec.name, WD_STYLE_TYPE.PARAGRAPH)
        style.style_id = style_id
        style.base_style = document.styles["Normal"]
        style.quick_style = True
    _set_font(style, spec.font, spec.size)
    layout = style.paragraph_format
    layout.alignment = spec.align
    layout.first_line_indent = Pt(spec.first_indent_chars * spec.size)
    layout.right_indent = Pt(spec.right_indent_chars * spec.size)
    layout.space_before, layout.space_after = Pt(0), Pt(spec.space_after)
    if spec.exact_line is None:
        layout.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        layout.line_spacing_rule, layout.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(spec.exact_line)
    if spec.outline_level is not None:
        layout.keep_with_next = True
        outline = OxmlElement("w:outlineLvl")
        outline.set(qn("w:val"), str(spec.outline_level))
        style.element.get_or_add_pPr().append(outline)  # shows in Word's navigation pane
    return style


def _setup_styles(document: Document) -> None:
    defaults = document.styles.element.find(qn("w:docDefaults"))
    for fonts in defaults.iter(qn("w:rFonts")):
        for attribute in list(fonts.attrib):
            del fonts.attrib[attribute]  # theme fonts would override the fonts the styles name
    for language in defaults.iter(qn("w:lang")):
        language.set(qn("w:eastAsia"), "zh-CN")
    _define_style(document, _StyleSpec("Normal", BODY_FONT, LAYOUT.body_pt, first_indent_chars=2), None)
    for style_id, spec in STYLES.items():
        _define_style(document, spec, style_id)


def _style(document: Document, style_id: str) -> ParagraphStyle:
    return document.styles.get_by_id(style_id, WD_STYLE_TYPE.PARAGRAPH)


def _declare_font_substitutes(document: Document) -> None:
    part = document.part.part_related_by(RELATIONSHIP_TYPE.FONT_TABLE)
    root = etree.fromstring(part.blob)
    for name, substitute in FONT_SUBSTITUTES.items():
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        for tag, value in (("w:altName", substitute), ("w:charset", "86"), ("w:family", "modern")):
            etree.SubElement(font, qn(tag)).set(qn("w:val"), value)
    # A plain Part has no setter for its bytes; the font table is small and rewritten whole.
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _set_page(document: Document, has_mark: bool) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(LAYOUT.width_mm), Mm(LAYOUT.height_mm)
    section.top_margin, section.bottom_margin = Mm(LAYOUT.top_mm), Mm(LAYOUT.bottom_mm)
    section.left_margin, section.right_margin = Mm(LAYOUT.left_mm), Mm(LAYOUT.right_mm)
    # The footer grows upwards from this distance; its page number line then starts about 7 mm under the text.
    section.footer_distance = Mm(LAYOUT.bottom_mm - LAYOUT.page_number_gap_mm - (10.5 if has_mark else 6))


def _add_page_field(paragraph: docx.text.paragraph.Paragraph) -> None:
    """A PAGE field, which Word and WPS fill in per page."""
    for kind, value in (("begin", ""), ("instr", " PAGE "), ("separate", ""), ("text", "1"), ("end", "")):
        run = paragraph.add_run()
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = value
            run._r.append(element)
        elif kind == "text":
            run.text = value
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
            run._r.append(element)


def _fill_footer(document: Document, footer: _Footer, odd: bool, mark: VerificationMark | None) -> None:
    number = footer.paragraphs[0]
    number.style = _style(document, "MinyiPageNumber")
    # GB/T 9704: odd page numbers on the right, even ones on the left, one character in from the edge.
    number.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    indent = Pt(LAYOUT.page_number_pt)
    number.paragraph_format.right_indent, number.paragraph_format.left_indent = (indent, 0) if odd else (0, indent)
    number.add_run("— ")
    _add_page_field(number)
    number.add_run(" —")
    if mark is not None:
        footer.add_paragraph(mark.text, style=_style(document, "MinyiNote"))


def _set_footers(document: Document, mark: VerificationMark | None) -> None:
    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    _fill_footer(document, section.footer, odd=True, mark=mark)
    _fill_footer(document, section.even_page_footer, odd=False, mark=mark)


@dataclass(frozen=True)
class _RowStream:
    """Rows written straight into word/document.xml after python-docx has saved the rest: a 100,000-row table
    as an lxml tree would take gigabytes, as text streamed into the zip it takes almost nothing."""

    marker: str
    header: Sequence[str] | None
    rows: Sequence[Sequence[object]]
    cell_starts: list[str]
    header_cell_starts: list[str]

    def chunks(self) -> Iterator[str]:
        if self.header is not None:
            # tblHeader: Word repeats this row at the top of every page.
            yield self._row(self.header, self.header_cell_starts, "<w:trPr><w:tblHeader/></w:trPr>")
        for values in self.rows:
            yield self._row(values, self.cell_starts, "")

    @staticmethod
    def _row(values: Sequence[object], cell_starts: list[str], properties: str) -> str:
        if len(values) != len(cell_starts):
            raise ValueError(f"a row has {len(values)} cells, the table {len(cell_starts)} columns")
        cells = (
            start + "<w:br/>".join(f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in text.split("\n"))
            for start, text in zip(cell_starts, map(clean_text, values), strict=True)
        )
        return f"<w:tr>{properties}{CELL_END.join(cells)}{CELL_END}</w:tr>"


CELL_END = "</w:r></w:p></w:tc>"


def _cell_start(width: int, style_id: str, shaded: bool) -> str:
    shading = f'<w:shd w:val="clear" w:color="auto" w:fill="{HEADER_SHADING}"/>' if shaded else ""
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shading}</w:tcPr>'
        f'<w:p><w:pPr><w:pStyle w:val="{style_id}"/></w:pPr><w:r>'
    )


def _add_table(document: Document, streams: list[_RowStream], header: Sequence[str] | None,
               rows: Sequence[Sequence[object]], fractions: Sequence[float], column_styles: Sequence[str],
               shaded: Sequence[bool]) -> None:  # fmt: skip
    if header is None and not rows:
        return  # Word calls a table without rows damaged
    widths = [round(LAYOUT.text_width_mm * fraction * TWIPS_PER_MM) for fraction in fractions]
    table = document.add_table(rows=0, cols=len(widths))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Mm(width / TWIPS_PER_MM)
    grid = table._tbl
    table_width = grid.tblPr.find(qn("w:tblW"))
    table_width.set(qn("w:w"), str(sum(widths)))
    table_width.set(qn("w:type"), "dxa")
    marker = f"minyi-rows-{len(streams)}"
    grid.append(etree.Comment(marker))  # replaced by the rows when the file is written
    streams.append(
        _RowStream(
            f"<!--{marker}-->",
            header,
            rows,
            [_cell_start(w, style, shade) for w, style, shade in zip(widths, column_styles, shaded, strict=True)],
            [_cell_start(w, "MinyiHeaderCell", True) for w in widths],
        )
    )
    document.add_paragraph()  # keeps what follows from sticking to the table


def _write_with_rows(saved: bytes, streams: list[_RowStream]) -> bytes:
    """Copy the saved package, writing each table's rows where its marker stands in word/document.xml."""
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(saved)) as source, zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != "word/document.xml":
                target.writestr(item, source.read(item))
                continue
            rest = source.read(item).decode()
            with target.open(item, "w", force_zip64=True) as stream:
                for rows in streams:
                    before, rest = rest.split(rows.marker, 1)
                    stream.write(before.encode())
                    batch: list[str] = []
                    for chunk in rows.chunks():
                        batch.append(chunk)
                        if len(batch) == 500:
                            stream.write("".join(batch).encode())
                            batch.clear()
                    stream.write("".join(batch).encode())
                stream.write(rest.encode())
    return output.getvalue()


def _add_blocks(document: Document, doc: OfficialDocument, streams: list[_RowStream]) -> None:
    for block, label in numbered_blocks(doc.blocks):
        match block:
            case Heading():
                style = _style(document, "MinyiHeading1" if block.level == 1 else "MinyiHeading2")
                document.add_paragraph(clean_text(label + block.text), style=style)
            case Paragraph():
                document.add_paragraph(clean_text(block.text))
            case Facts():
                columns = ["MinyiHeaderCell", "MinyiCell"]
                _add_table(document, streams, None, block.rows, [0.28, 0.72], columns, [True, False])
            case Table():
                count = len(block.header)
                columns = ["MinyiCell"] * count
                _add_table(
                    document, streams, block.header, block.rows, block.column_fractions(), columns, [False] * count
                )
            case PageBreak():
                document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _add_verification(document: Document, mark: VerificationMark) -> None:
    picture = document.add_paragraph(style=_style(document, "MinyiNote"))
    picture.paragraph_format.keep_with_next = True
    picture.add_run().add_picture(io.BytesIO(qr_png(mark.qr_data)), width=Mm(25))
    lines = [mark.text, mark.sha_note] if mark.sha_note else [mark.text]
    note = document.add_paragraph("\n".join(lines), style=_style(document, "MinyiCell"))
    note.paragraph_format.keep_together = True


def render_docx(doc: OfficialDocument) -> bytes:
    """The document as .docx bytes."""
    document = docx.Document()
    _setup_styles(document)
    _declare_font_substitutes(document)
    _set_page(document, doc.verification is not None)
    _set_footers(document, doc.verification)
    document.add_paragraph(clean_text(doc.title), style=_style(document, "MinyiTitle"))
    if doc.subtitle:
        document.add_paragraph(clean_text(doc.subtitle), style=_style(document, "MinyiSubtitle"))
    streams: list[_RowStream] = []
    _add_blocks(document, doc, streams)
    document.add_paragraph()
    for line in (doc.issuer, chinese_date(doc.issued_on)):
        document.add_paragraph(clean_text(line), style=_style(document, "MinyiSignature"))
    if doc.verification is not None:
        _add_verification(document, doc.verification)
    properties = document.core_properties
    properties.title, properties.author, properties.last_modified_by = doc.title, doc.issuer, doc.issuer
    properties.subject = doc.verification.text if doc.verification else ""
    properties.language, properties.revision = "zh-CN", 1
    properties.created = properties.modified = datetime.now(UTC).replace(tzinfo=None)
    properties.comments = properties.keywords = properties.category = ""
    buffer = io.BytesIO()
    document.save(buffer)
    return _write_with_rows(buffer.getvalue(), streams)
