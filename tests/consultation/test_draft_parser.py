"""Splitting real and awkward drafts into commentable units."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from consultation.drafting.split import (
    DraftFormatError,
    DraftUnit,
    cn_numeral_to_int,
    docx_to_text,
    split_document,
    split_text,
    units_to_json,
)
from tests.consultation.docx_builder import paragraphs_to_docx, statute_markdown_to_docx

SHARED = Path("/work/shared")
NOTICE = SHARED / "brief" / "seed-notice.txt"
STATUTES = SHARED / "data" / "statutes"
DECISIONS = STATUTES / "重大行政决策程序暂行条例(2019-04-20).md"
DISCLOSURE = STATUTES / "政府信息公开条例(2019-04-03).md"
RULEMAKING = STATUTES / "规章制定程序条例(2017-12-22).md"

# Counted by reading the files: "## 第X章" lines, "### 第X节" lines and paragraphs starting 第X条.
STATUTE_SHAPES = [(DECISIONS, 6, 6, 44), (DISCLOSURE, 6, 0, 56), (RULEMAKING, 7, 0, 41)]


def by_key(units: list[DraftUnit]) -> dict[str, DraftUnit]:
    return {unit.key: unit for unit in units}


def of_kind(units: list[DraftUnit], kind: str) -> list[DraftUnit]:
    return [unit for unit in units if unit.kind == kind]


# --- the district notice (policy style) ---


@pytest.fixture(scope="module")
def notice() -> list[DraftUnit]:
    return split_document(NOTICE.name, NOTICE.read_bytes())


def test_notice_has_its_six_parts_with_their_headings(notice):
    parts = of_kind(notice, "part")
    assert [p.key for p in parts] == ["p1", "p2", "p3", "p4", "p5", "p6"]
    assert [p.number for p in parts] == ["一、", "二、", "三、", "四、", "五、", "六、"]
    assert parts[0].title == "规范管理,加大政策文件公开力度"
    assert parts[2].title == "强化公众参与,不断完善政企政民互动功能"
    assert parts[5].title == "持续改进作风,切实抓好各项工作落实到位"


def test_notice_numbered_points_sit_under_the_right_part(notice):
    items = of_kind(notice, "point")
    per_part = {p.key: [i.key for i in items if i.parent == p.key] for p in of_kind(notice, "part")}
    # 一 has four numbered tasks, 二 four, 三 to 六 two each.
    assert {key: len(keys) for key, keys in per_part.items()} == {
        "p1": 4,
        "p2": 4,
        "p3": 2,
        "p4": 2,
        "p5": 2,
        "p6": 2,
    }
    assert per_part["p1"] == ["p1-n1", "p1-n2", "p1-n3", "p1-n4"]
    numbered_lines = re.findall(r"^\d+\.", NOTICE.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert len(items) == len(numbered_lines)


def test_notice_item_text_is_the_whole_task(notice):
    item = by_key(notice)["p3-n1"]
    assert item.number == "1."
    assert item.title == "规范政策文件公开征求社会意见工作"
    assert item.text.startswith("规范政策文件公开征求社会意见工作。")
    assert item.text.endswith("完成时限:长期坚持)")


def test_notice_opening_paragraph_is_the_preamble(notice):
    assert notice[0].kind == "preamble"
    assert "各乡(镇)人民政府、街道办事处" in notice[0].text
    assert "现将当前重点工作任务分解如下" in notice[0].text


def test_notice_signature_and_date_are_the_closing_not_part_of_the_last_task(notice):
    closing = notice[-1]
    assert closing.kind == "closing"
    assert "东洲人民政府办公室" in closing.text and "2023年926日" in closing.text
    assert "东洲人民政府办公室" not in by_key(notice)["p6-n2"].text
    assert "\xa0" not in closing.text


# --- the three regulations (statute style) ---


@pytest.mark.parametrize(("path", "chapters", "sections", "articles"), STATUTE_SHAPES, ids=lambda v: str(v)[-20:])
def test_statute_chapters_sections_and_articles_are_counted_right(path, chapters, sections, articles):
    units = split_text(path.read_text(encoding="utf-8"))
    assert len(of_kind(units, "chapter")) == chapters
    assert len(of_kind(units, "section")) == sections
    assert [a.key for a in of_kind(units, "article")] == [f"a{n}" for n in range(1, articles + 1)]
    assert len({u.key for u in units}) == len(units)


def test_statute_title_and_promulgation_lines_are_the_preamble_without_markdown():
    units = split_text(DECISIONS.read_text(encoding="utf-8"))
    assert units[0].key == "preamble"
    assert units[0].text.splitlines()[0] == "重大行政决策程序暂行条例"
    assert "2019年4月20日 中华人民共和国国务院令第713号公布" in units[0].text
    assert "#" not in units[0].text and "<!--" not in units[0].text


def test_chapter_and_section_headings_carry_their_titles_and_parents():
    units = by_key(split_text(DECISIONS.read_text(encoding="utf-8")))
    assert (units["c2"].number, units["c2"].title) == ("第二章", "决策草案的形成")
    assert (units["c2-s2"].title, units["c2-s2"].parent) == ("公众参与", "c2")
    assert units["a15"].parent == "c2-s2"  # 第十五条 opens with 公开征求意见 under 第二节 公众参与
    assert units["a1"].parent == "c1"
    assert units["a42"].parent == "c6"
    assert units["a42"].number == "第四十二条" and units["a42"].title == ""


def test_article_items_stay_inside_their_article():
    units = by_key(split_text(DECISIONS.read_text(encoding="utf-8")))
    article3 = units["a3"].text.splitlines()
    assert article3[0] == "本条例所称重大行政决策事项(以下简称决策事项)包括："
    assert [line[:3] for line in article3[1:6]] == ["(一)", "(二)", "(三)", "(四)", "(五)"]
    assert article3[-1].startswith("决策机关可以根据本条第一款的规定")
    assert units["a4"].text.startswith("重大行政决策必须坚持和加强党的全面领导")


def test_full_width_parenthesised_items_stay_inside_their_article():
    units = split_text("第一条 下列事项应当公开：\n（一）预算；\n（二）决算。\n第二条 本办法自公布之日起施行。")
    assert [u.key for u in units] == ["a1", "a2"]
    assert units[0].text == "下列事项应当公开：\n（一）预算；\n（二）决算。"


def test_citing_an_article_inside_a_sentence_or_at_line_start_does_not_open_one():
    text = (
        "第一条 依照本条例第十条的规定办理。\n"
        "第十条规定的事项除外。\n"
        "第十条第二款另有规定的，从其规定。\n"
        "第二条 本办法自公布之日起施行。"
    )
    units = split_text(text)
    assert [u.key for u in units] == ["a1", "a2"]
    assert "第十条规定的事项除外。" in units[0].text


def test_numbered_lines_and_chinese_parts_inside_a_statute_article_stay_in_it():
    units = split_text("第一条 申请材料包括：\n1. 申请书；\n2. 身份证明。\n一、其他材料\n第二条 附则。")
    assert [u.key for u in units] == ["a1", "a2"]
    assert units[0].text.splitlines()[1:] == ["1. 申请书；", "2. 身份证明。", "一、其他材料"]


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("一", 1),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("四十四", 44),
        ("一百", 100),
        ("一百零五", 105),
        ("一百二十三", 123),
        ("两百", 200),
        ("12", 12),
        ("１２", 12),
        ("二〇二三", 2023),
        ("一百零一", 101),
        ("两", 2),
        ("〇", 0),
    ],
)
def test_chinese_and_arabic_numerals_are_read(numeral, value):
    assert cn_numeral_to_int(numeral) == value


@pytest.mark.parametrize("bad", ["", "十十", "abc"])
def test_non_numerals_are_refused(bad):
    with pytest.raises(ValueError):
        cn_numeral_to_int(bad)


def test_an_inserted_article_after_article_101_is_keyed_by_its_number():
    units = split_text("第一百零一条 甲。\n第一百零一条之一 乙。\n第一百零二条 丙。")
    assert [(u.key, u.number) for u in units] == [
        ("a101", "第一百零一条"),
        ("a101-z1", "第一百零一条之一"),
        ("a102", "第一百零二条"),
    ]


def test_large_and_arabic_article_numbers_give_keys_by_number():
    units = split_text("第12条 甲。\n第一百二十三条 乙。")
    assert [(u.key, u.number) for u in units] == [("a12", "第12条"), ("a123", "第一百二十三条")]


def test_duplicated_article_number_gets_a_suffix_and_numbering_carries_on():
    units = split_text("第四条 甲。\n第五条 乙。\n第五条 丙。\n第六条 丁。")
    assert [u.key for u in units] == ["a4", "a5", "a5-2", "a6"]
    assert units[2].text == "丙。"


# --- policy style variants and Markdown ---


def test_markdown_policy_draft_loses_its_markup_and_keeps_its_structure():
    text = (
        "# 关于加强政务公开的实施意见\n\n"
        "为做好政务公开工作，提出如下意见。\n\n"
        "## **一、总体要求**\n\n"
        "- 1. 坚持以公开为常态。\n"
        "- 2. 坚持*依法*公开。\n\n"
        "## 二、主要任务。各单位要抓好落实。\n\n"
        "1、 推进决策公开。\n\n"
        "2、 推进执行公开。\n"
    )
    units = split_text(text)
    assert [u.key for u in units] == ["preamble", "p1", "p1-n1", "p1-n2", "p2", "p2-n1", "p2-n2"]
    units_by_key = by_key(units)
    assert units_by_key["preamble"].text == "关于加强政务公开的实施意见\n为做好政务公开工作，提出如下意见。"
    assert units_by_key["p1"].title == "总体要求"
    assert (units_by_key["p1-n2"].title, units_by_key["p1-n2"].text) == ("", "坚持依法公开。")
    assert (units_by_key["p2"].title, units_by_key["p2"].text) == ("主要任务", "主要任务。各单位要抓好落实。")
    assert units_by_key["p2-n1"].number == "1、"


def test_full_width_digits_and_odd_spaces_are_understood():
    text = "\u3000\u3000一、\u00a0规范管理\n\u3000１．全面公开\u3000文件。\n２．完善机制。"
    units = split_text(text)
    assert [(u.key, u.number) for u in units] == [("p1", "一、"), ("p1-n1", "１．"), ("p1-n2", "２．")]
    assert units[0].title == "规范管理"
    assert units[1].text == "全面公开 文件。"


def test_numbered_points_under_an_item_are_units_of_their_own():
    text = "一、主要任务\n（一）加强领导。\n1. 成立领导小组。\n2. 明确分工。\n（二）强化保障。"
    units = by_key(split_text(text))
    assert list(units) == ["p1", "p1-i1", "p1-i1-n1", "p1-i1-n2", "p1-i2"]
    assert (units["p1-i1"].title, units["p1-i1"].parent) == ("加强领导", "p1")
    point = units["p1-i1-n2"]
    assert (point.kind, point.text, point.parent) == ("point", "明确分工。", "p1-i1")


def test_chinese_part_marker_in_the_middle_of_a_line_does_not_open_a_part():
    units = split_text("一、总体要求\n1. 重点做好以下工作：一、公开；二、解读。\n二、保障措施")
    assert [u.key for u in units] == ["p1", "p1-n1", "p2"]


def test_attachment_list_and_signature_go_to_the_closing():
    text = "一、任务\n1. 做好公开。\n附件：1. 任务清单\n2. 联系人名单\n\nXX区人民政府办公室\n2024年3月1日"
    units = split_text(text)
    assert [u.key for u in units] == ["p1", "p1-n1", "closing"]
    assert units[-1].text.splitlines() == [
        "附件：1. 任务清单",
        "2. 联系人名单",
        "XX区人民政府办公室",
        "2024年3月1日",
    ]


def test_a_short_final_sentence_is_not_mistaken_for_a_signature():
    units = split_text("一、附则\n本通知自印发之日起施行。")
    assert [u.key for u in units] == ["p1"]
    assert units[0].text == "本通知自印发之日起施行。"


def test_text_without_headings_gives_one_unit_per_paragraph():
    units = split_text("各位居民：\n\n本社区拟调整垃圾清运时间。\n\n欢迎提出意见。")
    assert [(u.key, u.kind) for u in units] == [("g1", "paragraph"), ("g2", "paragraph"), ("g3", "paragraph")]
    assert units[1].text == "本社区拟调整垃圾清运时间。"


def test_blank_text_gives_no_units():
    assert split_text("\n \u3000\n\xa0\n") == []


# --- Word and file handling ---


@pytest.mark.parametrize("headings", ["bold", "styles"])
@pytest.mark.parametrize("path", [DECISIONS, DISCLOSURE, RULEMAKING], ids=lambda p: p.name[:6])
def test_word_copy_of_a_statute_splits_like_its_markdown(path, headings):
    markdown = path.read_text(encoding="utf-8")
    from_word = split_document("草案.docx", statute_markdown_to_docx(markdown, headings))
    assert from_word == split_text(markdown)


def test_word_tables_are_read_row_by_row_in_document_order():
    data = paragraphs_to_docx(
        ["一、任务分工", "1. 见下表。"], table_rows=[["任务", "牵头单位"], ["公开", "区政府办公室"]]
    )
    assert docx_to_text(data).splitlines() == [
        "一、任务分工",
        "1. 见下表。",
        "任务 | 牵头单位",
        "公开 | 区政府办公室",
    ]
    assert split_document("x.docx", data)[-1].text == "见下表。\n任务 | 牵头单位\n公开 | 区政府办公室"


def test_gb18030_and_bom_text_files_are_decoded():
    text = "第一条 为了规范管理，制定本办法。"
    for data in (text.encode("gb18030"), b"\xef\xbb\xbf" + text.encode("utf-8")):
        assert split_document("draft.txt", data)[0] == DraftUnit(
            "a1", "article", "第一条", "", "为了规范管理，制定本办法。", None
        )


@pytest.mark.parametrize(
    ("filename", "data", "code"),
    [
        ("草案.pdf", b"%PDF-1.7", "unsupported_type"),
        ("草案.doc", b"\xd0\xcf\x11\xe0", "unsupported_type"),
        ("草案", b"text", "unsupported_type"),
        ("草案.txt", b"", "empty"),
        ("草案.md", " \n\u3000\n".encode(), "empty"),
        ("草案.txt", b"\x00\x01binary", "undecodable"),
        ("草案.docx", b"not a zip at all", "invalid_docx"),
        ("草案.docx", paragraphs_to_docx([]), "empty"),
    ],
)
def test_unreadable_uploads_are_refused_with_a_reason(filename, data, code):
    with pytest.raises(DraftFormatError) as raised:
        split_document(filename, data)
    assert raised.value.code == code
    assert str(raised.value)


def test_units_serialise_to_plain_dicts():
    units = split_text("第一章 总则\n第一条 目的。")
    assert units_to_json(units) == [
        {"key": "c1", "kind": "chapter", "number": "第一章", "title": "总则", "text": "", "parent": None},
        {"key": "a1", "kind": "article", "number": "第一条", "title": "", "text": "目的。", "parent": "c1"},
    ]
