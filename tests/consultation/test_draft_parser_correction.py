"""The editor corrects the split before saving (join, split, re-level, delete), without JavaScript; every level is
then commentable, named by its numbering and first words in the comment form, and counted on the notice."""

from __future__ import annotations

import re

import pytest

from consultation.comments import moderation
from consultation.drafting import correction
from consultation.drafting.picker import PickerRow, picker_labels
from consultation.drafting.split import DraftUnit, split_text
from consultation.models import CommentDisplay, ConsultationStatus
from core.extensions import db
from core.models import Role
from tests.consultation.conftest import make_consultation
from tests.consultation.handling_helpers import add_comment
from tests.factories import make_department, make_user

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")
EN = {"Accept-Language": "en"}
POLICY = (
    "一、总体要求\n（一）基本原则。\n1.坚持依法公开。公开是常态，不公开是例外。\n2.坚持便民。群众办事少跑腿。\n"
    "二、保障措施\n各单位要加强组织领导。"
)


def _rows(units: list[DraftUnit], **asked: dict[str, bool]) -> list[correction.Edited]:
    return [correction.Edited(unit, **asked.get(unit.key, {})) for unit in units]


def test_joining_a_unit_to_the_one_above_keeps_its_numbering_and_words():
    units = split_text("第十条 甲。\n第十条之一 乙。\n第十一条 丙。")
    joined = correction.apply(_rows(units, **{"a10-z1": {"merge": True}}))
    assert [(u.key, u.text) for u in joined] == [("a10", "甲。\n第十条之一 乙。"), ("a11", "丙。")]


def test_splitting_at_a_dashed_line_takes_the_level_and_number_from_the_new_part():
    units = split_text("第十条 甲。\n第十条之一 乙。")
    merged = correction.apply(_rows(units, **{"a10-z1": {"merge": True}}))
    text = merged[0].text.replace("\n第十条之一", "\n---\n第十条之一")
    again = correction.apply([correction.Edited(DraftUnit("a10", "article", "第十条", "", text, None))])
    assert [(u.key, u.kind, u.number, u.text) for u in again] == [
        ("a10", "article", "第十条", "甲。"),
        ("a10-2", "article", "第十条之一", "乙。"),
    ]
    plain = correction.apply([correction.Edited(DraftUnit("p1", "part", "一、", "任务", "甲。\n---\n乙。", None))])
    assert [(u.key, u.kind, u.number, u.text) for u in plain] == [
        ("p1", "part", "一、", "甲。"),
        ("p1-2", "part", "", "乙。"),
    ]


def test_a_new_level_moves_the_units_below_under_it():
    units = split_text(POLICY)
    point = next(u for u in units if u.key == "p1-i1-n2")
    relevelled = [u if u is not point else DraftUnit(u.key, "item", "（二）", "", u.text, u.parent) for u in units]
    parents = {u.key: u.parent for u in correction.apply(_rows(relevelled))}
    assert (parents["p1-i1-n2"], parents["p1-i1-n1"], parents["p2"]) == ("p1", "p1-i1", None)


