"""Outgoing plain-text mail over SMTP from configuration. A failure is logged, never an error page; the caller
learns what became of the message (sent, not configured, failed) and may say so."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from enum import StrEnum

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


class MailOutcome(StrEnum):
    """What became of a message, so a page can tell the resident exactly that."""

    SENT = "sent"  # handed to the mail server (or captured in tests)
    NOT_CONFIGURED = "not_configured"  # no MAIL_SERVER: nothing was tried
    FAILED = "failed"  # the server refused it or could not be reached


def send_mail(to: str, subject: str, body: str) -> bool:
    """Send one message; True when it was handed to the mail server (or captured in tests)."""
    return deliver_mail(to, subject, body) is MailOutcome.SENT


def deliver_mail(to: str, subject: str, body: str) -> MailOutcome:
    """Send one message and say what became of it."""
    config = current_app.config
    message = build_message(to, subject, body)
    if config["MAIL_SUPPRESS_SEND"]:
        current_app.extensions.setdefault("minyi_outbox", []).append(message)
        return MailOutcome.SENT
    if not config["MAIL_SERVER"]:
        current_app.logger.info("mail not sent (no MAIL_SERVER)", extra={"subject": subject})
        return MailOutcome.NOT_CONFIGURED
    try:
        _deliver(message)
    except (OSError, smtplib.SMTPException):
        # The submission is already stored; a lost receipt e-mail must not turn into an error page.
        current_app.logger.exception("mail delivery failed", extra={"subject": subject})
        return MailOutcome.FAILED
    return MailOutcome.SENT


def _deliver(message: EmailMessage) -> None:
    config = current_app.config
    context = ssl.create_default_context()
    if config["MAIL_PORT"] == 465:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10, context=context)
    else:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10)
    with smtp:
        if config["MAIL_USE_TLS"] and config["MAIL_PORT"] != 465:
            smtp.starttls(context=context)
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)
