"""A large survey export through gunicorn as `make run` starts it: the request only queues the job; the task
worker beside gunicorn (another process) builds the file while the job page, refreshing itself without script,
shows the rows written so far; the file then downloads whole from storage through any worker."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import openpyxl
import pytest
from sqlalchemy import func, insert

from core.extensions import db
from core.models import Department
from surveys.models import QuestionType, Response, Survey
from tests.live.conftest import LiveSite
from tests.live.crawler import Browser

RESPONSES = 20_001  # beyond SURVEY_EXPORT_JOB_ROWS (20,000 unless configured), whatever the demo holds


@pytest.fixture
def large_survey(live_site: LiveSite) -> Iterator[tuple[int, int]]:
    """The demo survey with twenty thousand responses more, removed afterwards: (survey id, complete responses)."""
    with live_site.app.app_context():
        survey = db.session.scalars(
            db.select(Survey).join(Department).where(Department.code == "gov-office").order_by(Survey.id)
        ).first()
        assert survey is not None
        choice = next(q for q in survey.questions if q.type is QuestionType.SINGLE and q.options)
        first = db.session.scalar(db.select(func.max(Response.id))) or 0
        hour = datetime(2026, 11, 2, 9, tzinfo=UTC)
        rows = [
            {"survey_id": survey.id, "submitted_at": hour, "complete": True,
             "answer_data": {"values": {choice.code: choice.options[n % len(choice.options)].code}, "other": {}}}
            for n in range(RESPONSES)
        ]  # fmt: skip
        db.session.execute(insert(Response), rows)
        db.session.commit()
        complete = db.session.scalar(
            db.select(func.count(Response.id)).where(Response.survey_id == survey.id, Response.complete.is_(True))
        )
        try:
            yield survey.id, complete
        finally:
            db.session.rollback()
            db.session.execute(db.delete(Response).where(Response.id > first, Response.survey_id == survey.id))
            db.session.commit()
            db.session.remove()


def _percent(page: str) -> int | None:
    found = re.search(r'id="job-percent">(\d+)%', page)
    return int(found.group(1)) if found else None


def test_a_large_survey_export_is_built_by_the_worker_with_its_progress_shown(
    live_site: LiveSite, large_survey: tuple[int, int]
) -> None:
    survey_id, complete = large_survey
    browser = Browser(live_site.url)
    browser.login(*live_site.accounts["editor"])
    status, headers, _body, _problem = browser.request(f"/manage/surveys/{survey_id}/export.xlsx")
    assert status == 302 and "/manage/jobs/" in headers["Location"], live_site.log()[-3000:]
    job_page = headers["Location"]
    seen: list[int] = []
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        status, _headers, body, _problem = browser.request(job_page)
        page = body.decode("utf-8")
        assert status == 200 and "job-status" in page, page[:500]
        if 'id="job-download"' in page:
            break
        assert '<meta http-equiv="refresh"' in page  # no script needed to follow it
        if (percent := _percent(page)) is not None:
            seen.append(percent)
        time.sleep(0.2)
    else:
        pytest.fail(f"the job did not finish: {seen}\n{live_site.log()[-3000:]}")
    assert seen == sorted(seen), seen
    assert any(0 < percent < 100 for percent in seen), f"no progress shown while the file was written: {seen}"
    link = re.search(r'id="job-download" href="([^"]+)"', page)
    assert link is not None
    status, headers, data, problem = browser.request(link.group(1).replace("&amp;", "&"))
    assert (status, problem) == (200, "") and "attachment" in headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert sum(1 for _row in book.worksheets[0].iter_rows(values_only=True)) == complete + 1  # and the header
    assert complete > RESPONSES


def test_another_departments_staff_get_no_job_page(live_site: LiveSite, large_survey: tuple[int, int]) -> None:
    survey_id, _complete = large_survey
    browser = Browser(live_site.url)
    browser.login(*live_site.accounts["editor"])
    _status, headers, _body, _problem = browser.request(f"/manage/surveys/{survey_id}/export.csv")
    job_page = headers["Location"]
    reviewer = Browser(live_site.url)  # the justice bureau's reviewer: no survey of this department is theirs
    reviewer.login(*live_site.accounts["reviewer"])
    assert reviewer.request(f"/manage/surveys/{survey_id}/export.csv")[0] == 403
    assert reviewer.request(job_page)[0] == 404
    assert reviewer.request(job_page + "/download")[0] == 404
