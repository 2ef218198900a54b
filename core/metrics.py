"""Prometheus figures at /metrics: requests and latency by endpoint, comments and responses accepted, the queue,
mail sent and failed, broken seals by kind and self-inspection findings by category.

Under gunicorn every worker process (and the task worker) writes its counters into PROMETHEUS_MULTIPROC_DIR
(gunicorn.conf.py sets and empties it at start); /metrics adds them up. The page is not public: it answers only
the addresses in METRICS_ALLOWED_IPS and is a plain 404 for everyone else.
"""

from __future__ import annotations

import ipaddress
import os
import threading
import time
from collections import Counter as Tally
from typing import Any

from flask import Flask, Response, abort, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from core import blueprints
from core.routing import Routes

bp = Routes(blueprints.public)

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
BROKEN_SEALS = Gauge(
    "minyi_integrity_broken",
    "Published items (or release files) not served because they no longer match their seal, by kind: open alerts.",
    ["kind"],
    multiprocess_mode="livemostrecent",
)
FINDINGS = Gauge(
    "minyi_inspection_findings",
    "Self-inspection findings (/admin/inspection) by category.",
    ["category"],
    multiprocess_mode="livemostrecent",
)
_findings_lock = threading.Lock()
_findings_cache: dict[str, Any] = {"at": float("-inf"), "counts": {}}
_kinds_seen: set[str] = set()


def count_mail(outcome: str) -> None:
    MAIL.labels(outcome=outcome).inc()


def count_accepted(kind: str) -> None:
    """A comment or a survey response was stored (called by the feature after its commit)."""
    ACCEPTED.labels(kind=kind).inc()


def count_task_failure(task_name: str) -> None:
    TASK_FAILURES.labels(task=task_name).inc()


def init_app(app: Flask) -> None:
    # Self-inspection findings are counted again at most this often per process (a scrape every 15 s is usual).
    app.config.setdefault("METRICS_FINDINGS_SECONDS", 60)
    app.before_request(_start_timer)
    app.after_request(_count_request)


def _start_timer() -> None:
    g.metrics_started = time.perf_counter()


def _count_request(response: Response) -> Response:
    started = g.pop("metrics_started", None)
    endpoint = request.endpoint or "unmatched"  # unknown addresses share one label: no label per scanned URL
    if started is not None and endpoint != "public.metrics":
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
    """Queue depth, outbox, seals and findings are read when scraped: they are state, not events."""
    from core import outbox, tasks

    QUEUE_DEPTH.set(tasks.pending_count())
    for status, count in outbox.counts().items():
        OUTBOX.labels(status=status.value).set(count)
    _refresh_broken_seals()
    for category, count in _findings().items():
        FINDINGS.labels(category=category).set(count)


def _refresh_broken_seals() -> None:
    """One grouped count of the open alerts, which the worker's check (every 5 minutes) and every page keep."""
    from core.integrity import alerts, registry

    counts = alerts.open_counts_by_kind()
    _kinds_seen.update(registry.kinds(), counts)  # a kind that healed goes back to 0, not silent
    for kind in _kinds_seen:
        BROKEN_SEALS.labels(kind=kind).set(counts.get(kind, 0))


def _findings() -> dict[str, int]:
    """Findings per category, worked out at most once per METRICS_FINDINGS_SECONDS in this process: the checks
    read the last scheduled scan and run a few queries each (they never fetch a page), still too much per scrape."""
    from core.inspection.checks import CATEGORIES, run_checks

    with _findings_lock:
        now = time.monotonic()
        if now - _findings_cache["at"] >= current_app.config["METRICS_FINDINGS_SECONDS"]:
            tally = Tally(finding.category for finding in run_checks())
            _findings_cache["counts"] = {category: tally.get(category, 0) for category in [*CATEGORIES, *tally]}
            _findings_cache["at"] = now
        return dict(_findings_cache["counts"])
