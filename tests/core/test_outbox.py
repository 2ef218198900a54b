"""The outbox: e-mail written with what caused it, sent by the worker, kept through a mail-server outage, never
sent twice, and what became of each message visible to the portal office."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from core import outbox
from core.extensions import db
from core.outbox import OutboxMessage, OutboxStatus
from tests.smtp_sink import SmtpSink

EN = {"Accept-Language": "en"}


@pytest.fixture
def sink(app):
    server = SmtpSink()
    # No pause between attempts, so a test need not wait for the back-off it checks elsewhere.
    app.config.update(
        MAIL_SUPPRESS_SEND=False, MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, OUTBOX_FIRST_DELAY=timedelta(0)
    )
    yield server
    server.stop()


def _queue(count: int, prefix: str = "resident") -> None:
    for n in range(count):
        receipt = f"ZQ{n:04d}"
        outbox.enqueue(f"{prefix}{n}@example.cn", f"回执 {receipt}", f"回执号：{receipt}", topic=f"t:{n}")
    db.session.commit()


def _statuses() -> list[OutboxStatus]:
    return [message.status for message in db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id))]


def test_a_message_rolled_back_with_its_cause_is_never_sent(app, sink) -> None:
    sink.start()
    outbox.enqueue("a@example.cn", "s", "b")
    db.session.rollback()
    outbox.send_due()
    assert sink.messages == [] and _statuses() == []


def test_every_message_arrives_once_after_the_mail_server_comes_back(app, sink) -> None:
    _queue(5)
    outbox.send_due()  # the server is down: nothing is lost, every message waits with its error
    assert _statuses() == [OutboxStatus.QUEUED] * 5
    waiting = db.session.scalars(db.select(OutboxMessage)).all()
    assert all(message.attempts == 1 and "Connection" in message.last_error for message in waiting)
    sink.start()
    outbox.send_due()
    outbox.send_due()  # a second sweep finds nothing left to send
    assert sink.recipients() == [f"resident{n}@example.cn" for n in range(5)]
    assert _statuses() == [OutboxStatus.SENT] * 5


def test_the_pause_between_attempts_grows_and_is_capped(app, sink) -> None:
    app.config.update(OUTBOX_FIRST_DELAY=timedelta(minutes=1), OUTBOX_MAX_DELAY=timedelta(minutes=10))
    _queue(1)
    pauses = []
    for _attempt in range(6):
        message = db.session.scalars(db.select(OutboxMessage)).one()
        message.next_attempt_at = outbox.utcnow()  # as if the pause had passed
        db.session.commit()
        before = outbox.utcnow()
        outbox.send_due()
        message = db.session.scalars(db.select(OutboxMessage)).one()
        pauses.append(round((message.next_attempt_at - before).total_seconds() / 60))
    assert pauses == [1, 2, 4, 8, 10, 10]


def test_a_message_not_due_yet_waits(app, sink) -> None:
    sink.start()
    _queue(1)
    message = db.session.scalars(db.select(OutboxMessage)).one()
    message.next_attempt_at = outbox.utcnow() + timedelta(minutes=5)
    db.session.commit()
    outbox.send_due()
    assert sink.messages == [] and _statuses() == [OutboxStatus.QUEUED]


def test_workers_sending_side_by_side_never_send_a_message_twice(app, sink) -> None:
    sink.start()
    app.config.update(OUTBOX_BATCH=7)
    _queue(60)

    def worker() -> None:
        with app.app_context():
            outbox.send_due()
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sink.recipients() == sorted(f"resident{n}@example.cn" for n in range(60))
    assert _statuses() == [OutboxStatus.SENT] * 60


def test_a_refused_address_fails_for_good_and_the_others_still_go(app, sink) -> None:
    sink.start()
    outbox.enqueue("nobody@example.cn", "s", "b")
    outbox.enqueue("someone@example.cn", "s", "b")
    db.session.commit()
    outbox.send_due()
    assert _statuses() == [OutboxStatus.FAILED, OutboxStatus.SENT]
    assert sink.recipients() == ["someone@example.cn"]
    assert "550" in db.session.scalars(db.select(OutboxMessage)).first().last_error


def test_a_message_undelivered_past_the_give_up_time_fails(app, sink) -> None:
    app.config.update(OUTBOX_GIVE_UP_AFTER=timedelta(0))
    _queue(1)
    outbox.send_due()
    assert _statuses() == [OutboxStatus.FAILED]


def test_a_claim_left_by_a_crashed_worker_is_released(app, sink) -> None:
    sink.start()
    _queue(1)
    message = db.session.scalars(db.select(OutboxMessage)).one()
    message.status, message.claimed_at = OutboxStatus.SENDING, outbox.utcnow() - timedelta(hours=1)
    db.session.commit()
    outbox.send_due()
    assert _statuses() == [OutboxStatus.SENT] and len(sink.messages) == 1


def test_without_a_mail_server_messages_wait_and_go_once_one_is_set_up(app, sink) -> None:
    app.config.update(MAIL_SERVER="")
    _queue(2)
    outbox.send_due()
    assert _statuses() == [OutboxStatus.QUEUED] * 2
    assert all(message.attempts == 0 for message in db.session.scalars(db.select(OutboxMessage)))
    app.config.update(MAIL_SERVER="127.0.0.1")
    sink.start()
    outbox.send_due()
    assert len(sink.messages) == 2


def test_the_portal_office_sees_failed_messages_masked_and_can_send_one_again(app, client, auth, sink) -> None:
    outbox.enqueue("nobody@example.cn", "回执 ZQ0001", "b")
    outbox.enqueue("zhang.xiaoming@example.cn", "回执 ZQ0002", "b")
    db.session.commit()
    sink.start()
    outbox.send_due()
    auth.login_as("admin")
    page = client.get("/admin/outbox?status=failed", headers=EN).text
    assert "回执 ZQ0001" in page and "回执 ZQ0002" not in page and "550" in page
    assert "nobody@example.cn" not in page and "no…@example.cn" in page
    everything = client.get("/admin/outbox", headers=EN).text
    assert "zh…@example.cn" in everything and "zhang.xiaoming" not in everything
    failed = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)).one()
    response = client.post(f"/admin/outbox/{failed.id}/retry")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(OutboxMessage, failed.id).attempts == 2  # tried again at once (and refused again)


def test_only_the_portal_office_sees_the_outbox(client, auth) -> None:
    auth.login_as("moderator")
    assert client.get("/admin/outbox").status_code == 403
