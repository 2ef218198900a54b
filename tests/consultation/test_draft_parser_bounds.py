"""No draft within the upload limits holds a worker: Markdown that never closes what it opens splits in linear time,
and a draft beyond any real one is refused with the reason, in the editor's language."""

from __future__ import annotations

import io

import pytest

from consultation.drafting.split import MAX_CHARACTERS, MAX_PARAGRAPHS, MAX_UNITS, DraftFormatError, split_document
from consultation.models import ConsultationStatus
from core.extensions import db
from core.models import Role
from tests.consultation.conftest import make_consultation
from tests.consultation.docx_builder import paragraphs_to_docx
from tests.factories import make_department
from tests.zip_padding import padded

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")
SIZE = 250_000  # the size that once took 7.8 s of "[" alone


def _split(text: str):
    return split_document("草案.md", text.encode())


# Each used to rescan the rest of the line from every opening never closed: seconds to minutes at this size.
@pytest.mark.timeout(20)  # generous: each takes well under a second; figures in bench/draft_worst_cases.py
@pytest.mark.parametrize(
    "opening",
    ["[", "[链接", "![图", "[链接](", "*强调 ", "**加粗 ", "__下划线 ", "`代码", "<!--", "\\"],
)
def test_markdown_that_never_closes_what_it_opens_keeps_every_word(opening):
    text = "第一条 " + opening * (SIZE // len(opening))
    [unit] = _split(text)
    assert (unit.key, unit.number) == ("a1", "第一条")
    assert _words(unit.text) == _words(text.removeprefix("第一条 "))


def _words(text: str) -> str:
    return "".join(ch for ch in text if ch not in " []()!*_`<>-\\")


def test_closed_links_and_emphasis_are_still_unwrapped():
    [unit] = _split("第一条 按[《消防法》](https://example.cn/law(2021))、**第十条**和*附件*执行。\n<!-- 注 -->")
    assert unit.text == "按《消防法》、第十条和附件执行。"


@pytest.mark.timeout(20)
def test_a_number_used_again_and_again_gets_unique_keys_quickly():
    units = _split("1. 事项\n" * MAX_UNITS)
    assert [unit.key for unit in units[:3]] == ["n1", "n1-2", "n1-3"]
    assert len({unit.key for unit in units}) == MAX_UNITS


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("1. 事项\n" * (MAX_UNITS + 1), "too_many_units"),
        ("段落\n" * (MAX_PARAGRAPHS + 1), "too_long"),
        ("字" * (MAX_CHARACTERS + 1), "too_long"),
    ],
    ids=["units", "paragraphs", "characters"],
)
def test_a_draft_beyond_any_real_one_is_refused_with_the_reason(text, code):
    with pytest.raises(DraftFormatError) as refused:
        _split(text)
    assert refused.value.code == code


def test_a_word_file_that_unpacks_to_gigabytes_is_refused_before_it_is_read():
    data = padded(paragraphs_to_docx(["第一条 目的。"]), "word/document.xml", b"<w:body>", 50_000_000)
    assert len(data) < 1_000_000
    with pytest.raises(DraftFormatError) as refused:
        split_document("草案.docx", data)
    assert refused.value.code == "too_long"


def test_the_editor_is_told_in_chinese_why_a_draft_with_too_many_parts_is_refused(client, auth):
    department = make_department()
    consultation = make_consultation(department, status=ConsultationStatus.DRAFT)
    db.session.commit()
    auth.login_as(Role.EDITOR, department)
    text = "".join(f"第{n}条 内容。\n" for n in range(1, MAX_UNITS + 2))
    response = client.post(
        f"/manage/consultations/{consultation.id}/draft",
        data={"file": (io.BytesIO(text.encode()), "草案.txt")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200  # the import form again, not a server error
    assert f"草案拆分后超过 {MAX_UNITS} 个条款、项目或段落" in response.text


# The rules that look around a paragraph (attached documents, signatures, numbering that starts again, contents)
# each read a paragraph a bounded number of times: drafts made of nothing but their triggers split in a moment.
@pytest.mark.timeout(20)
@pytest.mark.parametrize(
    "text",
    [
        "一、甲\n关于某事项的通知\n" * 4999,
        "附件1\n标题\n做好。\n" * 3333,
        "做好。\n某区人民政府办公室\n2024年1月1日\n关于某事项的通知\n一、甲。\n" * 1999,
        "目录\n" + "第一章 总则\n" * 9000 + "第一条 甲。\n",
        "附件1\n" + "名单\n" * 9000,
    ],
    ids=["restarts", "annex-headers", "signatures", "contents", "annex-without-sentence"],
)
def test_drafts_made_of_structure_triggers_split_or_are_refused_quickly(text):
    try:
        units = _split(text)
    except DraftFormatError as refused:
        assert refused.code == "too_many_units"
    else:
        assert len({unit.key for unit in units}) == len(units) <= MAX_UNITS
