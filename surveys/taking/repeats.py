"""Repeat groups (XLSForm `begin_repeat`): a question answered once per instance, such as each member of a
household. The members are simple questions kept in the question's settings ({"code", "type", "text", "help",
"required", "integer", "options": [[code, label]]}); the answer is a list of {member code: value}, one per
instance. Without JavaScript, "Add another" and "Remove" are submit buttons that post the page and show it again
with one instance more or less, losing nothing typed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from surveys.taking import conditions

MEMBER_TYPES = ("short_text", "long_text", "number", "date", "single", "dropdown", "multiple", "note")
MAX_INSTANCES = 50  # a household, a plot's trees: more than any form asks on one page
ADD, REMOVE = "repeat_add", "repeat_remove"


@dataclass(frozen=True)
class _Option:
    code: str
    label: str


@dataclass(frozen=True)
class Member:
    code: str
    type: str
    text: str
    help: str = ""
    required: bool = False
    integer: bool = False
    options: tuple[_Option, ...] = field(default=())
    show_if: str = ""  # over the answers before the repeat and this entry's earlier members
    validation: str = ""
    validation_message: str = ""


def members(question: Any) -> list[Member]:
    return [
        Member(
            m["code"],
            m["type"],
            m.get("text", ""),
            m.get("help", ""),
            bool(m.get("required")),
            bool(m.get("integer")),
            tuple(_Option(code, label) for code, label, *_labels in m.get("options", [])),
            m.get("show_if", ""),
            m.get("validation", ""),
            m.get("validation_message", ""),
        )
        for m in (question.settings or {}).get("members", [])
    ]


def field_name(question: Any, index: int, member: Member) -> str:
    """The form field of a member in one instance: `household.0.age`."""
    return f"{question.code}.{index}.{member.code}"


def max_instances(question: Any) -> int:
    return int((question.settings or {}).get("max_instances") or MAX_INSTANCES)


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


def read_instances(question: Any, form: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[str], int]:
    """The instances posted (empty ones dropped, a removed one left out), their errors, and how many blank
    instances to show more ("Add another")."""
    try:
        count = min(int(form.get(f"{question.code}.count") or 0), max_instances(question))
    except ValueError:
        count = 0
    removed = form.get(REMOVE, "")
    instances, errors = [], []
    for index in range(count):
        if removed == f"{question.code}.{index}":
            continue
        instance: dict[str, Any] = {}
        for member in members(question):
            if member.type == "note":
                continue
            value, error = _member_value(question, index, member, form)
            if error:
                errors.append(
                    _("%(n)d. %(question)s: %(error)s", n=len(instances) + 1, question=member.text, error=error)
                )
            if value not in (None, "", []):
                instance[member.code] = value
        if instance:
            instances.append(instance)
    extra = 1 if form.get(ADD) == question.code and len(instances) < max_instances(question) else 0
    return instances, errors, extra


def instance_errors(question: Any, value: list[dict[str, Any]], answers: Mapping[str, Any]) -> list[str]:
    """What is wrong with the instances, given the answers before the repeat: a required member left empty, a
    choice not offered, a constraint not met. A member whose relevant does not hold loses its answer."""
    errors = []
    for n, instance in enumerate(value, start=1):
        for member in members(question):
            error = _member_error(member, instance, answers)
            if error:
                errors.append(_("%(n)d. %(question)s: %(error)s", n=n, question=member.text, error=error))
    if len(value) > max_instances(question):
        errors.append(ngettext("At most %(num)d entry.", "At most %(num)d entries.", max_instances(question)))
    return errors


def _member_error(member: Member, instance: dict[str, Any], answers: Mapping[str, Any]) -> str:
    from surveys.taking.answers import parsed  # the stored conditions' trees, cached

    scope = {**answers, **{code: value for code, value in instance.items() if code != member.code}}
    if member.show_if and not conditions.holds(parsed(member.show_if), scope):
        instance.pop(member.code, None)  # not asked in this entry: its answer does not count
        return ""
    answer = instance.get(member.code)
    if answer in (None, "", []):
        return _("This question requires an answer.") if member.required and member.type != "note" else ""
    codes = {option.code for option in member.options}
    if codes and any(code not in codes for code in (answer if isinstance(answer, list) else [answer])):
        return _("Choose one of the options.")
    if member.validation and not conditions.holds(parsed(member.validation), scope, answer):
        return member.validation_message or _("This answer is not valid.")
    return ""


def shown_instances(entry: Any) -> list[dict[str, Any]]:
    """The instances to show on the page: those answered, the blank ones asked for, and one when there is none."""
    value = entry.value if isinstance(entry.value, list) else []
    blanks = max(getattr(entry, "extra", 0), 0 if value else 1)
    return [*value, *({} for _blank in range(blanks))]
