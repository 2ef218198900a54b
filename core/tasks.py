"""The task queue: work that must not hold a web request (e-mail, scheduled duties) runs in a worker process.

Huey (a small, well-kept queue) keeps its queue in an SQLite file in instance/ on one machine and in Redis when
several hosts serve the site (QUEUE_URL, docs/deploy.md). Tasks are plain functions run inside a Flask app
context; what they act on lives in the database (the outbox, scheduled runs), so a task lost with a crashed queue
is redone by the next sweep instead of being lost with it.

`flask worker` runs the consumer; gunicorn.conf.py starts one beside the web workers for `make run`.
"""

from __future__ import annotations

import functools
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from flask import Flask, current_app, has_app_context
from huey import MemoryHuey
from huey.signals import SIGNAL_ERROR
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

F = TypeVar("F", bound=Callable[..., Any])
logger = logging.getLogger(__name__)

# One queue per process, configured by init_app from the application's settings (immediate until then).
huey = MemoryHuey("minyi", immediate=True, results=False)
_apps: list[Flask] = []  # the application tasks run in when the worker (not a request) calls them


@huey.signal(SIGNAL_ERROR)
def _count_failure(signal_name: str, task: Any, *args: Any) -> None:
    from core import metrics

    metrics.count_task_failure(task.name)


def init_app(app: Flask) -> None:
    """Point the queue at the configured store and add `flask worker`."""
    from core import storage, tasks_jobs  # their tables, `flask storage`, the export job pages

    configure(app)
    app.cli.add_command(worker_command)
    app.cli.add_command(storage.storage_cli)
    tasks_jobs.init_app(app)


def configure(app: Flask) -> None:
    huey.storage_class, huey.storage_kwargs = _storage_for(app)
    huey.immediate = bool(app.config["QUEUE_IMMEDIATE"])
    huey.storage = huey.create_storage()
    _apps[:] = [app]


def _storage_for(app: Flask) -> tuple[type, dict[str, Any]]:
    url = app.config.get("QUEUE_URL") or ""
    if app.config["QUEUE_IMMEDIATE"]:
        return MemoryStorage, {}
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStorage, {"url": url}
    if url.startswith("sqlite:///"):
        return SqliteStorage, {"filename": url.removeprefix("sqlite:///")}
    if url:
        raise ValueError(f"QUEUE_URL must be sqlite:///PATH or redis://…, not {url!r}")
    return SqliteStorage, {"filename": str(Path(app.instance_path) / "queue.sqlite")}


def describe() -> str:
    """Where the queue lives, for the admin pages (never a password)."""
    if huey.immediate:
        return "immediate"
    storage = huey.storage
    if isinstance(storage, SqliteStorage):
        return f"SQLite {storage.filename}"
    return type(storage).__name__.removesuffix("Storage")


def pending_count() -> int:
    """Tasks waiting in the queue (not those scheduled for later)."""
    try:
        return int(huey.pending_count())
    except Exception:  # a queue store that is down must not break the admin page or /metrics
        logger.warning("queue store unreachable", exc_info=True)
        return -1


@contextmanager
def app_context() -> Iterator[None]:
    """The worker's app context for a task (the caller's when there is one: immediate mode, tests)."""
    if has_app_context():
        yield
        return
    with _apps[-1].app_context():
        from core.extensions import db

        try:
            yield
        finally:
            db.session.remove()


def task(**options: Any) -> Callable[[F], F]:
    """A queue task that runs inside an app context: the caller's in immediate mode, else the worker's app."""

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def in_app(*args: Any, **kwargs: Any) -> Any:
            with app_context():
                return function(*args, **kwargs)

        return huey.task(name=f"{function.__module__}.{function.__name__}", **options)(in_app)  # type: ignore[return-value]

    return decorate


def enqueue_safely(queued_task: Callable[..., Any], *args: Any) -> None:
    """Put a task on the queue; a queue store that is down only delays the work (the next sweep finds it)."""
    try:
        queued_task(*args)
    except Exception:  # the caller's work is committed; the sweep redoes what this would have done
        current_app.logger.warning("could not enqueue %s", getattr(queued_task, "name", queued_task), exc_info=True)


@click.command("worker")
@click.option("--workers", default=2, show_default=True, help="Threads running tasks side by side.")
@click.option("--no-periodic", is_flag=True, help="Do not run the scheduled duties from this worker.")
@click.option("--exit-with-parent", is_flag=True, help="Stop when the process that started this one ends.")
def worker_command(workers: int, no_periodic: bool, exit_with_parent: bool) -> None:
    """Run the task queue's consumer: e-mail from the outbox and the scheduled duties."""
    if huey.immediate:
        raise click.ClickException("QUEUE_IMMEDIATE is set: tasks run in the request, there is nothing to consume")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    consumer = huey.create_consumer(workers=workers, periodic=not no_periodic, graceful_signal="TERM")
    if exit_with_parent:
        _stop_with_parent(os.getppid())
    click.echo(f"worker consuming {describe()} with {workers} threads", err=True)
    consumer.run()


def _stop_with_parent(parent: int) -> None:
    """gunicorn started this worker: when gunicorn is gone (even killed), stop too, never run orphaned."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
