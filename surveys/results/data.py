"""The answers of a survey as columns (one numpy array per question), shared by worker processes and topped up.

Why not GROUP BY in SQL: answers are JSON values, one row per (response, question). With 100,000 responses
× 20 questions that is 2 million rows; SQLite has no hash aggregate, so `GROUP BY question_code, value` sorts
them all, which measured 1.5–4 s on the benchmark machine (a normalised items table measured worse, 0.7 s
unfiltered and 2 s with a filter). Instead each response's answer document (Response.answer_data, one row
per response) is read once into columns, after which every view, filter and cross-tabulation is a numpy mask
and a bincount: milliseconds. Per-question counts kept at submit time would spare the unfiltered page only;
every filter needs the per-response columns anyway.

A snapshot is kept in the process and, for surveys of SNAPSHOT_FILE_MIN responses or more, in a file under
instance/ (surveys/results/files.py) that a fresh worker loads in milliseconds. Whichever is found is brought
up to date: responses are append-only, so it is topped up with the responses whose id is above the last one
it holds; a cheap count and sum of the ids it covers detect anything else (a response committed late with a
lower id, a deletion), and then the ids are compared and only the difference is read. The questions' codes and
options are part of the key, so an edited survey is read afresh. Free text is not held here (only whether a
text question was answered); text pages read their page of answers from the database.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func

from core.exports import LOCAL_TZ
from core.extensions import db
from surveys.models import Question, QuestionType, Response, Survey
from surveys.results import files as result_files
from surveys.results.stored_answers import Chunk, chunks, response_columns
from surveys.taking.answers import OTHER, matrix_rows

if TYPE_CHECKING:
    import numpy as np

CACHED_SURVEYS = 8  # per process; one 100,000-response survey takes about 10 MiB
# Below this many responses a survey is read from the database in well under 0.1 s: no file.
SNAPSHOT_FILE_MIN = 2000
SAVE_STEP = 1000  # rewrite the file when the snapshot has grown (or shrunk) by this many responses
LATE_IDS_PER_QUERY = 500
TEXT_TYPES = (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT)
CHOICE_TYPES = (QuestionType.SINGLE, QuestionType.DROPDOWN)
NUMBER_TYPES = (QuestionType.NUMBER, QuestionType.SCALE, QuestionType.NPS)
_EPOCH_DAY = date(1970, 1, 1).toordinal()
_ABSENT = object()  # a response with no answer to the question (not the same as an answer stored as null)


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
        import numpy as np  # numpy is imported on use: create_app() must not load it

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
        import numpy as np  # numpy is imported on use: create_app() must not load it

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

    def take(self, which: np.ndarray) -> Snapshot:
        """The responses picked by a boolean mask or an array of positions, in that order."""
        taken = Snapshot(self.response_ids[which], self.submitted_day[which], self.complete[which])
        for code, column in self.columns.items():
            taken.columns[code] = Column(column.kind, column.codes, column.rows, column.data[which])
        return taken


def _empty(kind: QuestionType, codes: list[str], rows: list[str], count: int) -> np.ndarray:
    """A column of `count` unanswered responses (see Column for what each kind holds)."""
    import numpy as np  # numpy is imported on use: create_app() must not load it

    width = len(rows) or len(codes)
    if kind in CHOICE_TYPES:
        return np.full(count, -1, np.int16)
    if kind is QuestionType.MULTIPLE:
        return np.zeros((count, len(codes)), bool)
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


class _ColumnReader:
    """Turns one question's stored values into its column; made once per read, applied to every chunk.

    Plain Python loops over a chunk's values, then one numpy array or one fancy assignment: writing numpy
    elements one at a time costs ten times more. Values that are not what the question stores (codes it does
    not have, malformed dates, a number stored as text) count as unanswered.
    """

    def __init__(self, question: Question) -> None:
        self.code, self.kind = question.code, question.type
        self.codes, self.rows = column_codes(question), row_codes(question)
        self.index = {code: n for n, code in enumerate(self.codes)}
        self.row_index = {code: n for n, code in enumerate(self.rows)}
        self.days: dict[str, int] = {}

    def column(self, values: list[dict[str, Any]]) -> Column:
        code = self.code
        raw = [answers.get(code, _ABSENT) for answers in values]
        return Column(self.kind, self.codes, self.rows, self._data(raw))

    def _data(self, raw: list[Any]) -> np.ndarray:
        import numpy as np  # numpy is imported on use: create_app() must not load it

        kind, index, dtype = self.kind, self.index, _empty(self.kind, self.codes, self.rows, 0).dtype
        if kind in CHOICE_TYPES:
            return np.array([index.get(value, -1) if value.__class__ is str else -1 for value in raw], dtype)
        if kind in NUMBER_TYPES:
            return np.array([value if value.__class__ in (int, float) else np.nan for value in raw], dtype)
        if kind is QuestionType.DATE:
            return np.array([self._day(value) if value.__class__ is str else -1 for value in raw], dtype)
        if kind in (QuestionType.MULTIPLE, QuestionType.MATRIX, QuestionType.RANKING):
            data = _empty(kind, self.codes, self.rows, len(raw))
            where, slot, value = self._cells(raw)
            data[where, slot] = value
            return data
        return np.array([value is not _ABSENT for value in raw], bool)  # free text: only whether answered

    def _cells(self, raw: list[Any]) -> tuple[list[int], list[int], list[int]]:
        """(response, slot, value) of every cell set: multiple choice (response, option, 1), matrix
        (response, row, column), ranking (response, option, rank)."""
        kind, index, row_index = self.kind, self.index, self.row_index
        where: list[int] = []
        slot: list[int] = []
        value: list[int] = []
        for number, answer in enumerate(raw):
            if kind is QuestionType.MATRIX:
                if answer.__class__ is dict:
                    for row, code in answer.items():
                        if row in row_index and code.__class__ is str and code in index:
                            where.append(number), slot.append(row_index[row]), value.append(index[code])
            elif answer.__class__ is list:
                lookup = index if kind is QuestionType.MULTIPLE else row_index
                for position, code in enumerate(answer, start=1):
                    if code.__class__ is str and code in lookup:
                        where.append(number), slot.append(lookup[code])
                        value.append(1 if kind is QuestionType.MULTIPLE else position)
        return where, slot, value

    def _day(self, text: str) -> int:
        number = self.days.get(text)
        if number is None:
            try:
                number = day_number(date.fromisoformat(text))
            except ValueError:  # a malformed date counts as unanswered
                number = -1
            self.days[text] = number
        return number


def _read_chunk(chunk: Chunk, readers: list[_ColumnReader], days: dict[datetime, int]) -> Snapshot:
    import numpy as np  # numpy is imported on use: create_app() must not load it

    snapshot = Snapshot(
        response_ids=np.array(chunk.ids, np.int64),
        submitted_day=np.array([_memo_local_day(instant, days) for instant in chunk.submitted_at], np.int32),
        complete=np.array(chunk.complete, bool),
    )
    for reader in readers:
        snapshot.columns[reader.code] = reader.column(chunk.values)
    return snapshot


def _memo_local_day(instant: datetime, memo: dict[datetime, int]) -> int:
    day = memo.get(instant)
    if day is None:
        day = memo[instant] = _local_day(instant)  # submission times are whole hours: few distinct values
    return day


def _read(survey: Survey, questions: list[Question], *conditions: Any) -> Snapshot:
    """The survey's responses that meet `conditions`, in id order, as columns."""
    query = response_columns(db.select(Response).where(Response.survey_id == survey.id, *conditions))
    readers = [_ColumnReader(question) for question in questions]
    days: dict[datetime, int] = {}
    parts = list(chunks(query.order_by(Response.id), lambda chunk: _read_chunk(chunk, readers, days)))
    return _concatenate(parts) if parts else _read_chunk(Chunk([], [], [], [], []), readers, days)


