"""gunicorn settings for `make run` and production: IPv4 and IPv6, workers from the CPU count, logs to stdout."""

import multiprocessing
import os
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


def _compile_templates(application: Any) -> None:
    """Compile every template once in the master (0.4 s), so no worker, new or recycled, compiles them again."""
    for name in application.jinja_env.list_templates():
        application.jinja_env.get_template(name)
