"""Operator commands for accounts and demo data."""

from __future__ import annotations

from core.audit import AuditEvent
from core.extensions import db
from core.models import Department, User
from tests.factories import make_department


def test_users_create_with_password_from_stdin_then_login(runner, auth, client) -> None:
    make_department("education")
    db.session.commit()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "ed@example.cn",
            "--role",
            "editor",
            "--department",
            "education",
            "--password-stdin",
        ],
        input="amber lighthouse 28 meadow\n",
    )
    assert result.exit_code == 0, result.output
    assert auth.login("ed@example.cn", "amber lighthouse 28 meadow").headers["Location"] == "/manage/"
    assert "ed@example.cn\tenabled\teditor@education" in runner.invoke(args=["users", "list"]).output


def test_users_create_refuses_weak_password_and_unknown_department(runner) -> None:
    weak = runner.invoke(
        args=["users", "create", "a@example.cn", "--role", "admin", "--password-stdin"], input="12345678\n"
    )
    assert weak.exit_code != 0 and "10" in weak.output
    missing = runner.invoke(
        args=[
            "users",
            "create",
            "b@example.cn",
            "--role",
            "editor",
            "--department",
            "nope",
            "--password-stdin",
        ],
        input="amber lighthouse 28 meadow\n",
    )
    assert missing.exit_code != 0 and "nope" in missing.output
    assert db.session.scalar(db.select(User)) is None


def test_users_disable_ends_login(runner, auth) -> None:
    runner.invoke(
        args=["users", "create", "m@example.cn", "--role", "moderator", "--password-stdin"],
        input="amber lighthouse 28 meadow\n",
    )
    assert runner.invoke(args=["users", "disable", "m@example.cn"]).exit_code == 0
    assert auth.login("m@example.cn", "amber lighthouse 28 meadow").status_code == 200
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "user.disable")) is not None


def test_demo_load_is_idempotent_and_creates_one_account_per_role(runner, app) -> None:
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    departments = db.session.scalar(db.select(db.func.count()).select_from(Department))
    users = db.session.scalar(db.select(db.func.count()).select_from(User))
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0
    assert "account " not in second.output and "department " not in second.output
    assert db.session.scalar(db.select(db.func.count()).select_from(Department)) == departments >= 10
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == users
    roles = {m.role.value for u in db.session.scalars(db.select(User)) for m in u.memberships}
    assert roles == {"editor", "approver", "moderator", "reviewer", "admin"}
