"""The receipt page says only what happened to the e-mail receipt; the receipt number alone shows a status."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest

from consultation.models import Comment
from core.extensions import db
from tests.consultation.conftest import make_consultation
from tests.consultation.handling_helpers import add_comment
from tests.consultation.opendata_helpers import publish_feedback
from tests.factories import make_department

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")
EN = {"Accept-Language": "en"}
SENT = "A receipt was sent to the e-mail address you gave."


@pytest.fixture
def consultation(app):
    consultation = make_consultation(make_department())
    db.session.commit()
    return consultation


def _comment(client, consultation, **contacts):
    data = {"submission_key": "r" * 32, "unit_key": "a3", "author_name": "张晓明", "respondent_type": "individual",
            "content": "建议将每日巡查改为每日两次。", "privacy_ack": "y", **contacts}  # fmt: skip
    response = client.post(f"/consultations/{consultation.id}/comment", data=data)
    assert response.status_code == 303
    return client.get(response.headers["Location"], headers=EN).text


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_receipt_page_says_the_e_mail_was_sent_when_it_was(client, consultation):
    page = _comment(client, consultation, email="zhang@example.cn")
    assert SENT in page


def test_without_a_mail_server_the_receipt_page_says_no_e_mail_was_sent(app, client, consultation):
    app.config.update(MAIL_SUPPRESS_SEND=False, MAIL_SERVER="")
    page = _comment(client, consultation, email="zhang@example.cn")
    assert SENT not in page and "No e-mail receipt was sent: this site has no mail server set up." in page


def test_an_unreachable_mail_server_is_said_as_such_and_the_receipt_waits(app, client, consultation):
    app.config.update(MAIL_SUPPRESS_SEND=False, MAIL_SERVER="127.0.0.1", MAIL_PORT=_closed_port())
    page = _comment(client, consultation, email="zhang@example.cn")
    assert SENT not in page and "your e-mail receipt will be sent as soon as it can" in page
    assert "The e-mail receipt could not be sent." not in page


def test_a_receipt_given_up_on_is_said_as_such(app, client, consultation):
    app.config.update(
        MAIL_SUPPRESS_SEND=False, MAIL_SERVER="127.0.0.1", MAIL_PORT=_closed_port(), OUTBOX_GIVE_UP_AFTER=timedelta(0)
    )
    page = _comment(client, consultation, email="zhang@example.cn")
    assert SENT not in page and "The e-mail receipt could not be sent." in page


def test_a_resident_who_left_no_contact_is_told_to_look_up_with_the_number_alone(client, consultation):
    page = _comment(client, consultation)
    assert "e-mail" not in page.split('id="lookup-how">')[1].split("</p>")[0].replace("no phone number or e-mail", "")
    assert "with the receipt number alone you can look up the status" in page
    assert 'id="receipt-mail"' not in page


def test_the_receipt_number_alone_shows_the_status_never_the_text_or_the_answer(client, consultation):
    comment = add_comment(consultation, "建议晚上也巡查一次。", phone="13811112222")
    consultation.end_at = consultation.start_at  # closed, so the feedback can be published
    publish_feedback(consultation, [comment])
    db.session.commit()
    receipt = comment.receipt_number
    alone = client.post("/consultations/receipt", data={"receipt": receipt.lower()}, headers=EN).text
    assert receipt in alone and 'class="lookup-status">Accepted by the moderator' in alone
    assert "建议晚上也巡查" not in alone and "与上位法规定不一致" not in alone and 'class="lookup-answer"' not in alone
    assert f"/consultations/{consultation.id}/feedback" in alone  # where every answer is public
    full = client.post("/consultations/receipt", data={"receipt": receipt, "contact": "13811112222"}, headers=EN).text
    assert 'class="lookup-answer"' in full and "与上位法规定不一致" in full and 'id="status-only"' not in full


def test_an_unknown_receipt_number_alone_finds_nothing(client, consultation):
    page = client.post("/consultations/receipt", data={"receipt": "ZQ20260101-XXXXXX"}, headers=EN).text
    assert "No comment has this receipt number." in page and 'class="receipt-number"' not in page
    assert db.session.scalar(db.select(db.func.count(Comment.id))) == 0


def test_each_stored_comment_is_counted_for_metrics_once(client, consultation):
    from prometheus_client import REGISTRY

    before = REGISTRY.get_sample_value("minyi_submissions_accepted_total", {"kind": "comment"}) or 0
    _comment(client, consultation, email="zhang@example.cn")
    _comment(client, consultation, email="zhang@example.cn")  # the same form sent twice: one comment
    assert REGISTRY.get_sample_value("minyi_submissions_accepted_total", {"kind": "comment"}) == before + 1
