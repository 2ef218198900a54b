"""The portal office manages departments, staff accounts and roles, and reads the audit log."""

from __future__ import annotations

from core.audit import AuditEvent
from core.extensions import db
from core.models import Department, User
from tests.factories import make_department, make_user


def audit_actions() -> list[str]:
    return [e.action for e in db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id))]


def test_admin_adds_a_department_that_appears_in_the_public_directory(auth, client) -> None:
    auth.login_as("admin")
    response = client.post(
        "/admin/departments/new",
        data={
            "code": "sports",
            "name": "区体育局",
            "office_phone": "024-56621234",
            "office_hours": "工作日 9:00-17:00",
            "is_active": "y",
        },
    )
    assert response.headers["Location"] == "/admin/departments"
    directory = client.get("/departments").get_data(as_text=True)
    assert "区体育局" in directory and "024-56621234" in directory
    assert "department.create" in audit_actions()


def test_department_form_refuses_bad_input_and_keeps_what_was_typed(auth, client) -> None:
    auth.login_as("admin")
    response = client.post(
        "/admin/departments/new", data={"code": "Bad Code!", "name": "区体育局", "office_phone": "call me"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="区体育局"' in page and 'value="Bad Code!"' in page
    assert "请输入电话号码" in page
    assert db.session.scalar(db.select(Department).where(Department.name == "区体育局")) is None


def test_department_codes_are_unique(auth, client) -> None:
    make_department("health")
    db.session.commit()
    auth.login_as("admin")
    page = client.post("/admin/departments/new", data={"code": "health", "name": "重复"}).get_data(as_text=True)
    assert "已有其他部门使用此代码" in page


def test_hidden_department_is_not_in_the_public_directory(client) -> None:
    make_department("hidden", name="已撤销的局", is_active=False)
    db.session.commit()
    assert "已撤销的局" not in client.get("/departments").get_data(as_text=True)


def test_admin_creates_an_account_and_grants_a_department_role(auth, client) -> None:
    auth.login_as("admin")
    department = make_department("education")
    db.session.commit()
    response = client.post(
        "/admin/users/new",
        data={
            "email": "New.Editor@Example.cn",
            "display_name": "新编辑",
            "password": "violet kettle 93 harbour",
        },
    )
    user = db.session.scalar(db.select(User).where(User.email == "new.editor@example.cn"))
    assert response.headers["Location"] == f"/admin/users/{user.id}"
    client.post(f"/admin/users/{user.id}", data={"role": "editor", "department_id": department.id})
    db.session.refresh(user)
    assert [(m.role.value, m.department.code) for m in user.memberships] == [("editor", "education")]
    assert {"user.create", "user.grant_role"} <= set(audit_actions())


def test_department_role_without_department_is_refused(auth, client) -> None:
    auth.login_as("admin")
    user = make_user(None)
    db.session.commit()
    page = client.post(f"/admin/users/{user.id}", data={"role": "approver", "department_id": 0})
    assert "请选择一个部门" in page.get_data(as_text=True)


def test_admin_cannot_create_an_account_with_a_common_password(auth, client) -> None:
    auth.login_as("admin")
    response = client.post("/admin/users/new", data={"email": "x@example.cn", "password": "password1234"})
    assert response.status_code == 400
    assert db.session.scalar(db.select(User).where(User.email == "x@example.cn")) is None


def test_admin_cannot_disable_their_own_account(auth, client) -> None:
    admin = auth.login_as("admin")
    client.post(f"/admin/users/{admin.id}/disable")
    db.session.refresh(admin)
    assert admin.is_enabled


def test_audit_log_shows_logins_and_admin_actions_and_filters(auth, client) -> None:
    auth.login_as("admin")
    client.post("/admin/departments/new", data={"code": "sports", "name": "区体育局"})
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "auth.login" in page and "department.create" in page
    filtered = client.get("/admin/audit?action=department.").get_data(as_text=True)
    assert "department.create" in filtered and "auth.login</code>" not in filtered


def test_audit_events_cannot_be_changed_or_deleted(app) -> None:
    import pytest

    from core import audit

    event = audit.record("test.event")
    db.session.commit()
    event.action = "rewritten"
    with pytest.raises(audit.AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEvent, event.id))
    with pytest.raises(audit.AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()
