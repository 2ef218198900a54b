"""Repeat groups (XLSForm `begin_repeat`): a question answered once per instance, such as each member of a
household. The members are simple questions kept in the question's settings ({"code", "type", "text", "help",
"required", "integer", "options": [[code, label, labels, columns]], "show_if", "validation", "calculation",
"choice_filter"}); the answer is a list of {member code: value}, one per instance (an entry).

Inside an entry, `${name}` of a member reads the same entry's answer and any other name the answer before the
repeat: a member's relevant, constraint, calculation, choice filter and label are evaluated per entry. The number
of entries is the respondent's ("Add another" and "Remove" are submit buttons that post the page and show it again
with one instance more or less, losing nothing typed), or an XLSForm `repeat_count` (a number, or an earlier
answer) when the form gives one: then that many entries are shown, to fill each.

Without JavaScript an entry's choices follow its answers when the page is posted: each entry carries the shape it
was shown with (which members, which options), and an entry that now asks more than it showed (a select whose
options changed, left unanswered) is shown again before the respondent goes on."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from surveys.taking import conditions

MEMBER_TYPES = ("short_text", "long_text", "number", "date", "single", "dropdown", "multiple", "note", "calculate")
UNANSWERED = ("note", "calculate")  # members with no field: shown text, or a value computed per entry
MAX_INSTANCES = 50  # a household, a plot's trees: more than any form asks on one page
ADD, REMOVE = "repeat_add", "repeat_remove"
_LABEL_REF = re.compile(r"\$\{\s*([^}]*?)\s*\}")


@dataclass(frozen=True)
class Option:
    code: str
    label: str
    columns: tuple[tuple[str, str], ...] = ()  # the choices sheet's other columns, read by a choice filter


@dataclass(frozen=True)
class Member:
    code: str
    type: str
    text: str
    help: str = ""
    required: bool = False
    integer: bool = False
    options: tuple[Option, ...] = field(default=())
    show_if: str = ""  # over the answers before the repeat and this entry's earlier members
    validation: str = ""
    validation_message: str = ""
    calculation: str = ""  # a calculate member: its value in each entry
    choice_filter: str = ""  # the options offered in each entry (`${@column}` is a column of the option)


def _options(rows: list[Any]) -> tuple[Option, ...]:
    return tuple(Option(code, label, tuple((rest[1] if len(rest) > 1 else {}).items())) for code, label, *rest in rows)


def members(question: Any) -> list[Member]:
    return [
        Member(
            m["code"],
            m["type"],
            m.get("text", ""),
            m.get("help", ""),
            bool(m.get("required")),
            bool(m.get("integer")),
            _options(m.get("options", [])),
            m.get("show_if", ""),
            m.get("validation", ""),
            m.get("validation_message", ""),
            m.get("calculation", ""),
            m.get("choice_filter", ""),
        )
        for m in (question.settings or {}).get("members", [])
    ]


def _parsed(source: str) -> conditions.Node:
    from surveys.taking.answers import parsed  # the stored conditions' trees, cached

    return parsed(source)


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def field_name(question: Any, index: int, member: Member) -> str:
    """The form field of a member in one instance: `household.0.age`."""
    return f"{question.code}.{index}.{member.code}"


def shape_field(question: Any, index: int) -> str:
    """The hidden field with the shape an entry was shown with (`:` is in no XLSForm name)."""
    return f"{question.code}.{index}:shown"


def max_instances(question: Any) -> int:
    return int((question.settings or {}).get("max_instances") or MAX_INSTANCES)


def _count(question: Any, answers: Mapping[str, Any]) -> Any:
    source = (question.settings or {}).get("repeat_count")
    return conditions.evaluate(conditions.Call("int", (_parsed(source),)), answers) if source else None


def fixed_count(question: Any, answers: Mapping[str, Any]) -> int | None:
    """How many entries the form's repeat_count asks for given the answers so far (0 while the answer it reads is
    missing), or None when the respondent adds them."""
    if not (question.settings or {}).get("repeat_count"):
        return None
    number = _count(question, answers)
    return max(0, min(int(number), MAX_INSTANCES)) if number is not None else 0


def count_pending(question: Any, answers: Mapping[str, Any]) -> bool:
    """Whether the repeat_count reads an answer not given yet (on the same page: known when the page is posted)."""
    return bool((question.settings or {}).get("repeat_count")) and _count(question, answers) is None


# --- Reading the form. ---


def _member_value(question: Any, index: int, member: Member, form: Mapping[str, Any]) -> tuple[Any, str]:
    """(value, error) of one member field."""
    name = field_name(question, index, member)
    if member.type == "multiple":
        getlist = getattr(form, "getlist", lambda key: [form[key]] if key in form else [])
        return [item for item in getlist(name) if item] or None, ""
    text = (form.get(name) or "").strip()
    if member.type != "number" or not text:
        return text or None, ""
    from surveys.taking.answers import _number  # the same reading of numbers as any question

    number = _number(text)
    if number is None:
        return text, _("Enter a number.")
    if member.integer and not float(number).is_integer():
        return text, _("Enter a whole number.")
    return number, ""


@dataclass
class Posted:
    """A repeat group's part of a posted page."""

    instances: list[dict[str, Any]]
    errors: list[str]
    extra: int  # blank instances to show more ("Add another")
    shapes: list[str]  # the shape each kept instance was shown with


