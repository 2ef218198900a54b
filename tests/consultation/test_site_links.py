"""A forged Host or X-Forwarded-Host never reaches what the consultations send out: feeds, API bodies, e-mails,
exported summaries, the archived notice; every absolute link there names SITE_URL, the CLI's included."""

from __future__ import annotations

import json

import pytest
from flask import Flask

from consultation.drafting import notice_archive
from core.db import utcnow
from core.extensions import db
from tests.atom import parse_feed
from tests.conftest import FORGED_HEADERS, FORGED_HOST, SITE_URL, forged
from tests.consultation.summary_helpers import MAIN_CHANGES, handled_consultation
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")


def test_feeds_and_api_bodies_link_to_the_configured_site(behind_proxy: Flask) -> None:
    handled = handled_consultation()
    db.session.commit()
    notice = f"{SITE_URL}consultations/{handled.consultation.id}"
    client = behind_proxy.test_client()
    _feed, entries = parse_feed(forged(client, "GET", "/consultations/feed.atom"))
    assert [entry["link"] for entry in entries] == [notice]
    _feed, entries = parse_feed(forged(client, "GET", "/consultations/feedback/feed.atom"))
    assert [entry["link"] for entry in entries] == [f"{notice}/feedback"]
    listed = forged(client, "GET", "/api/v1/consultations").get_json()["items"][0]
    assert (listed["url"], listed["feedback_url"]) == (notice, f"{notice}/feedback")
    detail = forged(client, "GET", f"/api/v1/consultations/{handled.consultation.id}")
    assert detail.get_json()["units_url"] == f"{SITE_URL}api/v1/consultations/{handled.consultation.id}/units"
    for address in ("/consultations/feed.atom", "/api/v1/consultations", detail.request.path):
        assert FORGED_HOST not in forged(client, "GET", address).get_data(as_text=True), address


def test_feedback_e_mails_and_exported_summaries_link_to_the_configured_site(behind_proxy: Flask) -> None:
    handled = handled_consultation(publish=False)
    handled.named.notify_me = True  # 张晓明 gave an e-mail address and asked to hear of the outcome
    db.session.commit()
    client = behind_proxy.test_client()
    forged(client, "POST", "/login", data={"email": handled.editor.email, "password": DEFAULT_PASSWORD})
    consultation_id = handled.consultation.id
    outbox = behind_proxy.extensions.setdefault("minyi_outbox", [])
    published = forged(
        client,
        "POST",
        f"/manage/consultations/{consultation_id}/feedback",
        data={"main_changes": MAIN_CHANGES, "intent": "publish"},
    )
    assert published.status_code == 302, published.get_data(as_text=True)[:500]
    [message] = outbox
    body = message.get_content()
    assert f"{SITE_URL}consultations/{consultation_id}/feedback" in body and FORGED_HOST not in body
    summary = forged(client, "GET", f"/manage/consultations/{consultation_id}/summary.json")
    content = summary.data
    summary.close()  # as a WSGI server does: that closes the spooled file behind the body
    document = json.loads(content)
    assert document["consultation"]["notice_url"] == f"{SITE_URL}consultations/{consultation_id}"
    assert document["verification"]["url"].startswith(f"{SITE_URL}verify")  # the QR code on paper copies
    assert FORGED_HOST.encode() not in content


def test_the_archived_notice_names_the_configured_site(app: Flask) -> None:
    app.config["SITE_URL"] = SITE_URL
    handled = handled_consultation()
    db.session.commit()
    with app.test_request_context("/", base_url=f"http://{FORGED_HOST}/", headers=FORGED_HEADERS):
        html, url = notice_archive.render_notice(handled.consultation, utcnow(), stored=False)
    assert url == f"{SITE_URL}consultations/{handled.consultation.id}"
    assert FORGED_HOST not in html


def test_the_cli_export_prints_the_configured_site(behind_proxy: Flask, tmp_path) -> None:
    handled = handled_consultation()
    db.session.commit()
    output = tmp_path / "summary.json"
    arguments = ["consultation", "export", str(handled.consultation.id), "--format", "json", "-o", str(output)]
    with behind_proxy.app_context():  # the command runs in the current app context, as under `flask`
        result = behind_proxy.test_cli_runner().invoke(args=arguments)
    assert result.exit_code == 0, result.output
    document = json.loads(output.read_bytes())
    assert document["consultation"]["notice_url"] == f"{SITE_URL}consultations/{handled.consultation.id}"
    assert document["verification"]["url"].startswith(f"{SITE_URL}verify")
