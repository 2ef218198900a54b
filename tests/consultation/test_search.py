"""Searching consultations and feedback: found by any word of the public texts and the draft, never a draft
that is not published, never a commenter's name or phone number; matches marked in escaped text."""

from __future__ import annotations

import re

import pytest

from consultation.handling.models import ConsultationFeedback
from consultation.models import Adoption, ConsultationStatus, ModerationStatus, Validity
from core.db import utcnow
from core.extensions import db
from tests.consultation.conftest import make_consultation
from tests.consultation.handling_helpers import add_comment
from tests.factories import make_department

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")
EN = {"Accept-Language": "en"}

PARKING_DRAFT = """第一条 为了规范本区住宅小区机动车停车管理，制定本办法。

第二条 小区内的公共停车泊位应当优先满足业主需要。
"""


@pytest.fixture
def department(app):
    return make_department(name="区住建局", name_en="Housing Bureau")


def _search(client, q: str, **args: str) -> str:
    response = client.get("/search", query_string={"q": q, **args}, headers=EN)
    assert response.status_code == 200
    return response.text


def _found(page: str, kind: str = "consultations") -> list[int]:
    """The ids of the results linked from the result titles, in the order shown."""
    return [int(n) for n in re.findall(rf'<h3><a href="/{kind}/(\d+)[^"]*">', page)]


def _with_feedback(consultation, main_changes: str, **comment_fields):
    """A closed consultation whose feedback is published, with one answered comment."""
    consultation.status = ConsultationStatus.FEEDBACK_PUBLISHED
    db.session.add(
        ConsultationFeedback(consultation_id=consultation.id, main_changes=main_changes, published_at=utcnow())
    )
    comment = add_comment(consultation, comment_fields.pop("content"), **comment_fields)
    comment.moderation_status, comment.validity = ModerationStatus.APPROVED, Validity.VALID
    comment.adoption, comment.answer_reason = Adoption.NOT_ADOPTED, "巡查频次由物业服务合同约定，暂不作统一规定。"
    db.session.commit()
    return comment


def test_a_chinese_query_finds_a_consultation_by_a_word_inside_one_of_its_articles(client, department):
    consultation = make_consultation(department)  # 第三条 物业服务企业应当每日巡查充电场所。
    db.session.commit()
    page = _search(client, "每日巡查")
    assert _found(page) == [consultation.id]
    snippet = page.split('class="search-snippet"')[1].split("</p>")[0]
    assert f'href="/consultations/{consultation.id}#unit-a3"' in snippet
    assert "<mark>每日巡查</mark>" in snippet  # the adjacent matches of 每日 and 巡查 are one mark


def test_every_term_must_be_found_though_in_different_parts(client, department):
    charging = make_consultation(department)
    parking = make_consultation(department, title="《东洲区住宅小区停车管理办法（征求意见稿）》", draft=PARKING_DRAFT)
    db.session.commit()
    assert sorted(_found(_search(client, "住宅小区 管理"))) == sorted([charging.id, parking.id])
    assert _found(_search(client, "停车 泊位")) == [parking.id]  # 停车 in the title, 泊位 in an article
    assert _found(_search(client, "停车 充电")) == []  # no single notice has both


def test_a_quoted_phrase_is_found_only_as_written(client, department):
    together = make_consultation(department, explanation="为加强充电场所消防安全，起草本办法。")
    apart = make_consultation(department, title="停车管理办法", draft=PARKING_DRAFT, explanation="充电桩布设的场所。")
    db.session.commit()
    assert sorted(_found(_search(client, "充电 场所"))) == sorted([together.id, apart.id])
    assert _found(_search(client, '"充电场所"')) == [together.id]


def test_consultations_that_are_not_published_are_never_found(client, department):
    for status in (ConsultationStatus.DRAFT, ConsultationStatus.IN_REVIEW, ConsultationStatus.RETURNED):
        make_consultation(department, status=status, title=f"内部草稿保密事项{status.value}", draft=PARKING_DRAFT)
    archived = make_consultation(
        department, status=ConsultationStatus.ARCHIVED, phase="closed", title="已归档的保密事项办法"
    )
    db.session.commit()
    page = _search(client, "保密事项")
    assert _found(page) == [archived.id]  # archived ones stay reachable
    assert "内部草稿" not in page and "Archived" in page


def test_a_commenter_s_name_and_phone_number_find_nothing(client, department):
    consultation = make_consultation(department, phase="closed")
    _with_feedback(
        consultation,
        "一、第三条改为每周巡查。",
        content="建议改为每周巡查，联系我13912345678。",
        name="王小虎",
        phone="13912345678",
        email="wang@example.cn",
    )
    for secret in ("13912345678", "王小虎", "wang@example.cn", "联系我"):
        page = _search(client, secret)
        assert "Results found: 0" in page and _found(page) == []
    # The answer the feedback page shows is found, and the result is the feedback page.
    page = _search(client, "物业服务合同", kind="feedback")
    assert f'<h3><a href="/consultations/{consultation.id}/feedback">' in page
    assert "13912345678" not in page and "王小虎" not in page


