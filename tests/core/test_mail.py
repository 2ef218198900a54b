"""Receipts and notices go out through the configured SMTP server; a failing server loses nothing else."""

from __future__ import annotations

import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from core.mail import send_mail


class Collector(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages = []

    def handle_message(self, message) -> None:
        self.messages.append(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, collector
    controller.stop()


def test_message_is_delivered_to_the_local_smtp_server(app, smtp_server) -> None:
    controller, collector = smtp_server
    app.config.update(MAIL_SUPPRESS_SEND=False, MAIL_SERVER=controller.hostname, MAIL_PORT=controller.port)
    assert send_mail("resident@example.cn", "意见回执 ZQ123", "您的意见已收到。回执号：ZQ123")
    (message,) = collector.messages
    assert message["To"] == "resident@example.cn"
    assert "ZQ123" in message["Subject"]
    assert "回执号：ZQ123" in message.get_payload(decode=True).decode("utf-8")


def test_unreachable_server_returns_false_without_raising(app) -> None:
    app.config.update(MAIL_SUPPRESS_SEND=False, MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    assert send_mail("resident@example.cn", "subject", "body") is False


def test_tests_capture_messages_in_the_outbox(app) -> None:
    send_mail("a@example.cn", "s", "b")
    assert app.extensions["minyi_outbox"][-1]["To"] == "a@example.cn"
