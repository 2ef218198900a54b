"""Reading a respondent's answers from a submitted form, checking them, and deciding which questions show.

One function per concern, shared by the answering views, the builder's preview and the demo data:
`read_entry` turns form fields into the value stored (str, number, list, dict for a matrix),
`check_entry` adds the messages a respondent sees next to the field, and `visible_answers` drops the
answers of questions whose show-if condition does not hold, in question order, since conditions only read
earlier questions.

Form field names follow static/js/conditions.js: the question code, `code.row` for a matrix row;
`code__other` holds "other, please specify" text and `code__rank__<option>` a ranking position.
"""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from flask_babel import gettext as _
from flask_babel import ngettext

from surveys.models import QuestionType
from surveys.taking import conditions, repeats

OTHER = "other"  # the option code of "other, please specify"; reserved when a question offers it
SHORT_TEXT_MAX = 500
LONG_TEXT_MAX = 5000
DEFAULT_SCALE = (1, 5)
NPS_RANGE = (0, 10)
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


class OptionLike(Protocol):
    code: str
    label: str


class QuestionLike(Protocol):
    id: int
    code: str
    type: QuestionType
    required: bool
    validation: str
    validation_message: str
    show_if: str
    options: Any

    def setting(self, key: str, default: Any = None) -> Any: ...


@dataclass
class Entry:
    """One question's answer as submitted: the stored value (or the raw text when unreadable) and errors."""

    value: Any = None
    other_text: str = ""
    errors: list[str] = field(default_factory=list)
    # The visible answers before this page, for a choice filter (cascading select) when the page is shown.
    answers: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    extra: int = 0  # blank instances of a repeat group to show more ("Add another")
    shapes: list[str] = field(default_factory=list, repr=False, compare=False)  # how each entry was shown
    reshow: list[int] = field(default_factory=list)  # a repeat's entries (from 1) asking more than they showed


@functools.lru_cache(maxsize=1024)
def parsed(source: str) -> conditions.Node:
    """The tree of a stored condition (checked when saved, so it parses)."""
    return conditions.parse(source)


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def scale_range(question: QuestionLike) -> tuple[int, int]:
    if question.type is QuestionType.NPS:
        return NPS_RANGE
    return int(question.setting("scale_min", DEFAULT_SCALE[0])), int(question.setting("scale_max", DEFAULT_SCALE[1]))


def matrix_rows(question: QuestionLike) -> list[dict[str, str]]:
    return list(question.setting("rows", []))


def _columns(option: Any) -> dict[str, Any]:
    columns = getattr(option, "columns", None)
    if columns is None:  # an ORM Option (the builder's preview), not a cached OptionShape
        columns = (getattr(option, "xlsform", None) or {}).get("columns", {}).items()
    return {"@name": option.code, **{f"@{name}": value for name, value in columns}}


_LABEL_REF = re.compile(r"\$\{\s*([^}]*?)\s*\}")