def test_the_feedback_is_found_by_its_main_changes_and_only_once_published(client, department):
    consultation = make_consultation(department, phase="closed")
    record = ConsultationFeedback(consultation_id=consultation.id, main_changes="删去夜间巡查的要求。")
    db.session.add(record)
    db.session.commit()
    assert "Results found: 0" in _search(client, "夜间巡查")
    consultation.status, record.published_at = ConsultationStatus.FEEDBACK_PUBLISHED, utcnow()
    db.session.commit()
    page = _search(client, "夜间巡查", kind="feedback")
    assert f'href="/consultations/{consultation.id}/feedback#fb-changes"' in page
    assert "Feedback published" in page and "<mark>夜间巡查</mark>" in page


def test_a_title_with_markup_is_shown_escaped_with_the_match_marked(client, department):
    make_consultation(department, title='<script>alert("x")</script>停车管理办法', draft=PARKING_DRAFT)
    db.session.commit()
    page = _search(client, "停车")
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;<mark>停车</mark>管理办法" in page


def test_percent_and_underscore_in_a_query_are_literal(client, department):
    percent = make_consultation(department, title="降低50%停车费用的办法", draft=PARKING_DRAFT)
    make_consultation(department, title="降低500元停车费用的办法", draft=PARKING_DRAFT)
    underscore = make_consultation(department, intro="材料模板见 form_a 附件。")
    make_consultation(department, intro="材料模板见 formXa 附件。")
    db.session.commit()
    assert _found(_search(client, "50%")) == [percent.id]
    assert _found(_search(client, "form_a")) == [underscore.id]


def test_title_matches_rank_first_then_the_most_recent(client, department):
    in_article = make_consultation(department, draft="第一条 停车泊位优先满足业主。", title="物业管理办法")
    older_title = make_consultation(department, phase="closed", title="停车管理办法", draft=PARKING_DRAFT)
    newer_title = make_consultation(department, title="停车场收费办法", draft=PARKING_DRAFT)
    db.session.commit()
    assert _found(_search(client, "停车")) == [newer_title.id, older_title.id, in_article.id]


def test_results_in_english_show_the_kind_status_department_and_date(client, department):
    consultation = make_consultation(department)
    db.session.commit()
    page = _search(client, "充电")
    assert _found(page) == [consultation.id]
    meta = page.split('class="search-meta"')[1].split("</p>")[0]
    assert "Consultation" in meta and "Open for comment" in meta and "Housing Bureau" in meta
    assert re.search(r"\d{4}-\d{2}-\d{2}", meta)
    assert '<html lang="en">' in page


def test_a_kind_filter_leaves_out_the_other_kinds(client, department):
    make_consultation(department)
    db.session.commit()
    assert "Results found: 1" in _search(client, "充电", kind="consultation")
    assert "Results found: 0" in _search(client, "充电", kind="survey")


# ------------------------------------------------------------------------------------ what residents type

CHARGING_FACILITIES = """第一条 为规范本区充电设施建设，制定本办法。

第二条 新建住宅小区应当配建充电设施。
"""


def test_an_everyday_word_finds_the_word_the_draft_uses(client, department):
    bikes = make_consultation(department, draft=PARKING_DRAFT)  # 电动自行车 in the title
    chargers = make_consultation(
        department, title="《东洲区充电设施建设管理办法》", draft=CHARGING_FACILITIES, explanation="为便利居民充电。"
    )
    db.session.commit()
    assert _found(_search(client, "电动车")) == [bikes.id]
    page = _search(client, "充电桩")
    assert _found(page) == [chargers.id]
    assert "<mark>充电设施</mark>" in page  # the synonym that was found is what is marked


def test_a_consultation_is_found_by_its_document_type_and_its_department(client, department):
    normative = make_consultation(department, doc_type="normative_doc", title="关于加强物业管理的若干规定")
    make_consultation(make_department(name="区教育局"), doc_type="major_decision", title="学位分配办法")
    db.session.commit()
    page = client.get("/search", query_string={"q": "行政规范性文件"}).text  # in Chinese
    assert _found(page) == [normative.id]
    assert '<span class="search-type"><mark>行政规范性文件</mark></span>' in page
    assert _found(_search(client, "住建局 物业")) == [normative.id]


