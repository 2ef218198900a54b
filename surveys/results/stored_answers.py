"""Reading responses back with their answers, a chunk of responses at a time, for results and exports.

Each response row carries its answers as one document (Response.answer_data), so a chunk is one query over
the responses, streamed (`yield_per`: a server-side cursor on PostgreSQL), never one row per answer. A response
stored before that column existed has it NULL; its answers are then read from the Answer rows, a chunk at a
time, so old and new responses read alike.

Decoding a chunk creates some 50 small dicts and lists per response, and every few hundred such allocations
the cyclic garbage collector scans what the process holds: measured, that tripled the cost of reading 100,000
responses. Answer documents hold no cycles, so the collector is paused while a chunk is fetched and decoded
(never across a `yield`, so other code never runs with it paused).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Select

from core.extensions import db
from surveys.models import Answer, Response

CHUNK = 2000  # responses per chunk: ~1 MiB of Python objects for a 20-question survey
T = TypeVar("T")


@dataclass
class Chunk:
    """Consecutive responses, in the order of the query: one list entry per response in every field."""

    ids: list[int]
    submitted_at: list[datetime]  # aware, UTC
    complete: list[bool]
    values: list[dict[str, Any]]  # question code -> stored value
    other: list[dict[str, str]]  # question code -> "other, please specify" text, when given
    _answers: dict[str, list[Any]] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.ids)

    def answers_to(self, code: str) -> list[Any]:
        """Each response's stored value for question `code` (None when unanswered); computed once per chunk."""
        answers = self._answers.get(code)
        if answers is None:
            answers = self._answers[code] = [values.get(code) for values in self.values]
        return answers


def response_columns(query: Select[Any]) -> Select[Any]:
    """`query` (a select over Response with its filters) reduced to the columns `chunks` reads."""
    return query.with_only_columns(Response.id, Response.submitted_at, Response.complete, Response.answer_data)


def chunks(query: Select[Any], convert: Callable[[Chunk], T], size: int = CHUNK) -> Iterator[T]:
    """`convert(chunk)` for each chunk of `size` responses that `query` selects, in its order.

    `query` selects (id, submitted_at, complete, answer_data) (see `response_columns`). The chunk is built and
    converted with the collector paused, and dropped before it runs again, so the collector never has to look
    at the chunk's many small objects: convert to what the caller keeps (columns, cells), not to the chunk.
    """
    result = db.session.connection().execute(query.execution_options(yield_per=size))
    partitions = result.partitions(size)
    try:
        while True:
            with collector_paused():
                rows = next(partitions, None)
                if rows is None:
                    return
                converted = convert(_chunk(rows))
                del rows
            yield converted
    finally:  # also when the reader stops early (a download cut off): the server-side cursor is closed now
        result.close()


def _chunk(rows: Any) -> Chunk:
    documents = [row[3] for row in rows]
    if None in documents:
        found = _documents_from_answer_rows([row[0] for row, doc in zip(rows, documents, strict=True) if doc is None])
        documents = [found[row[0]] if doc is None else doc for row, doc in zip(rows, documents, strict=True)]
    return Chunk(
        ids=[row[0] for row in rows],
        submitted_at=[_aware(row[1]) for row in rows],
        complete=[bool(row[2]) for row in rows],
        values=[document.get("values") or {} for document in documents],
        other=[document.get("other") or {} for document in documents],
    )


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small acyclic objects (see the module doc)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _documents_from_answer_rows(response_ids: list[int]) -> dict[int, dict[str, Any]]:
    documents: dict[int, dict[str, Any]] = {rid: {"values": {}, "other": {}} for rid in response_ids}
    query = db.select(Answer.response_id, Answer.question_code, Answer.value, Answer.other_text).where(
        Answer.response_id.in_(response_ids)
    )
    for response_id, code, value, other_text in db.session.connection().execute(query):
        documents[response_id]["values"][code] = value
        if other_text:
            documents[response_id]["other"][code] = other_text
    return documents


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
