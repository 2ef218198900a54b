"""What every feature shares: accounts, departments, audit log, screening, exports, the public shell."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register core's blueprints: public shell, sign-in and account, staff dashboard, admin, verify, search, API."""
    from core import blueprints, inspection, integrity

    integrity.init_app(app)  # before the blueprints: it wraps the template loader and the static files
    inspection.init_app(app)
    blueprints.register(app)

    # The queue, the outbox and the scheduled duties, the admin pages that show them, /metrics.
    from core import metrics, outbox, outbox_admin, tasks, tasks_schedule  # noqa: F401 - outbox: its table

    tasks.init_app(app)
    tasks_schedule.init_app(app)
    outbox_admin.init_app(app)
    metrics.init_app(app)

    from core import search_index  # its table, its session events, `flask search reindex` and the nightly rebuild

    search_index.init_app(app)
