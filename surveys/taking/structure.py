"""The pages, questions and options of a survey as plain immutable objects, cached per process for answering.

Every page a resident answers needs the whole questionnaire (conditions read earlier answers, the last page
checks every page again). Loading it as ORM objects costs three queries and a few hundred objects per request;
answering pages read it from this cache instead, and read only the survey's own row from the database.

A survey's questions change only while it is a draft, and it goes back to the public pages only through
submission and approval, which update its row. So an entry is keyed by (survey id, version, updated_at) from
that row, read fresh on each request: after any change the key is new, and stale entries of the survey are
dropped when the new one is stored. The objects duck-type the models (surveys.taking.answers.QuestionLike) for
surveys.taking.steps, surveys.taking.answers and the question templates.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import selectinload

from core.extensions import db
from surveys.models import Question, QuestionType, Survey, SurveyPage

MAX_SURVEYS = 64  # entries kept per process; a district runs a handful of surveys at a time


@dataclass(frozen=True, slots=True)
class OptionShape:
    id: int
    code: str
    label: str
    columns: tuple[tuple[str, str], ...] = ()  # an imported choice's columns, read by a choice filter


@dataclass(frozen=True, slots=True)
class QuestionShape:
    id: int
    code: str
    type: QuestionType
    text: str
    help: str
    required: bool
    validation: str
    validation_message: str
    show_if: str
    show_if_tree: dict[str, Any] | None
    settings: dict[str, Any]  # a private deep copy: never shared with the ORM, never written to
    options: tuple[OptionShape, ...]

    # The model's own method, so a setting reads the same here as on a Question.
    setting = Question.setting


@dataclass(frozen=True, slots=True)
class PageShape:
    id: int
    title: str
    questions: tuple[QuestionShape, ...]


@dataclass(frozen=True, slots=True)
class Structure:
    """What surveys.taking.steps needs of a survey: its pages in order, and every question in order."""

    survey_id: int
    pages: tuple[PageShape, ...]
    questions: tuple[QuestionShape, ...]


def cache_key(survey: Survey) -> tuple[int, int, datetime]:
    return survey.id, survey.version, survey.updated_at


def _question(question: Question) -> QuestionShape:
    return QuestionShape(
        id=question.id,
        code=question.code,
        type=question.type,
        text=question.text,
        help=question.help,
        required=question.required,
        validation=question.validation,
        validation_message=question.validation_message,
        show_if=question.show_if,
        show_if_tree=copy.deepcopy(question.show_if_tree),
        settings=copy.deepcopy(question.settings or {}),
        options=tuple(
            OptionShape(option.id, option.code, option.label, tuple((option.xlsform or {}).get("columns", {}).items()))
            for option in question.options
        ),
    )


def load(survey_id: int) -> Structure:
    """Read the structure from the database (three queries), bypassing the cache."""
    query = (
        db.select(SurveyPage)
        .where(SurveyPage.survey_id == survey_id)
        .order_by(SurveyPage.position)
        .options(selectinload(SurveyPage.questions).selectinload(Question.options))
    )
    pages = tuple(
        PageShape(page.id, page.title, tuple(_question(question) for question in page.questions))
        for page in db.session.scalars(query)
    )
    return Structure(survey_id, pages, tuple(question for page in pages for question in page.questions))


_entries: OrderedDict[tuple[int, int, datetime], Structure] = OrderedDict()
_lock = threading.Lock()  # gunicorn runs two threads per worker


def structure_of(survey: Survey) -> Structure:
    """The survey's structure, from the cache when its row has not changed since the entry was stored."""
    key = cache_key(survey)
    with _lock:
        cached = _entries.get(key)
        if cached is not None:
            _entries.move_to_end(key)
            return cached
    structure = load(survey.id)
    with _lock:
        for stale in [entry for entry in _entries if entry[0] == survey.id]:
            del _entries[stale]
        _entries[key] = structure
        while len(_entries) > MAX_SURVEYS:
            _entries.popitem(last=False)
    return structure


def clear_cache() -> None:
    with _lock:
        _entries.clear()
