"""Scheduled duties in the task queue: purges, archiving, snapshots, reminders, with their last and next run.

Each feature registers its duties (`register_duty`) when its init_app runs; the worker's scheduler ticks once a
minute, and every duty whose time (in the district's time zone) has come is queued once, however many workers or
hosts tick: the minute is claimed in `scheduled_runs` by one conditional UPDATE before the duty is queued. The same
tick sweeps the outbox, so an e-mail whose wake-up was lost still goes within a minute.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from huey import crontab
from sqlalchemy import String, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from core import tasks
from core.db import utcnow
from core.extensions import db

# How far ahead the admin page looks for a duty's next run (the rarest duty runs weekly).
LOOKAHEAD = timedelta(days=8)


class ScheduledRun(db.Model):
    __tablename__ = "scheduled_runs"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    # The local minute last claimed ("2026-12-05T02:30"): a later tick of another host finds it taken.
    last_slot: Mapped[str] = mapped_column(String(20), default="")
    last_started_at: Mapped[datetime | None]
    last_finished_at: Mapped[datetime | None]
    last_outcome: Mapped[str] = mapped_column(String(20), default="")  # queued, running, ok, failed
    last_summary: Mapped[str] = mapped_column(String(500), default="")


@dataclass(frozen=True)
class Duty:
    name: str
    label: Any  # lazy_gettext text for the admin page
    run: Callable[[], str]  # does the work (its own commits) and says what it did in a line
    minute: str = "0"
    hour: str = "*"
    day_of_week: str = "*"

    @property
    def due(self) -> Callable[[datetime], bool]:
        return crontab(minute=self.minute, hour=self.hour, day_of_week=self.day_of_week)

    @property
    def when(self) -> str:
        return f"{self.minute} {self.hour} * * {self.day_of_week}"


_duties: dict[str, Duty] = {}


def register_duty(duty: Duty) -> None:
    """Add (or replace, when the app is created again) a duty."""
    _duties[duty.name] = duty


def duties() -> list[Duty]:
    return sorted(_duties.values(), key=lambda duty: duty.name)


def init_app(app: Flask) -> None:
    """Core's own duties; consultation and surveys register theirs from their init_app."""
    from flask_babel import lazy_gettext as _l

    register_duty(Duty("outbox-purge", _l("Delete sent e-mails (they hold addresses)"), _purge_outbox, "10", "3"))
    register_duty(Duty("integrity-check", _l("Check the seals of everything published"), _integrity_check, "*/5"))
    register_duty(Duty("site-scan", _l("Scan public pages for spam words and broken links"), _site_scan, "0", "2"))


def _purge_outbox() -> str:
    from core import outbox

    removed = outbox.purge_sent(timedelta(days=current_app.config["OUTBOX_KEEP_SENT_DAYS"]))
    db.session.commit()
    return f"{removed} sent e-mails deleted"


def _integrity_check() -> str:
    from core.integrity import check

    found = check.check_and_alert()
    db.session.commit()
    return f"{len(found)} broken" if found else "all seals hold"


def _site_scan() -> str:
    from core.integrity import scan

    run = scan.run_scan(check_external=True)
    db.session.commit()
    return f"{run.pages} pages scanned, {len(run.findings)} findings"


def local_now(now: datetime | None = None) -> datetime:
    """The district's wall-clock minute, naive, as the schedules are written in it."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return (now or utcnow()).astimezone(zone).replace(tzinfo=None, second=0, microsecond=0)


def next_run(duty: Duty, now: datetime | None = None) -> datetime | None:
    """The next local minute the duty is due (None past LOOKAHEAD)."""
    minute = local_now(now) + timedelta(minutes=1)
    end = minute + LOOKAHEAD
    due = duty.due
    while minute < end:
        if due(minute):
            return minute
        minute += timedelta(minutes=1)
    return None


def tick(now: datetime | None = None) -> list[str]:
    """Queue every duty due this minute that no other worker queued yet; returns their names."""
    slot = local_now(now)
    queued = []
    for duty in duties():
        if duty.due(slot) and _claim(duty.name, slot.isoformat(timespec="minutes")):
            tasks.enqueue_safely(run_duty, duty.name)
            queued.append(duty.name)
    return queued


def _claim(name: str, slot: str) -> bool:
    if db.session.get(ScheduledRun, name) is None:
        try:
            with db.session.begin_nested():
                db.session.add(ScheduledRun(name=name))
        except IntegrityError:
            pass  # another host added it a moment ago
    won = db.session.execute(
        update(ScheduledRun)
        .where(ScheduledRun.name == name, ScheduledRun.last_slot < slot)
        .values(last_slot=slot, last_outcome="queued")
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return bool(won)


@tasks.task()
def run_duty(name: str) -> str:
    """Run one duty and keep its outcome for the admin page; a failure is recorded, then raised (counted)."""
    duty = _duties[name]
    record = db.session.get(ScheduledRun, name) or ScheduledRun(name=name)
    record.last_started_at, record.last_outcome = utcnow(), "running"
    db.session.add(record)
    db.session.commit()
    try:
        summary = duty.run()
    except Exception as error:
        db.session.rollback()
        _finish(name, "failed", f"{type(error).__name__}: {error}")
        raise
    _finish(name, "ok", summary)
    return summary


def _finish(name: str, outcome: str, summary: str) -> None:
    record = db.session.get(ScheduledRun, name)
    if record is not None:
        record.last_finished_at, record.last_outcome, record.last_summary = utcnow(), outcome, summary[:500]
        db.session.commit()


@tasks.huey.periodic_task(crontab(minute="*"), name="core.tasks_schedule.minute")
def _every_minute() -> None:
    with tasks.app_context():
        from core import outbox

        tick()
        outbox.wake()
