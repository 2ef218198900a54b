"""Each role reaches exactly the staff pages it should, and nobody else does."""

from __future__ import annotations

import pytest

from core.extensions import db
from core.models import Role
from core.permissions import can
from tests.factories import make_department, make_user

ADMIN_PAGES = ["/admin/departments", "/admin/departments/new", "/admin/users", "/admin/audit"]
STAFF_PAGES = ["/manage/", "/account/"]


@pytest.mark.parametrize("path", ADMIN_PAGES + STAFF_PAGES)
def test_anonymous_visitor_is_sent_to_login(client, path) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_each_role_reaches_staff_pages_and_only_admin_reaches_admin_pages(auth, client, role) -> None:
    auth.login_as(role)
    for path in STAFF_PAGES:
        assert client.get(path).status_code == 200, path
    expected = 200 if role == "admin" else 403
    for path in ADMIN_PAGES:
        assert client.get(path).status_code == expected, (role, path)


def test_logged_in_account_without_a_role_gets_403(auth, client) -> None:
    make_user(None, email="norole@example.cn")
    db.session.commit()
    auth.login("norole@example.cn")
    assert client.get("/manage/").status_code == 403
    assert client.get("/admin/users").status_code == 403


def test_staff_navigation_shows_only_what_the_role_may_open(auth, client) -> None:
    auth.login_as("editor")
    page = client.get("/manage/").get_data(as_text=True)
    assert "/admin/users" not in page
    client.post("/logout")
    auth.login_as("admin")
    assert "/admin/users" in client.get("/manage/").get_data(as_text=True)


def test_department_roles_hold_only_in_their_department(app) -> None:
    education, health = make_department("education"), make_department("health")
    editor = make_user("editor", education)
    assert can(editor, Role.EDITOR, education.id)
    assert not can(editor, Role.EDITOR, health.id)
    assert not can(editor, Role.APPROVER, education.id)
    assert not can(editor, Role.ADMIN)


def test_withdrawing_a_role_takes_effect_at_once(auth, client) -> None:
    from core.accounts import revoke_role

    user = auth.login_as("admin")
    assert client.get("/admin/users").status_code == 200
    revoke_role(user.memberships[0])
    db.session.commit()
    assert client.get("/admin/users").status_code == 302
