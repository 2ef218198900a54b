"""PDF rendering of an OfficialDocument with reportlab: A4 official layout, Chinese text embedded as a TrueType
subset (so it renders everywhere and can be searched and copied), the verification QR code and code in the footer
of every page. Long tables are laid out one page at a time, so 100,000 rows never exist as one platypus Table."""

from __future__ import annotations

import functools
import hashlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, CondPageBreak, Flowable, Frame, PageTemplate, Spacer, TableStyle
from reportlab.platypus import PageBreak as PdfPageBreak
from reportlab.platypus import Paragraph as PdfParagraph
from reportlab.platypus import Table as PdfTable
from reportlab.platypus import paragraph as _paragraph_module

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

# TrueType-outlined CJK fonts, in order of preference. reportlab cannot embed CFF (.otf, Noto CJK .ttc) outlines.
KNOWN_CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # Debian fonts-wqy-zenhei
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # Debian fonts-wqy-microhei
    "/usr/share/fonts/truetype/arphic/uming.ttc",  # Debian fonts-arphic-uming
    "C:/Windows/Fonts/simsun.ttc",
)
CELL_PADDING = 3.0
GRID_WIDTH = 0.5
HEADER_FILL = colors.HexColor("#e6e6e6")
QR_SIZE = 16 * mm
MIN_CUT_HEIGHT = 60.0  # a tall row starts on the next page rather than leave a sliver of itself at a page end
HEADING_ROOM = 4 * LAYOUT.line_pt  # a heading starts a new page unless it and a few lines after it fit

# reportlab lets these Chinese punctuation marks start a line; listing them makes them hang at the line end
# instead, as Chinese typesetting requires (避头标点).
_paragraph_module.ALL_CANNOT_START += "".join(
    mark for mark in "，；：？！》〉」』”’…" if mark not in _paragraph_module.ALL_CANNOT_START
)


class MissingFontError(RuntimeError):
    """No TrueType CJK font to embed: Chinese text would come out as empty boxes."""


def find_cjk_font(configured: str | None = None) -> str:
    """The font file for PDF output: PDF_FONT_PATH when set, else the first known TrueType CJK font present."""
    if configured:
        if not Path(configured).is_file():
            raise MissingFontError(f"PDF_FONT_PATH is {configured!r}, which does not exist.")
        return configured
    for candidate in KNOWN_CJK_FONTS:
        if Path(candidate).is_file():
            return candidate
    raise MissingFontError(
        "No TrueType CJK font for PDF output: install the Debian package fonts-wqy-zenhei "
        "(run scripts/ensure-fonts as root) or set PDF_FONT_PATH to a TrueType .ttf/.ttc file."
    )


@functools.cache
def _registered_font(path: str) -> str:
    """Register the font once per process (parsing a 16 MB collection takes a noticeable fraction of a second)."""
    name = "CJK-" + hashlib.sha256(path.encode()).hexdigest()[:8]
    pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
    return name


@dataclass(frozen=True)
class _Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading1: ParagraphStyle
    heading2: ParagraphStyle
    body: ParagraphStyle
    cell: ParagraphStyle
    header_cell: ParagraphStyle
    signature: ParagraphStyle


def _styles(font: str) -> _Styles:
    body_pt, line_pt = LAYOUT.body_pt, LAYOUT.line_pt
    body = ParagraphStyle(
        "body", fontName=font, fontSize=body_pt, leading=line_pt, wordWrap="CJK", firstLineIndent=2 * body_pt
    )
    # Headings keep with what follows through CondPageBreak, not keepWithNext: that would push a heading and a
    # long table after it onto a new page together.
    heading = ParagraphStyle("heading1", parent=body)
    cell = ParagraphStyle(
        "cell", fontName=font, fontSize=LAYOUT.table_pt, leading=LAYOUT.table_pt * 1.35, wordWrap="CJK"
    )
    return _Styles(
        title=ParagraphStyle(
            "title",
            parent=body,
            fontSize=LAYOUT.title_pt,
            leading=LAYOUT.title_pt * 1.5,
            alignment=TA_CENTER,
            firstLineIndent=0,
            spaceAfter=line_pt / 2,
        ),
        subtitle=ParagraphStyle("subtitle", parent=body, alignment=TA_CENTER, firstLineIndent=0, spaceAfter=line_pt),
        heading1=heading,
        heading2=ParagraphStyle("heading2", parent=heading),
        body=body,
        cell=cell,
        header_cell=ParagraphStyle("header_cell", parent=cell, alignment=TA_CENTER),
        signature=ParagraphStyle(
            "signature", parent=body, alignment=TA_RIGHT, firstLineIndent=0, rightIndent=2 * body_pt
        ),
    )


def _markup(value: object) -> str:
    """Plain text as Paragraph markup: escaped, line breaks kept."""
    return escape(clean_text(value)).replace("\n", "<br/>")


@dataclass
class _Row:
    cells: list[PdfParagraph | None]
    height: float


