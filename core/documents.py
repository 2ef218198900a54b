"""A small model of an official document (公文-style report), rendered to Word by core.docx_render and to PDF by
core.pdf_render. Features build an OfficialDocument from their data; the renderers know nothing about features."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

# The text printed on a document is Chinese whatever the reader's UI language: it is an official document of a
# Chinese government office, exchanged as such.
VERIFICATION_TEXT = "验证码：{code} 在 {url} 核验"

# Characters XML 1.0 forbids; a comment pasted from elsewhere can carry them and would break both renderers.
_XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CHINESE_DIGITS = "零一二三四五六七八九"


@dataclass(frozen=True)
class Heading:
    """A section heading. Level 1 is numbered 一、二、… and level 2 （一）（二）… unless numbered is False."""

    level: int
    text: str
    numbered: bool = True

    def __post_init__(self) -> None:
        if self.level not in (1, 2):
            raise ValueError(f"heading level must be 1 or 2, not {self.level}")


@dataclass(frozen=True)
class Paragraph:
    """Body text; a newline starts a new line inside the same paragraph."""

    text: str


@dataclass(frozen=True)
class Facts:
    """Label-value rows shown as a bordered two-column table (period, channels, counts …)."""

    rows: Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Table:
    """A bordered table whose header row is repeated on every page. widths are fractions of the text width."""

    header: Sequence[str]
    rows: Sequence[Sequence[object]]
    widths: Sequence[float] | None = None

    def __post_init__(self) -> None:
        if not self.header:
            raise ValueError("a table needs a header")
        if self.widths is not None:
            if len(self.widths) != len(self.header):
                raise ValueError("one width per column")
            if abs(sum(self.widths) - 1) > 0.01 or min(self.widths) <= 0:
                raise ValueError("widths are positive fractions adding up to 1")

    def column_fractions(self) -> list[float]:
        if self.widths is not None:
            return list(self.widths)
        return [1 / len(self.header)] * len(self.header)


@dataclass(frozen=True)
class PageBreak:
    """Start a new page."""


Block = Heading | Paragraph | Facts | Table | PageBreak


@dataclass(frozen=True)
class VerificationMark:
    """What a registered document carries so a reader can check it: the code (shown as XXXX-XXXX), the address
    of the verification page, and a note on the SHA-256 registered at issue."""

    code: str
    url: str
    sha_note: str = ""

    @property
    def text(self) -> str:
        return VERIFICATION_TEXT.format(code=self.code, url=self.url)

    @property
    def qr_data(self) -> str:
        """The QR code opens the verification page with the code already filled in."""
        separator = "&" if "?" in self.url else "?"
        return f"{self.url}{separator}code={self.code.replace('-', '')}"


@dataclass(kw_only=True)
class OfficialDocument:
    title: str
    subtitle: str = ""
    blocks: list[Block] = field(default_factory=list)
    issuer: str
    issued_on: date
    verification: VerificationMark | None = None


def clean_text(value: object) -> str:
    """Any cell value as text safe for XML: None is empty, control characters are dropped."""
    if value is None:
        return ""
    return _XML_FORBIDDEN.sub("", str(value))


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (heading numbers; beyond 99 Arabic digits are clearer)."""
    if not 1 <= n <= 99:
        return str(n)
    tens, ones = divmod(n, 10)
    prefix = "" if tens == 0 else ("十" if tens == 1 else _CHINESE_DIGITS[tens] + "十")
    return prefix + (_CHINESE_DIGITS[ones] if ones else "")


def chinese_date(value: date) -> str:
    """成文日期 as GB/T 9704-2012 writes it: Arabic numerals, no leading zeros (2024年5月6日)."""
    return f"{value.year}年{value.month}月{value.day}日"


def numbered_blocks(blocks: Sequence[Block]) -> Iterator[tuple[Block, str]]:
    """Each block with the number to print before it: 一、 for level-1 headings, （一） for level-2 ones (which
    restart under each level-1 heading), and "" for everything else."""
    level1 = level2 = 0
    for block in blocks:
        label = ""
        if isinstance(block, Heading) and block.numbered:
            if block.level == 1:
                level1, level2 = level1 + 1, 0
                label = chinese_number(level1) + "、"
            else:
                level2 += 1
                label = f"（{chinese_number(level2)}）"
        yield block, label


@dataclass(frozen=True)
class PageLayout:
    """GB/T 9704-2012 page and type sizes shared by both renderers (A4, 版心 156 × 225 mm)."""

    width_mm: float = 210
    height_mm: float = 297
    top_mm: float = 37
    bottom_mm: float = 35
    left_mm: float = 28
    right_mm: float = 26
    title_pt: float = 22  # 二号
    body_pt: float = 16  # 三号
    line_pt: float = 28  # fixed line pitch of the body, as office templates set it
    table_pt: float = 10.5  # 五号: a table of comments needs small type to stay legible on A4
    page_number_pt: float = 14  # 四号
    page_number_gap_mm: float = 7  # the page number sits 7 mm below the text block
    footer_note_pt: float = 8

    @property
    def text_width_mm(self) -> float:
        return self.width_mm - self.left_mm - self.right_mm


LAYOUT = PageLayout()
