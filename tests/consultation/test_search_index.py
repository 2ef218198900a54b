"""The search index of consultations, feedback and 解读: what residents type is found through it, it follows every
edit in the same commit, it never holds what the public may not see, and `flask search reindex` rebuilds it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import String, cast, delete, func, select

from consultation.handling.models import ConsultationFeedback
from consultation.models import Adoption, ConsultationStatus, ModerationStatus, Validity
from core import search_index
from core.db import utcnow
from core.extensions import db
from core.search_index import SearchIndexEntry
from tests.consultation.conftest import make_consultation
from tests.consultation.handling_helpers import add_comment
from tests.factories import make_department

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")
EN = {"Accept-Language": "en"}
CHARGING_FACILITIES = "第一条 为规范本区充电设施建设，制定本办法。\n\n第二条 新建住宅小区应当配建充电设施。\n"
PARKING_DRAFT = "第一条 为了规范本区住宅小区机动车停车管理，制定本办法。\n"


@pytest.fixture
def department(app):
    return make_department(name="区住建局", name_en="Housing Bureau")


def _found(client, q: str, **args: str) -> list[int]:
    page = client.get("/search", query_string={"q": q, **args}, headers=EN).text
    return [int(n) for n in re.findall(r'<h3><a href="/consultations/(\d+)[^"]*">', page)]


def _indexed(kind: str) -> dict[int, str]:
    """The index's rows of a kind: item id -> its tokens as text."""
    rows = db.session.execute(
        select(SearchIndexEntry.item_id, cast(SearchIndexEntry.grams, String)).where(SearchIndexEntry.kind == kind)
    )
    return dict(rows.all())


def _forget(kind: str, item_id: int) -> None:
    """Take an item out of the index behind the application's back (as a lost write would)."""
    db.session.execute(
        delete(SearchIndexEntry).where(SearchIndexEntry.kind == kind, SearchIndexEntry.item_id == item_id)
    )
    db.session.commit()


def test_the_issue_s_examples_are_found_through_the_index(client, department):
    bikes = make_consultation(department, draft=PARKING_DRAFT)  # 电动自行车 in the title
    chargers = make_consultation(
        department,
        title="《东洲区充电设施建设管理办法》",
        draft=CHARGING_FACILITIES,
        explanation="为便利居民充电。",
        doc_type="normative_doc",
    )
    db.session.commit()
    assert search_index.ready()
    assert "电动" in _indexed("consultation")[bikes.id] and "设施" in _indexed("consultation")[chargers.id]
    assert _found(client, "电动车") == [bikes.id]  # by its synonym 电动自行车
    assert _found(client, "充电桩") == [chargers.id]  # by its synonym 充电设施
    assert _found(client, "行政规范性文件") == [chargers.id]  # by its document type, which no text names


def test_the_index_narrows_the_search_and_reindex_rebuilds_it(client, runner, department):
    consultation = make_consultation(department, draft=CHARGING_FACILITIES, intro="公共区域提供WiFi6接入。")
    make_consultation(department, title="停车管理办法", draft=PARKING_DRAFT)  # the index is not empty without it
    db.session.commit()
    assert _found(client, "wifi") == [consultation.id]  # a Latin word by its beginning
    _forget("consultation", consultation.id)
    # The index is in use: what it lacks is not looked at (a Latin word has no relaxed pass to find it after).
    assert _found(client, "wifi") == []
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0 and "search index rebuilt: 2 items" in result.output
    assert _found(client, "wifi") == [consultation.id]
    assert _found(client, "住建局 wifi") == [consultation.id]  # a department's name still counts as a term


def test_a_single_chinese_character_and_the_relaxed_pass_do_without_the_index(client, department):
    consultation = make_consultation(department, title="公共租赁住房税费减免办法", draft=PARKING_DRAFT)
    make_consultation(department, title="停车管理办法", draft=PARKING_DRAFT)
    db.session.commit()
    _forget("consultation", consultation.id)
    assert _found(client, "税") == [consultation.id]
    assert _found(client, "公共租房") == [consultation.id]  # spread out: 公共租赁住房


