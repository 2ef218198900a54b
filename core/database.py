"""Database connection settings: SQLite tuned for several gunicorn workers, foreign keys everywhere; a transaction
PostgreSQL aborted for a deadlock run again once."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from core.extensions import db

T = TypeVar("T")
# deadlock_detected, serialization_failure: PostgreSQL rolled the whole transaction back so another could go on.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers run beside the single writer; busy_timeout makes writers queue instead of failing.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def init_app(app: Flask) -> None:
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _tune_sqlite)
    # gunicorn preloads the app and then forks: a worker must never reuse a connection opened in its parent.
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))


def aborted_for_another(error: BaseException) -> bool:
    """Whether the database rolled the transaction back only because it collided with another one."""
    return isinstance(error, DBAPIError) and getattr(error.orig, "sqlstate", None) in RETRYABLE_SQLSTATES


def retried_once(transaction: Callable[[], T]) -> T:
    """Run `transaction()` (everything from its first write to its commit); when PostgreSQL aborted it for a deadlock
    or a serialization failure, run it again once from the start: nothing of the first run was kept.

    SQLite has one writer and never aborts a transaction so; any other error goes to the caller as before.
    """
    try:
        return transaction()
    except DBAPIError as error:
        if not aborted_for_another(error):
            raise
        db.session.rollback()
        current_app.logger.warning("transaction run again: %s", getattr(error.orig, "sqlstate", ""))
        return transaction()
