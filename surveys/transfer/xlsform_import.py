"""Importing a questionnaire from an XLSForm workbook (.xlsx or legacy .xls) as a draft survey, with a report of
what was refused.

The rows become questions in xlsform_questions.py; names and choice codes are kept exactly as written. Whatever
our question model cannot express is refused row by row (sheet, row, name, reason in the editor's language),
never silently dropped; smaller changes (an ignored default answer or media file) are warnings. Device and form
metadata (start, end, deviceid ...) are not questions: they are listed once as not collected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from flask import current_app

from core import audit
from core.db import utcnow
from core.extensions import db
from core.models import Department
from surveys.builder.services import create_survey
from surveys.models import Survey
from surveys.transfer.xlsform_choices import ChoiceLists
from surveys.transfer.xlsform_kinds import INTEGER_RULE, Finding, Node, type_words
from surveys.transfer.xlsform_questions import RowImporter
from surveys.transfer.xlsform_read import MAX_UNPACKED_BYTES, Row, WorkbookTooLarge, read
from surveys.transfer.xlsform_reasons import N_, reason

__all__ = ["INTEGER_RULE", "Finding", "ImportReport", "import_workbook"]


@dataclass
class ImportReport:
    survey: Survey | None = None
    imported: list[str] = field(default_factory=list)
    refused: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    error: str = ""


def _tree(rows: list[Row], report: ImportReport) -> list[Node]:
    root = Node(Row("survey", 0, {}), "root")
    stack = [root]
    for row in rows:
        words = type_words(row)
        kind = words[0] if words else ""
        if kind in ("begin_group", "begin_repeat"):
            node = Node(row, kind)
            stack[-1].children.append(node)
            stack.append(node)
        elif kind in ("end_group", "end_repeat"):
            if len(stack) > 1:
                stack.pop()
            else:
                why = reason(N_("end without a begin"))
                report.warnings.append(Finding(row.sheet, row.number, row.get("name"), why))
        elif kind:
            stack[-1].children.append(Node(row, "question"))
    return root.children


def _title(settings: dict[str, str], fallback: str) -> str:
    return (settings.get("form_title") or settings.get("title") or fallback or "XLSForm")[:200]


def _read(stream: IO[bytes] | str, report: ImportReport) -> Any:
    max_rows = current_app.config["XLSFORM_MAX_ROWS"]
    try:
        return read(stream, max_rows)
    except WorkbookTooLarge as error:
        report.error = (
            reason(N_("the sheet '%(sheet)s' has more than %(n)d rows"), sheet=error.sheet, n=max_rows)
            if error.sheet
            else reason(N_("the workbook holds more than %(n)d MB of data"), n=MAX_UNPACKED_BYTES // (1024 * 1024))
        )
    except Exception as error:  # pyxform, openpyxl and xlrd raise many kinds for a file that is not a workbook
        report.error = reason(N_("not a readable workbook (.xlsx or .xls): %(detail)s"), detail=str(error)[:200])
    return None


def _new_survey(workbook: Any, department_id: int, user: Any, filename: str) -> Survey:
    department = db.session.get(Department, department_id)
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    fields = {
        "title": _title(workbook.settings, Path(filename).stem),
        "purpose": "",
        "contact_phone": department.office_phone if department else "",
        "starts_at": now + timedelta(days=7),
        "ends_at": now + timedelta(days=37),
    }
    survey = create_survey(department_id, fields, user)
    db.session.flush()
    return survey


def import_workbook(stream: IO[bytes] | str, department_id: int, user: Any, filename: str = "") -> ImportReport:
    """Create a draft survey from the workbook (flushes, never commits) and report what was refused."""
    report = ImportReport()
    workbook = _read(stream, report)
    if workbook is None:
        return report
    if not workbook.survey:
        report.error = reason(N_("the workbook has no survey sheet with rows"))
        return report
    for sheet, msgid in workbook.refused_sheets:
        report.refused.append(Finding(sheet, 1, "", reason(msgid)))
    for sheet in workbook.ignored_sheets:
        report.warnings.append(Finding(sheet, 1, "", reason(N_("sheet ignored"))))
    rows: dict[str, list[Row]] = {}
    for row in workbook.choices:
        rows.setdefault(row.get("list_name"), []).append(row)
    allowed = workbook.settings.get("allow_choice_duplicates", "").strip().lower() in ("yes", "true", "true()")
    choices = ChoiceLists(rows, allow_duplicates=allowed)
    survey = _new_survey(workbook, department_id, user, filename)
    importer = RowImporter(survey, choices, report.refused, report.warnings)
    importer.walk(_tree(workbook.survey, report), "", top=True)
    _report_choices_and_metadata(importer, choices, report)
    empty = [page for page in survey.pages if not page.questions]
    for page in empty[: len(survey.pages) - 1]:
        survey.pages.remove(page)
    for position, page in enumerate(survey.pages):
        page.position = position
    report.imported = importer.imported
    db.session.flush()  # once for the whole form: a flush per question made a 1,000-row form twice as slow
    if not report.imported:
        report.error = reason(N_("no question could be imported"))
        return report
    report.survey = survey
    audit.record(
        "survey.xlsform_import", survey, detail={"imported": len(report.imported), "refused": len(report.refused)}
    )
    return report


def _report_choices_and_metadata(importer: RowImporter, choices: ChoiceLists, report: ImportReport) -> None:
    for row, why in choices.refused:
        report.refused.append(Finding(row.sheet, row.number, row.get("name"), why))
    for row, why in choices.warned:
        report.warnings.append(Finding(row.sheet, row.number, row.get("name"), why))
    if importer.metadata:
        first = importer.metadata[0]
        names = ", ".join(row.get("name") or type_words(row)[0] for row in importer.metadata)
        why = reason(N_("device and form metadata are not collected (%(n)d rows)"), n=len(importer.metadata))
        report.warnings.append(Finding(first.sheet, first.number, names, why))
