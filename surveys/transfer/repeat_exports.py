"""The entries of repeat groups in exports: one row per entry (a household member), linked to its response by
response_id and numbered within it, as KoboToolbox and ODK Central export repeats. In .xlsx each repeat group is
a sheet of its own after the responses; in CSV it is its own file (`export.csv?repeat=CODE`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask_babel import gettext as _

from core import progress
from core.exports import NeutralisedRows, Sheet, neutralise_cell
from surveys.models import Question, QuestionType, Survey
from surveys.results.filters import Filters
from surveys.results.stored_answers import Chunk, chunks
from surveys.taking.repeats import Member, members


def repeat_questions(survey: Survey) -> list[Question]:
    return [question for question in survey.questions if question.type is QuestionType.REPEAT]


def _cell(member: Member, value: Any, labels: bool) -> Any:
    label_of = {option.code: option.label for option in member.options} if labels else {}
    if isinstance(value, list):
        return neutralise_cell(" ".join(label_of.get(item, item) for item in value)) if value else None
    if value is None or isinstance(value, int | float):
        return value
    return neutralise_cell(label_of.get(value, value))


def header(question: Question, labels: bool) -> list[str]:
    answered = [member for member in members(question) if member.type != "note"]
    first = [_("Response number"), _("Entry")] if labels else ["response_id", "entry"]
    return [*first, *(member.text or member.code if labels else member.code for member in answered)]


def rows(survey: Survey, filters: Filters, question: Question, labels: bool) -> Iterator[list[Any]]:
    """One row per entry of `question` in the filtered responses, in response order."""
    from surveys.transfer.exports import filtered_responses  # exports reads this module for its sheets

    answered = [member for member in members(question) if member.type != "note"]

    def convert(chunk: Chunk) -> tuple[int, list[list[Any]]]:
        found = []
        for response_id, value in zip(chunk.ids, chunk.answers_to(question.code), strict=True):
            for number, entry in enumerate(value if isinstance(value, list) else [], start=1):
                entry = entry if isinstance(entry, dict) else {}
                found.append([response_id, number, *(_cell(m, entry.get(m.code), labels) for m in answered)])
        return len(chunk.ids), found

    for responses, found in chunks(filtered_responses(survey, filters), convert):
        yield from found
        progress.advance(responses)  # an export job counts responses read (core/progress.py)


def repeat_sheets(survey: Survey, filters: Filters, labels: bool) -> list[Sheet]:
    return [
        Sheet(question.code[:31], header(question, labels), NeutralisedRows(rows(survey, filters, question, labels)))
        for question in repeat_questions(survey)
    ]


def repeat_csv_parts(
    survey: Survey, filters: Filters, question: Question, labels: bool
) -> tuple[list[str], NeutralisedRows]:
    return header(question, labels), NeutralisedRows(rows(survey, filters, question, labels))
