"""The answers of a survey as columns (one numpy array per question), kept per process and topped up.

Why not GROUP BY in SQL: answers are JSON values, one row per (response, question). With 100,000 responses
× 20 questions that is 2 million rows; SQLite has no hash aggregate, so `GROUP BY question_code, value` sorts
them all, which measured 1.5–4 s on the benchmark machine (a normalised items table measured worse, 0.7 s
unfiltered and 2 s with a filter). Reading the rows once into columns costs a few seconds per process, after
which every view, filter and cross-tabulation is a numpy mask and a bincount: milliseconds.

Responses are append-only, so a snapshot is topped up with the responses whose id is above the last one it
holds; a cheap count of the ids it covers detects anything else (a response committed late with a lower
id, a deletion) and rebuilds. The questions' codes and options are part of the cache key, so an edited survey
is read afresh. Free text is not held here (only whether a text question was answered); text pages read
their page of answers from the database.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
from sqlalchemy import Text, cast, func

from core.exports import LOCAL_TZ
from core.extensions import db
from surveys.answers import OTHER, matrix_rows
from surveys.models import Answer, Question, QuestionType, Response, Survey

CACHED_SURVEYS = 8  # per process; one 100,000-response survey takes a few MiB
TEXT_TYPES = (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT)
CHOICE_TYPES = (QuestionType.SINGLE, QuestionType.DROPDOWN)
NUMBER_TYPES = (QuestionType.NUMBER, QuestionType.SCALE, QuestionType.NPS)
_EPOCH_DAY = date(1970, 1, 1).toordinal()


def column_codes(question: Question) -> list[str]:
    """The option codes a choice, multiple choice, matrix or ranking column is indexed by."""
    codes = [option.code for option in question.options]
    # "other" always has a slot: a question whose "other" was switched off may still have such answers.
    if question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE) and OTHER not in codes:
        codes.append(OTHER)
    return codes


def row_codes(question: Question) -> list[str]:
    if question.type is QuestionType.MATRIX:
        return [row["code"] for row in matrix_rows(question)]
    return column_codes(question) if question.type is QuestionType.RANKING else []


@dataclass
class Column:
    """One question's answers: `data` has one entry (or row) per response, in response order.

    single/dropdown: int16 option index, -1 unanswered. multiple: bool N×K. matrix: int16 N×rows column index,
    -1 unanswered. ranking: int8 N×K position from 1, 0 unranked. number/scale/NPS: float64, NaN unanswered.
    date: int32 days since 1970-01-01, -1 unanswered. text: bool answered.
    """

    kind: QuestionType
    codes: list[str]
    rows: list[str]
    data: np.ndarray

    @property
    def answered(self) -> np.ndarray:
        kind, data = self.kind, self.data
        if kind in CHOICE_TYPES or kind is QuestionType.DATE:
            return data >= 0
        if kind is QuestionType.MULTIPLE:
            return data.any(axis=1)
        if kind in (QuestionType.MATRIX, QuestionType.RANKING):
            return (data >= 0).any(axis=1) if kind is QuestionType.MATRIX else (data > 0).any(axis=1)
        if kind in NUMBER_TYPES:
            return ~np.isnan(data)
        return data

    def indicators(self) -> np.ndarray:
        """N×K bool: which options each response chose (single choice and multiple choice alike)."""
        if self.kind is QuestionType.MULTIPLE:
            return self.data
        return self.data[:, None] == np.arange(len(self.codes))[None, :]


@dataclass
class Snapshot:
    """Every response of a survey: ids, local submission day, completeness, and a Column per question."""

    response_ids: np.ndarray
    submitted_day: np.ndarray  # days since 1970-01-01 in Beijing time
    complete: np.ndarray
    columns: dict[str, Column] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.response_ids)


def _empty(question: Question, count: int) -> np.ndarray:
    kind, width = question.type, len(row_codes(question)) or len(column_codes(question))
    if kind in CHOICE_TYPES:
        return np.full(count, -1, np.int16)
    if kind is QuestionType.MULTIPLE:
        return np.zeros((count, len(column_codes(question))), bool)
    if kind is QuestionType.MATRIX:
        return np.full((count, width), -1, np.int16)
    if kind is QuestionType.RANKING:
        return np.zeros((count, width), np.int8)
    if kind in NUMBER_TYPES:
        return np.full(count, np.nan)
    if kind is QuestionType.DATE:
        return np.full(count, -1, np.int32)
    return np.zeros(count, bool)


def _local_day(instant: datetime) -> int:
    aware = instant if instant.tzinfo else instant.replace(tzinfo=UTC)
    return aware.astimezone(LOCAL_TZ).date().toordinal() - _EPOCH_DAY


def day_number(day: date) -> int:
    return day.toordinal() - _EPOCH_DAY


def _fill(column: Column, value: Any, where: np.ndarray) -> None:
    """Write one distinct stored value into the rows at `where` (all responses that gave that value)."""
    kind, data = column.kind, column.data
    index = {code: n for n, code in enumerate(column.codes)}
    rows = {code: n for n, code in enumerate(column.rows)}
    if kind in CHOICE_TYPES and isinstance(value, str) and value in index:
        data[where] = index[value]
    elif kind is QuestionType.MULTIPLE and isinstance(value, list):
        for code in value:
            if code in index:
                data[where, index[code]] = True
    elif kind is QuestionType.MATRIX and isinstance(value, dict):
        for row, code in value.items():
            if row in rows and code in index:
                data[where, rows[row]] = index[code]
    elif kind is QuestionType.RANKING and isinstance(value, list):
        for position, code in enumerate(value, start=1):
            if code in rows:
                data[where, rows[code]] = position
    elif kind in NUMBER_TYPES and isinstance(value, int | float) and not isinstance(value, bool):
        data[where] = value
    elif kind is QuestionType.DATE and isinstance(value, str):
        with contextlib.suppress(ValueError):  # a malformed date counts as unanswered
            data[where] = day_number(date.fromisoformat(value))
    elif kind in TEXT_TYPES:
        data[where] = True


def _read(survey: Survey, questions: list[Question], after_id: int) -> Snapshot:
    """The responses with id > after_id, read in two passes (responses, then answers grouped by value)."""
    # Core rows through the session's connection: the ORM result machinery costs 3× more per row here.
    connection = db.session.connection()
    responses = connection.execute(
        db.select(Response.id, Response.submitted_at, Response.complete)
        .where(Response.survey_id == survey.id, Response.id > after_id)
        .order_by(Response.id)
    ).all()
    ids = np.fromiter((row[0] for row in responses), np.int64, len(responses))
    snapshot = Snapshot(
        response_ids=ids,
        submitted_day=np.fromiter((_local_day(row[1]) for row in responses), np.int32, len(responses)),
        complete=np.fromiter((bool(row[2]) for row in responses), bool, len(responses)),
    )
    by_code = {question.code: question for question in questions}
    for question in questions:
        snapshot.columns[question.code] = Column(
            question.type, column_codes(question), row_codes(question), _empty(question, len(ids))
        )
    if not len(ids) or not by_code:
        return snapshot
    text_codes = [q.code for q in questions if q.type in TEXT_TYPES]
    # Free text is long and only its presence matters here: the database sends a constant instead.
    value = (
        db.case((Answer.question_code.in_(text_codes), "1"), else_=cast(Answer.value, Text))
        if text_codes
        else (cast(Answer.value, Text))
    )
    query = (
        db.select(Answer.response_id, Answer.question_code, value)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.survey_id == survey.id, Response.id > after_id, Answer.question_code.in_(list(by_code)))
    )
    # Group response ids by (question, stored text): a few hundred distinct values, each decoded once.
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for response_id, code, text in connection.execute(query.execution_options(yield_per=20_000)):
        groups[code, text].append(response_id)
    for (code, text), response_ids in groups.items():
        if text is None:
            continue
        where = np.searchsorted(ids, np.array(response_ids, np.int64))
        _fill(snapshot.columns[code], _decode(text), where)
    return snapshot


def _decode(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _merge(old: Snapshot, new: Snapshot) -> Snapshot:
    merged = Snapshot(
        response_ids=np.concatenate([old.response_ids, new.response_ids]),
        submitted_day=np.concatenate([old.submitted_day, new.submitted_day]),
        complete=np.concatenate([old.complete, new.complete]),
    )
    for code, column in old.columns.items():
        data = np.concatenate([column.data, new.columns[code].data])
        merged.columns[code] = Column(column.kind, column.codes, column.rows, data)
    return merged


def signature(questions: Iterable[Question]) -> tuple[Any, ...]:
    """What the columns depend on: codes, types, options and rows of the questions."""
    return tuple(
        (q.code, q.type.value, tuple(column_codes(q)), tuple(row_codes(q))) for q in questions if q.type.takes_answer
    )


_cache: OrderedDict[tuple[int, str, tuple[Any, ...]], Snapshot] = OrderedDict()
_lock = threading.Lock()


def _covered_count(survey_id: int, last_id: int) -> int:
    query = db.select(func.count(Response.id)).where(Response.survey_id == survey_id, Response.id <= last_id)
    return db.session.scalar(query) or 0


def load(survey: Survey) -> Snapshot:
    """The survey's answers as columns: from this process's cache when still right, topped up with new ones."""
    questions = [question for question in survey.questions if question.type.takes_answer]
    # created_at too: SQLite may give a deleted survey's id to a new one.
    key = (survey.id, str(survey.created_at), signature(questions))
    with _lock:
        cached = _cache.get(key)
    if cached is not None and cached.size:
        last_id = int(cached.response_ids[-1])
        if _covered_count(survey.id, last_id) != cached.size:
            cached = None  # a late commit below the last id, or a deletion: read everything again
    if cached is None:
        snapshot = _read(survey, questions, 0)
    else:
        last_id = int(cached.response_ids[-1]) if cached.size else 0
        fresh = _read(survey, questions, last_id)
        snapshot = _merge(cached, fresh) if fresh.size else cached
    with _lock:
        _cache[key] = snapshot
        _cache.move_to_end(key)
        while len(_cache) > CACHED_SURVEYS:
            _cache.popitem(last=False)
    return snapshot


def clear_cache() -> None:
    with _lock:
        _cache.clear()
