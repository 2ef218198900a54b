"""The unavailable page a visitor meets on defaced content, and the portal office's self-inspection, in a browser."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from core.extensions import db
from core.integrity import check
from tests.browser.conftest import PHONE
from tests.consultation.conftest import make_consultation
from tests.factories import DEFAULT_PASSWORD, make_department, make_user

DEFACED = "360足球直播_365体育投注-平台官网"
_SET_TITLE = text("UPDATE consultations SET title = :t WHERE id = :id")  # as an intruder with database access would


@pytest.fixture
def phone_expecting_503(browser: Any) -> Iterator[tuple[Any, list[str]]]:
    """A phone page like the shared one, except that the browser's own note of the 503 status is expected."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield page, errors
    context.close()


def _deface(consultation_id: int) -> None:
    db.session.execute(
        text("UPDATE consultations SET title = :t WHERE id = :id"), {"t": DEFACED, "id": consultation_id}
    )
    db.session.commit()


def test_defaced_notice_shows_the_unavailable_page_on_a_phone(
    live_server: Any, phone_expecting_503: tuple[Any, list[str]], shot: Any
) -> None:
    phone, errors = phone_expecting_503
    consultation = make_consultation(make_department())
    check.seal_all()
    db.session.commit()
    assert phone.goto(f"{live_server.url}/consultations/{consultation.id}").status == 200
    _deface(consultation.id)
    # For the few seconds the page cache keeps it, visitors get the page rendered (and verified) before the change.
    assert DEFACED not in phone.content()
    phone.wait_for_timeout(5500)
    response = phone.goto(f"{live_server.url}/consultations/{consultation.id}")
    assert response.status == 503
    assert phone.locator("h1").inner_text() == "页面暂时无法访问"
    assert "足球" not in phone.content()
    shot(phone, "unavailable-phone")
    # Only the status itself is logged: no script error, no content-security-policy violation.
    assert [e for e in errors if "503" not in e] == []


def test_admin_reads_the_inspection_report_on_a_desktop(
    app: Any, live_server: Any, desktop: Any, shot: Any, tmp_path: Any
) -> None:
    department = make_department(name="区住房和城乡建设局")
    make_department(name="区空白局")
    make_user("admin", email="office@example.cn")
    consultation = make_consultation(department, title="《被篡改的办法》")
    check.seal_all()
    db.session.commit()
    _deface(consultation.id)
    app.config["INTEGRITY_LEDGER_HEAD"] = str(tmp_path / "head.json")  # not the instance folder
    check.check_and_alert()  # what the 5-minute duty does
    db.session.commit()
    desktop.goto(f"{live_server.url}/login")
    desktop.fill("input[name=email]", "office@example.cn")
    desktop.fill("input[name=password]", DEFAULT_PASSWORD)
    desktop.locator("form:has(input[name=password]) button[type=submit]").click()
    desktop.wait_for_url(f"{live_server.url}/manage/")
    assert desktop.locator("#dashboard-integrity").count() == 1  # the alert on the dashboard
    desktop.goto(f"{live_server.url}/admin/inspection/")
    assert desktop.locator("h1").inner_text() == "网站自查"
    assert "区空白局" in desktop.locator("#cat-empty_column").inner_text()
    tampered = desktop.locator("#cat-integrity")
    assert DEFACED in tampered.inner_text() or "被篡改" in tampered.inner_text()
    shot(desktop, "inspection-desktop")
    tampered.get_by_role("link").first.click()
    desktop.wait_for_url(f"**/manage/consultations/{consultation.id}**")