def _concatenate(parts: list[Snapshot]) -> Snapshot:
    import numpy as np  # numpy is imported on use: create_app() must not load it

    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    merged = Snapshot(
        response_ids=np.concatenate([part.response_ids for part in parts]),
        submitted_day=np.concatenate([part.submitted_day for part in parts]),
        complete=np.concatenate([part.complete for part in parts]),
    )
    for code, column in first.columns.items():
        data = np.concatenate([part.columns[code].data for part in parts])
        merged.columns[code] = Column(column.kind, column.codes, column.rows, data)
    return merged


def signature(questions: Iterable[Question]) -> tuple[Any, ...]:
    """What the columns depend on: codes, types, options and rows of the questions."""
    return tuple(
        (q.code, q.type.value, tuple(column_codes(q)), tuple(row_codes(q))) for q in questions if q.type.in_results
    )


_cache: OrderedDict[str, Snapshot] = OrderedDict()
_on_disk: dict[str, int] = {}  # cache key -> size of the snapshot this process last read from or wrote to disk
_lock = threading.Lock()


def _cache_key(survey: Survey, questions: list[Question]) -> str:
    # created_at too: SQLite may give a deleted survey's id to a new one.
    described = json.dumps([survey.id, str(survey.created_at), signature(questions)], ensure_ascii=False)
    return hashlib.sha256(described.encode()).hexdigest()