def _as_text(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(_as_text(item) for item in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None or isinstance(value, dict) else str(value)


def shown_text(question: QuestionLike, entry: Entry | None = None) -> str:
    """The question's text with each `${code}` it shows (an XLSForm label such as "共 ${months} 个月") filled in
    from the answers so far; empty where there is no answer yet."""
    text = question.text
    if "${" not in text:
        return text
    answers = entry.answers if entry is not None else {}
    return _LABEL_REF.sub(lambda match: _as_text(answers.get(match.group(1))), text)


def filtered_options(question: QuestionLike, answers: Mapping[str, Any] | None) -> list[Any]:
    """The options a choice filter lets through given the earlier answers (all when there is no filter, or
    when `answers` is None: a filter on an answer of the same page is checked when the page is sent)."""
    source = question.setting("choice_filter")
    if not source or answers is None:
        return list(question.options)
    tree = parsed(source)
    return [option for option in question.options if conditions.holds(tree, {**answers, **_columns(option)})]


def option_codes(question: QuestionLike, answers: Mapping[str, Any] | None = None) -> list[str]:
    codes = [option.code for option in filtered_options(question, answers)]
    if question.setting("other") and question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        codes.append(OTHER)
    return codes


def display_options(question: QuestionLike, seed: str, entry: Entry | None = None) -> list[OptionLike]:
    """Options in the order shown (those the choice filter lets through given `entry.answers`); shuffled per
    respondent (stable across reloads) when the question says so."""
    options = filtered_options(question, entry.answers if entry is not None and entry.answers else None)
    if question.setting("shuffle"):
        random.Random(f"{seed}:{question.id}").shuffle(options)  # noqa: S311 - ordering, not security
    return options


def _number(text: str) -> int | float | None:
    text = text.strip().replace("，", "").replace(",", "")
    if not _NUMBER.fullmatch(text):
        return None
    number = float(text)
    return int(number) if number.is_integer() and "." not in text else number


def read_entry(question: QuestionLike, form: Mapping[str, Any]) -> Entry:
    """The answer to `question` in a submitted form (a werkzeug MultiDict); unreadable input kept as typed."""
    kind, code = question.type, question.code
    getlist = getattr(form, "getlist", lambda key: [form[key]] if key in form else [])
    text = (form.get(code) or "").strip()
    if kind is QuestionType.MULTIPLE:
        chosen = [item for item in getlist(code) if item]
        return Entry(chosen or None, (form.get(f"{code}__other") or "").strip() if OTHER in chosen else "")
    if kind is QuestionType.MATRIX:
        rows = {row["code"]: form.get(f"{code}.{row['code']}") for row in matrix_rows(question)}
        return Entry({row: value for row, value in rows.items() if value} or None)
    if kind is QuestionType.RANKING:
        return _read_ranking(question, form)
    if kind is QuestionType.REPEAT:
        posted = repeats.read_instances(question, form)
        return Entry(posted.instances or None, errors=posted.errors, extra=posted.extra, shapes=posted.shapes)
    if kind in (QuestionType.NUMBER, QuestionType.SCALE, QuestionType.NPS):
        if not text:
            return Entry()
        number = _number(text)
        return Entry(text, errors=[_("Enter a number.")]) if number is None else Entry(number)
    if kind is QuestionType.SINGLE:
        return Entry(text or None, (form.get(f"{code}__other") or "").strip() if text == OTHER else "")
    return Entry(text or None)


def _read_ranking(question: QuestionLike, form: Mapping[str, Any]) -> Entry:
    positions: dict[str, int] = {}
    raw: dict[str, str] = {}
    for option in question.options:
        given = (form.get(f"{question.code}__rank__{option.code}") or "").strip()
        if given:
            raw[option.code] = given
            if given.isdigit():
                positions[option.code] = int(given)
    if not raw:
        return Entry()
    count = len(question.options)
    if len(positions) != count or sorted(positions.values()) != list(range(1, count + 1)):
        return Entry(raw, errors=[_("Give every item a different rank, from 1 to %(n)d.", n=count)])
    return Entry(sorted(positions, key=positions.__getitem__))


def rank_of(entry_value: Any, option_code: str) -> str:
    """The rank to show in a ranking's select, from a stored list or from raw input kept after an error."""
    if isinstance(entry_value, list) and option_code in entry_value:
        return str(entry_value.index(option_code) + 1)
    if isinstance(entry_value, dict):
        return str(entry_value.get(option_code, ""))
    return ""


def check_entry(question: QuestionLike, entry: Entry, answers: Mapping[str, Any]) -> None:
    """Add to entry.errors what is wrong with the answer, given the (visible) answers to earlier questions."""
    if entry.errors:
        return
    if question.type is QuestionType.REPEAT:
        return repeats.check(question, entry, answers)
    value = entry.value
    if is_empty(value):
        if question.required:
            entry.errors.append(_("This question requires an answer."))
        return
    entry.answers = answers  # the choice filter's inputs, for the check and for showing the page again
    entry.errors.extend(_type_errors(question, entry))
    if not entry.errors and question.validation and not conditions.holds(parsed(question.validation), answers, value):
        entry.errors.append(question.validation_message or _("This answer is not valid."))


def _type_errors(question: QuestionLike, entry: Entry) -> list[str]:
    kind, value = question.type, entry.value
    if kind in (QuestionType.SINGLE, QuestionType.DROPDOWN):
        if value not in option_codes(question, entry.answers):
            return [_("Choose one of the options.")]
        return [_("Please specify.")] if value == OTHER and not entry.other_text else []
    if kind is QuestionType.MULTIPLE:
        return _selection_errors(question, entry)
    if kind is QuestionType.MATRIX:
        columns = option_codes(question)
        if any(column not in columns for column in value.values()):
            return [_("Choose one of the options.")]
        if question.required and len(value) < len(matrix_rows(question)):
            return [_("Answer every row.")]
        return []
    if kind is QuestionType.NUMBER:
        low, high = question.setting("min_value"), question.setting("max_value")
        if (low is not None and value < float(low)) or (high is not None and value > float(high)):
            return [_range_message(low, high)]
        return []
    if kind in (QuestionType.SCALE, QuestionType.NPS):
        low, high = scale_range(question)
        return [] if isinstance(value, int) and low <= value <= high else [_range_message(low, high)]
    if kind is QuestionType.DATE:
        try:
            date.fromisoformat(value)
        except ValueError:
            return [_("Enter a date such as 2025-06-30.")]
        return []
    if kind in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT):
        limit = SHORT_TEXT_MAX if kind is QuestionType.SHORT_TEXT else LONG_TEXT_MAX
        return [_("Write at most %(n)d characters.", n=limit)] if len(value) > limit else []
    return []


def _selection_errors(question: QuestionLike, entry: Entry) -> list[str]:
    codes = option_codes(question, entry.answers)
    chosen = entry.value
    if any(code not in codes for code in chosen) or len(set(chosen)) != len(chosen):
        return [_("Choose among the options.")]
    low, high = question.setting("min_selections"), question.setting("max_selections")
    if low is not None and len(chosen) < int(low):
        return [ngettext("Choose at least %(num)d option.", "Choose at least %(num)d options.", int(low))]
    if high is not None and len(chosen) > int(high):
        return [ngettext("Choose at most %(num)d option.", "Choose at most %(num)d options.", int(high))]
    return [_("Please specify.")] if OTHER in chosen and not entry.other_text else []


def _range_message(low: Any, high: Any) -> str:
    if low is not None and high is not None:
        return _("Enter a number from %(low)s to %(high)s.", low=_plain(low), high=_plain(high))
    if low is not None:
        return _("Enter a number of at least %(low)s.", low=_plain(low))
    return _("Enter a number of at most %(high)s.", high=_plain(high))


def _plain(number: Any) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def is_visible(question: QuestionLike, answers: Mapping[str, Any]) -> bool:
    return not question.show_if or conditions.holds(parsed(question.show_if), answers)


def visible_answers(questions: Iterable[QuestionLike], answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers that count: those of questions shown, given the answers to the questions before them, and
    the value of each shown calculation, computed from them in order."""
    kept: dict[str, Any] = {}
    for question in questions:
        if question.type is QuestionType.CALCULATE:
            shown = is_visible(question, kept)
            value = conditions.evaluate(parsed(question.setting("calculation")), kept) if shown else None
            if not is_empty(value):
                kept[question.code] = value
        elif is_visible(question, kept) and not is_empty(answers.get(question.code)):
            value = answers[question.code]
            if question.type is QuestionType.REPEAT:  # its entries' calculations, members not asked dropped
                value = repeats.settled(question, value, kept)
            if not is_empty(value):
                kept[question.code] = value
    return kept


def visible_codes(questions: Sequence[QuestionLike], answers: Mapping[str, Any]) -> set[str]:
    kept = visible_answers(questions, answers)
    shown: set[str] = set()
    for question in questions:
        if is_visible(question, kept):
            shown.add(question.code)
    return shown