class _TablePage(Flowable):
    """One page's share of a long table: the header row and the rows that fit, drawn with a full grid."""

    def __init__(self, widths: list[float], header: _Row, rows: list[_Row]) -> None:
        super().__init__()
        self.widths, self.header, self.rows = widths, header, rows
        self.width = sum(widths)
        self.height = header.height + sum(row.height for row in rows)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.setFillColor(HEADER_FILL)
        canvas.rect(0, self.height - self.header.height, self.width, self.header.height, stroke=0, fill=1)
        canvas.setFillColor(colors.black)
        lefts = [sum(self.widths[:i]) for i in range(len(self.widths))]
        top = self.height
        for row in [self.header, *self.rows]:
            for cell, left in zip(row.cells, lefts, strict=True):
                if cell is not None:
                    cell.drawOn(canvas, left + CELL_PADDING, top - CELL_PADDING - cell.height)
            canvas.setLineWidth(GRID_WIDTH)
            canvas.line(0, top, self.width, top)
            top -= row.height
        canvas.line(0, 0, self.width, 0)
        for x in [*lefts, self.width]:
            canvas.line(x, 0, x, self.height)


class _LongTable(Flowable):
    """A Table block from a given row on: each split yields one _TablePage (header repeated) and the rest, which
    refers to the same row sequence by index. Work and memory per page stay constant, however many rows."""

    def __init__(
        self, table: Table, styles: _Styles, frame_height: float, start: int = 0, carried: Sequence[_Row] = ()
    ) -> None:
        super().__init__()
        self.table, self.styles, self.frame_height = table, styles, frame_height
        self.start = start
        self.carried = list(carried)  # continuation rows of a cell too tall for one page
        self._layout_cache: tuple[float, float, _TablePage | None, _LongTable | None] | None = None

    def _widths(self, available_width: float) -> list[float]:
        return [fraction * available_width for fraction in self.table.column_fractions()]

    def _wrap_cells(self, cells: list[PdfParagraph | None], widths: list[float]) -> _Row:
        heights = [0.0]
        for cell, width in zip(cells, widths, strict=True):
            if cell is not None:
                heights.append(cell.wrap(width - 2 * CELL_PADDING, self.frame_height)[1])
        return _Row(cells, max(heights) + 2 * CELL_PADDING)

    def _prepare(self, values: Sequence[object], widths: list[float], space: float, tallest: float) -> list[_Row]:
        """A data row as one or more drawn rows. A row taller than a page is cut: its first part fills the space
        left on this page, the next parts continue on the following pages."""
        cells: list[PdfParagraph | None] = [PdfParagraph(_markup(value), self.styles.cell) for value in values]
        row = self._wrap_cells(cells, widths)
        if row.height <= tallest:
            return [row]
        limit = space if space >= MIN_CUT_HEIGHT else tallest
        rows = []
        while row.height > limit:
            first: list[PdfParagraph | None] = []
            rest: list[PdfParagraph | None] = []
            for cell, width in zip(cells, widths, strict=True):
                parts = cell.split(width - 2 * CELL_PADDING, limit - 2 * CELL_PADDING) if cell else []
                first.append(parts[0] if len(parts) > 1 else cell)
                rest.append(parts[1] if len(parts) > 1 else None)
            rows.append(self._wrap_cells(first, widths))
            cells, limit = rest, tallest
            row = self._wrap_cells(cells, widths)
        return [*rows, row]

    def _layout(self, available_width: float, available_height: float) -> tuple[_TablePage | None, _LongTable | None]:
        cache = self._layout_cache
        if cache and cache[:2] == (available_width, available_height):
            return cache[2], cache[3]
        widths = self._widths(available_width)
        header_cells = [PdfParagraph(_markup(text), self.styles.header_cell) for text in self.table.header]
        header = self._wrap_cells(list(header_cells), widths)
        tallest = self.frame_height - header.height - 1  # a row always fits on an empty page under the header
        space = available_height - header.height
        queue, index, placed = list(self.carried), self.start, []
        rows = self.table.rows
        while True:
            if not queue:
                if index >= len(rows):
                    break
                queue = self._prepare(rows[index], widths, space, tallest)
                index += 1
            if queue[0].height > space:
                break
            space -= queue[0].height
            placed.append(queue.pop(0))
        page = _TablePage(widths, header, placed) if placed else None
        rest = None
        if queue or index < len(rows):
            rest = _LongTable(self.table, self.styles, self.frame_height, index, queue)
        self._layout_cache = (available_width, available_height, page, rest)
        return page, rest

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        page, rest = self._layout(available_width, available_height)
        if page is not None and rest is None:
            return page.wrap(available_width, available_height)
        # Taller than any page, so the frame asks us to split, and a heading kept with us stays on this page.
        return available_width, max(available_height, self.frame_height) + 1

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        page, rest = self._layout(available_width, available_height)
        if page is None:
            return []  # not even one row fits here: start on the next page
        return [page, rest] if rest is not None else [page]

    def draw(self) -> None:
        cache = self._layout_cache
        assert cache is not None and cache[2] is not None, "drawn before wrap"
        cache[2].drawOn(self.canv, 0, 0)