def test_the_correction_page_applies_changes_without_saving_then_saves(client, auth):
    department = make_department()
    consultation = make_consultation(department, status=ConsultationStatus.DRAFT, draft="")
    db.session.commit()
    auth.login_as(Role.EDITOR, department)
    preview = client.post(f"/manage/consultations/{consultation.id}/draft", data={"text": POLICY}, headers=EN)
    assert preview.status_code == 200
    assert 'name="action" value="apply"' in preview.text and 'name="units-3-merge"' in preview.text
    assert re.search(r'<option selected value="point">|<option value="point" selected>', preview.text)
    form = {
        "units-0-key": "p1", "units-0-kind": "part", "units-0-number": "一、", "units-0-title": "总体要求",
        "units-1-key": "p1-i1", "units-1-kind": "item", "units-1-number": "（一）", "units-1-title": "基本原则",
        "units-1-text": "基本原则。",
        "units-2-key": "p1-i1-n1", "units-2-kind": "point", "units-2-number": "1.", "units-2-title": "坚持依法公开",
        "units-2-text": "坚持依法公开。公开是常态。\n---\n2.坚持便民。群众办事少跑腿。",
        "units-3-key": "p2", "units-3-kind": "part", "units-3-number": "二、", "units-3-title": "保障措施",
        "units-3-text": "各单位要加强组织领导。",
    }  # fmt: skip
    url = f"/manage/consultations/{consultation.id}/draft/save"
    checked = client.post(url, data={**form, "action": "apply"}, headers=EN)
    assert checked.status_code == 200 and 'value="p1-i1-n1-2"' in checked.text
    db.session.expire_all()
    assert consultation.units == []  # applied and shown again, not saved
    saved = client.post(url, data={**form, "units-3-merge": "y", "action": "save"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert [(u.key, u.kind, u.number, u.parent_key) for u in consultation.units] == [
        ("p1", "part", "一、", None),
        ("p1-i1", "item", "（一）", "p1"),
        ("p1-i1-n1", "point", "1.", "p1-i1"),
        ("p1-i1-n1-2", "point", "2.", "p1-i1"),
    ]
    assert consultation.units[-1].text.endswith("群众办事少跑腿。\n二、保障措施\n各单位要加强组织领导。")


@pytest.fixture
def policy_notice(app):
    consultation = make_consultation(make_department(), draft=POLICY, comment_display=CommentDisplay.APPROVED_MASKED)
    comments = [add_comment(consultation, f"意见{n}", name=f"居民{n}", unit_key="p1-i1-n2") for n in range(2)]
    comments.append(add_comment(consultation, "总体赞成。", name="居民甲", unit_key="p1-i1"))
    moderation.approve(comments, make_user(Role.MODERATOR))
    db.session.commit()
    return consultation


def test_the_comment_form_names_each_unit_by_its_numbering_and_first_words(client, policy_notice):
    page = client.get(f"/consultations/{policy_notice.id}/comment").text
    options = re.findall(r'<option[^>]*value="(p[^"]*)"[^>]*>([^<]*)</option>', page)
    assert options == [
        ("p1", "一、 总体要求"),
        ("p1-i1", "一、（一） 基本原则"),
        ("p1-i1-n1", "一、（一）1. 坚持依法公开"),
        ("p1-i1-n2", "一、（一）2. 坚持便民"),
        ("p2", "二、 保障措施"),
    ]


def test_comments_on_points_are_counted_on_the_notice_and_in_the_summary(client, auth, policy_notice):
    page = client.get(f"/consultations/{policy_notice.id}", headers=EN).text
    point = page[page.index('id="unit-p1-i1-n2"') :]
    assert re.search(r'class="unit-count">2 comments', point[: point.index("</section>")])
    auth.login_as(Role.EDITOR, policy_notice.department)
    summary = client.get(f"/manage/consultations/{policy_notice.id}/summary.json").get_json()
    by_unit = {row["unit_key"]: (row["unit"], row["count"]) for row in summary["statistics"]["by_unit"]}
    assert by_unit["p1-i1-n2"] == ("一、（一）2. 坚持便民", 2)
    assert by_unit["p1-i1"][1] == 1 and by_unit[None][1] == 0


def test_attached_documents_and_books_are_headings_of_the_notice_each_with_its_count(client):
    draft = (
        "第一编 总则\n第一条 为了规范管理，制定本办法。\n附件1\nXX区垃圾分类实施方案\n为推进垃圾分类，制定本方案。\n"
        "一、工作目标\n（一）完善设施。每个小区设置分类投放点。"
    )
    consultation = make_consultation(make_department(), draft=draft)
    db.session.commit()
    page = client.get(f"/consultations/{consultation.id}", headers=EN).text
    assert re.search(r"<h3>\s*附件1 XX区垃圾分类实施方案</h3>", page)
    assert re.search(r"<h3>\s*第一编 总则</h3>", page)
    annex = page[page.index('id="unit-annex1"') :]
    assert "为推进垃圾分类，制定本方案。" in annex[: annex.index("</section>")]
    item = page[page.index('id="unit-annex1-p1-i1"') :]
    item = item[: item.index("</section>")]
    assert "完善设施。每个小区设置分类投放点。" in item and "<strong>完善设施</strong>" not in item  # shown once
    assert 'class="unit-count">0 comments' in item


def test_units_of_attached_documents_are_named_with_their_document():
    units = split_text(
        "一、总则\n做好。\n附件1\n任务清单\n一、公开事项\n（一）主动公开。\nXX区垃圾分类实施方案\n一、目标\n做好。"
    )
    rows = [PickerRow(u.key, u.kind, u.number, u.title, u.text[:21], u.parent) for u in units]
    assert dict(picker_labels(rows)) == {
        "p1": "一、 总则",
        "annex1": "附件1 任务清单",
        "annex1-p1": "附件1 一、 公开事项",
        "annex1-p1-i1": "附件1 一、（一） 主动公开。",
        "annex2": "XX区垃圾分类实施方案",
        "annex2-p1": "XX区垃圾分类实施方案 一、 目标",
    }


def test_a_part_s_lead_phrase_is_its_heading_and_not_repeated_under_it(client):
    draft = "一、主要任务。各单位要抓好落实。\n二、保障措施\n加强领导。"
    consultation = make_consultation(make_department(), draft=draft)
    db.session.commit()
    page = client.get(f"/consultations/{consultation.id}", headers=EN).text
    part = page[page.index('id="unit-p1"') :]
    part = part[: part.index("</section>")]
    assert re.search(r"<h3>\s*一、 主要任务</h3>", part) and "<p>各单位要抓好落实。</p>" in part
