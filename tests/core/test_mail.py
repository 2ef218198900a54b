"""The worker's side of e-mail: messages go to the configured SMTP server, many over one connection."""

from __future__ import annotations

import smtplib

import pytest

from core import mail
from tests.smtp_sink import SmtpSink, free_port


@pytest.fixture
def sink():
    server = SmtpSink()
    server.start()
    yield server
    server.stop()


def test_messages_are_delivered_to_the_local_smtp_server_over_one_connection(app, sink) -> None:
    app.config.update(MAIL_SUPPRESS_SEND=False, MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port)
    with mail.connection() as sender:
        sender.send("resident@example.cn", "意见回执 ZQ123", "您的意见已收到。回执号：ZQ123")
        sender.send("other@example.cn", "意见回执 ZQ124", "您的意见已收到。回执号：ZQ124")
    first, second = sink.messages
    assert first["To"] == "resident@example.cn" and second["To"] == "other@example.cn"
    assert "ZQ123" in first["Subject"]
    assert "回执号：ZQ123" in first.get_payload(decode=True).decode("utf-8")
    assert first["From"] == app.config["MAIL_SENDER"]


def test_an_unreachable_server_raises_for_the_outbox_to_retry(app) -> None:
    app.config.update(MAIL_SUPPRESS_SEND=False, MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    with pytest.raises(OSError), mail.connection():
        pass


def test_without_a_server_nothing_is_tried(app) -> None:
    app.config.update(MAIL_SUPPRESS_SEND=False, MAIL_SERVER="")
    with pytest.raises(smtplib.SMTPException), mail.connection():
        pass


def test_tests_capture_messages_instead_of_sending(app) -> None:
    with mail.connection() as sender:
        sender.send("a@example.cn", "s", "b")
    assert app.extensions["minyi_outbox"][-1]["To"] == "a@example.cn"
