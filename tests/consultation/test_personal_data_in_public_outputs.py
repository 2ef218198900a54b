"""A letter that gives the writer's home address and a mistyped ID number: neither reaches any public output (the
public summary in every format, the feedback page and table, the public comment list, the JSON API), because
every one of them masks through core.screening.mask_personal_data."""

from __future__ import annotations

import io

import pytest

from consultation.models import Adoption, Channel, CommentDisplay
from consultation.summary import exports as summary_exports
from core.extensions import db
from core.verification import DocumentFormat, DocumentVersion
from tests.consultation.handling_helpers import add_comment
from tests.consultation.opendata_helpers import publish_feedback
from tests.consultation.summary_helpers import docx_text, handled_consultation, pdf_text, xlsx_sheets

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")

HOUSE_NUMBER = "5号3单元201"
ID_NUMBER = "210403198001011234"  # 18 digits with a wrong check digit
LETTER = f"本人住东洲区新太街{HOUSE_NUMBER}，身份证{ID_NUMBER}。建议在新太街增设公交站。"


def _public_summary_texts(app, consultation) -> dict[str, str]:
    texts = {}
    for fmt in (DocumentFormat.CSV, DocumentFormat.JSON, DocumentFormat.XLSX, DocumentFormat.DOCX, DocumentFormat.PDF):
        handle = io.BytesIO()
        with app.test_request_context():
            summary_exports.export_to_file(consultation, fmt, DocumentVersion.PUBLIC, handle)
        db.session.commit()
        content = handle.getvalue()
        if fmt is DocumentFormat.XLSX:
            texts[fmt.value] = repr(xlsx_sheets(content))
        elif fmt is DocumentFormat.DOCX:
            texts[fmt.value] = docx_text(content)
        elif fmt is DocumentFormat.PDF:
            texts[fmt.value] = pdf_text(content).replace("\n", "")
        else:
            texts[fmt.value] = content.decode("utf-8-sig")
    return texts


def test_a_letters_address_and_mistyped_id_number_are_masked_in_every_public_summary_format(app):
    handled = handled_consultation(publish=False)
    letter = add_comment(handled.consultation, LETTER, name="刘一", unit_key=None, channel=Channel.LETTER)
    publish_feedback(handled.consultation, [letter])
    for fmt, text in _public_summary_texts(app, handled.consultation).items():
        assert ID_NUMBER not in text and HOUSE_NUMBER not in text, fmt
        assert "210403********1234" in text and "新太街**号**" in text, fmt
        assert "建议在新太街增设公交站" in text, fmt  # the opinion itself stays readable


def test_a_letters_address_and_id_number_are_masked_on_the_public_pages_and_in_the_api(app, client):
    handled = handled_consultation(publish=False)
    consultation = handled.consultation
    consultation.comment_display = CommentDisplay.APPROVED_MASKED
    letter = add_comment(consultation, LETTER, name="刘一", unit_key=None, channel=Channel.LETTER)
    publish_feedback(consultation, [letter])
    db.session.commit()
    assert letter.adoption is Adoption.NOT_ADOPTED
    for url in (
        f"/consultations/{consultation.id}",
        f"/consultations/{consultation.id}/comments",
        f"/consultations/{consultation.id}/feedback",
        f"/api/v1/consultations/{consultation.id}/feedback",
    ):
        body = client.get(url).get_data(as_text=True)
        assert ID_NUMBER not in body and HOUSE_NUMBER not in body, url
        assert "210403********1234" in body, url
