"""The summary's CSV and JSON and the reply list, downloaded from gunicorn: whole, parseable, and registered for
/verify only once the last byte has gone; a download the client abandons is never registered."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import socket
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, insert

from consultation.models import Comment, Consultation, ModerationStatus, RespondentType, Validity
from core.audit import AuditEvent
from core.extensions import db
from core.models import Department, User
from core.verification import IssuedDocument
from tests.live.conftest import LiveSite
from tests.live.crawler import Browser

EXPORT = "consultation.summary_export"


@pytest.fixture
def site_db(live_site: LiveSite) -> Iterator[None]:
    with live_site.app.app_context():
        yield
        db.session.remove()


def _summary_consultation() -> Consultation:
    """The demo department's consultation with the most valid comments (whatever its id)."""
    valid = func.count(Comment.id).filter(Comment.validity == Validity.VALID)
    query = (
        db.select(Consultation.id)
        .join(Department, Department.id == Consultation.department_id)
        .outerjoin(Comment, Comment.consultation_id == Consultation.id)
        .where(Department.code == "gov-office")
        .group_by(Consultation.id)
        .order_by(valid.desc(), Consultation.id)
        .limit(1)
    )
    consultation = db.session.get_one(Consultation, db.session.scalars(query).one())
    assert db.session.scalar(db.select(func.count(Comment.id)).where(Comment.consultation_id == consultation.id))
    return consultation


def _signed_in(live_site: LiveSite, role: str) -> tuple[Browser, int]:
    browser = Browser(live_site.url)
    email, password = live_site.accounts[role]
    browser.login(email, password)
    user_id = db.session.scalar(db.select(User.id).where(User.email == email))
    assert user_id is not None
    return browser, user_id


def _exports() -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == EXPORT).order_by(AuditEvent.id)))


def _issued(code: str) -> IssuedDocument | None:
    db.session.expire_all()
    return db.session.scalar(db.select(IssuedDocument).where(IssuedDocument.code == code.replace("-", "")))


@pytest.mark.parametrize("role", ["editor", "approver", "admin"])
def test_summary_csv_and_json_arrive_whole_and_are_registered_as_sent(
    live_site: LiveSite, site_db: None, role: str
) -> None:
    consultation_id = _summary_consultation().id
    browser, user_id = _signed_in(live_site, role)
    for fmt in ("csv", "json"):
        for version in ("public", "internal"):
            url = f"/manage/consultations/{consultation_id}/summary.{fmt}?version={version}"
            status, headers, body, problem = browser.request(url)
            assert (status, problem) == (200, ""), (url, status, problem, live_site.log()[-3000:])
            if fmt == "csv":
                rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
                assert rows[0][0] == "序号" and len(rows) > 1
            else:
                data = json.loads(body)
                assert data["version"] == version and data["comments"]
                assert data["verification"]["code"] == headers["X-Verification-Code"]
            code = headers["X-Verification-Code"]
            document = _issued(code)
            assert document is not None, f"{url} was sent in full but not registered"
            assert (document.sha256, document.size) == (hashlib.sha256(body).hexdigest(), len(body))
            assert document.issued_by_id == user_id and document.version.value == version
            (event,) = [event for event in _exports() if event.detail.get("code") == code]
            assert event.actor_id == user_id and event.detail["format"] == fmt


def test_the_reply_list_csv_arrives_whole_with_every_commenter_who_left_contact_data(
    live_site: LiveSite, site_db: None
) -> None:
    consultation = _summary_consultation()
    with_contacts = db.session.scalar(
        db.select(func.count(Comment.id)).where(
            Comment.consultation_id == consultation.id, (Comment.phone != "") | (Comment.email != "")
        )
    )
    browser, _user_id = _signed_in(live_site, "editor")
    status, _headers, body, problem = browser.request(f"/manage/consultations/{consultation.id}/reply-list.csv")
    assert (status, problem) == (200, ""), (problem, live_site.log()[-3000:])
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["序号", "编号", "意见建议人"] and len(rows) - 1 == with_contacts


# ------------------------------------------------------------------------------------------------ abandoned


LONG_COMMENTS = 3000  # × 2,000 characters: an 18 MB CSV, far more than the sockets between them can hold


@pytest.fixture
def long_consultation(live_site: LiveSite, site_db: None) -> Iterator[int]:
    """The demo consultation with thousands of long comments added for one test, removed afterwards."""
    consultation_id = _summary_consultation().id
    text = "建议明确电动自行车集中充电设施的建设标准和管理责任，" * 80
    rows: list[dict[str, Any]] = [
        {
            "consultation_id": consultation_id,
            "respondent_type": RespondentType.INDIVIDUAL,
            "author_name": f"测试{number}",
            "content": text,
            "receipt_number": f"LIVE-{number:06d}",
            "moderation_status": ModerationStatus.APPROVED,
            "validity": Validity.VALID,
        }
        for number in range(LONG_COMMENTS)
    ]
    db.session.execute(insert(Comment), rows)
    db.session.commit()
    try:
        yield consultation_id
    finally:
        db.session.rollback()
        db.session.execute(db.delete(Comment).where(Comment.receipt_number.like("LIVE-%")))
        db.session.commit()


def _abandon(browser: Browser, path: str) -> str:
    """Request `path`, read the headers and the first few kilobytes, and hang up; the verification code sent."""
    base = urllib.parse.urlsplit(browser.base_url)
    cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in browser.cookies)
    connection = socket.socket()
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a small window: the server cannot run ahead
    connection.connect((base.hostname, base.port))
    request = f"GET {path} HTTP/1.1\r\nHost: {base.netloc}\r\nCookie: {cookies}\r\nConnection: close\r\n\r\n"
    connection.sendall(request.encode())
    received = b""
    while b"\r\n\r\n" not in received or len(received) < 16_384:
        block = connection.recv(4096)
        assert block, received[:500]
        received += block
    connection.close()  # with unread data: the server's next write fails
    head = received.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    assert head.startswith("HTTP/1.1 200"), head
    return next(line.split(":", 1)[1].strip() for line in head.split("\r\n") if line.startswith("X-Verification-Code"))


def test_an_abandoned_download_is_never_registered_but_is_audited_as_incomplete(
    live_site: LiveSite, site_db: None, long_consultation: int
) -> None:
    browser, user_id = _signed_in(live_site, "editor")
    before = len(_exports())
    code = _abandon(browser, f"/manage/consultations/{long_consultation}/summary.csv?version=internal")
    deadline = time.monotonic() + 60
    while len(_exports()) == before and time.monotonic() < deadline:
        time.sleep(0.2)
    new = _exports()[before:]
    assert [(event.actor_id, event.detail.get("complete"), event.detail.get("code")) for event in new] == [
        (user_id, False, None)
    ], live_site.log()[-3000:]
    assert _issued(code) is None, "a download the client abandoned was registered for /verify"
    # The whole file, fetched to its end, is registered as usual.
    status, headers, body, problem = browser.request(
        f"/manage/consultations/{long_consultation}/summary.csv?version=internal"
    )
    assert (status, problem) == (200, "") and len(body) > 10_000_000
    document = _issued(headers["X-Verification-Code"])
    assert document is not None and document.sha256 == hashlib.sha256(body).hexdigest()