def _facts_table(facts: Facts, styles: _Styles, width: float) -> PdfTable:
    data = [
        [PdfParagraph(_markup(label), styles.header_cell), PdfParagraph(_markup(value), styles.cell)]
        for label, value in facts.rows
    ]
    table = PdfTable(data, colWidths=[0.28 * width, 0.72 * width])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), GRID_WIDTH, colors.black),
                ("FONTNAME", (0, 0), (-1, -1), styles.cell.fontName),  # else the table sets Helvetica
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (0, -1), HEADER_FILL),
            ]
        )
    )
    return table


def _story(doc: OfficialDocument, styles: _Styles, width: float, frame_height: float) -> list[Flowable]:
    story: list[Flowable] = [PdfParagraph(_markup(doc.title), styles.title)]
    if doc.subtitle:
        story.append(PdfParagraph(_markup(doc.subtitle), styles.subtitle))
    for block, label in numbered_blocks(doc.blocks):
        match block:
            case Heading():
                style = styles.heading1 if block.level == 1 else styles.heading2
                story += [CondPageBreak(HEADING_ROOM), PdfParagraph(_markup(label + block.text), style)]
            case Paragraph():
                story.append(PdfParagraph(_markup(block.text), styles.body))
            case Facts():
                story += [_facts_table(block, styles, width), Spacer(1, LAYOUT.line_pt / 2)]
            case Table():
                story += [_LongTable(block, styles, frame_height), Spacer(1, LAYOUT.line_pt / 2)]
            case PageBreak():
                story.append(PdfPageBreak())
    story += [
        Spacer(1, LAYOUT.line_pt),
        PdfParagraph(_markup(doc.issuer), styles.signature),
        PdfParagraph(_markup(chinese_date(doc.issued_on)), styles.signature),
    ]
    return story


def _footer_painter(font: str, mark: VerificationMark | None) -> Callable[[Canvas, BaseDocTemplate], None]:
    """Draws on every page: "— n —" (odd pages right, even pages left, as GB/T 9704) and the verification mark."""
    qr_image = ImageReader(io.BytesIO(qr_png(mark.qr_data))) if mark else None  # one image, embedded once

    def paint(canvas: Canvas, document: BaseDocTemplate) -> None:
        canvas.saveState()
        size = LAYOUT.page_number_pt
        baseline = (LAYOUT.bottom_mm - LAYOUT.page_number_gap_mm) * mm - size
        number = f"— {canvas.getPageNumber()} —"
        canvas.setFont(font, size)
        if canvas.getPageNumber() % 2:
            canvas.drawRightString(document.pagesize[0] - LAYOUT.right_mm * mm - size, baseline, number)
        else:
            canvas.drawString(LAYOUT.left_mm * mm + size, baseline, number)
        if mark is not None and qr_image is not None:
            left, bottom = LAYOUT.left_mm * mm, 5 * mm
            canvas.drawImage(qr_image, left, bottom, QR_SIZE, QR_SIZE)
            text_left = left + QR_SIZE + 2 * mm
            room = document.pagesize[0] - LAYOUT.right_mm * mm - text_left
            for line, y in ((mark.text, bottom + 9 * mm), (mark.sha_note, bottom + 4.5 * mm)):
                if line:
                    # Shrink a long address rather than let it run off the page.
                    fitted = min(
                        LAYOUT.footer_note_pt,
                        LAYOUT.footer_note_pt * room / pdfmetrics.stringWidth(line, font, LAYOUT.footer_note_pt),
                    )
                    canvas.setFont(font, fitted)
                    canvas.drawString(text_left, y, line)
        canvas.restoreState()

    return paint


def render_pdf(doc: OfficialDocument, *, font_path: str | None = None) -> bytes:
    """The document as PDF bytes. font_path is the PDF_FONT_PATH setting (None: the first known CJK font)."""
    font = _registered_font(find_cjk_font(font_path))
    styles = _styles(font)
    buffer = io.BytesIO()
    template = BaseDocTemplate(
        buffer,
        pagesize=(LAYOUT.width_mm * mm, LAYOUT.height_mm * mm),
        leftMargin=LAYOUT.left_mm * mm,
        rightMargin=LAYOUT.right_mm * mm,
        topMargin=LAYOUT.top_mm * mm,
        bottomMargin=LAYOUT.bottom_mm * mm,
        title=doc.title,
        author=doc.issuer,
        subject=doc.verification.text if doc.verification else "",
        creator="Minyi",
        pageCompression=1,
        initialFontName=font,  # else every page references Helvetica, a font the document never uses
    )
    frame = Frame(
        template.leftMargin,
        template.bottomMargin,
        template.width,
        template.height,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    template.addPageTemplates(PageTemplate("page", [frame], onPage=_footer_painter(font, doc.verification)))
    template.build(_story(doc, styles, template.width, template.height))
    return buffer.getvalue()
