"""Talking to the mail server: plain-text messages over one SMTP connection from configuration.

Nothing here is called from a request: pages and services write e-mail into the outbox (core/outbox.py) and the
worker sends it through `connection()`. With MAIL_SUPPRESS_SEND (tests) messages are collected in
app.extensions["minyi_outbox"] instead.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app


def build_message(to: str, subject: str, body: str) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=config["MAIL_SENDER"].rpartition("@")[2] or None)
    message.set_content(body)
    return message


class Sender:
    """Sends messages over one open connection (or into the test list); errors are the caller's to handle."""

    def __init__(self, smtp: smtplib.SMTP | None) -> None:
        self.smtp = smtp

    def send(self, to: str, subject: str, body: str) -> None:
        message = build_message(to, subject, body)
        if self.smtp is None:
            current_app.extensions.setdefault("minyi_outbox", []).append(message)
            return
        self.smtp.send_message(message)


@contextmanager
def connection() -> Iterator[Sender]:
    """One SMTP session for a batch of messages (thousands of feedback e-mails need not open thousands)."""
    config = current_app.config
    if config["MAIL_SUPPRESS_SEND"]:
        yield Sender(None)
        return
    if not config["MAIL_SERVER"]:
        raise smtplib.SMTPException("no MAIL_SERVER configured")
    context = ssl.create_default_context()
    timeout = config["MAIL_TIMEOUT"]
    if config["MAIL_PORT"] == 465:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout, context=context
        )
    else:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout)
    with smtp:
        if config["MAIL_USE_TLS"] and config["MAIL_PORT"] != 465:
            smtp.starttls(context=context)
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        yield Sender(smtp)


def count_outcome(outcome: str) -> None:
    """Count a message sent or failed for /metrics (core/metrics.py), when metrics are on."""
    from core import metrics

    metrics.count_mail(outcome)


def send_mail(to: str, subject: str, body: str) -> bool:
    """Put one message into the outbox, in the caller's transaction; the worker sends it after the commit.

    Kept for callers written before the outbox; new code calls core.outbox.enqueue (with a topic) and wake().
    """
    from core import outbox

    outbox.enqueue(to, subject, body)
    return True
