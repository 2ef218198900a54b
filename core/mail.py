"""Outgoing plain-text mail over SMTP from configuration. A failure is logged, never shown to the resident."""

from __future__ import annotations

import smtplib
import ssl
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


def send_mail(to: str, subject: str, body: str) -> bool:
    """Send one message; True when it was handed to the mail server (or captured in tests)."""
    config = current_app.config
    message = build_message(to, subject, body)
    if config["MAIL_SUPPRESS_SEND"]:
        current_app.extensions.setdefault("minyi_outbox", []).append(message)
        return True
    if not config["MAIL_SERVER"]:
        current_app.logger.info("mail not sent (no MAIL_SERVER)", extra={"subject": subject})
        return False
    try:
        _deliver(message)
    except (OSError, smtplib.SMTPException):
        # The submission is already stored; a lost receipt e-mail must not turn into an error page.
        current_app.logger.exception("mail delivery failed", extra={"subject": subject})
        return False
    return True


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
