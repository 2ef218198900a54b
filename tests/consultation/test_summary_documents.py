"""The 征求意见情况说明 as Word and PDF: the facts, the feedback's numbers, the concentrated opinion and its reason, the
main changes and one table row per valid comment; public copies without contact data or unmasked names."""

from __future__ import annotations

import random

import pytest

from consultation import demo
from consultation.handling import feedback
from consultation.models import Consultation
from consultation.summary import exports as summary_exports
from core.extensions import db
from core.models import Role
from core.screening import find_personal_data, mask_personal_data
from core.text_patterns import MAY_HOLD_PERSONAL_DATA
from core.verification import DocumentFormat, DocumentVersion, find_by_code
from tests.consultation.summary_helpers import (
    EMAIL,
    MAIN_CHANGES,
    PHONE,
    PHONE_IN_TEXT,
    REASON_DAILY,
    docx_tables,
    docx_text,
    handled_consultation,
    pdf_text,
)
from tests.factories import make_department, make_user

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")
PUBLIC, INTERNAL = DocumentVersion.PUBLIC, DocumentVersion.INTERNAL


def _issue(app, consultation, fmt, version):
    with app.test_request_context():
        issued = summary_exports.export(consultation, fmt, version, None)
    db.session.commit()
    return issued


def _row_table(content: bytes) -> list[list[str]]:
    """The 意见采纳情况表: the table whose header starts with 序号, 意见建议人."""
    return next(table for table in docx_tables(content) if table[0][:2] == ["序号", "意见建议人"])


def test_the_word_summary_states_the_facts_the_counts_and_one_row_per_valid_comment(app):
    handled = handled_consultation()
    issued = _issue(app, handled.consultation, DocumentFormat.DOCX, INTERNAL)
    text = docx_text(issued.content)
    consultation = handled.consultation
    assert f"关于{consultation.title}公开征求意见情况的说明" in text
    stats = feedback.statistics(consultation)
    # Nine arrived: eight valid and the spam, rejected; the document prints the numbers of the feedback page.
    assert (stats.received, stats.valid, stats.rejected) == (9, 8, 1)
    assert f"收到意见 | {stats.received}条" in text and f"有效意见 | {stats.valid}条" in text
    assert "未予采用 | 1条（垃圾信息（赌博、广告等）1条）" in text
    assert "征求意见天数 | " in text and "（最短30日）" in text  # a major decision: 30 calendar days
    assert "公告地址 | http://localhost/consultations/" in text
    assert REASON_DAILY in text and "（3人提出，共3条意见）" in text  # the campaign is a concentrated opinion
    assert MAIN_CHANGES in text
    rows = _row_table(issued.content)
    assert rows[0] == ["序号", "意见建议人", "渠道", "条款", "意见内容", "采纳情况", "理由"]
    assert len(rows) - 1 == len(handled.valid) == stats.valid
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name["张晓明"][5] == "采纳" and "修改情况：第一条增加依据。" in by_name["张晓明"][6]
    assert by_name["东洲物业服务有限公司"][3] == "全文" and by_name["东洲物业服务有限公司"][5] == "部分采纳"
    assert by_name["东洲物业服务有限公司"][2] == "电子邮件" and by_name["张晓明"][2] == "本网站在线提交"
    assert by_name["王五"][5] == "不属于征求范围"
    assert "验证码：" in text and issued.document.display_code in text


def test_the_public_word_summary_masks_names_and_carries_no_contact_data(app):
    handled = handled_consultation()
    issued = _issue(app, handled.consultation, DocumentFormat.DOCX, PUBLIC)
    text = docx_text(issued.content)
    names = [row[1] for row in _row_table(issued.content)[1:]]
    assert "张*明" in names and "李红" in names  # 李红 agreed to publish her name
    assert "东洲物业服务有限公司" in names  # organisations in full
    for secret in ("张晓明", PHONE, EMAIL, PHONE_IN_TEXT, "zhang.xiaoming"):
        assert secret not in text
    assert "138****5678" in text  # the phone a resident typed into the text is masked


def test_the_internal_word_summary_names_people_in_full_but_carries_no_contact_data(app):
    handled = handled_consultation()
    text = docx_text(_issue(app, handled.consultation, DocumentFormat.DOCX, INTERNAL).content)
    assert "张晓明" in text and "王五" in text and "内部版本" in text
    assert PHONE not in text and EMAIL not in text and PHONE_IN_TEXT not in text


def test_the_pdf_summary_has_the_title_the_counts_the_answers_and_its_code(app):
    handled = handled_consultation()
    issued = _issue(app, handled.consultation, DocumentFormat.PDF, PUBLIC)
    text = pdf_text(issued.content).replace("\n", "")
    assert "公开征求意见情况的说明" in text
    assert "9条" in text and "8条" in text
    assert "不属于征求范围" in text and "部分采纳" in text
    assert issued.document.display_code in text
    assert PHONE not in text and "张晓明" not in text and PHONE_IN_TEXT not in text
    registered = find_by_code(issued.document.code)
    assert registered is not None and registered.format is DocumentFormat.PDF and registered.issued_by_id is None


def test_the_demo_closed_consultation_summary_matches_its_feedback_numbers(app):
    office = make_department("gov-office")
    make_user(Role.EDITOR, office, email="editor@demo.minyi.cn")
    make_user(Role.APPROVER, office, email="approver@demo.minyi.cn")
    make_user(Role.MODERATOR, email="moderator@demo.minyi.cn")
    list(demo.load())
    db.session.commit()
    closed = db.session.scalar(db.select(Consultation).where(Consultation.title == demo.CLOSED_TITLE))
    stats = feedback.statistics(closed)
    issued = _issue(app, closed, DocumentFormat.DOCX, PUBLIC)
    text = docx_text(issued.content)
    assert f"收到意见 | {stats.received}条" in text and f"参与人数 | {stats.participants}人（单位）" in text
    assert len(_row_table(issued.content)) - 1 == stats.valid
    assert "13904135566" not in text and "体育投注" not in text
    assert "个工作日（最短7个工作日）" in text  # a normative document: 7 working days


@pytest.mark.parametrize(
    "text",
    [
        "电话13800138000谢谢",
        "电话 138-0013-8000",
        "电话 138 0013 8000",
        "+86 13900139000",
        "手机１３８００１３８０００",
        "座机010-62345678转123",
        "座机(021)56781234。",
        "证件11010519491231002X",
        "卡号 6200 0000 0000 0005",
        "邮箱13800138000@163.com",
        "邮件zhang.san＠example.com",
        "第3条和2024年的规定，共12户。",
        "订单号 2024113800138000123",
    ],
)
def test_the_masking_shortcut_never_skips_a_text_that_holds_personal_data(text):
    # mask_personal_data skips its searches when the quick pre-check finds no @ and no run of seven digits.
    if find_personal_data(text):
        assert MAY_HOLD_PERSONAL_DATA.search(text), text
        assert mask_personal_data(text) != text


def test_the_masking_shortcut_agrees_with_the_full_search_on_random_digit_strings():
    rng = random.Random(5)
    for _ in range(3000):
        text = "".join(rng.choice("0123456789１２ -－()（）转@＠abc。") for _ in range(rng.randint(1, 30)))
        if not MAY_HOLD_PERSONAL_DATA.search(text):
            assert find_personal_data(text) == [], text
