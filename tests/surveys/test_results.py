"""Results for staff: counts checked against the stored answers, filters, cross-tabulation, free text, access."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import numpy as np
from flask import current_app

from core.audit import AuditEvent
from core.extensions import db
from core.portal import render_sections
from surveys.models import Answer, Response
from surveys.results import data as result_data
from surveys.results.compute import crosstab, survey_results
from surveys.results.filters import Filters
from tests.consultation.conftest import make_consultation
from tests.factories import make_department
from tests.surveys.results_data import START, add_responses, every_type_survey, option_counts, stored

ENGLISH = {"Accept-Language": "en"}


def _results(survey, filters=None):
    snapshot = result_data.load(survey)
    keep = (filters or Filters()).mask(snapshot)
    with current_app.test_request_context(headers=ENGLISH):  # labels and statistics names in English
        return {r.question.code: r for r in survey_results(survey, snapshot, keep)}, keep


def _counts(result) -> dict[str, int]:
    return {row.label: row.cells[0].count for row in result.rows}


def test_choice_counts_match_the_stored_answers(app) -> None:
    survey = every_type_survey()
    add_responses(survey, 60, incomplete_every=7)
    rows = stored(survey)
    results, keep = _results(survey)

    assert int(keep.sum()) == len(rows)  # incomplete responses are left out by default
    street = option_counts(rows, "street")
    assert _counts(results["street"]) == {"新屯街道": street["1"], "搭连街道": street["2"], "万新街道": street["3"],
                                          "Other": street["other"]}  # fmt: skip
    services = option_counts(rows, "services")
    assert _counts(results["services"])["户籍"] == services["2"]
    assert results["services"].answered == sum(1 for _r, a in rows if a.get("services"))
    share = results["street"].rows[0].cells[0].percent
    assert abs(share - 100 * street["1"] / len(rows)) < 1e-9


def test_matrix_scale_nps_ranking_and_dates_are_summarised_from_the_answers(app) -> None:
    survey = every_type_survey()
    add_responses(survey, 50)
    rows = stored(survey)
    results, _keep = _results(survey)

    efficiency = Counter(a["rating"]["r1"] for _r, a in rows)
    assert [cell.count for cell in results["rating"].rows[0].cells] == [efficiency[str(n)] for n in range(1, 6)]
    overall = Counter(a["overall"] for _r, a in rows)
    assert _counts(results["overall"]) == {str(n): overall[n] for n in range(1, 6)}
    stats = dict(results["overall"].stats)
    assert stats["Mean"] == f"{sum(a['overall'] for _r, a in rows) / len(rows):.2f}"

    nps = [a["nps"] for _r, a in rows]
    promoters, detractors = sum(v >= 9 for v in nps), sum(v <= 6 for v in nps)
    assert dict(results["nps"].stats)["Net promoter score"] == f"{round(100 * (promoters - detractors) / len(nps)):+d}"

    ranked = [a["priorities"] for _r, a in rows if "priorities" in a]
    mean_first = sum(order.index("1") + 1 for order in ranked) / len(ranked)
    assert results["priorities"].rows[0].extra == [f"{mean_first:.2f}"]
    assert results["priorities"].answered == len(ranked)

    months = Counter(a["visit"][:7] for _r, a in rows)
    assert _counts(results["visit"]) == dict(months)
    assert results["suggestion"].has_text and results["suggestion"].answered == sum(
        1 for _r, a in rows if a.get("suggestion")
    )


def test_filters_by_answer_date_and_completeness(app) -> None:
    survey = every_type_survey()
    add_responses(survey, 80, incomplete_every=5)
    everyone = stored(survey, complete=None)

    by_answer, keep = _results(survey, Filters.from_args({"answer": "street:2"}, survey))
    chosen = [(r, a) for r, a in everyone if r.complete and a["street"] == "2"]
    assert int(keep.sum()) == len(chosen)
    assert _counts(by_answer["age"])["30–44岁"] == option_counts(chosen, "age")["2"]

    _by_service, keep = _results(survey, Filters.from_args({"answer": "services:3"}, survey))
    assert int(keep.sum()) == sum(1 for r, a in everyone if r.complete and "3" in a["services"])

    since = (START + timedelta(days=10)).date()
    until = (START + timedelta(days=20)).date()
    _dated, keep = _results(survey, Filters.from_args({"since": since.isoformat(), "until": until.isoformat()}, survey))
    local_day = lambda r: (r.submitted_at + timedelta(hours=8)).date()  # noqa: E731 - Beijing is UTC+8
    assert int(keep.sum()) == sum(1 for r, _a in everyone if r.complete and since <= local_day(r) <= until)

    _incomplete, keep = _results(survey, Filters.from_args({"status": "incomplete"}, survey))
    assert int(keep.sum()) == sum(1 for r, _a in everyone if not r.complete)
    _all, keep = _results(survey, Filters.from_args({"status": "all", "answer": "nonsense:1"}, survey))
    assert int(keep.sum()) == len(everyone)


def test_crosstab_counts_and_percentages_match_the_answers(app) -> None:
    survey = every_type_survey()
    add_responses(survey, 70)
    rows = stored(survey)
    snapshot = result_data.load(survey)
    by_code = {q.code: q for q in survey.questions}
    table = crosstab(by_code["street"], by_code["age"], snapshot, snapshot.complete.copy())

    expected = Counter((a["street"], a["age"]) for _r, a in rows)
    assert table.counts[1][0] == expected["2", "1"]
    assert table.row_base[0] == sum(n for (street, _age), n in expected.items() if street == "1")
    assert abs(table.row_percent(0, 1) - 100 * expected["1", "2"] / table.row_base[0]) < 1e-9
    assert abs(table.column_percent(2, 2) - 100 * expected["3", "3"] / table.column_base[2]) < 1e-9
    assert table.total == len(rows)

    multi = crosstab(by_code["services"], by_code["street"], snapshot, snapshot.complete.copy())
    assert multi.counts[0][0] == sum(1 for _r, a in rows if "1" in a["services"] and a["street"] == "1")


def test_results_page_shows_counts_filters_and_exports_for_an_editor(app, client, auth) -> None:
    survey = every_type_survey()
    add_responses(survey, 40)
    auth.login_as("editor", survey.department)
    rows = stored(survey)
    chosen = [(r, a) for r, a in rows if a["street"] == "1"]

    page = client.get(f"/manage/surveys/{survey.id}/results?answer=street:1", headers=ENGLISH).get_data(as_text=True)
    assert f"{len(chosen)} responses match the filters." in page
    assert "<svg" in page and "<script" not in page
    links = re.findall(r'href="([^"]*/export\.[a-z]+[^"]*)"', page)
    assert len(links) == 5 and all("answer=street:1" in link for link in links)  # downloads carry the filters
    gender_table = re.search(r'id="result-age".*?</section>', page, re.S).group(0)
    assert f'<td class="num">{option_counts(chosen, "age")["2"]}</td>' in gender_table

    crosstab_page = client.get(
        f"/manage/surveys/{survey.id}/results/crosstab?rows=street&columns=age", headers=ENGLISH
    ).get_data(as_text=True)
    both = Counter((a["street"], a["age"]) for _r, a in rows)
    assert f'<span class="ct-count">{both["1", "1"]}</span>' in crosstab_page


def test_written_answers_are_masked_screened_paginated_with_top_words(app, client, auth) -> None:
    survey = every_type_survey()
    add_responses(survey, 45)
    auth.login_as("moderator")
    texts = [a["suggestion"] for _r, a in stored(survey) if a.get("suggestion")]

    page = client.get(f"/manage/surveys/{survey.id}/results/text/suggestion", headers=ENGLISH).get_data(as_text=True)
    assert f"{len(texts)} written answers match the filters." in page
    assert "13812345678" not in page and "联系我 138****5678" in page
    assert '<span class="badge warn">Personal data</span>' in page  # the screening flag is shown
    assert "停车位" in page  # a top word
    assert page.count('<li class="card">') == min(20, len(texts))
    last = client.get(f"/manage/surveys/{survey.id}/results/text/suggestion?page=99", headers=ENGLISH)
    assert last.status_code == 200
    other = client.get(f"/manage/surveys/{survey.id}/results/text/street", headers=ENGLISH).get_data(as_text=True)
    assert "高尔山街道 139****1111" in other and "13900001111" not in other


def test_results_are_for_staff_of_the_department_moderators_and_admins(app, client, auth) -> None:
    survey = every_type_survey()
    auth.login_as("editor", make_department())
    assert client.get(f"/manage/surveys/{survey.id}/results").status_code == 403
    auth.logout()
    auth.login_as("admin")
    assert client.get(f"/manage/surveys/{survey.id}/results").status_code == 200


def test_new_responses_reach_the_cached_results(app) -> None:
    survey = every_type_survey()
    add_responses(survey, 10)
    assert result_data.load(survey).size == 10
    add_responses(survey, 5, seed=2)
    snapshot = result_data.load(survey)
    assert snapshot.size == 15
    stored_nps = [a["nps"] for _r, a in stored(survey)]
    column = snapshot.columns["nps"].data
    assert sorted(column[~np.isnan(column)].astype(int).tolist()) == sorted(stored_nps)
    first = db.session.scalar(db.select(Response).where(Response.survey_id == survey.id).order_by(Response.id))
    db.session.delete(first)
    db.session.flush()
    assert result_data.load(survey).size == 14  # a deletion below the last id is noticed


def test_publishing_results_is_audited_and_shown_on_the_consultation_page(app, client, auth) -> None:
    department = make_department()
    consultation_id = make_consultation(department).id
    survey = every_type_survey(department, consultation_id=consultation_id)
    add_responses(survey, 12)
    user = auth.login_as("approver", survey.department)
    with app.test_request_context():
        assert render_sections("consultation_extras", consultation_id).count('class="card consultation-survey"') == 1
        assert "/results" not in render_sections("consultation_extras", consultation_id)

    response = client.post(f"/manage/surveys/{survey.id}/results/publish", data={"publish": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert survey.results_published
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "survey.results_publish"))
    assert event.actor_id == user.id
    with app.test_request_context():
        block = render_sections("consultation_extras", consultation_id)
        assert render_sections("consultation_extras", consultation_id + 1) == ""
    assert f"/surveys/{survey.id}/results" in block and "12" in block


def test_answers_with_unknown_codes_do_not_break_the_counts(app) -> None:
    survey = every_type_survey()
    add_responses(survey, 5)
    response = Response(survey_id=survey.id, submitted_at=START)
    response.answers = [Answer(question_code="street", value="gone"), Answer(question_code="visit", value="bad")]
    db.session.add(response)
    db.session.flush()
    results, keep = _results(survey)
    assert int(keep.sum()) == 6
    assert sum(_counts(results["street"]).values()) == 5
