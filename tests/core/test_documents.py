"""Official documents as Word and PDF: what a reviewer opening the file sees, checked with independent readers."""

from __future__ import annotations

import io
import re
from datetime import date

import docx
import pypdf
import pytest
from docx.oxml.ns import qn

from core import pdf_render
from core.documents import (
    Facts,
    Heading,
    OfficialDocument,
    PageBreak,
    Paragraph,
    Table,
    VerificationMark,
    chinese_number,
    numbered_blocks,
)
from core.docx_render import render_docx
from core.pdf_render import MissingFontError, find_cjk_font, render_pdf

TITLE = "关于《东洲区政务公开办法（征求意见稿）》征求意见情况的说明"
HEADER = ["序号", "意见建议人", "条款", "意见内容", "采纳情况", "理由"]
MARK = VerificationMark("K7MQ-3XPA", "https://minyi.example.cn/verify", "签发时已登记SHA-256摘要")


def comment_rows(count: int) -> list[list[str]]:
    return [
        [
            str(n),
            f"张*祥{n}",
            f"第{n % 9 + 1}条",
            f"建议第{n}号：将“三十日”改为“二十个工作日”。",
            "部分采纳",
            f"理由{n}",
        ]
        for n in range(1, count + 1)
    ]


def summary(rows: list[list[str]] | None = None, mark: VerificationMark | None = MARK) -> OfficialDocument:
    return OfficialDocument(
        title=TITLE,
        subtitle="（公开版）",
        blocks=[
            Heading(1, "基本情况"),
            Paragraph("区政府办公室于2024年5月6日至6月5日公开征求意见。"),
            Facts([("征求意见期间", "2024年5月6日至2024年6月5日"), ("收到意见", "12条")]),
            Heading(1, "意见采纳情况"),
            Heading(2, "相对集中的意见"),
            Table(HEADER, comment_rows(3) if rows is None else rows, [0.07, 0.13, 0.1, 0.4, 0.12, 0.18]),
        ],
        issuer="抚顺市东洲区人民政府办公室",
        issued_on=date(2024, 6, 10),
        verification=mark,
    )


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages]


# ---- the model ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "text"), [(1, "一"), (10, "十"), (11, "十一"), (20, "二十"), (35, "三十五"), (99, "九十九")]
)
def test_heading_numbers_are_written_in_chinese(n: int, text: str) -> None:
    assert chinese_number(n) == text


def test_second_level_headings_restart_under_each_first_level_heading() -> None:
    blocks = [Heading(1, "甲"), Heading(2, "子"), Heading(2, "丑"), Heading(1, "乙"), Heading(2, "寅")]
    labels = [label for _, label in numbered_blocks(blocks)]
    assert labels == ["一、", "（一）", "（二）", "二、", "（一）"]


def test_table_widths_must_cover_the_text_width_once() -> None:
    with pytest.raises(ValueError, match="adding up to 1"):
        Table(["a", "b"], [], [0.5, 0.6])
    with pytest.raises(ValueError, match="one width per column"):
        Table(["a", "b"], [], [1.0])


# ---- Word ----------------------------------------------------------------------------------------------------------


def test_word_document_has_title_numbered_headings_and_every_table_row() -> None:
    document = docx.Document(io.BytesIO(render_docx(summary(comment_rows(25)))))
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert texts[0] == TITLE
    assert "一、基本情况" in texts and "二、意见采纳情况" in texts and "（一）相对集中的意见" in texts
    assert "区政府办公室于2024年5月6日至6月5日公开征求意见。" in texts
    assert texts[-4:-2] == ["抚顺市东洲区人民政府办公室", "2024年6月10日"]
    facts, comments = document.tables
    assert [cell.text for cell in facts.rows[0].cells] == ["征求意见期间", "2024年5月6日至2024年6月5日"]
    assert [cell.text for cell in comments.rows[0].cells] == HEADER
    assert len(comments.rows) == 26
    assert [cell.text for cell in comments.rows[25].cells] == comment_rows(25)[24]


def test_word_page_is_a4_with_the_official_document_margins() -> None:
    section = docx.Document(io.BytesIO(render_docx(summary()))).sections[0]
    measured = [section.page_width, section.page_height, section.top_margin, section.bottom_margin]
    measured += [section.left_margin, section.right_margin]
    assert [round(length.mm, 1) for length in measured] == [210, 297, 37, 35, 28, 26]


def test_word_styles_set_the_east_asian_fonts_and_official_sizes() -> None:
    document = docx.Document(io.BytesIO(render_docx(summary())))

    def east_asian_font(paragraph: docx.text.paragraph.Paragraph) -> str:
        return paragraph.style.element.rPr.rFonts.get(qn("w:eastAsia"))

    title, _subtitle, heading1, body = document.paragraphs[:4]
    heading2 = next(p for p in document.paragraphs if p.text == "（一）相对集中的意见")
    assert (east_asian_font(title), title.style.font.size.pt) == ("方正小标宋简体", 22)
    assert (east_asian_font(body), body.style.font.size.pt) == ("仿宋_GB2312", 16)
    assert east_asian_font(heading1) == "黑体"
    assert east_asian_font(heading2) == "楷体_GB2312"
    cell_paragraph = document.tables[1].rows[1].cells[3].paragraphs[0]
    assert east_asian_font(cell_paragraph) == "仿宋_GB2312"
    # A machine without the GB2312-era fonts is told which ones to use instead.
    fonts = document.part.part_related_by(docx.opc.constants.RELATIONSHIP_TYPE.FONT_TABLE).blob.decode()
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>' in fonts


