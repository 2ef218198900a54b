"""The surveys' open data: approved surveys only, by phase, and results only once published, small counts withheld."""

from __future__ import annotations

from datetime import timedelta

from core.db import utcnow
from core.extensions import db
from surveys.models import Answer, QuestionType, Response
from tests.atom import parse_feed
from tests.factories import make_department
from tests.surveys.helpers import make_survey
from tests.surveys.results_data import START


def _street_survey(counts: dict[str, int], **fields):
    survey = make_survey([[("street", QuestionType.SINGLE, {"options": ["新屯", "搭连", "万新"]}),
                           ("note", QuestionType.SHORT_TEXT, {})]], **fields)  # fmt: skip
    for code, count in counts.items():
        for _n in range(count):
            response = Response(survey_id=survey.id, submitted_at=START)
            response.answers = [Answer(question_code="street", value=code),
                                Answer(question_code="note", value="我家住在幸福路8号")]  # fmt: skip
            db.session.add(response)
    return survey


def _ids(response) -> list[int]:
    assert response.status_code == 200
    return [item["id"] for item in response.get_json()["items"]]


def test_only_approved_surveys_are_listed_and_filtered_by_phase_and_department(app, client) -> None:
    now = utcnow()
    department = make_department()
    open_now = make_survey([[]], title="开放中", department=department)
    scheduled = make_survey([[]], title="即将开始", starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=9))
    closed = make_survey([[]], title="已结束", starts_at=now - timedelta(days=9), ends_at=now - timedelta(days=1))
    draft = make_survey([[]], title="草稿", approved=False)
    db.session.commit()
    assert set(_ids(client.get("/api/v1/surveys"))) == {open_now.id, scheduled.id, closed.id}
    assert _ids(client.get("/api/v1/surveys?phase=open")) == [open_now.id]
    assert _ids(client.get("/api/v1/surveys?phase=scheduled")) == [scheduled.id]
    assert _ids(client.get("/api/v1/surveys?phase=closed")) == [closed.id]
    assert _ids(client.get(f"/api/v1/surveys?department={department.id}")) == [open_now.id]
    assert client.get("/api/v1/surveys?phase=not_published").status_code == 400
    assert client.get(f"/api/v1/surveys/{draft.id}").status_code == 404
    assert client.get(f"/api/v1/surveys/{draft.id}/results").status_code == 404
    shown = client.get(f"/api/v1/surveys/{open_now.id}").get_json()
    assert shown["phase"] == "open" and shown["url"] == f"http://localhost/surveys/{open_now.id}"
    assert shown["results_url"] is None


def test_results_appear_once_published_with_small_counts_withheld_and_no_written_answers(app, client) -> None:
    survey = _street_survey({"1": 12, "2": 3, "3": 7})
    db.session.commit()
    assert client.get(f"/api/v1/surveys/{survey.id}/results").status_code == 404
    survey.results_published = True
    db.session.commit()
    response = client.get(f"/api/v1/surveys/{survey.id}/results")
    body = response.get_data(as_text=True)
    results = response.get_json()
    assert results["respondents"] == 22 and results["min_cell"] == 5
    assert [question["code"] for question in results["questions"]] == ["street"]  # the text question is left out
    assert "幸福路" not in body
    cells = [(row["label"], row["cells"][0]) for row in results["questions"][0]["rows"]]
    # 3 is under five, and 7 is hidden with it so that 3 cannot be worked out from the total (as on the page).
    assert cells == [("新屯", {"count": 12, "percent": 100 * 12 / 22, "hidden": False}),
                     ("搭连", {"count": None, "percent": None, "hidden": True}),
                     ("万新", {"count": None, "percent": None, "hidden": True})]  # fmt: skip
    shown = client.get(f"/api/v1/surveys/{survey.id}").get_json()
    assert shown["results_url"] == f"http://localhost/surveys/{survey.id}/results"


def test_survey_feed_lists_only_the_surveys_open_now(app, client) -> None:
    now = utcnow()
    department = make_department(name="区民政局")
    purpose = "了解居民对养老服务的意见。"
    open_now = make_survey([[]], title="养老服务满意度调查", purpose=purpose, department=department)
    make_survey([[]], title="即将开始", starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=9))
    make_survey([[]], title="已结束", starts_at=now - timedelta(days=9), ends_at=now - timedelta(days=1))
    make_survey([[]], title="草稿", approved=False)
    db.session.commit()
    _feed, entries = parse_feed(client.get("/surveys/feed.atom"))
    assert [entry["title"] for entry in entries] == ["养老服务满意度调查"]
    assert entries[0]["link"] == f"http://localhost/surveys/{open_now.id}"
    assert entries[0]["author"] == "区民政局"
    assert "了解居民对养老服务的意见。" in entries[0]["summary"]
