"""Taking a comment asks the database a fixed number of times, however large the campaign it belongs to.

Budgets, each statement named (a PostgreSQL round trip each; bench/comments.py measures the cost):
- the blank comment form, from the page cache: none;
- a POST: at most 9 for any comment — the consultation's row (its department and the seal ledger's head in the
  same query), its submission key not used yet, an exact twin together with the address's submissions in the
  burst window, the near copies sharing band keys, the size of the cluster it joins (up to 24), the INSERT (ON
  CONFLICT DO NOTHING: a clash of keys or receipt numbers needs no savepoint), naming the cluster when it is new,
  its band keys, the address's submission;
- a copy joining a campaign that is already a named cluster with enough indexed members: 6, the size, the naming
  and the band keys being known from the near copies already read.
On 2026-12-05 before this budget a campaign copy took 13 (the department read apart, the ledger's head apart, the
cluster counted and named again on every copy, the twin and the burst count read apart, a savepoint around the
insert).
"""

from __future__ import annotations

import pytest
from flask import Flask

from consultation.models import Comment
from core import page_cache
from core.extensions import db
from core.integrity import check
from tests.conftest import make_app
from tests.consultation.conftest import make_consultation
from tests.factories import make_department
from tests.sql_statements import counted

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")

CAMPAIGN = "建议第三条增加对夜间充电的巡查要求，物业应当每日两次巡查充电场所，并做好记录。第"


def _form(number: int) -> dict[str, str]:
    return {
        "submission_key": f"{number:032d}",
        "unit_key": "a3",
        "author_name": "居民",
        "respondent_type": "individual",
        "content": f"{CAMPAIGN}{number}条。",
        "privacy_ack": "y",
    }


def test_campaign_copies_cost_six_statements_each_and_no_comment_more_than_nine(
    app: Flask, test_config: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    consultation = make_consultation(make_department())
    check.seal_all()  # as on a site that ran `integrity seal-all`: the consultation and department verified
    db.session.commit()
    monkeypatch.setattr(page_cache, "clock", lambda: 1000.0)
    cached = make_app(test_config, PUBLIC_PAGE_CACHE_SECONDS=30)
    path = f"/consultations/{consultation.id}/comment"
    cached.test_client().get(path)
    page, on_get = counted(cached, lambda: cached.test_client().get(path))
    assert page.status_code == 200 and on_get == []
    client = cached.test_client()
    counts = []
    for number in range(30):
        response, sent = counted(cached, lambda number=number: client.post(path, data=_form(number)))
        assert response.status_code == 303
        assert len(sent) <= 9, "\n".join(sent)
        counts.append(len(sent))
    assert max(counts[-3:]) <= 6, counts
    assert db.session.scalar(db.select(db.func.count(Comment.id))) == 30