def test_word_repeats_the_table_header_row_on_every_page() -> None:
    table = docx.Document(io.BytesIO(render_docx(summary()))).tables[1]
    assert table.rows[0]._tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
    assert table.rows[1]._tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is None


def test_word_prints_the_verification_code_qr_and_page_numbers() -> None:
    document = docx.Document(io.BytesIO(render_docx(summary())))
    assert "验证码：K7MQ-3XPA 在 https://minyi.example.cn/verify 核验" in document.paragraphs[-1].text
    assert len(document.inline_shapes) == 1  # the QR code
    for footer in (document.sections[0].footer, document.sections[0].even_page_footer):
        assert "验证码：K7MQ-3XPA" in footer.paragraphs[1].text
        assert footer.paragraphs[0].text.startswith("— ")
        assert " PAGE " in footer._element.xml


def test_word_document_without_a_mark_has_no_code_and_no_picture() -> None:
    document = docx.Document(io.BytesIO(render_docx(summary(mark=None))))
    assert not any("验证码" in paragraph.text for paragraph in document.paragraphs)
    assert len(document.inline_shapes) == 0


def test_empty_facts_leave_no_empty_table_in_word() -> None:
    document = summary()
    document.blocks = [Facts([]), Table(HEADER, [])]
    tables = docx.Document(io.BytesIO(render_docx(document))).tables
    assert len(tables) == 1 and [cell.text for cell in tables[0].rows[0].cells] == HEADER


def test_text_with_control_characters_and_line_breaks_still_makes_a_valid_word_file() -> None:
    rows = [["1", "李*\x01明", "第1条", "第一行\n第二行", "采纳", ""]]
    table = docx.Document(io.BytesIO(render_docx(summary(rows)))).tables[1]
    assert [cell.text for cell in table.rows[1].cells][1:4] == ["李*明", "第1条", "第一行\n第二行"]


# ---- PDF -----------------------------------------------------------------------------------------------------------


def test_pdf_text_can_be_searched_and_copied_in_chinese() -> None:
    text = "".join(pdf_pages(render_pdf(summary(comment_rows(5))))).replace("\n", "")
    for expected in ("关于《东洲区政务公开办法", "一、基本情况", "（一）相对集中的意见", "征求意见期间", "张*祥5"):
        assert expected in text
    assert "抚顺市东洲区人民政府办公室" in text and "2024年6月10日" in text


def test_pdf_embeds_its_chinese_font_as_truetype() -> None:
    reader = pypdf.PdfReader(io.BytesIO(render_pdf(summary())))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    # Every font the page uses is embedded with TrueType outlines: none left for the reader's machine to supply.
    assert fonts
    for font in fonts.values():
        assert font.get_object()["/Subtype"] == "/TrueType"
        assert "/FontFile2" in font.get_object()["/FontDescriptor"]


def test_pdf_page_count_grows_with_the_rows() -> None:
    short, long = (
        len(pdf_pages(render_pdf(summary(comment_rows(5))))),
        len(pdf_pages(render_pdf(summary(comment_rows(300))))),
    )
    assert short == 1
    assert long > 10


def test_pdf_repeats_the_table_header_and_the_code_on_every_page() -> None:
    pages = pdf_pages(render_pdf(summary(comment_rows(120))))
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert "意见内容" in text and "采纳情况" in text
        assert "验证码：K7MQ-3XPA 在 https://minyi.example.cn/verify 核验" in text
        assert f"— {number} —" in text
    every_row = "".join(pages)
    assert all(f"建议第{n}号" in every_row for n in range(1, 121))


def test_a_comment_longer_than_a_page_continues_on_the_next_pages() -> None:
    long_comment = "甲乙丙丁戊己庚辛壬癸" * 400 + "【完】"
    rows = [["1", "王*", "第1条", long_comment, "未采纳", "理由见说明"], ["2", "赵*", "第2条", "最后一条", "采纳", ""]]
    pages = pdf_pages(render_pdf(summary(rows)))
    assert len(pages) >= 3
    text = "".join(pages).replace("\n", "")
    assert text.count("甲") == 400 and text.count("癸") == 400  # every character, whatever page it fell on
    assert "【完】" in text and "最后一条" in text


def test_a_configured_font_path_that_does_not_exist_is_named_in_the_error() -> None:
    with pytest.raises(MissingFontError, match=re.escape("/nowhere/font.ttc")):
        find_cjk_font("/nowhere/font.ttc")


def test_without_any_cjk_font_the_error_names_the_package_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_render, "KNOWN_CJK_FONTS", ("/nowhere/a.ttc",))
    with pytest.raises(MissingFontError, match="fonts-wqy-zenhei"):
        render_pdf(summary())


def test_page_break_block_starts_a_new_pdf_page() -> None:
    document = summary()
    document.blocks = [Paragraph("第一页"), PageBreak(), Paragraph("第二页")]
    pages = pdf_pages(render_pdf(document))
    assert len(pages) == 2 and "第一页" in pages[0] and "第二页" in pages[1]
