"""Staff login: passwords, throttling, revocable sessions, idle timeout and the optional second factor."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest

from core.audit import AuditEvent
from core.db import utcnow
from core.extensions import db
from core.models import StaffSession
from core.passwords import hash_password, verify_password
from tests.conftest import make_app
from tests.factories import DEFAULT_PASSWORD, make_user


def actions() -> list[str]:
    return [e.action for e in db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id))]


def test_passwords_are_hashed_with_argon2id() -> None:
    hashed = hash_password("a long passphrase here")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "a long passphrase here")
    assert not verify_password(hashed, "a long passphrase hers")
    assert not verify_password(None, "anything")


def test_login_and_logout_are_audited(auth, client) -> None:
    user = auth.login_as("moderator")
    assert client.get("/manage/").status_code == 200
    auth.logout()
    assert client.get("/manage/").headers["Location"].startswith("/login")
    assert actions()[-2:] == ["auth.login", "auth.logout"]
    assert db.session.scalar(db.select(StaffSession).where(StaffSession.user_id == user.id)).revoked_at


def test_wrong_password_is_refused_with_a_message_and_audited(auth) -> None:
    make_user("moderator", email="m@example.cn")
    db.session.commit()
    response = auth.login("m@example.cn", "not the password")
    assert response.status_code == 200
    assert "邮箱或密码不正确" in response.get_data(as_text=True)
    failure = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "auth.login_failed")).one()
    assert failure.subject == "m@example.cn" and failure.detail == {"reason": "wrong_password"}


def test_login_failure_for_unknown_account_says_the_same(auth) -> None:
    response = auth.login("nobody@example.cn", "whatever it is")
    assert "邮箱或密码不正确" in response.get_data(as_text=True)


def test_repeated_failures_lock_the_account_for_that_address_only(auth, app) -> None:
    make_user("moderator", email="m@example.cn")
    db.session.commit()
    for _ in range(app.config["LOGIN_FAILURES_PER_SOURCE"]):
        auth.login("m@example.cn", "wrong password")
    locked = auth.login("m@example.cn", DEFAULT_PASSWORD)
    assert locked.status_code == 429
    assert "尝试次数过多" in locked.get_data(as_text=True)
    # The owner can still log in from another address: a lock cannot be used to shut someone out.
    other = app.test_client()
    response = other.post(
        "/login",
        data={"email": "m@example.cn", "password": DEFAULT_PASSWORD},
        environ_base={"REMOTE_ADDR": "10.9.8.7"},
    )
    assert response.status_code == 302


def test_lock_ends_by_itself_after_the_window(auth, app) -> None:
    make_user("moderator", email="m@example.cn")
    db.session.commit()
    for _ in range(app.config["LOGIN_FAILURES_PER_SOURCE"]):
        auth.login("m@example.cn", "wrong password")
    assert auth.login("m@example.cn", DEFAULT_PASSWORD).status_code == 429
    app.config["LOGIN_LOCK_WINDOW"] = timedelta(seconds=0)
    assert auth.login("m@example.cn", DEFAULT_PASSWORD).status_code == 302


def test_disabled_account_cannot_log_in(auth) -> None:
    make_user("moderator", email="m@example.cn", is_enabled=False)
    db.session.commit()
    assert auth.login("m@example.cn").status_code == 200
    assert actions()[-1] == "auth.login_failed"


def test_disabling_an_account_ends_its_open_sessions(auth, client) -> None:
    user = auth.login_as("moderator")
    assert client.get("/manage/").status_code == 200
    from core.accounts import set_enabled

    set_enabled(user, False)
    db.session.commit()
    assert client.get("/manage/").headers["Location"].startswith("/login")


def test_idle_staff_session_expires_after_30_minutes(auth, client, app) -> None:
    user = auth.login_as("moderator")
    staff_session = db.session.scalar(db.select(StaffSession).where(StaffSession.user_id == user.id))
    staff_session.last_seen_at = utcnow() - app.config["STAFF_IDLE_TIMEOUT"] - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/manage/").headers["Location"].startswith("/login")


def test_active_session_is_kept_alive(auth, client, app) -> None:
    user = auth.login_as("moderator")
    staff_session = db.session.scalar(db.select(StaffSession).where(StaffSession.user_id == user.id))
    staff_session.last_seen_at = utcnow() - app.config["STAFF_IDLE_TIMEOUT"] + timedelta(minutes=2)
    db.session.commit()
    assert client.get("/manage/").status_code == 200
    db.session.refresh(staff_session)
    assert utcnow() - staff_session.last_seen_at < timedelta(minutes=1)


def test_cookie_carries_a_session_token_not_the_user_id(auth, client) -> None:
    user = auth.login_as("moderator")
    with client.session_transaction() as cookie_session:
        token = cookie_session["_user_id"]
    assert token != str(user.id) and len(token) > 30


@pytest.fixture
def totp_user():
    secret = pyotp.random_base32()
    user = make_user("moderator", email="totp@example.cn", totp_secret=secret)
    db.session.commit()
    return user, secret


def test_second_factor_is_required_before_any_staff_page(auth, client, totp_user) -> None:
    _user, secret = totp_user
    response = auth.login("totp@example.cn")
    assert "/login/second-factor" in response.headers["Location"]
    assert "/login/second-factor" in client.get("/manage/").headers["Location"]
    wrong = client.post("/login/second-factor", data={"code": "000000"})
    assert "代码不正确" in wrong.get_data(as_text=True)
    right = client.post("/login/second-factor", data={"code": pyotp.TOTP(secret).now()})
    assert right.headers["Location"] == "/manage/"
    assert client.get("/manage/").status_code == 200


def _wrong_codes(client, count: int) -> None:
    for _ in range(count):
        assert "代码不正确" in client.post("/login/second-factor", data={"code": "000000"}).get_data(as_text=True)


def test_wrong_second_factor_codes_lock_the_account_for_that_address_like_wrong_passwords(
    auth, client, app, totp_user
) -> None:
    _user, secret = totp_user
    auth.login("totp@example.cn")
    _wrong_codes(client, app.config["LOGIN_FAILURES_PER_SOURCE"])
    # Even the right code is refused now: guessing stops at the lock, not at a per-worker rate limit.
    locked = client.post("/login/second-factor", data={"code": pyotp.TOTP(secret).now()})
    assert locked.status_code == 429
    assert "尝试次数过多" in locked.get_data(as_text=True)
    assert "/login/second-factor" in client.get("/manage/").headers["Location"]
    # The password step is locked for this address too, and the owner can still sign in from another one.
    credentials = {"email": "totp@example.cn", "password": DEFAULT_PASSWORD}
    assert app.test_client().post("/login", data=credentials).status_code == 429
    elsewhere = app.test_client()
    address = {"REMOTE_ADDR": "10.9.8.7"}
    elsewhere.post("/login", data=credentials, environ_base=address)
    right = elsewhere.post("/login/second-factor", data={"code": pyotp.TOTP(secret).now()}, environ_base=address)
    assert right.headers["Location"] == "/manage/"


def test_second_factor_lock_is_shared_by_every_worker_and_ends_by_itself(auth, client, app, totp_user) -> None:
    _user, secret = totp_user
    auth.login("totp@example.cn")
    failures = app.config["LOGIN_FAILURES_PER_SOURCE"]
    _wrong_codes(client, failures - 2)
    # Another worker (or host): its own memory, the same database.
    other_worker = make_app(app.config, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    second = other_worker.test_client()
    second.post("/login", data={"email": "totp@example.cn", "password": DEFAULT_PASSWORD})
    _wrong_codes(second, 2)
    assert client.post("/login/second-factor", data={"code": pyotp.TOTP(secret).now()}).status_code == 429
    assert second.post("/login/second-factor", data={"code": pyotp.TOTP(secret).now()}).status_code == 429
    app.config["LOGIN_LOCK_WINDOW"] = timedelta(seconds=0)
    assert client.post("/login/second-factor", data={"code": pyotp.TOTP(secret).now()}).status_code == 302
    with other_worker.app_context():
        db.engine.dispose()


def test_second_factor_codes_count_towards_the_lock_on_the_account_everywhere(auth, client, app, totp_user) -> None:
    _user, secret = totp_user
    app.config["LOGIN_FAILURES_PER_ACCOUNT"] = 4
    auth.login("totp@example.cn")
    for number in range(4):
        each = app.test_client()
        address = {"REMOTE_ADDR": f"10.0.0.{number}"}
        each.post("/login", data={"email": "totp@example.cn", "password": DEFAULT_PASSWORD}, environ_base=address)
        each.post("/login/second-factor", data={"code": "000000"}, environ_base=address)
    assert client.post("/login/second-factor", data={"code": pyotp.TOTP(secret).now()}).status_code == 429


def test_password_and_second_factor_share_one_rate_limit_per_address(test_config, totp_user) -> None:
    limited = make_app(test_config, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    client = limited.test_client()
    assert client.post("/login", data={"email": "totp@example.cn", "password": DEFAULT_PASSWORD}).status_code == 302
    statuses = [client.post("/login/second-factor", data={"code": "000000"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    with limited.app_context():
        db.engine.dispose()


def test_staff_member_sets_up_a_second_factor(auth, client) -> None:
    user = auth.login_as("moderator")
    page = client.get("/account/second-factor").get_data(as_text=True)
    assert "<svg" in page
    with client.session_transaction() as cookie_session:
        secret = cookie_session["pending_totp_secret"]
    response = client.post("/account/second-factor", data={"code": pyotp.TOTP(secret).now()})
    assert response.headers["Location"] == "/account/"
    db.session.refresh(user)
    assert user.totp_secret == secret
    assert "account.second_factor_enabled" in actions()


def test_password_change_refuses_common_passwords_and_ends_other_sessions(auth, client, app) -> None:
    user = auth.login_as("moderator")
    other_device = app.test_client()
    other_device.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert other_device.get("/manage/").status_code == 200

    weak = client.post("/account/", data={"current_password": DEFAULT_PASSWORD, "new_password": "password123"})
    assert "太常见" in weak.get_data(as_text=True)

    strong = client.post(
        "/account/", data={"current_password": DEFAULT_PASSWORD, "new_password": "lantern orchard 47 quietly"}
    )
    assert strong.headers["Location"] == "/account/"
    assert client.get("/manage/").status_code == 200
    assert other_device.get("/manage/").headers["Location"].startswith("/login")


def test_login_redirect_never_leaves_the_site(auth, client) -> None:
    make_user("moderator", email="m@example.cn")
    db.session.commit()
    response = client.post(
        "/login?next=https://evil.example/", data={"email": "m@example.cn", "password": DEFAULT_PASSWORD}
    )
    assert response.headers["Location"] == "/manage/"
