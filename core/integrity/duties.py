"""Integrity duties the worker runs by itself (core/tasks_schedule.py), the same services as `flask integrity …`:
the check every five minutes (a breach found while nobody visits the page is still alerted) and the nightly scan
of every public page, external links included."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.extensions import db
from core.tasks_schedule import Duty, register_duty


def init_app() -> None:
    register_duty(Duty("integrity-check", _l("Check published content against its seals"), check, "*/5"))
    register_duty(Duty("integrity-scan", _l("Scan public pages for spam and broken links"), scan, "20", "2"))


def check() -> str:
    from core.integrity.check import check_and_alert

    found = check_and_alert()
    db.session.commit()
    return f"{len(found)} broken" if found else "all seals hold"


def scan() -> str:
    from core.integrity.scan import run_scan

    run = run_scan(check_external=True)
    return f"{run.pages} pages, {len(run.findings)} findings"