def read_instances(question: Any, form: Mapping[str, Any]) -> Posted:
    """The instances posted (empty ones dropped and a removed one left out, unless the form fixes their number),
    their errors, the shape each was shown with, and how many blank instances to show more."""
    fixed = bool((question.settings or {}).get("repeat_count"))
    try:
        count = min(int(form.get(f"{question.code}.count") or 0), MAX_INSTANCES if fixed else max_instances(question))
    except ValueError:
        count = 0
    removed = "" if fixed else form.get(REMOVE, "")
    posted = Posted([], [], 0, [])
    for index in range(count):
        if removed == f"{question.code}.{index}":
            continue
        instance: dict[str, Any] = {}
        for member in members(question):
            if member.type in UNANSWERED:
                continue  # a calculation is computed, never taken from the form
            value, error = _member_value(question, index, member, form)
            if error:
                n = len(posted.instances) + 1
                posted.errors.append(_("%(n)d. %(question)s: %(error)s", n=n, question=member.text, error=error))
            if not _is_empty(value):
                instance[member.code] = value
        if instance or fixed:
            posted.instances.append(instance)
            posted.shapes.append(str(form.get(shape_field(question, index)) or ""))
    if not fixed and form.get(ADD) == question.code and len(posted.instances) < max_instances(question):
        posted.extra = 1
    return posted


# --- One entry against the answers before the repeat. ---