def test_an_index_marked_stale_by_the_upgrade_is_not_used_until_rebuilt(client, runner, department):
    consultation = make_consultation(department, draft=CHARGING_FACILITIES)
    db.session.commit()
    _forget("consultation", consultation.id)
    db.session.add(SearchIndexEntry(kind=search_index.STALE, item_id=0, grams=_empty_grams()))
    db.session.commit()
    assert not search_index.ready()
    assert _found(client, "充电设施") == [consultation.id]  # found by scanning the texts
    runner.invoke(args=["search", "reindex"])
    assert search_index.ready() and consultation.id in _indexed("consultation")


def _empty_grams():
    return func.array_to_tsvector([]) if db.engine.dialect.name == "postgresql" else ""


def test_an_edited_article_is_found_by_its_new_words_only(client, department):
    consultation = make_consultation(department, draft=CHARGING_FACILITIES)
    db.session.commit()
    unit = next(unit for unit in consultation.units if "配建" in unit.text)
    unit.text = "第二条 新建住宅小区应当预留换电柜位置。"
    db.session.commit()
    assert (
        "换电" in _indexed("consultation")[consultation.id] and "配建" not in _indexed("consultation")[consultation.id]
    )
    assert _found(client, "换电柜") == [consultation.id]
    assert _found(client, "配建") == []


def test_drafts_never_enter_the_index_and_leave_it_when_taken_back(client, department):
    draft = make_consultation(department, status=ConsultationStatus.IN_REVIEW, title="内部草稿保密事项")
    published = make_consultation(department, title="已发布的保密事项办法")
    db.session.commit()
    assert draft.id not in _indexed("consultation") and published.id in _indexed("consultation")
    assert _found(client, "保密事项") == [published.id]
    published.status = ConsultationStatus.RETURNED
    db.session.commit()
    assert published.id not in _indexed("consultation")
    assert _found(client, "保密事项") == []


def test_feedback_enters_the_index_when_published_with_its_answers(client, department):
    consultation = make_consultation(department, phase="closed")
    record = ConsultationFeedback(consultation_id=consultation.id, main_changes="删去夜间巡查的要求。")
    db.session.add(record)
    comment = add_comment(consultation, "建议改为每周巡查。")
    comment.moderation_status, comment.validity = ModerationStatus.APPROVED, Validity.VALID
    comment.adoption, comment.answer_reason = Adoption.NOT_ADOPTED, "巡查频次由物业服务合同约定。"
    db.session.commit()
    assert consultation.id not in _indexed("feedback")
    consultation.status, record.published_at = ConsultationStatus.FEEDBACK_PUBLISHED, utcnow()
    db.session.commit()
    assert "合同" in _indexed("feedback")[consultation.id]
    comment.answer_reason = "巡查频次由业主大会决定。"
    db.session.commit()
    assert _found(client, "业主大会", kind="feedback") == [consultation.id]
    assert _found(client, "物业服务合同", kind="feedback") == []


def test_a_policy_interpretation_enters_the_index_when_published(client, department):
    from consultation.decision.models import DecidedDocument, Interpretation, InterpretationStatus

    consultation = make_consultation(department, status=ConsultationStatus.FEEDBACK_PUBLISHED, phase="closed")
    db.session.add(DecidedDocument(consultation_id=consultation.id, title="东洲区电动自行车充电管理办法"))
    record = Interpretation(
        consultation_id=consultation.id,
        title="《电动自行车充电管理办法》政策解读",
        key_measures="小区应当配建集中充电设施。",
        status=InterpretationStatus.IN_REVIEW,
    )
    db.session.add(record)
    db.session.commit()
    assert consultation.id not in _indexed("interpretation")
    record.status, record.published_at = InterpretationStatus.PUBLISHED, utcnow()
    db.session.commit()
    assert "集中" in _indexed("interpretation")[consultation.id]
    page = client.get("/search", query_string={"q": "集中充电", "kind": "interpretation"}, headers=EN).text
    assert f'<h3><a href="/consultations/{consultation.id}/interpretation">' in page


def test_a_rolled_back_change_leaves_the_index_as_it_was(department):
    consultation = make_consultation(department, draft=CHARGING_FACILITIES)
    db.session.commit()
    before = _indexed("consultation")[consultation.id]
    consultation.title = "完全不同的标题"
    db.session.flush()
    db.session.rollback()
    db.session.commit()
    assert _indexed("consultation")[consultation.id] == before