def load(survey: Survey) -> Snapshot:
    """The survey's answers as columns: cached in this process or on disk, brought up to date, else read."""
    questions = [question for question in survey.questions if question.type.in_results]
    key = _cache_key(survey, questions)
    path = result_files.snapshot_path(survey.id)
    with _lock:
        cached = _cache.get(key)
    if cached is None and (arrays := result_files.read_arrays(path, key)) is not None:
        cached = _from_arrays(arrays, questions)
        _on_disk[key] = cached.size
    snapshot = _read(survey, questions) if cached is None else _up_to_date(survey, questions, cached)
    if snapshot.size >= SNAPSHOT_FILE_MIN and abs(snapshot.size - _on_disk.get(key, -SAVE_STEP)) >= SAVE_STEP:
        result_files.write_arrays(path, key, _to_arrays(snapshot))
        _on_disk[key] = snapshot.size
    with _lock:
        _cache[key] = snapshot
        _cache.move_to_end(key)
        while len(_cache) > CACHED_SURVEYS:
            _cache.popitem(last=False)
    return snapshot


def _up_to_date(survey: Survey, questions: list[Question], snapshot: Snapshot) -> Snapshot:
    """`snapshot` with deleted responses dropped and responses stored since (or committed late) added."""
    import numpy as np  # numpy is imported on use: create_app() must not load it

    last_id = int(snapshot.response_ids[-1]) if snapshot.size else 0
    covered = db.session.execute(
        db.select(func.count(Response.id), func.coalesce(func.sum(Response.id), 0)).where(
            Response.survey_id == survey.id, Response.id <= last_id
        )
    ).one()
    if (covered[0], int(covered[1])) != (snapshot.size, int(snapshot.response_ids.sum())):
        # A deletion, or a response committed after others with higher ids were read (ids are handed out
        # before commit); the sum tells one of each apart from neither. Compare the ids, drop the gone ones
        # and read the missing ones.
        ids_query = db.select(Response.id).where(Response.survey_id == survey.id, Response.id <= last_id)
        present = np.fromiter(db.session.scalars(ids_query), np.int64)
        snapshot = snapshot.take(np.isin(snapshot.response_ids, present))
        late = np.setdiff1d(present, snapshot.response_ids).tolist()
        parts = [snapshot]
        for start in range(0, len(late), LATE_IDS_PER_QUERY):
            parts.append(_read(survey, questions, Response.id.in_(late[start : start + LATE_IDS_PER_QUERY])))
        snapshot = _concatenate(parts)
        snapshot = snapshot.take(np.argsort(snapshot.response_ids, kind="stable"))
    fresh = _read(survey, questions, Response.id > last_id)
    return _concatenate([snapshot, fresh]) if fresh.size else snapshot


def _to_arrays(snapshot: Snapshot) -> dict[str, np.ndarray]:
    arrays = {"ids": snapshot.response_ids, "days": snapshot.submitted_day, "complete": snapshot.complete}
    arrays.update({f"column{n}": column.data for n, column in enumerate(snapshot.columns.values())})
    return arrays


def _from_arrays(arrays: dict[str, np.ndarray], questions: list[Question]) -> Snapshot:
    """The snapshot back from its arrays; the cache key guarantees they were built for these questions."""
    snapshot = Snapshot(arrays["ids"], arrays["days"], arrays["complete"])
    for n, question in enumerate(questions):
        snapshot.columns[question.code] = Column(
            question.type, column_codes(question), row_codes(question), arrays[f"column{n}"]
        )
    return snapshot


def clear_cache() -> None:
    """Forget this process's snapshots (the files on disk stay; they are checked against the database)."""
    with _lock:
        _cache.clear()
        _on_disk.clear()