def settle(question: Any, instance: Mapping[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    """The entry as stored: each calculation computed in order, the answers of members not asked dropped."""
    kept: dict[str, Any] = {}
    for member in members(question):
        scope = {**answers, **kept}
        if member.show_if and not conditions.holds(_parsed(member.show_if), scope):
            continue
        if member.type == "calculate":
            value = conditions.evaluate(_parsed(member.calculation), scope)
        else:
            value = None if member.type == "note" else instance.get(member.code)
        if not _is_empty(value):
            kept[member.code] = value
    return kept


def settled(question: Any, value: Any, answers: Mapping[str, Any]) -> Any:
    """The entries as stored (see `settle`), no more than the form's repeat_count asks for."""
    if not isinstance(value, list) or not all(isinstance(instance, dict) for instance in value):
        return value  # not readable as entries: the check says so
    count = fixed_count(question, answers)
    return [settle(question, instance, answers) for instance in value[:count]]


def _columns(option: Option) -> dict[str, Any]:
    return {"@name": option.code, **{f"@{name}": value for name, value in option.columns}}


def offered(question: Any, member: Member, entry: Mapping[str, Any], answers: Mapping[str, Any]) -> tuple[Option, ...]:
    """The options a member offers in this entry. A choice filter reading a member of the entry not answered yet
    lets every option through: it is decided when the page is posted, as on a page's own answers."""
    if not member.choice_filter:
        return member.options
    tree = _parsed(member.choice_filter)
    siblings = {other.code for other in members(question)}
    if any(code in siblings and _is_empty(entry.get(code)) for code in conditions.referenced_codes(tree)):
        return member.options
    scope = {**answers, **entry}
    return tuple(option for option in member.options if conditions.holds(tree, {**scope, **_columns(option)}))


def _fill(text: str, scope: Mapping[str, Any]) -> str:
    if "${" not in text:
        return text
    from surveys.taking.answers import _as_text  # an answer written as a label shows it

    return _LABEL_REF.sub(lambda match: _as_text(scope.get(match.group(1))), text)


@dataclass(frozen=True)
class Shown:
    """A member as one entry shows it: its label filled in, its options, whether it is asked, and its shape."""

    member: Member
    text: str
    options: tuple[Option, ...]
    visible: bool

    @property
    def shape(self) -> str:
        if not self.visible:
            return "0"
        if not self.member.choice_filter:
            return "1"
        codes = "\x1f".join(option.code for option in self.options)
        return hashlib.blake2s(codes.encode(), digest_size=4).hexdigest()


def entry_view(question: Any, instance: Mapping[str, Any], answers: Mapping[str, Any] | None) -> list[Shown]:
    """What an entry shows. A relevant reading a member of the entry not answered yet is decided when the page is
    posted (the member is shown until then); any other is decided here."""
    answers = answers or {}
    entry = settle(question, instance, answers)
    scope = {**answers, **entry}
    siblings = {member.code for member in members(question)}
    shown = []
    for member in members(question):
        visible = member.type != "calculate"
        if visible and member.show_if:
            tree = _parsed(member.show_if)
            undecided = any(_is_empty(entry.get(code)) for code in conditions.referenced_codes(tree) & siblings)
            visible = undecided or conditions.holds(tree, scope)
        options = offered(question, member, entry, answers) if member.options else ()
        shown.append(Shown(member, _fill(member.text, scope), options, visible))
    return shown


def shape(shown: list[Shown]) -> str:
    """The value of an entry's hidden shape field: `code=shape` of each answered member."""
    return ";".join(f"{item.member.code}={item.shape}" for item in shown if item.member.type not in UNANSWERED)


def _asked_anew(question: Any, instance: Mapping[str, Any], posted: str, answers: Mapping[str, Any]) -> set[str]:
    """The unanswered members the entry now shows otherwise than it was shown (`posted`): new, or other options."""
    if not posted:
        return set()  # not shown by our page (a crafted post, the last check of every page)
    before = dict(part.split("=", 1) for part in posted.split(";") if "=" in part)
    entry = settle(question, instance, answers)
    return {
        item.member.code
        for item in entry_view(question, instance, answers)
        if item.member.type not in UNANSWERED
        and item.visible
        and item.shape != before.get(item.member.code)
        and _is_empty(entry.get(item.member.code))
    }


def shown_instances(question: Any, entry: Any) -> list[dict[str, Any]]:
    """The instances to show on the page: as many as the form's repeat_count asks for, or those answered, the
    blank ones asked for, and one when there is none."""
    value = entry.value if isinstance(entry.value, list) else []
    value = [instance if isinstance(instance, dict) else {} for instance in value]
    count = fixed_count(question, entry.answers or {})
    if count is not None:
        return [*value[:count], *({} for _blank in range(count - len(value)))]
    blanks = max(getattr(entry, "extra", 0), 0 if value else 1)
    return [*value, *({} for _blank in range(blanks))]


# --- Checking. ---


def check(question: Any, entry: Any, answers: Mapping[str, Any]) -> None:
    """Add to entry.errors what is wrong with the entries, given the answers before the repeat, and to
    entry.reshow the entries (numbered from 1) that now ask more than they showed."""
    value, count = entry.value, fixed_count(question, answers)
    entry.answers = answers  # the members' filters and labels read them when the page is shown again
    if _is_empty(value):
        if count:
            entry.errors.append(_count_message(count))
        elif question.required:
            entry.errors.append(_("This question requires an answer."))
        return
    if not isinstance(value, list) or not all(isinstance(instance, dict) for instance in value):
        entry.errors.append(_("This answer is not valid."))
        return
    shapes = list(getattr(entry, "shapes", []))
    shapes += [""] * (len(value) - len(shapes))
    anew = [_asked_anew(question, instance, posted, answers) for instance, posted in zip(value, shapes, strict=False)]
    entry.reshow = [n for n, codes in enumerate(anew, start=1) if codes]
    entry.errors.extend(instance_errors(question, value, answers, anew))
    if count is not None and len(value) != count:
        entry.errors.append(_count_message(count))


def _count_message(count: int) -> str:
    return ngettext(
        "The form asks for %(num)d entry: fill it in.", "The form asks for %(num)d entries: fill in each.", count
    )


def instance_errors(
    question: Any, value: list[dict[str, Any]], answers: Mapping[str, Any], anew: list[set[str]] | None = None
) -> list[str]:
    """What is wrong with the instances, given the answers before the repeat: a required member left empty, a
    choice not offered, a constraint not met. A member whose relevant does not hold is not checked, nor one the
    page now asks anew (`anew`, per instance: shown again to be answered, not yet an error)."""
    errors = []
    for n, instance in enumerate(value, start=1):
        entry = settle(question, instance, answers)
        for member in members(question):
            if anew and member.code in anew[n - 1]:
                continue
            error = _member_error(question, member, entry, answers)
            if error:
                label = _fill(member.text, {**answers, **entry})
                errors.append(_("%(n)d. %(question)s: %(error)s", n=n, question=label, error=error))
    if not (question.settings or {}).get("repeat_count") and len(value) > max_instances(question):
        errors.append(ngettext("At most %(num)d entry.", "At most %(num)d entries.", max_instances(question)))
    return errors


def _member_error(question: Any, member: Member, entry: dict[str, Any], answers: Mapping[str, Any]) -> str:
    scope = {**answers, **entry}
    if member.type in UNANSWERED or (member.show_if and not conditions.holds(_parsed(member.show_if), scope)):
        return ""
    answer = entry.get(member.code)
    if _is_empty(answer):
        return _("This question requires an answer.") if member.required else ""
    codes = {option.code for option in offered(question, member, entry, answers)}
    if member.options and any(code not in codes for code in (answer if isinstance(answer, list) else [answer])):
        return _("Choose one of the options.")
    if member.validation and not conditions.holds(_parsed(member.validation), scope, answer):
        return member.validation_message or _("This answer is not valid.")
    return ""
