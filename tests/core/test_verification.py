"""The register of issued documents and the public /verify page, as a legality reviewer uses them."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient

from core import verification
from core.documents import OfficialDocument, Paragraph
from core.docx_render import render_docx
from core.extensions import db
from core.verification import (
    CODE_ALPHABET,
    display_code,
    find_by_code,
    find_by_content,
    issue,
    normalize_code,
    reserve_code,
    verification_mark,
)
from tests.conftest import make_app
from tests.factories import make_user

KIND = "test_summary"
live_fingerprints: dict[int, str | None] = {}


@pytest.fixture(autouse=True)
def _fake_feature() -> None:
    """A stand-in for the consultation feature: its data's fingerprint and its title can be changed by the test."""
    live_fingerprints.clear()
    verification.register_fingerprint(KIND, live_fingerprints.get)
    verification.register_describer(KIND, lambda object_id: (f"测试征求意见{object_id}", f"/consultations/{object_id}"))


@pytest.fixture
def english(client: FlaskClient) -> FlaskClient:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def issue_bytes(content: bytes, object_id: int = 7, fingerprint: str = "a" * 64, **fields: object):
    live_fingerprints[object_id] = fingerprint
    defaults = {"fmt": "pdf", "version": "public", "filename": "summary.pdf", "issued_by": None}
    return issue(
        KIND, "consultation", object_id, content=content, source_fingerprint=fingerprint, **{**defaults, **fields}
    )


def issued_word_document(app: Flask) -> tuple[bytes, str]:
    """A real summary with its reserved code printed on it, issued as the consultation feature will do it."""
    code = reserve_code()
    with app.test_request_context():
        mark = verification_mark(code)
    document = OfficialDocument(
        title="征求意见情况说明",
        blocks=[Paragraph("正文")],
        issuer="区政府办公室",
        issued_on=date(2024, 6, 10),
        verification=mark,
    )
    content = render_docx(document)
    issue_bytes(content, fmt="docx", filename="summary.docx", code=code)
    db.session.commit()
    return content, code


def post_file(client: FlaskClient, content: bytes, code: str = "") -> str:
    data = {"code": code, "document": (io.BytesIO(content), "summary.docx")}
    return client.post("/verify", data=data, content_type="multipart/form-data").get_data(as_text=True)


# ---- codes and the register --------------------------------------------------------------------------------------


def test_codes_use_only_characters_that_cannot_be_misread() -> None:
    for ambiguous in "01OILU":
        assert ambiguous not in CODE_ALPHABET
    code = verification.new_code()
    assert len(code) == 8 and set(code) <= set(CODE_ALPHABET)
    assert display_code("ABCD2345") == "ABCD-2345"


@pytest.mark.parametrize(
    "typed", ["ABCD-2345", "abcd-2345", "ABCD2345", " abcd 2345 ", "ＡＢＣＤ－２３４５", "ABCD—2345"]
)
def test_a_code_is_recognised_however_it_was_typed(typed: str) -> None:
    assert normalize_code(typed) == "ABCD2345"


@pytest.mark.parametrize("typed", ["ABCD-234", "ABCD-23456", "ABCD-234O", "", "验证码"])
def test_text_that_cannot_be_a_code_is_refused_before_any_lookup(typed: str) -> None:
    assert normalize_code(typed) is None


def test_issued_document_is_found_by_its_code_in_any_spelling(app: Flask) -> None:
    issued = issue_bytes(b"%PDF-1.7 summary")
    spelled = display_code(issued.code)
    for variant in (spelled, spelled.lower(), issued.code, spelled.replace("-", "－")):
        assert find_by_code(variant) == issued
    assert find_by_code("ZZZZ-ZZZZ" if issued.code != "ZZZZZZZZ" else "YYYY-YYYY") is None


def test_issued_document_is_found_by_its_exact_content_only(app: Flask) -> None:
    issued = issue_bytes(b"%PDF-1.7 summary", issued_by=make_user("editor"))
    assert issued.sha256 == hashlib.sha256(b"%PDF-1.7 summary").hexdigest()
    assert issued.size == len(b"%PDF-1.7 summary") and issued.issued_by_id is not None
    assert find_by_content(b"%PDF-1.7 summary") == issued
    assert find_by_content(b"%PDF-1.7 summarY") is None


def test_a_reserved_code_is_printed_then_issued_under_that_code(app: Flask) -> None:
    code = reserve_code()
    issued = issue_bytes(b"docx bytes", code=code)
    assert issued.code == code
    with pytest.raises(ValueError, match="not a verification code"):
        issue_bytes(b"other", code="abcd-2345")


def test_freshness_follows_the_fingerprint_the_feature_reports(app: Flask) -> None:
    issued = issue_bytes(b"content", object_id=3, fingerprint="f" * 64)
    assert verification.freshness(issued) is verification.Freshness.CURRENT
    live_fingerprints[3] = "e" * 64
    assert verification.freshness(issued) is verification.Freshness.CHANGED
    live_fingerprints[3] = None
    assert verification.freshness(issued) is verification.Freshness.GONE
    other = issue("kind_nobody_registered", "x", 1, "csv", "internal", b"csv", "f" * 64, "x.csv", None)
    assert verification.freshness(other) is verification.Freshness.UNKNOWN


