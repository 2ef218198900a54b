"""A survey's first page, shared by new browsers from the page cache: each gets its own tokens and cookies."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from core import page_cache
from core.extensions import db
from surveys.models import QuestionType, Response
from tests.conftest import make_app
from tests.surveys.helpers import make_survey

CHOICES = ["公交", "地铁", "自行车", "步行", "私家车", "出租车", "网约车", "轮渡"]


@pytest.fixture
def cached_app(app: Flask, test_config: dict, monkeypatch: pytest.MonkeyPatch) -> Flask:
    monkeypatch.setattr(page_cache, "clock", lambda: 1000.0)
    return make_app(test_config, PUBLIC_PAGE_CACHE_SECONDS=30, WTF_CSRF_ENABLED=True)


def _field(html: str, name: str) -> str:
    return re.search(rf'name="{name}"[^>]*value="([^"]+)"', html).group(1)


def test_new_browsers_share_the_first_page_and_each_response_is_stored(cached_app: Flask) -> None:
    survey = make_survey([[("mode", QuestionType.SINGLE, {"options": CHOICES[:3], "required": True})]])
    db.session.commit()
    browsers = [cached_app.test_client() for _ in range(2)]
    pages = [browser.get(f"/surveys/{survey.id}") for browser in browsers]
    keys = [_field(page.text, "submission_key") for page in pages]
    assert keys[0] != keys[1]
    assert all(f"sv{survey.id}_d=" in " ".join(page.headers.getlist("Set-Cookie")) for page in pages)
    for browser, page, key in zip(browsers, pages, keys, strict=True):
        done = browser.post(
            f"/surveys/{survey.id}",
            data={"csrf_token": _field(page.text, "csrf_token"), "submission_key": key, "page_index": "0",
                  "action": "submit", "mode": "2"},
        )  # fmt: skip
        assert done.status_code == 200 and "flash-success" in done.text
    assert db.session.scalar(db.select(db.func.count()).select_from(Response)) == 2
    # The browser that answered is told so; it is not shown the shared blank page.
    assert "flash-info" in browsers[0].get(f"/surveys/{survey.id}").text


def test_a_page_with_shuffled_options_is_never_shared(cached_app: Flask) -> None:
    survey = make_survey([[("mode", QuestionType.SINGLE, {"options": CHOICES, "settings": {"shuffle": True}})]])
    db.session.commit()
    orders = set()
    for _ in range(6):
        html = cached_app.test_client().get(f"/surveys/{survey.id}").text
        orders.add(tuple(re.findall(r'name="mode" type="radio" value="(\d+)"|name="mode" value="(\d+)"', html)))
    assert len(orders) > 1, "each new browser gets its own order of the options"


def test_a_page_rendered_for_a_forged_host_is_never_served_to_the_real_one(cached_app: Flask) -> None:
    survey = make_survey([[("mode", QuestionType.SINGLE, {"options": CHOICES[:3]})]])
    db.session.commit()
    forged = cached_app.test_client().get(f"/surveys/{survey.id}", headers={"Host": "evil.example"}).text
    real = cached_app.test_client().get(f"/surveys/{survey.id}").text
    # The share card's absolute addresses name SITE_URL, whatever Host the request claims (core/links.py).
    assert "evil.example" not in forged
    assert "evil.example" not in real
