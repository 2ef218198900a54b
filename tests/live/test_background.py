"""gunicorn as `make run` starts it also runs the task worker, and serves /metrics summed over its workers."""

from __future__ import annotations

import time
import urllib.request

from core.extensions import db
from core.outbox import OutboxMessage, OutboxStatus, enqueue


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - our own http URL
        return response.read().decode("utf-8")


def test_the_worker_beside_gunicorn_sends_what_waits_in_the_outbox(live_site) -> None:
    with live_site.app.app_context():
        enqueue("resident@example.cn", "回执 ZQ9999", "回执号：ZQ9999", topic="live-test")
        db.session.commit()  # no wake-up: the worker's minute sweep must find it by itself
        deadline = time.monotonic() + 150
        status = None
        while time.monotonic() < deadline:
            db.session.expire_all()
            status = db.session.scalar(db.select(OutboxMessage.status).where(OutboxMessage.topic == "live-test"))
            if status is OutboxStatus.SENT:
                break
            time.sleep(1)
        assert status is OutboxStatus.SENT, live_site.log()[-5000:]


def test_metrics_add_up_every_gunicorn_worker(live_site) -> None:
    for _ in range(8):
        _get(live_site.url + "/healthz")
    page = _get(live_site.url + "/metrics")
    line = next(
        line for line in page.splitlines() if line.startswith('minyi_http_requests_total{endpoint="public.healthz"')
    )
    assert float(line.rsplit(" ", 1)[1]) >= 8
    assert "minyi_queue_depth" in page