def test_filters_narrow_by_type_department_year_and_stage(client, department):
    education = make_department(name="区教育局")
    open_one = make_consultation(department, doc_type="normative_doc")
    closed_one = make_consultation(department, phase="closed")
    other = make_consultation(education)
    db.session.commit()
    everything = sorted([open_one.id, closed_one.id, other.id])
    assert sorted(_found(_search(client, "电动车"))) == everything
    assert _found(_search(client, "电动车", doc_type="normative_doc")) == [open_one.id]
    assert _found(_search(client, "电动车", department=str(education.id))) == [other.id]
    assert _found(_search(client, "电动车", phase="closed")) == [closed_one.id]
    year = open_one.start_at.year
    assert sorted(_found(_search(client, "电动车", year=str(year)))) == sorted(
        c.id for c in (open_one, closed_one, other) if c.start_at.year == year
    )
    assert _found(_search(client, "", department=str(education.id))) == [other.id]  # filters alone list
    assert sorted(_found(_search(client, "电动车", year="1999", department="x"))) == everything  # bad: "any"


def test_an_abbreviation_is_found_spread_out_when_nothing_has_it_exactly(client, department):
    housing = make_consultation(department, title="公共租赁住房管理办法", draft="第一条 公共租赁住房实行轮候。")
    db.session.commit()
    page = _search(client, "公租")  # two characters: too short to spread, nothing found
    assert _found(page) == []
    page = _search(client, "公积租房")  # not in the synonym list; its bigrams 公积/积租/租房 mostly absent
    assert _found(page) == []
    page = _search(client, "公共租房")  # characters in order within a few: 公共租赁住房
    assert _found(page) == [housing.id]
    assert "other characters in between" in page and "<mark>公共租赁住房</mark>" in page


def test_a_long_phrase_is_found_by_most_of_its_bigrams(client, department):
    rules = make_consultation(department, title="电动自行车集中充电的管理规定", draft=PARKING_DRAFT)
    db.session.commit()
    # Quoted, the phrase must appear whole; it does not, but 6 of its 8 bigrams do (车充 and 电管 are missing).
    page = _search(client, '"电动自行车充电管理"')
    assert _found(page) == [rules.id] and "<mark>电动自行车</mark>" in page
    assert _found(_search(client, '"电动摩托车维修保养"')) == []  # 电动 alone is too little of it


def test_did_you_mean_suggests_a_word_of_the_site_when_nothing_matches(client, department):
    make_consultation(department, title="《东洲区充电桩建设办法》", draft=CHARGING_FACILITIES)
    db.session.commit()
    page = _search(client, "冲电桩")  # a homophone typed with pinyin
    assert "Results found: 0" in page and "Did you mean:" in page
    suggestion = re.search(r'class="search-suggestion"[^>]*>.*?<a href="([^"]+)">([^<]+)</a>', page, re.S)
    assert suggestion.group(2) == "充电桩"
    assert _found(client.get(suggestion.group(1).replace("&amp;", "&"), headers=EN).text)
    assert "Did you mean:" not in _search(client, "量子计算")  # nothing close: no suggestion


def test_did_you_mean_leaves_out_a_word_that_finds_nothing(client, department):
    make_consultation(department, title="《东洲区充电桩建设办法》", draft=CHARGING_FACILITIES)
    db.session.commit()
    page = _search(client, "充电桩 见义勇为")
    assert "Results found: 0" in page
    assert re.search(r'class="search-suggestion"[^>]*>.*?<a href="[^"]+">充电桩</a>', page, re.S)


def test_personal_data_in_a_notice_is_neither_shown_nor_found(client, department):
    notice = make_consultation(department, intro="咨询请联系王老师，电话13912345678，身份证110101199003078515。")
    db.session.commit()
    assert _found(_search(client, "13912345678")) == []
    page = _search(client, "咨询 王老师")
    assert _found(page) == [notice.id]
    assert "13912345678" not in page and "110101199003078515" not in page


def test_a_synonym_with_markup_is_escaped_in_the_highlight(client, department):
    make_consultation(department, title="<img src=x onerror=alert(1)>电动自行车停放", draft=PARKING_DRAFT)
    db.session.commit()
    page = _search(client, "电瓶车")
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;<mark>电动自行车</mark>停放" in page


def test_a_published_policy_interpretation_is_found_by_a_synonym_and_a_draft_one_is_not(client, department):
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
    link = f'<h3><a href="/consultations/{consultation.id}/interpretation">'
    assert link not in _search(client, "集中充电")
    record.status, record.published_at = InterpretationStatus.PUBLISHED, utcnow()
    db.session.commit()
    page = _search(client, "充电桩", kind="interpretation")
    assert link in page and "<mark>充电设施</mark>" in page
    assert link in _search(client, "充电桩", phase="feedback", department=str(department.id))
    assert link not in _search(client, "充电桩", phase="open")


def test_a_stage_typed_with_the_words_chooses_the_stage(client, department):
    open_one = make_consultation(department)
    closed_one = make_consultation(department, phase="closed")
    db.session.commit()
    page = client.get("/search", query_string={"q": "正在征集 电动车"}).text
    assert _found(page) == [open_one.id]
    assert '<option value="open" selected>' in page  # the stage shows as chosen, so it can be changed
    assert _found(_search(client, "已结束的电动车")) == [closed_one.id]
    assert sorted(_found(_search(client, "已结束"))) == [closed_one.id]  # the stage alone lists it
