"""An editor checks a split on a phone and on a desktop: joins a unit to the one above, splits another at a
"---" line, changes a level, looks at the result and saves it; no JavaScript is needed for any of it."""

from __future__ import annotations

import pytest

from consultation.models import Consultation, ConsultationStatus
from core.extensions import db
from core.models import Role
from tests.consultation.conftest import (  # the fixture is imported so this directory can use it
    known_holiday_calendars,  # noqa: F401
    make_consultation,
)
from tests.factories import DEFAULT_PASSWORD, make_department, make_user

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")
DRAFT = (
    "第一编 总则\n第一章 任务\n第一条 为了规范管理，制定本办法。\n第一条之一 本办法适用于本区。\n"
    "第二条 区住建局负责实施。区消防救援大队负责监督。\n第三条 本办法自公布之日起施行。"
)


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_an_editor_joins_splits_and_relevels_units_then_saves(live_server, request, shot, device):
    page = request.getfixturevalue(device)
    department = make_department(name="区住建局")
    editor = make_user(Role.EDITOR, department, email=f"editor-{device}@example.cn")
    consultation = make_consultation(department, status=ConsultationStatus.DRAFT, draft="", created_by=editor)
    db.session.commit()
    page.goto(live_server.url + "/login")
    page.fill("input[name=email]", editor.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/manage/")

    page.goto(f"{live_server.url}/manage/consultations/{consultation.id}/draft")
    page.fill("textarea[name=text]", DRAFT)
    page.click("main form button[type=submit]")
    page.wait_for_selector("fieldset.unit-edit")  # count() does not wait for the page
    assert page.locator("fieldset.unit-edit").count() == 6
    assert page.locator("#edit-a1-z1 legend").inner_text().startswith("4. 条 第一条之一")
    page.check("#edit-a1-z1 input[name$=merge]")
    page.fill("#edit-a2 textarea", "区住建局负责实施。\n---\n第二条之一 区消防救援大队负责监督。")
    page.select_option("#edit-b1-c1 select", "section")
    shot(page, f"correction-{device}")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]

    page.click("form.unit-editor button[value=apply]")
    page.wait_for_selector("#edit-a2-2")
    assert page.locator("fieldset.unit-edit").count() == 6
    assert "第一条之一 本办法适用于本区。" in page.locator("#edit-a1 textarea").input_value()
    assert page.locator("#edit-a2-2 legend").inner_text().startswith("5. 条 第二条之一")
    shot(page, f"correction-applied-{device}")
    page.click("form.unit-editor button[value=save]")
    page.wait_for_url(f"**/manage/consultations/{consultation.id}")
    with live_server.app.app_context():
        saved = db.session.get(Consultation, consultation.id)
        assert [(u.key, u.kind, u.number, u.parent_key) for u in saved.units] == [
            ("b1", "book", "第一编", None),
            ("b1-c1", "section", "第一章", "b1"),
            ("a1", "article", "第一条", "b1-c1"),
            ("a2", "article", "第二条", "b1-c1"),
            ("a2-2", "article", "第二条之一", "b1-c1"),
            ("a3", "article", "第三条", "b1-c1"),
        ]
