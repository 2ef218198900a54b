"""A respondent's POST of a page as one service: `step` owns the sequence (read the page, keep the draft, go on
or back, store the response) and flushes; the view commits once and renders what it returns."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from surveys.models import ResumeDraft, Survey
from surveys.taking import repeats, responding
from surveys.taking.steps import PageState, apply_page, build_page, first_unfinished, next_page
from surveys.taking.structure import Structure


@dataclass
class Answered:
    """A browser's tokens and what it had answered before this POST (its draft as read at the request's start)."""

    dedup: str
    resume: str
    draft: ResumeDraft | None
    values: dict[str, Any]
    other: dict[str, str]


@dataclass
class Step:
    """Where a POST leads: the same page again with its errors (`again`), the response's outcome once the last
    page is sent (`outcome`), or neither: the survey's address, which shows the page the draft now points at."""

    again: PageState | None = None
    outcome: responding.Outcome | None = None


def step(
    survey: Survey, pages: Structure, form: Mapping[str, str], answered: Answered, confirm: Callable[[], bool]
) -> Step:
    """Apply one page's POST. `confirm` checks the final page's form (CSRF, captcha): called once, on the last page."""
    try:
        index = max(0, min(int(form.get("page_index", "0")), len(pages.pages) - 1))
    except ValueError:
        index = 0
    kept, other, entries = apply_page(pages, index, form, answered.values, answered.other)
    key = form.get("submission_key", "")
    if form.get("action") == "back":
        target = next_page(pages, index, kept, step=-1)
        responding.save_draft(survey, answered.resume, kept, other, index if target is None else target, key)
        return Step()
    # "Add another" / "Remove" of a repeat group posts the page to show it again, one instance more or less; so
    # does an entry whose members now ask more than it showed (its choices narrowed by its own answers).
    again = form.get(repeats.ADD) or form.get(repeats.REMOVE) or any(entry.reshow for entry in entries.values())
    if again or any(entry.errors for entry in entries.values()):
        responding.save_draft(survey, answered.resume, kept, other, index, key)  # keep what was valid
        return Step(again=build_page(pages, index, kept, other, entries))
    target = next_page(pages, index, kept, step=1)
    if target is None:
        return _finish(survey, pages, answered, index, kept, other, key, confirm)
    responding.save_draft(survey, answered.resume, kept, other, target, key)
    return Step()


def _finish(
    survey: Survey,
    pages: Structure,
    answered: Answered,
    index: int,
    values: dict[str, Any],
    other: dict[str, str],
    key: str,
    confirm: Callable[[], bool],
) -> Step:
    """The last page: store the response, or keep the answers as a draft and say what is missing.

    Everything is checked before anything is written, and a stored response is written in one short
    transaction with the deletion of the draft it replaces, which is not saved first: SQLite has a single
    writer, and a request holding the write lock while it validates makes every other submission wait.
    """
    valid = confirm()  # once: a captcha challenge is spent when checked
    unfinished = first_unfinished(pages, values, other) if valid else None
    if valid and unfinished is None:
        draft = answered.draft
        submission = key or (draft.submission_key if draft else responding.new_token())
        # The view found no response from this browser and read its draft in this request: not asked again.
        outcome = responding.record_response(
            survey, answered.dedup, submission, values, other, draft, browser_checked=True
        )
        if outcome is not responding.Outcome.STORED:
            responding.save_draft(survey, answered.resume, values, other, index, key)  # kept, as after any page
        return Step(outcome=outcome)
    responding.save_draft(survey, answered.resume, values, other, index if unfinished is None else unfinished, key)
    return Step(again=None if valid else build_page(pages, index, values, other, {}))
