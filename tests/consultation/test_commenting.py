"""A resident comments on a draft: stored exactly once, receipts, lookups, refusals that keep what was typed."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from consultation.models import Comment
from core.extensions import db
from tests.consultation.conftest import make_consultation
from tests.factories import make_department

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")

# A whole 1×1 picture: attachments must decode, a header alone is refused.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc````\x00\x00\x00\x05\x00\x01\xa5\xf6E@\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def consultation(app):
    consultation = make_consultation(make_department())
    db.session.commit()
    return consultation


def _form(**overrides):
    data = {
        "submission_key": "k" * 32,
        "unit_key": "a3",
        "author_name": "张晓明",
        "respondent_type": "individual",
        "phone": "13912345678",
        "email": "zhang@example.cn",
        "content": "建议将每日巡查改为每日两次。",
        "basis": "",
        "privacy_ack": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _comments():
    return db.session.scalars(db.select(Comment)).all()


def _post(client, consultation, **overrides):
    return client.post(f"/consultations/{consultation.id}/comment", data=_form(**overrides))


def _refused(response) -> bool:
    """The form came back with its errors listed (and nothing was stored, checked by the caller)."""
    return response.status_code == 200 and 'class="error-summary"' in response.text


def test_a_double_submitted_form_stores_one_comment_and_shows_the_same_receipt(client, consultation):
    first = _post(client, consultation)
    second = _post(client, consultation)
    assert first.status_code == second.status_code == 303
    # The same receipt page; only the first response knows what became of the e-mail receipt (?mail=sent).
    assert first.headers["Location"].partition("?")[0] == second.headers["Location"]
    [comment] = _comments()
    assert comment.unit_key == "a3" and comment.phone == "13912345678"
    receipt_page = client.get(first.headers["Location"])
    assert comment.receipt_number in receipt_page.text
    assert "13912345678" not in receipt_page.text and "zhang@example.cn" not in receipt_page.text


def test_the_receipt_is_emailed_when_an_address_was_given(app, client, consultation):
    _post(client, consultation)
    [message] = app.extensions["minyi_outbox"]
    assert message["To"] == "zhang@example.cn"
    assert _comments()[0].receipt_number in message.get_content()


def test_no_email_is_sent_without_an_address(app, client, consultation):
    _post(client, consultation, email="")
    assert len(_comments()) == 1
    assert not app.extensions.get("minyi_outbox")


def test_a_closed_consultation_refuses_comments(client):
    closed = make_consultation(make_department(), phase="closed")
    db.session.commit()
    response = _post(client, closed)
    assert response.status_code == 403
    assert _comments() == []
    assert "closed" in client.get(f"/consultations/{closed.id}/comment", headers={"Accept-Language": "en"}).text


def test_an_upcoming_consultation_refuses_comments(client):
    upcoming = make_consultation(make_department(), phase="upcoming")
    db.session.commit()
    assert _post(client, upcoming).status_code == 403
    assert _comments() == []


def test_a_refused_form_keeps_everything_typed_and_asks_for_the_file_again(client, consultation):
    response = client.post(
        f"/consultations/{consultation.id}/comment",
        data={**_form(privacy_ack=None), "attachment": (io.BytesIO(PNG), "photo.png")},
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )
    assert _refused(response)
    assert "建议将每日巡查改为每日两次。" in response.text
    assert 'value="张晓明"' in response.text
    assert 'value="13912345678"' in response.text
    assert "choose the file again" in response.text
    assert _comments() == []


def test_a_comment_longer_than_the_limit_is_refused(app, client, consultation):
    app.config["CONSULTATION_COMMENT_MAX_LENGTH"] = 20
    response = _post(client, consultation, content="很" * 21)
    assert _refused(response)
    assert _comments() == []


def test_a_name_is_required_unless_configured_otherwise(app, client, consultation):
    assert _refused(_post(client, consultation, author_name=""))
    app.config["CONSULTATION_NAME_REQUIRED"] = False
    assert _post(client, consultation, author_name="").status_code == 303


def test_an_attachment_is_checked_by_its_content_not_its_name(app, client, consultation):
    disguised = client.post(
        f"/consultations/{consultation.id}/comment",
        data={**_form(), "attachment": (io.BytesIO(b"MZ\x90\x00 not a pdf at all"), "意见.pdf")},
        content_type="multipart/form-data",
    )
    assert _refused(disguised)
    assert _comments() == []

    genuine = client.post(
        f"/consultations/{consultation.id}/comment",
        data={**_form(submission_key="m" * 32), "attachment": (io.BytesIO(PNG), "现场照片.jpg")},
        content_type="multipart/form-data",
    )
    assert genuine.status_code == 303
    [comment] = _comments()
    assert comment.attachment_name == "现场照片.png"  # the detected type names the file
    stored = Path(app.config["UPLOAD_FOLDER"]) / comment.attachment_stored_name
    assert stored.read_bytes() == PNG
    assert "static" not in stored.parts


def test_the_comment_form_preselects_the_unit_from_the_link(client, consultation):
    page = client.get(f"/consultations/{consultation.id}/comment?unit=a2")
    assert '<option selected value="a2">' in page.text
    assert 'name="submission_key"' in page.text


def test_a_comment_on_a_unit_of_another_draft_is_refused(client, consultation):
    assert _refused(_post(client, consultation, unit_key="a99"))
    assert _comments() == []


@pytest.mark.parametrize("contact", ["13912345678", "139 1234 5678", "ZHANG@example.cn"])
def test_a_resident_looks_up_the_status_with_receipt_and_contact(client, consultation, contact):
    _post(client, consultation)
    receipt = _comments()[0].receipt_number
    page = client.post(
        "/consultations/receipt",
        data={"receipt": receipt.lower(), "contact": contact},
        headers={"Accept-Language": "en"},
    )
    assert receipt in page.text
    assert "awaiting moderation" in page.text
    assert "13912345678" not in page.text and "zhang@example.cn" not in page.text.lower()


def test_a_lookup_with_the_wrong_contact_finds_nothing(client, consultation):
    _post(client, consultation)
    receipt = _comments()[0].receipt_number
    page = client.post(
        "/consultations/receipt", data={"receipt": receipt, "contact": "13800000000"}, headers={"Accept-Language": "en"}
    )
    assert "No comment matches" in page.text
    assert "awaiting moderation" not in page.text
