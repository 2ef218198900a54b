"""Surveys in the search index: an approved survey is in it and found through it; one taken back to draft for
changes leaves it in the same commit, and a draft never enters it."""

from __future__ import annotations

import re

from sqlalchemy import select

from core.extensions import db
from core.search_index import SearchIndexEntry
from surveys.builder import review
from surveys.models import ReviewStatus
from tests.factories import make_department, make_user
from tests.surveys.helpers import make_survey

EN = {"Accept-Language": "en"}


def _found(client, q: str) -> list[int]:
    page = client.get("/search", query_string={"q": q}, headers=EN).text
    return [int(n) for n in re.findall(r'<h3><a href="/surveys/(\d+)">', page)]


def _indexed() -> list[int]:
    return list(db.session.scalars(select(SearchIndexEntry.item_id).where(SearchIndexEntry.kind == "survey")))


def test_a_survey_taken_back_to_draft_leaves_the_index_and_is_no_longer_found(client):
    department = make_department()
    survey = make_survey([], department=department, title="加装电梯意向调查", purpose="了解居民意向。")
    make_survey([], department=department, title="垃圾分类满意度调查")
    db.session.commit()
    assert survey.id in _indexed()
    assert _found(client, "增设电梯") == [survey.id]  # a synonym of 加装电梯, through the index
    review.reopen(survey, make_user("editor", department))
    db.session.commit()
    assert survey.status is ReviewStatus.DRAFT and survey.id not in _indexed()
    assert _found(client, "增设电梯") == []


def test_a_draft_survey_never_enters_the_index(client):
    draft = make_survey([], approved=False, title="未审核的电梯调查")
    db.session.commit()
    assert draft.id not in _indexed()
    draft.title = "未审核的加装电梯调查"
    db.session.commit()
    assert draft.id not in _indexed() and _found(client, "加装电梯") == []
