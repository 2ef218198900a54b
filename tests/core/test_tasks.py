"""The task queue with a real consumer: `flask worker` in its own process sends the outbox through a real SMTP
server, keeps e-mail through an outage, and runs the scheduled duties once per minute however many workers tick."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from core import outbox, tasks, tasks_schedule
from core.extensions import db
from core.outbox import OutboxMessage, OutboxStatus
from tests.conftest import make_app
from tests.smtp_sink import SmtpSink

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
EN = {"Accept-Language": "en"}


def _wait_for(condition: Any, seconds: float = 40) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    server = SmtpSink()
    yield server
    server.stop()


@pytest.fixture
def queued_app(app: Flask, test_config: dict[str, Any], tmp_path: Path, sink: SmtpSink) -> Iterator[Flask]:
    """An application that queues into an SQLite file instead of running tasks at once, like `make run`."""
    settings = {
        "QUEUE_IMMEDIATE": False,
        "QUEUE_URL": f"sqlite:///{tmp_path / 'queue.sqlite'}",
        "MAIL_SUPPRESS_SEND": False,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": sink.port,
    }
    queued = make_app(test_config, **settings)
    yield queued
    tasks.configure(app)  # back to immediate for the tests that follow


@pytest.fixture
def worker(queued_app: Flask, database_url: str, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    config = queued_app.config
    env = {key: value for key, value in os.environ.items() if not key.startswith("FLASK_")} | {
        "FLASK_APP": "app",
        "FLASK_SQLALCHEMY_DATABASE_URI": database_url,
        "MINYI_INSTANCE_PATH": str(tmp_path / "instance"),
        "FLASK_QUEUE_URL": config["QUEUE_URL"],
        "FLASK_MAIL_SERVER": "127.0.0.1",
        "FLASK_MAIL_PORT": str(config["MAIL_PORT"]),
        "FLASK_OUTBOX_FIRST_DELAY": "0",
    }
    log = (tmp_path / "worker.log").open("wb")
    # No scheduler here: the duties' tests tick themselves, and a second one would run them on the same database.
    command = [str(BIN / "flask"), "worker", "--workers", "2", "--no-periodic"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    yield process
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    log.close()


def _message(message_id: int) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


def _status(message_id: int) -> OutboxStatus:
    return _message(message_id).status


def test_the_worker_sends_queued_e_mail_and_keeps_it_through_an_outage(queued_app, worker, sink, tmp_path) -> None:
    with queued_app.app_context():
        outbox.enqueue("resident@example.cn", "回执 ZQ0001", "回执号：ZQ0001")
        db.session.commit()
        first = db.session.scalar(db.select(OutboxMessage.id))
        outbox.wake()  # the mail server is down: the worker tries, the message waits
        assert _wait_for(lambda: _status(first) is OutboxStatus.QUEUED and _message(first).last_error), (
            tmp_path / "worker.log"
        ).read_text()
        assert _message(first).attempts == 1 and sink.messages == []
        sink.start()
        outbox.wake()  # as the minute sweep would
        assert _wait_for(lambda: _status(first) is OutboxStatus.SENT), (tmp_path / "worker.log").read_text()
        assert sink.recipients() == ["resident@example.cn"]
        assert tasks.pending_count() == 0


def test_sigterm_stops_the_worker_cleanly(worker, tmp_path) -> None:
    log = tmp_path / "worker.log"
    assert _wait_for(lambda: "worker consuming" in log.read_text()), log.read_text()
    assert worker.poll() is None
    os.killpg(worker.pid, signal.SIGTERM)
    assert worker.wait(timeout=30) == 0


def test_a_duty_runs_once_per_minute_however_many_workers_tick(app) -> None:
    ran = []
    tasks_schedule.register_duty(
        tasks_schedule.Duty("test-duty", "test duty", lambda: ran.append(1) or "done", minute="*/7", hour="*")
    )
    try:
        at = datetime(2026, 12, 5, 2, 7, tzinfo=UTC)  # 10:07 in Shanghai (no other duty is due)
        assert "test-duty" in tasks_schedule.tick(at)
        assert "test-duty" not in tasks_schedule.tick(at)  # a second host ticking the same minute
        assert "test-duty" not in tasks_schedule.tick(datetime(2026, 12, 5, 2, 8, tzinfo=UTC))  # not due
        assert "test-duty" in tasks_schedule.tick(datetime(2026, 12, 5, 2, 14, tzinfo=UTC))
        assert ran == [1, 1]
        record = db.session.get(tasks_schedule.ScheduledRun, "test-duty")
        assert record.last_outcome == "ok" and record.last_summary == "done"
        assert tasks_schedule.next_run(tasks_schedule._duties["test-duty"], at) == datetime(2026, 12, 5, 10, 14)
    finally:
        tasks_schedule._duties.pop("test-duty")


def test_a_failing_duty_is_recorded_as_failed(app) -> None:
    def broken() -> str:
        raise RuntimeError("disk full")

    tasks_schedule.register_duty(tasks_schedule.Duty("test-broken", "broken", broken, minute="*"))
    try:
        assert "test-broken" in tasks_schedule.tick(datetime(2026, 12, 5, 2, 3, tzinfo=UTC))
        record = db.session.get(tasks_schedule.ScheduledRun, "test-broken")
        assert record.last_outcome == "failed" and "disk full" in record.last_summary
    finally:
        tasks_schedule._duties.pop("test-broken")


def test_the_schedule_page_lists_every_duty_with_its_last_and_next_run(app, client, auth) -> None:
    tasks_schedule.run_duty("outbox-purge")
    auth.login_as("admin")
    page = client.get("/admin/schedule", headers=EN).text
    for duty in tasks_schedule.duties():
        assert f'id="duty-{duty.name}"' in page
    row = page.partition('id="duty-outbox-purge"')[2].partition("</tr>")[0]
    assert "done: 0 sent e-mails deleted" in row and "not yet" not in row
    assert "03:10" in row.partition('class="next-run"')[2]
