"""gunicorn settings for `make run` and production: IPv4 and IPv6, workers from the CPU count, logs to stdout."""

import logging
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

wsgi_app = "app:create_app()"
port = os.environ.get("PORT", "8000")
# IPv4 and IPv6 (the notice's 五.1). Loopback by default so a demo is never exposed by accident; production sets
# GUNICORN_BIND, e.g. "[::]:8000", which on Linux's default dual stack serves IPv4 and IPv6 on every interface.
bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{port} [::1]:{port}").split()
# Requests are CPU-bound Python: one synchronous worker process per core and a spare one per core to cover I/O
# waits (measured in bench/comments.py: threads only add GIL contention and longer tails).
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Import the application (and its heavy libraries: jieba, numpy, datasketch) once in the master; workers start
# warm and share that memory. Database connections are never inherited (core/database.py disposes them).
preload_app = True
timeout = 60
graceful_timeout = 30
# Recycle workers now and then so a slow leak can never take the site down (not every few seconds under load:
# each new worker starts its page cache and SQLAlchemy's statement cache afresh).
max_requests = 20000
max_requests_jitter = 2000
accesslog = None  # the app logs each request as JSON itself
errorlog = "-"
loglevel = "info"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# The task queue's worker (core/tasks.py) starts and stops with gunicorn, so one command serves everything. A
# production host that runs it as its own service (docs/deploy.md) sets MINYI_START_WORKER=0.
START_WORKER = os.environ.get("MINYI_START_WORKER", "1") != "0"

# /metrics adds up every process's counters (core/metrics.py): each writes them into this folder, emptied at start.
_metrics_dir = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or Path(tempfile.gettempdir()) / f"minyi-metrics-{port}")
shutil.rmtree(_metrics_dir, ignore_errors=True)
_metrics_dir.mkdir(parents=True)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(_metrics_dir)
_worker: subprocess.Popen[bytes] | None = None


def when_ready(server: object) -> None:
    """Load what the first requests would otherwise load lazily, once, before the workers are forked.

    create_app() imports no heavy library (command-line exports stay small, tests/test_lazy_imports.py); the ones
    that public pages and logins use are loaded here, so preloaded workers answer their first request as fast as
    any other. Staff-only exports (python-docx, reportlab, openpyxl, XlsxWriter) load on first use.
    """
    import captcha.image  # noqa: F401 - the captcha picture of every comment and survey form (Pillow)
    import datasketch  # noqa: F401 - MinHash for near-duplicate comments (pulls in numpy and scipy)
    import re2  # noqa: F401 - regex() conditions of surveys
    import segno  # noqa: F401 - QR codes on share pages and documents
    import zxcvbn  # noqa: F401 - password strength on sign-up and password change

    from core.passwords import dummy_hash
    from core.textstats import top_terms

    dummy_hash()  # the timing equaliser of logins: an unknown e-mail must cost a hash from the very first request
    top_terms(["预热分词词典"])  # jieba builds its dictionary (about a second) on first use
    if server.cfg.preload_app:  # type: ignore[attr-defined]
        _compile_templates(server.app.wsgi())  # type: ignore[attr-defined]
    if START_WORKER:
        _start_worker(server)


def _start_worker(server: Any) -> None:
    """`flask worker` beside the web workers; it stops when gunicorn stops, or by itself if gunicorn is killed."""
    global _worker
    flask = Path(sys.executable).with_name("flask")
    command = [str(flask), "--app", "app", "worker", "--exit-with-parent"]
    _worker = subprocess.Popen(command, cwd=Path(__file__).resolve().parent)  # noqa: S603 - our own command
    server.log.info("task worker started (pid %s)", _worker.pid)


def child_exit(server: Any, worker: Any) -> None:
    """A web worker's counters stay in the totals; its live gauges go with it."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server: Any) -> None:
    """Stop the task worker with gunicorn: it finishes the task in hand (SIGTERM is graceful), then exits."""
    if _worker is None or _worker.poll() is not None:
        return
    _worker.send_signal(signal.SIGTERM)
    try:
        _worker.wait(timeout=graceful_timeout)
    except subprocess.TimeoutExpired:
        _worker.kill()
        _worker.wait(timeout=10)


def _compile_templates(application: Any) -> None:
    """Compile every template once in the master (0.4 s), so no worker, new or recycled, compiles them again.

    A template that is not the released one is left out (core/integrity/release.py): the site starts, and the pages
    that use it answer 503 and alert the portal office."""
    from core.integrity.release import compile_templates

    for name in compile_templates(application):
        logging.getLogger("gunicorn.error").warning("template not as released, not compiled: %s", name)
