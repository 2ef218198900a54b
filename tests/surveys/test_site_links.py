"""A forged Host or X-Forwarded-Host never reaches what the surveys send out: the feed, API bodies, the QR code
and the share card; every absolute link there names SITE_URL."""

from __future__ import annotations

from flask import Flask

from core.extensions import db
from core.qr import qr_svg
from surveys.models import QuestionType
from tests.atom import parse_feed
from tests.conftest import FORGED_HOST, SITE_URL, forged
from tests.surveys.helpers import make_survey


def test_feed_api_qr_code_and_share_card_link_to_the_configured_site(behind_proxy: Flask) -> None:
    survey = make_survey([[("q1", QuestionType.SHORT_TEXT, {})]], title="东洲区公交线网优化意见调查")
    survey.results_published = True
    db.session.commit()
    page, share = f"{SITE_URL}surveys/{survey.id}", f"{SITE_URL}s/{survey.short_code}"
    client = behind_proxy.test_client()
    _feed, entries = parse_feed(forged(client, "GET", "/surveys/feed.atom"))
    assert [entry["link"] for entry in entries] == [page]
    shown = forged(client, "GET", f"/api/v1/surveys/{survey.id}").get_json()
    assert (shown["url"], shown["results_url"]) == (page, f"{page}/results")
    # The QR code on posters encodes the share link of the configured site, whatever host the request named.
    assert forged(client, "GET", f"/surveys/{survey.id}/qr.svg").get_data(as_text=True) == str(
        qr_svg(share, title=survey.title)
    )
    card = forged(client, "GET", f"/surveys/{survey.id}").get_data(as_text=True)
    assert f'<meta property="og:url" content="{share}">' in card
    assert f'<meta property="og:image" content="{page}/qr.png">' in card
    for address in ("/surveys/feed.atom", "/api/v1/surveys", f"/surveys/{survey.id}"):
        assert FORGED_HOST not in forged(client, "GET", address).get_data(as_text=True), address
