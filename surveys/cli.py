"""`flask surveys ...`: purge closed surveys' tokens, export responses, import and export XLSForm workbooks.

flask --app app surveys purge-closed
flask --app app surveys cache-results
flask --app app surveys export-responses ID --format xlsx|csv|sav [--labels] [--bom] -o FILE
flask --app app surveys import-xlsform FILE --department CODE
flask --app app surveys export-xlsform ID -o FILE
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from core import audit
from core.exports import iter_csv, write_xlsx
from core.extensions import db
from core.models import Department
from surveys.models import ReviewStatus, Survey
from surveys.results import data as result_data
from surveys.results.filters import Filters
from surveys.taking.responding import purge_closed
from surveys.transfer import xlsform_export
from surveys.transfer.exports import csv_parts, response_count, response_sheets
from surveys.transfer.sav_export import TooManyRows, write_sav
from surveys.transfer.xlsform_import import import_workbook

group = AppGroup("surveys", help="Survey maintenance, exports and XLSForm.")


@group.command("purge-closed")
def purge_closed_command() -> None:
    """Delete one-response tokens and resume drafts of every survey that has closed."""
    purged = purge_closed()
    db.session.commit()
    for survey in purged:
        click.echo(f"purged survey {survey.id} ({survey.short_code})")
    click.echo(f"{len(purged)} closed survey(s) purged")


@group.command("cache-results")
def cache_results_command() -> None:
    """Bring every approved survey's shared results snapshot up to date (after a deploy, or nightly), so that
    no one waits while the first results page of a large survey reads all its responses."""
    surveys = db.session.scalars(db.select(Survey).where(Survey.status == ReviewStatus.APPROVED)).all()
    for survey in surveys:
        click.echo(f"survey {survey.id} ({survey.short_code}): {result_data.load(survey).size} responses")
    click.echo(f"{len(surveys)} survey(s) cached")


def _survey(survey_id: int) -> Survey:
    survey = db.session.get(Survey, survey_id)
    if survey is None:
        raise click.ClickException(f"no survey {survey_id}")
    return survey


@group.command("export-responses")
@click.argument("survey_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv", "sav"]), default="xlsx")
@click.option("--labels", is_flag=True, help="Option labels instead of codes (xlsx, csv).")
@click.option("--bom", is_flag=True, help="Start the CSV with a byte-order mark, for Excel.")
@click.option("--status", type=click.Choice(["complete", "incomplete", "all"]), default="complete")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export_responses(survey_id: int, fmt: str, labels: bool, bom: bool, status: str, output: Path) -> None:
    """Write the responses of a survey to a file (no row limit for xlsx here; the audit log records it)."""
    survey = _survey(survey_id)
    filters = Filters(status=status)
    rows = response_count(survey, filters)
    if fmt == "csv":
        header, body = csv_parts(survey, filters, labels)
        with output.open("w", encoding="utf-8", newline="") as handle:
            for chunk in iter_csv(header, body, bom=bom):
                handle.write(chunk)
    elif fmt == "xlsx":
        write_xlsx(str(output), response_sheets(survey, filters, labels))
    else:
        try:
            write_sav(output, survey, filters)
        except TooManyRows as error:
            raise click.ClickException(f"{error.args[0]} responses: too many for .sav; use --format csv") from None
    audit.record(
        "survey.export", survey, detail={"format": fmt, "labels": labels, "bom": bom, "rows": rows, "via": "cli"}
    )
    db.session.commit()
    click.echo(f"{rows} responses written to {output}")


@group.command("import-xlsform")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--department", "department_code", required=True, help="Code of the department the draft belongs to.")
def import_xlsform(path: Path, department_code: str) -> None:
    """Create a draft survey from an XLSForm workbook and print what was imported, refused and changed."""
    department = db.session.scalar(db.select(Department).where(Department.code == department_code))
    if department is None:
        raise click.ClickException(f"no department with code {department_code!r}")
    report = import_workbook(str(path), department.id, None, path.name)
    for finding in report.refused:
        click.echo(f"refused  {finding.sheet}!{finding.row} {finding.name}: {finding.reason}")
    for finding in report.warnings:
        click.echo(f"changed  {finding.sheet}!{finding.row} {finding.name}: {finding.reason}")
    if report.survey is None:
        db.session.rollback()
        raise click.ClickException(report.error)
    db.session.commit()
    click.echo(
        f"survey {report.survey.id} created as a draft: {len(report.imported)} questions imported, "
        f"{len(report.refused)} rows refused"
    )


@group.command("export-xlsform")
@click.argument("survey_id", type=int)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export_xlsform(survey_id: int, output: Path) -> None:
    """Write a survey's questions as an XLSForm workbook."""
    xlsform_export.write(_survey(survey_id), str(output))
    click.echo(f"written {output}")
