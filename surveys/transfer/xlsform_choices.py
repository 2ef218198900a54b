"""The choices of an XLSForm select, kept exactly as written: codes (`24/7`, `tidal flat`, long ones), labels in
every language, and the extra columns a choice_filter reads. A choice row ODK itself would refuse (no name, a
name used twice in its list) is refused here too, once, with the reason; one ODK would take but could not answer
(a space in a multiple choice's code) is kept with a warning."""

from __future__ import annotations

from dataclasses import dataclass, field

from surveys.models import CODE_LENGTH
from surveys.transfer.xlsform_read import MEDIA_COLUMNS, TRANSLATABLE, Row
from surveys.transfer.xlsform_reasons import N_, reason

LABEL_LENGTH = 300  # Option.label
_NOT_COLUMNS = {"list_name", "name", *TRANSLATABLE, *MEDIA_COLUMNS}


class ChoiceListError(ValueError):
    """A select whose list cannot be used; the message says why, in the current language."""


@dataclass
class Choice:
    code: str
    label: str
    translations: dict[str, str]
    columns: dict[str, str]

    @property
    def xlsform(self) -> dict[str, object]:
        return {"label": self.translations, "columns": self.columns}


def translations(row: Row, column: str) -> dict[str, str]:
    """Every language's text of a translatable column ("" is the column without a language)."""
    return {lang: value for (name, lang), value in row.cells.items() if name == column and value}


@dataclass
class ChoiceLists:
    """The choices sheet by list name; each row's findings are reported once, however many selects use it."""

    rows: dict[str, list[Row]]
    allow_duplicates: bool = False  # settings allow_choice_duplicates: ODK takes them, our options cannot
    refused: list[tuple[Row, str]] = field(default_factory=list)
    warned: list[tuple[Row, str]] = field(default_factory=list)
    _checked: dict[str, list[Choice]] = field(default_factory=dict)

    def choices(self, list_name: str, multiple: bool = False) -> list[Choice]:
        if list_name not in self._checked:
            self._checked[list_name] = self._read(list_name)
        kept = self._checked[list_name]
        if multiple:
            for choice, row in zip(kept, self._rows_of(list_name, kept), strict=True):
                message = N_("the choice '%(code)s' has a space: ODK cannot select it in a multiple choice")
                finding = (row, reason(message, code=choice.code))
                if " " in choice.code and finding not in self.warned:
                    self.warned.append(finding)
        return kept

    def _rows_of(self, list_name: str, kept: list[Choice]) -> list[Row]:
        by_code = {row.get("name"): row for row in reversed(self.rows.get(list_name, []))}
        return [by_code[choice.code] for choice in kept]

    def _read(self, list_name: str) -> list[Choice]:
        rows = self.rows.get(list_name)
        if not rows:
            raise ChoiceListError(reason(N_("the choice list '%(name)s' is missing or empty"), name=list_name))
        kept: list[Choice] = []
        seen: set[str] = set()
        for row in rows:
            code = row.get("name")
            problem = self._problem(code, seen, list_name, self.allow_duplicates)
            if problem:
                self.refused.append((row, problem))
                continue
            seen.add(code)
            labels = translations(row, "label")
            label = row.text("label")
            if not label:
                self.warned.append((row, reason(N_("choice without a label: its name is shown"))))
            if len(label) > LABEL_LENGTH:
                self.warned.append((row, reason(N_("the label is cut at %(n)d characters"), n=LABEL_LENGTH)))
            columns = {name: value for (name, lang), value in row.cells.items() if name not in _NOT_COLUMNS}
            kept.append(Choice(code, (label or code)[:LABEL_LENGTH], labels, columns))
        if not kept:
            raise ChoiceListError(reason(N_("the choice list '%(name)s' is missing or empty"), name=list_name))
        return kept

    @staticmethod
    def _problem(code: str, seen: set[str], list_name: str, allowed: bool) -> str:
        if not code:
            return reason(N_("a choice without a name (ODK refuses it too)"))
        if code in seen and allowed:
            message = N_("the name '%(code)s' is used twice in the list '%(name)s': choices need distinct codes here")
            return reason(message, code=code, name=list_name)
        if code in seen:
            return reason(
                N_("the name '%(code)s' is used twice in the list '%(name)s' (ODK refuses it too): the first is kept"),
                code=code,
                name=list_name,
            )
        if len(code) > CODE_LENGTH:
            return reason(N_("a choice name longer than %(n)d characters"), n=CODE_LENGTH)
        return ""
