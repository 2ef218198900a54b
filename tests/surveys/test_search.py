"""Searching surveys: approved ones by title and purpose, with their phase; drafts and surveys in review never."""

from __future__ import annotations

import re
from datetime import timedelta

from core.db import utcnow
from core.extensions import db
from surveys.models import ReviewStatus
from tests.factories import make_department
from tests.surveys.helpers import make_survey

EN = {"Accept-Language": "en"}


def _search(client, q: str, **args: str) -> str:
    response = client.get("/search", query_string={"q": q, **args}, headers=EN)
    assert response.status_code == 200
    return response.text


def _found(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<h3><a href="/surveys/(\d+)">', page)]


def test_an_approved_survey_is_found_by_a_word_of_its_purpose(client):
    survey = make_survey([], title="社区养老服务需求调查", purpose="了解老年人对助餐和上门护理服务的需求。")
    db.session.commit()
    page = _search(client, "上门护理")
    assert _found(page) == [survey.id]
    assert "Survey" in page and '<span class="badge open">Open</span>' in page
    assert "<mark>上门护理</mark>" in page


def test_surveys_not_approved_are_never_found(client):
    department = make_department()
    for status in (ReviewStatus.DRAFT, ReviewStatus.IN_REVIEW, ReviewStatus.RETURNED):
        survey = make_survey([], department=department, approved=False, title=f"未审核问卷{status.value}")
        survey.status = status
    db.session.commit()
    assert "Results found: 0" in _search(client, "未审核问卷")


def test_a_closed_survey_is_still_found_and_marked_closed(client):
    now = utcnow()
    survey = make_survey(
        [], title="垃圾分类满意度调查", starts_at=now - timedelta(days=30), ends_at=now - timedelta(days=1)
    )
    db.session.commit()
    page = _search(client, "垃圾分类", kind="survey")
    assert _found(page) == [survey.id] and '<span class="badge closed">Closed</span>' in page


def test_every_term_must_be_in_the_survey(client):
    make_survey([], title="垃圾分类满意度调查", purpose="了解居民对垃圾分类的看法。")
    db.session.commit()
    assert "Results found: 1" in _search(client, "垃圾分类 居民")
    assert "Results found: 0" in _search(client, "垃圾分类 停车")


def test_results_come_twenty_to_a_page_and_the_next_page_keeps_the_search(client):
    department = make_department()
    for n in range(21):
        make_survey([], department=department, title=f"第{n + 1}期社区议事调查")
    db.session.commit()
    first = _search(client, "社区议事", kind="survey")
    assert "Results found: 21" in first and len(_found(first)) == 20
    assert 'href="/search?q=%E7%A4%BE%E5%8C%BA%E8%AE%AE%E4%BA%8B&amp;kind=survey&amp;page=2"' in first
    second = _search(client, "社区议事", kind="survey", page="2")
    assert len(_found(second)) == 1 and not set(_found(second)) & set(_found(first))


def test_a_survey_is_found_by_a_synonym_and_by_its_department_and_narrowed_by_stage(client):
    civil = make_department(name="区民政局", name_en="Civil Affairs Bureau")
    now = utcnow()
    open_one = make_survey([], department=civil, title="社区养老服务需求调查", purpose="了解助餐需求。")
    closed_one = make_survey(
        [], title="长者助餐满意度调查", starts_at=now - timedelta(days=30), ends_at=now - timedelta(days=1)
    )
    db.session.commit()
    assert sorted(_found(_search(client, "老年人"))) == sorted([open_one.id, closed_one.id])  # 养老 and 长者
    assert _found(_search(client, "民政局 助餐")) == [open_one.id]
    assert _found(_search(client, "老年人", phase="closed")) == [closed_one.id]
    assert _found(_search(client, "老年人", department=str(civil.id))) == [open_one.id]
    # A survey has no document type and no feedback of its own.
    assert _found(_search(client, "老年人", doc_type="normative_doc")) == []
    assert _found(_search(client, "老年人", phase="feedback")) == []


def test_a_phone_number_in_a_survey_purpose_is_neither_found_nor_shown(client):
    survey = make_survey([], title="加装电梯意向调查", purpose="咨询电话13912345678，欢迎参与。")
    db.session.commit()
    assert _found(_search(client, "13912345678")) == []
    page = _search(client, "增设电梯")  # a synonym of 加装电梯
    assert _found(page) == [survey.id] and "13912345678" not in page
