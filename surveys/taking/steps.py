"""One step of a questionnaire: which page to show, what is on it, and what a page's POST changes.

Shared by the public answering view and the builder's preview, so a preview is exactly what residents see.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from surveys.models import Question, QuestionType, Survey, SurveyPage
from surveys.taking import conditions
from surveys.taking.answers import Entry, check_entry, is_empty, is_visible, read_entry, visible_answers
from surveys.taking.structure import PageShape, QuestionShape, Structure

# A survey's pages and questions: the models (the builder's preview) or their cached copy (answering).
Pages = Survey | Structure


@dataclass
class PageState:
    """What a page shows: its questions (shown ones only), their entries, and the live conditions."""

    survey: Pages
    index: int
    entries: dict[str, Entry] = field(default_factory=dict)
    questions: list[Question | QuestionShape] = field(default_factory=list)
    live_conditions: dict[str, str] = field(default_factory=dict)  # code → JSON tree for data-show-if
    answers: Mapping[str, Any] = field(default_factory=dict)  # the visible answers so far

    @property
    def page(self) -> SurveyPage | PageShape:
        return self.survey.pages[self.index]

    @property
    def total(self) -> int:
        return len(self.survey.pages)

    @property
    def is_last(self) -> bool:
        # A guess made before this page's answers are in; the POST decides again and may go on instead.
        return next_page(self.survey, self.index, self.answers, step=1) is None

    @property
    def has_errors(self) -> bool:
        return any(entry.errors for entry in self.entries.values())


def page_is_shown(survey: Pages, index: int, answers: Mapping[str, Any]) -> bool:
    return any(is_visible(question, answers) for question in survey.pages[index].questions)


def next_page(survey: Pages, index: int, answers: Mapping[str, Any], *, step: int) -> int | None:
    """The next (step=1) or previous (step=-1) page with a question to show, or None at the end."""
    index += step
    while 0 <= index < len(survey.pages):
        if page_is_shown(survey, index, answers):
            return index
        index += step
    return None


def build_page(
    survey: Pages, index: int, values: Mapping[str, Any], other: Mapping[str, str], entries: dict[str, Entry]
) -> PageState:
    """The page at index given the stored answers; `entries` (after a failed POST) win over stored values."""
    index = max(0, min(index, len(survey.pages) - 1))
    kept = visible_answers(survey.questions, values)
    state = PageState(survey, index, answers=kept)
    page_codes = {question.code for question in survey.pages[index].questions}
    for question in survey.pages[index].questions:
        refs = conditions.referenced_codes(conditions.parse(question.show_if)) if question.show_if else set()
        on_this_page = refs <= page_codes
        # A condition on this page's answers is decided live in the browser (and again by the server on
        # POST); one on earlier pages is decided here, and the question is left out when it does not hold.
        if not on_this_page and not is_visible(question, kept):
            continue
        # A calculation has no field for the browser to read: a condition on one is decided by the server.
        computed = any(
            other.code in refs and other.type is QuestionType.CALCULATE for other in survey.pages[index].questions
        )
        if refs and on_this_page and question.show_if_tree and not computed:
            state.live_conditions[question.code] = json.dumps(question.show_if_tree, ensure_ascii=False)
        state.questions.append(question)
        entry = state.entries[question.code] = entries.get(question.code) or Entry(
            values.get(question.code), other.get(question.code, "")
        )
        if "${" in question.text or question.type is QuestionType.REPEAT:
            entry.answers = kept  # the label shows earlier answers (answers.shown_text), as a repeat's members do
        choice_filter = question.setting("choice_filter")
        if choice_filter and not conditions.referenced_codes(conditions.parse(choice_filter)) & page_codes:
            entry.answers = kept  # a cascading select on earlier pages' answers shows only the matching choices
    return state


def apply_page(
    survey: Pages, index: int, form: Mapping[str, Any], values: Mapping[str, Any], other: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, str], dict[str, Entry]]:
    """Merge a page's POST into the answers so far; returns (visible values, other texts, this page's entries).

    Entries are checked only for questions that are shown given the new answers; hidden ones are dropped.
    """
    page_questions = survey.pages[index].questions
    entries = {question.code: read_entry(question, form) for question in page_questions if question.type.takes_answer}
    merged = {code: value for code, value in values.items() if code not in entries}
    merged.update({code: entry.value for code, entry in entries.items() if not entry.errors})
    kept = visible_answers(survey.questions, merged)
    for question in page_questions:
        entry = entries.get(question.code)
        if entry is None:
            continue
        if not is_visible(question, kept):
            del entries[question.code]
            continue
        check_entry(question, entry, kept)
        if entry.errors:
            kept.pop(question.code, None)
    other_texts = {code: text for code, text in {**other, **_other_texts(entries)}.items() if code in kept and text}
    return kept, other_texts, entries


def _other_texts(entries: Mapping[str, Entry]) -> dict[str, str]:
    return {code: entry.other_text for code, entry in entries.items()}


def first_unfinished(survey: Pages, values: Mapping[str, Any], other: Mapping[str, str]) -> int | None:
    """The first page with a shown question whose stored answer is missing or invalid (checked at the end, since
    a crafted POST could skip pages)."""
    for index, page in enumerate(survey.pages):
        for question in page.questions:
            if not question.type.takes_answer or not is_visible(question, values):
                continue
            entry = Entry(values.get(question.code), other.get(question.code, ""))
            check_entry(question, entry, values)
            if entry.errors or (question.required and is_empty(entry.value)):
                return index
    return None
