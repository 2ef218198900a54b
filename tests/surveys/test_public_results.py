"""Public results: only once published, charts and counts only, no written answers, small counts hidden."""

from __future__ import annotations

import re

from core.extensions import db
from surveys.models import Answer, QuestionType, Response
from surveys.results.compute import Cell, suppress
from tests.surveys.helpers import make_survey
from tests.surveys.results_data import START, add_responses, every_type_survey, option_counts, stored

ENGLISH = {"Accept-Language": "en"}


def _street_survey(counts: dict[str, int]):
    survey = make_survey([[("street", QuestionType.SINGLE, {"options": ["新屯", "搭连", "万新"]}),
                           ("note", QuestionType.SHORT_TEXT, {})]])  # fmt: skip
    for code, count in counts.items():
        for _n in range(count):
            response = Response(survey_id=survey.id, submitted_at=START)
            response.answers = [Answer(question_code="street", value=code),
                                Answer(question_code="note", value="我家住在幸福路8号")]  # fmt: skip
            db.session.add(response)
    survey.results_published = True
    db.session.commit()
    return survey


def _table(page: str, code: str) -> list[tuple[str, str]]:
    block = re.search(rf'id="result-{code}".*?</section>', page, re.S).group(0)
    cells = re.findall(r'<th scope="row">([^<]*)</th><td class="num">([^<]*)</td>', block)
    return [(label, count.replace("&lt;", "<")) for label, count in cells]


def test_public_results_exist_only_once_published(app, client) -> None:
    survey = every_type_survey()
    db.session.commit()
    assert client.get(f"/surveys/{survey.id}/results").status_code == 404
    assert f"/surveys/{survey.id}/results" not in client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    survey.results_published = True
    db.session.commit()
    assert client.get(f"/surveys/{survey.id}/results").status_code == 200
    assert f"/surveys/{survey.id}/results" in client.get(f"/surveys/{survey.id}").get_data(as_text=True)


def test_counts_below_five_are_hidden_with_a_second_one_so_they_cannot_be_derived(app, client) -> None:
    survey = _street_survey({"1": 12, "2": 3, "3": 7})
    page = client.get(f"/surveys/{survey.id}/results", headers=ENGLISH).get_data(as_text=True)
    assert _table(page, "street") == [("新屯", "12"), ("搭连", "<5"), ("万新", "<5")]
    # Neither hidden count is drawn: the chart lists only the shown one.
    chart = re.search(r'id="result-street".*?<desc[^>]*>([^<]*)</desc>', page, re.S).group(1)
    assert "新屯" in chart and "搭连" not in chart and "万新" not in chart


def test_public_results_leave_out_written_answers(app, client) -> None:
    survey = _street_survey({"1": 6, "2": 6})
    page = client.get(f"/surveys/{survey.id}/results", headers=ENGLISH).get_data(as_text=True)
    assert "幸福路" not in page and 'id="result-note"' not in page
    assert _table(page, "street") == [("新屯", "6"), ("搭连", "6"), ("万新", "0")]


def test_every_public_count_is_zero_five_or_more(app, client) -> None:
    survey = every_type_survey(results_published=True)
    add_responses(survey, 40)
    db.session.commit()
    page = client.get(f"/surveys/{survey.id}/results", headers=ENGLISH).get_data(as_text=True)
    counts = [int(n) for n in re.findall(r'<td class="num">(\d+)(?:<span| *</td>)', page)]
    assert counts and all(n == 0 or n >= 5 for n in counts)
    assert "高尔山街道" not in page and "Lowest" not in page  # no "other" texts, no single person's extreme
    street = option_counts(stored(survey), "street")
    shown = dict(_table(page, "street"))
    assert shown["新屯街道"] == (str(street["1"]) if street["1"] >= 5 else "<5")


def test_suppression_rule_hides_small_cells_and_one_more_when_alone() -> None:
    cells = [Cell(20), Cell(2), Cell(9), Cell(0)]
    suppress(cells, 5)
    assert [cell.hidden for cell in cells] == [False, True, True, False]
    cells = [Cell(1), Cell(3), Cell(30)]
    suppress(cells, 5)
    assert [cell.hidden for cell in cells] == [True, True, False]
