"""XLSForm survey rows → questions, through the builder's own services (so options and conditions are checked as
in the browser). Top-level groups become pages, nested groups are flattened into their page (their `relevant`
joins each question's show-if), a group of `label` + `list-nolabel` rows of one list (or a table-list group of
select_one rows of one list) becomes a matrix. Names are kept exactly as written; whatever our question model
cannot hold is refused row by row with the reason in the editor's language."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from core.extensions import db
from surveys.builder.services import BuilderError, add_page, save_question
from surveys.models import CODE_LENGTH, Option, Survey
from surveys.taking.answers import OTHER
from surveys.transfer import xlsform_expr
from surveys.transfer.xlsform_choices import ChoiceListError, ChoiceLists, translations
from surveys.transfer.xlsform_kinds import Finding, Node, Refused, question_kind, required, type_words, validation
from surveys.transfer.xlsform_matrix import import_matrix
from surveys.transfer.xlsform_read import TRANSLATABLE, Row
from surveys.transfer.xlsform_reasons import METADATA, N_, REFUSED_TYPES, reason
from surveys.transfer.xlsform_repeat import import_repeat

# An XLSForm name is an XML name: a letter (any script) or _, then letters, digits, _ - and .
NAME = re.compile(r"[^\W\d][\w.-]*")


def all_translations(row: Row) -> dict[str, dict[str, str]]:
    return {column: found for column in TRANSLATABLE if (found := translations(row, column))}


class RowImporter:
    def __init__(self, survey: Survey, choices: ChoiceLists, refused: list[Finding], warnings: list[Finding]):
        self.survey, self.choices = survey, choices
        self.refused, self.warnings = refused, warnings
        self.renamed: dict[str, str] = {}  # XLSForm name → our reference (the code, or matrix.row)
        self.codes: list[str] = []
        self.imported: list[str] = []
        self.refused_names: set[str] = set()
        self.metadata: list[Row] = []
        self.page: Any = None

    def refuse(self, row: Row, why: str) -> None:
        name = row.get("name")
        self.refused.append(Finding(row.sheet, row.number, name, why))
        if name:
            self.refused_names.add(name)

    def warn(self, row: Row, why: str) -> None:
        self.warnings.append(Finding(row.sheet, row.number, row.get("name"), why))

    def refuse_all(self, node: Node, why: str) -> None:
        self.refuse(node.row, why)
        for child in node.children:
            self.refuse_all(child, why)

    def code_for(self, row: Row) -> str:
        """The row's name as our code, exactly; Refused when ODK would refuse it too, or it is taken."""
        name = row.get("name")
        if not name:
            raise Refused(reason(N_("the row has no name")))
        if not NAME.fullmatch(name):
            raise Refused(reason(N_("'%(name)s' is not a valid XLSForm name (ODK refuses it too)"), name=name))
        if len(name) > CODE_LENGTH:
            raise Refused(reason(N_("a name longer than %(n)d characters"), n=CODE_LENGTH))
        if name in self.codes or name in self.renamed:
            raise Refused(reason(N_("the name '%(name)s' is already used (ODK refuses it too)"), name=name))
        return name

    def expression(
        self, row: Row, column: str, extra: str = "", choice_filter: bool = False, members: Collection[str] = ()
    ) -> str:
        """Our expression for a relevant/constraint/calculation cell (joined with `extra`); ExpressionError.
        `members` are the earlier members of the repeat the row is in, referred to by their own names."""
        parts = [extra]
        source = row.get(column)
        if source:
            if xlsform_expr.normalise_quotes(source)[1]:
                self.warn(row, reason(N_("curly quotes in %(column)s made straight"), column=column))
            translate = xlsform_expr.to_choice_filter if choice_filter else xlsform_expr.to_condition
            renamed = {**self.renamed, **{name: name for name in members}}
            parts.append(translate(source, renamed, [*self.codes, *members], self.refused_names))
        return xlsform_expr.combine(parts)

    def label_text(self, row: Row, members: Collection[str] = ()) -> str:
        """The label, when every answer it shows (`${name}`) was imported; Refused otherwise."""
        text = row.text("label").strip()
        for name in xlsform_expr.referenced_names(text):
            if name in self.refused_names or (name not in self.renamed and name not in members):
                raise Refused(reason(N_("the label shows the answer to '%(name)s', which was not imported"), name=name))
        if "${" in text:
            self.warn(row, reason(N_("the label shows another answer: it is filled in from the answers so far")))
        return text

    def filter_columns(self, row: Row, source: str, choices: list[Any]) -> None:
        """Warn about the choice columns a choice filter reads that no choice has."""
        columns = {"name", *(column for choice in choices for column in choice.columns)}
        for name in xlsform_expr.referenced_names(source):
            if name.startswith("@") and name[1:] not in columns:
                message = N_("the choice filter reads '%(column)s', which no choice has (ODK reads it as empty)")
                self.warn(row, reason(message, column=name[1:]))

    def new_page(self, title: str) -> None:
        self.page = self.survey.pages[0] if self.page is None else add_page(self.survey, title[:200])
        self.page.title = title[:200]
        db.session.flush()

    def walk(self, nodes: list[Node], relevant: str, top: bool) -> None:
        loose = False
        for node in nodes:
            if node.kind == "begin_repeat":
                if top:
                    self.new_page(node.row.text("label"))
                    loose = False
                import_repeat(self, node, relevant)
                continue
            if node.kind == "begin_group":
                try:
                    group_relevant = self.expression(node.row, "relevant", relevant)
                except xlsform_expr.ExpressionError as error:
                    self.refuse_all(node, reason(N_("group relevant: %(error)s"), error=str(error)))
                    continue
                if top:
                    self.new_page(node.row.text("label"))
                    loose = False
                if not import_matrix(self, node, group_relevant):
                    self.walk(node.children, group_relevant, top=False)
                continue
            kind = (type_words(node.row) or [""])[0]
            if kind in METADATA or kind.startswith("uri:"):
                self.metadata.append(node.row)  # listed once, at the end
                continue
            if top and not loose:
                self.new_page("")
                loose = True
            self.question(node.row, relevant)

    def question(self, row: Row, relevant: str) -> None:
        words = type_words(row)
        if words[0] in REFUSED_TYPES:
            return self.refuse(row, reason(REFUSED_TYPES[words[0]]))
        try:
            data = self.question_data(row, words)
            data["show_if"] = self.expression(row, "relevant", relevant)
        except (xlsform_expr.ExpressionError, Refused, ChoiceListError) as error:
            return self.refuse(row, str(error))
        self.save(row, data)
        return None

    def save(self, row: Row, data: dict[str, Any]) -> None:
        code = data["code"]
        options = data.pop("options", [])
        try:
            question = save_question(self.survey, self.page, None, {**data, "exact_code": True})
        except BuilderError as error:
            return self.refuse(row, error.message)
        question.xlsform = data.get("xlsform") or None
        question.options = [
            Option(code=choice.code, label=choice.label, position=n, xlsform=choice.xlsform)
            for n, choice in enumerate(options)
        ]
        self.codes.append(code)
        self.renamed.setdefault(row.get("name"), code)
        self.imported.append(code)
        return None

    def question_data(self, row: Row, words: list[str]) -> dict[str, Any]:
        code = self.code_for(row)
        if row.has_media():
            self.warn(row, reason(N_("images, audio and video are not imported")))
        if row.get("default"):
            self.warn(row, reason(N_("the default answer is not imported")))
        text = self.label_text(row)
        if not text and words[0] not in ("calculate", "note"):
            self.warn(row, reason(N_("no label: the name is used as the question text")))
            text = code
        if not text and words[0] == "note":
            raise Refused(reason(N_("a note with nothing to show but media")))
        data: dict[str, Any] = {
            "code": code,
            "text": text,
            "help": row.text("hint"),
            "validation": "",
            "validation_message": row.text("constraint_message")[:300],
            "settings": {},
            "xlsform": all_translations(row),
            "required": required(row),
        }
        kind = question_kind(self, row, words, data)
        data["type"] = kind.value
        validation(self, row, kind, data)
        return data

    def options(self, row: Row, words: list[str], data: dict[str, Any]) -> None:
        """The select's choices (and `or_other`, `randomize`, `choice_filter`) into `data`."""
        if len(words) < 2:
            raise Refused(reason(N_("no choice list named")))
        choices = self.choices.choices(words[1], multiple=words[0] == "select_multiple")
        if "or_other" in words[2:]:
            data["settings"]["other"] = True
            choices = [choice for choice in choices if choice.code != OTHER]
        data["options"] = choices
        data["xlsform"]["list_name"] = words[1]  # shared lists are shared again on export
        if "randomize=true" in row.get("parameters").lower().replace(" ", ""):
            data["settings"]["shuffle"] = True
        if row.get("choice_filter"):
            source = data["settings"]["choice_filter"] = self.expression(row, "choice_filter", choice_filter=True)
            self.filter_columns(row, source, choices)
