"""Survey results in a real browser: an editor filters the results and reads a cross-tabulation on a phone, then
downloads every format; a resident opens the public results, where small counts are hidden."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path
from typing import Any

import openpyxl
import pyreadstat

from core.extensions import db
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.surveys.results_data import add_responses, every_type_survey, stored


def _english(page: Any, live_server: Any) -> None:
    page.context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])


def _login(page: Any, live_server: Any, email: str) -> None:
    page.goto(live_server.url + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_editor_filters_reads_a_crosstab_on_a_phone_and_downloads_each_format(
    live_server, phone, shot, tmp_path: Path
) -> None:
    survey = every_type_survey(title="东洲区公共服务满意度调查")
    add_responses(survey, 60)
    make_user("editor", survey.department, email="editor@example.cn")
    db.session.commit()
    rows = stored(survey)
    _english(phone, live_server)
    _login(phone, live_server, "editor@example.cn")

    phone.goto(f"{live_server.url}/manage/surveys/{survey.id}/results")
    assert phone.get_by_text(f"{len(rows)} responses match the filters.").is_visible()
    phone.get_by_label("Respondents who answered").select_option("street:2")
    phone.get_by_role("button", name="Apply filters").click()
    chosen = [a for _r, a in rows if a["street"] == "2"]
    assert phone.get_by_text(f"{len(chosen)} responses match the filters.").is_visible()
    assert "answer=street" in phone.url
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width  # nothing wider than the phone
    shot(phone, "filtered-results")

    phone.get_by_label("Rows").first.select_option("age")
    phone.get_by_label("Columns").first.select_option("services")
    phone.get_by_role("button", name="Show the cross-tabulation").first.click()
    expected = sum(1 for a in chosen if a["age"] == "2" and "1" in a["services"])
    cell = phone.locator(".crosstab tbody tr").nth(1).locator("td").first.locator(".ct-count")
    assert cell.inner_text() == str(expected)
    shot(phone, "crosstab")

    phone.goto(f"{live_server.url}/manage/surveys/{survey.id}/results?answer=street:2")
    files = {}
    for number, name in enumerate(
        ("Excel (.xlsx), codes", "CSV for Excel (UTF-8 with BOM)", "CSV (UTF-8)", "SPSS (.sav)")
    ):
        with phone.expect_download() as info:
            phone.get_by_role("link", name=name, exact=True).click()
        download = info.value
        path = tmp_path / str(number) / download.suggested_filename
        path.parent.mkdir()
        download.save_as(path)
        files[name] = path
    book = openpyxl.load_workbook(files["Excel (.xlsx), codes"])
    assert book["Responses"].max_row == len(chosen) + 1
    bom = files["CSV for Excel (UTF-8 with BOM)"].read_bytes()
    assert bom.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.DictReader(io.StringIO(files["CSV (UTF-8)"].read_text(encoding="utf-8"))))
    assert Counter(row["street"] for row in parsed) == {"2": len(chosen)}
    data, meta = pyreadstat.read_sav(str(files["SPSS (.sav)"]), output_format="dict")
    assert len(data["street"]) == len(chosen) and meta.variable_value_labels["street"][2.0] == "搭连街道"
    assert files["SPSS (.sav)"].name.startswith("东洲区公共服务满意度调查")


def test_public_results_hide_small_counts_on_a_phone(live_server, phone, shot) -> None:
    survey = every_type_survey(title="公开结果测试", results_published=True)
    add_responses(survey, 25)
    db.session.commit()
    _english(phone, live_server)
    phone.goto(f"{live_server.url}/surveys/{survey.id}")
    phone.get_by_role("link", name="See the published results").click()
    phone.wait_for_url("**/results**")
    table = phone.locator("#result-street tbody")
    counts = [int(text) for text in table.locator("td.num").all_inner_texts() if text.isdigit()]
    assert all(count >= 5 or count == 0 for count in counts)
    assert "<5" in table.inner_text()  # "other" was chosen fewer than five times
    assert phone.locator("#result-suggestion").count() == 0
    assert phone.locator("svg.chart").count() >= 5
    shot(phone, "public-results")
