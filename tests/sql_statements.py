"""Counting the SQL statements a request sends (every one a round trip on PostgreSQL), for the budget tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event

from core.extensions import db


@contextmanager
def statements(app: Flask) -> Iterator[list[str]]:
    """The statements `app` sends to its database inside the block, savepoints included, in order (each app has
    its own engine)."""
    sent: list[str] = []

    def note(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(" ".join(statement.split())[:200])

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", note)


def counted(app: Flask, call: Callable[[], Any]) -> tuple[Any, list[str]]:
    """`call()`'s result and the statements `app` sent meanwhile."""
    with statements(app) as sent:
        result = call()
    return result, list(sent)
