"""Rows done by a long export, told while its writer runs, for the job page's progress bar (core/tasks_jobs.py).

A writer wraps the rows it writes in `counted(rows)` (a sequence read by index: `counted_sequence`), or calls
`advance(n)` after writing a chunk of n rows. Outside a job these do nothing and cost nothing: `counted` hands the
rows back as they are. A job installs a `Reporter` while its runner runs (`reporting`); the writers tell it every
`every` rows, and it passes the count on at most once per `seconds`, so a million-row export writes its progress
a few hundred times, not a million.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar, overload

T = TypeVar("T")
_current: ContextVar[Reporter | None] = ContextVar("minyi_export_progress", default=None)


class Reporter:
    """Counts rows and hands the running total to `write` (rows done) when at least `seconds` have passed."""

    def __init__(self, write: Callable[[int], None], *, every: int = 1000, seconds: float = 1.0) -> None:
        self.done = 0
        self.every = max(1, every)
        self._write, self._seconds = write, seconds
        self._last = float("-inf")

    def advance(self, rows: int) -> None:
        self.done += rows
        now = time.monotonic()
        if now - self._last >= self._seconds:
            self._last = now
            self._write(self.done)


@contextmanager
def reporting(reporter: Reporter) -> Iterator[Reporter]:
    """Rows counted inside this block (this thread or task) go to `reporter`."""
    token = _current.set(reporter)
    try:
        yield reporter
    finally:
        _current.reset(token)


def advance(rows: int) -> None:
    """`rows` more rows written (a chunk); nothing outside a job."""
    reporter = _current.get()
    if reporter is not None and rows:
        reporter.advance(rows)


def counted(rows: Iterable[T]) -> Iterable[T]:
    """The rows as they are; inside a job, an iterator that reports every `every` rows as they are taken."""
    reporter = _current.get()
    return rows if reporter is None else _counting(rows, reporter)


def _counting(rows: Iterable[T], reporter: Reporter) -> Iterator[T]:
    every, taken = reporter.every, 0
    for row in rows:
        yield row
        taken += 1  # after the yield: the row has been written when the writer asks for the next one
        if taken == every:
            reporter.advance(taken)
            taken = 0
    if taken:
        reporter.advance(taken)


def counted_sequence(rows: Sequence[T]) -> Sequence[T]:
    """Rows a writer reads by index, in order (the PDF lays out its table a page at a time): reported as reached."""
    reporter = _current.get()
    return rows if reporter is None else _CountedSequence(rows, reporter)


class _CountedSequence(Sequence[T]):
    def __init__(self, rows: Sequence[T], reporter: Reporter) -> None:
        self._rows, self._reporter = rows, reporter
        self._reported = 0

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[T]: ...
    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, int) and index - self._reported >= self._reporter.every:
            self._reporter.advance(index - self._reported)
            self._reported = index
        return self._rows[index]
