"""A unit of the draft is named by where it is: a point (1.) or a sub-point (（1）) carries the numbers of its part
and item, as the comment form's picker names it, in the summary's table, the moderation queue and the notice."""

from __future__ import annotations

import csv
import io

import pytest

from consultation.comments import moderation
from consultation.drafting import services
from consultation.drafting.split import split_text
from consultation.models import CommentDisplay, ConsultationStatus
from core.extensions import db
from core.models import Role
from tests.consultation.conftest import make_consultation
from tests.consultation.handling_helpers import add_comment
from tests.factories import make_department, make_user

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")
POLICY = (
    "一、总体要求\n（一）基本原则。\n1.坚持依法公开。公开是常态。\n2.各单位要落实\n（1）按月报送\n（2）按季公开\n"
    "附件1\n任务清单\n一、公开事项\n（一）主动公开。"
)


def _labels(consultation) -> dict[str, str]:
    return {unit.key: unit.label for unit in consultation.units}


def test_points_and_sub_points_are_named_with_their_part_and_item(app):
    consultation = make_consultation(make_department(), draft=POLICY)
    db.session.commit()
    assert _labels(consultation) == {
        "p1": "一、 总体要求",
        "p1-i1": "一、（一） 基本原则",
        "p1-i1-n1": "一、（一）1. 坚持依法公开",
        "p1-i1-n2": "一、（一）2. 各单位要落实",
        "p1-i1-n2-s1": "一、（一）2.（1） 按月报送",
        "p1-i1-n2-s2": "一、（一）2.（2） 按季公开",
        "annex1": "附件1 任务清单",
        "annex1-p1": "附件1 一、 公开事项",
        "annex1-p1-i1": "附件1 一、（一）",  # untitled: its place alone, never just "（一）"
    }


def test_articles_keep_their_own_number_without_the_chapter(app):
    consultation = make_consultation(make_department(), draft="第一章 总则\n第一条 目的。\n第十条 起草单位应当公开。")
    db.session.commit()
    assert _labels(consultation) == {"c1": "第一章 总则", "a1": "第一条", "a10": "第十条"}


def test_the_names_follow_the_draft_when_the_editor_saves_a_corrected_split(app):
    editor = make_user(Role.EDITOR)
    consultation = make_consultation(make_department(), status=ConsultationStatus.DRAFT, draft=POLICY)
    db.session.commit()
    assert consultation.units[3].label == "一、（一）2. 各单位要落实"
    corrected = split_text(POLICY.replace("一、总体要求", "三、总体要求"))
    services.replace_units(consultation, corrected, editor)
    db.session.commit()
    assert consultation.units[3].label == "三、（一）2. 各单位要落实"


def test_the_summary_table_and_the_moderation_queue_name_the_sub_point_a_comment_is_on(client, auth):
    department = make_department()
    consultation = make_consultation(department, draft=POLICY, comment_display=CommentDisplay.APPROVED_MASKED)
    pending = add_comment(consultation, "建议按周报送。", name="居民乙", unit_key="p1-i1-n2-s1")
    approved = add_comment(consultation, "建议每月报送一次。", name="居民甲", unit_key="p1-i1-n2-s1")
    moderation.approve([approved], make_user(Role.MODERATOR))
    db.session.commit()
    auth.login_as(Role.MODERATOR, department)
    queue = client.get("/manage/moderation/").text
    assert pending.content in queue and "一、（一）2.（1） 按月报送" in queue
    auth.logout()
    auth.login_as(Role.EDITOR, department)
    table = client.get(f"/manage/consultations/{consultation.id}/summary.csv").data.decode("utf-8")
    row = next(row for row in csv.DictReader(io.StringIO(table)) if row["意见内容"] == approved.content)
    assert row["条款"] == "一、（一）2.（1） 按月报送"
