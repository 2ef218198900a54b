"""Prometheus figures at /metrics: requests and latency by endpoint, comments and responses accepted, the queue,
mail sent and failed.

Under gunicorn every worker process (and the task worker) writes its counters into PROMETHEUS_MULTIPROC_DIR
(gunicorn.conf.py sets and empties it at start); /metrics adds them up. The page is not public: it answers only
the addresses in METRICS_ALLOWED_IPS and is a plain 404 for everyone else.
"""

from __future__ import annotations

import ipaddress
import os
import time
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

bp = Blueprint("metrics", __name__)

REQUESTS = Counter("minyi_http_requests_total", "HTTP requests answered.", ["endpoint", "method", "status"])
LATENCY = Histogram(
    "minyi_http_request_seconds",
    "Time to answer a request, by endpoint.",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
ACCEPTED = Counter("minyi_submissions_accepted_total", "Comments and survey responses stored.", ["kind"])
MAIL = Counter("minyi_mail_total", "E-mails the worker handed to the mail server or gave up on.", ["outcome"])
TASK_FAILURES = Counter("minyi_task_failures_total", "Queue tasks that raised an error.", ["task"])
QUEUE_DEPTH = Gauge("minyi_queue_depth", "Tasks waiting in the queue.", multiprocess_mode="livemostrecent")
OUTBOX = Gauge(
    "minyi_outbox_messages", "E-mails in the outbox by status.", ["status"], multiprocess_mode="livemostrecent"
)


def count_mail(outcome: str) -> None:
    MAIL.labels(outcome=outcome).inc()


def count_accepted(kind: str) -> None:
    """A comment or a survey response was stored (called by the feature after its commit)."""
    ACCEPTED.labels(kind=kind).inc()


def count_task_failure(task_name: str) -> None:
    TASK_FAILURES.labels(task=task_name).inc()


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.before_request(_start_timer)
    app.after_request(_count_request)


def _start_timer() -> None:
    g.metrics_started = time.perf_counter()


def _count_request(response: Response) -> Response:
    started = g.pop("metrics_started", None)
    endpoint = request.endpoint or "unmatched"  # unknown addresses share one label: no label per scanned URL
    if started is not None and endpoint != "metrics.metrics":
        LATENCY.labels(endpoint=endpoint).observe(time.perf_counter() - started)
        REQUESTS.labels(endpoint=endpoint, method=request.method, status=str(response.status_code)).inc()
    return response


def _allowed(address: str) -> bool:
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        return False
    networks = current_app.config["METRICS_ALLOWED_IPS"]
    return any(client in ipaddress.ip_network(network, strict=False) for network in networks)


@bp.route("/metrics")
def metrics() -> Any:
    if not _allowed(request.remote_addr or ""):
        abort(404)  # as if there were no such page
    _refresh_gauges()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY as registry
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def _refresh_gauges() -> None:
    """Queue depth and outbox counts are read when scraped: they are state, not events."""
    from core import outbox, tasks

    QUEUE_DEPTH.set(tasks.pending_count())
    for status, count in outbox.counts().items():
        OUTBOX.labels(status=status.value).set(count)