def test_source_fingerprint_ignores_key_order_but_not_values() -> None:
    fingerprint = verification.fingerprint_of
    assert fingerprint({"a": 1, "b": [1, 2]}) == fingerprint({"b": [1, 2], "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})


# ---- the /verify page ----------------------------------------------------------------------------------------------


def test_verify_page_offers_a_code_field_and_a_file_upload_without_login(english: FlaskClient) -> None:
    page = english.get("/verify").get_data(as_text=True)
    assert 'name="code"' in page and 'type="file"' in page and 'enctype="multipart/form-data"' in page
    assert "Result" not in page


def test_genuine_code_shows_what_was_issued_and_that_it_is_current(app: Flask, english: FlaskClient) -> None:
    issued = issue_bytes(b"%PDF genuine", object_id=12, fmt="pdf", version="internal")
    db.session.commit()
    page = english.post("/verify", data={"code": display_code(issued.code).lower()}).get_data(as_text=True)
    assert "Authentic: this document was issued by this site." in page
    assert "Current: the comments and answers have not changed" in page
    assert '<a href="/consultations/12">测试征求意见12</a>' in page
    assert display_code(issued.code) in page and issued.sha256 in page
    assert "PDF" in page and "Internal version" in page and "summary.pdf" in page


def test_qr_code_link_shows_the_result_directly(app: Flask, english: FlaskClient) -> None:
    issued = issue_bytes(b"%PDF genuine")
    db.session.commit()
    page = english.get(f"/verify?code={issued.code}").get_data(as_text=True)
    assert "Authentic: this document was issued by this site." in page


def test_uploaded_genuine_document_is_confirmed_byte_for_byte(app: Flask, english: FlaskClient) -> None:
    content, code = issued_word_document(app)
    page = post_file(english, content)
    assert "Authentic: this document was issued by this site." in page
    assert "Your file is byte for byte the one that was issued." in page
    assert display_code(code) in page


def test_document_with_one_byte_changed_is_not_recognised(app: Flask, english: FlaskClient) -> None:
    content, _code = issued_word_document(app)
    tampered = bytearray(content)
    tampered[len(tampered) // 2] ^= 0x01
    page = post_file(english, bytes(tampered))
    assert "Not issued by this site." in page
    assert "changed after it was issued, or it is a forgery" in page
    assert "Authentic" not in page


def test_tampered_file_with_its_code_says_the_file_differs_from_what_was_issued(
    app: Flask, english: FlaskClient
) -> None:
    content, code = issued_word_document(app)
    page = post_file(english, content[:-1] + bytes([content[-1] ^ 0x01]), code=display_code(code))
    assert "This file is not the document issued under this code." in page
    assert "SHA-256 of your file" in page
    assert "Authentic" not in page


def test_out_of_date_document_carries_a_prominent_warning(app: Flask, english: FlaskClient) -> None:
    content, _code = issued_word_document(app)
    live_fingerprints[7] = "b" * 64  # a comment was answered after the summary was issued
    page = post_file(english, content)
    assert "Authentic: this document was issued by this site." in page
    warning = re.search(r'<div class="error-summary" role="alert">\s*<p><strong>([^<]+)</strong>', page)
    assert warning and warning.group(1) == "Comments or answers changed after this was issued."
    assert "Current:" not in page


def test_unknown_code_is_plainly_not_issued_by_this_site(app: Flask, english: FlaskClient) -> None:
    page = english.post("/verify", data={"code": "WXYZ-2345"}).get_data(as_text=True)
    assert "Not issued by this site." in page
    assert "No document was issued here under this code." in page


def test_empty_submission_asks_for_a_code_or_a_file(english: FlaskClient) -> None:
    page = english.post("/verify", data={"code": "  "}).get_data(as_text=True)
    assert "Enter the code printed on the document, or choose the file." in page
    assert "Not issued by this site." not in page


@pytest.fixture
def strict_app(app: Flask, test_config: dict) -> Flask:
    strict = make_app(test_config, WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=True, VERIFY_RATE_LIMIT="3 per minute")
    yield strict
    with strict.app_context():
        db.engine.dispose()


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, "form has no CSRF token"
    return match.group(1)


def test_verify_form_needs_its_csrf_token(strict_app: Flask) -> None:
    client = strict_app.test_client()
    assert client.post("/verify", data={"code": "WXYZ-2345"}).status_code == 400
    token = csrf_token(client.get("/verify").get_data(as_text=True))
    assert client.post("/verify", data={"code": "WXYZ-2345", "csrf_token": token}).status_code == 200


def test_guessing_codes_is_rate_limited(strict_app: Flask) -> None:
    client = strict_app.test_client()
    token = csrf_token(client.get("/verify").get_data(as_text=True))
    statuses = [
        client.post("/verify", data={"code": f"WXYZ-234{n}", "csrf_token": token}).status_code for n in range(5)
    ]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3:] == [429, 429]
    assert client.get("/verify").status_code == 200  # the empty form stays reachable


def test_a_summary_larger_than_the_site_wide_upload_limit_can_still_be_checked(app: Flask, test_config: dict) -> None:
    content = b"%PDF" + bytes(range(256)) * 40  # 10 kB, against a site-wide limit of 2 kB
    issue_bytes(content)
    db.session.commit()
    small_limit = make_app(test_config, WTF_CSRF_ENABLED=True, MAX_CONTENT_LENGTH=2000)
    client = small_limit.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    token = csrf_token(client.get("/verify").get_data(as_text=True))
    data = {"csrf_token": token, "document": (io.BytesIO(content), "summary.pdf")}
    page = client.post("/verify", data=data, content_type="multipart/form-data").get_data(as_text=True)
    assert "Your file is byte for byte the one that was issued." in page
    with small_limit.app_context():
        db.engine.dispose()
