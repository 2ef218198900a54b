"""`flask inspection report [--format text|xlsx] [--output FILE]`."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from core.inspection import checks, report

group = AppGroup("inspection", help="Self-inspection against the government website inspection indicators.")


@group.command("report")
@click.option("--format", "fmt", type=click.Choice(["text", "xlsx"]), default="text")
@click.option("--output", type=click.Path(dir_okay=False), help="File for the xlsx (default inspection-report.xlsx).")
def report_command(fmt: str, output: str | None) -> None:
    """The figures per category and department, then every finding with where it is fixed."""
    # Links to where each finding is fixed are built for the site's public address, as in e-mails.
    with current_app.test_request_context(base_url=current_app.config["SITE_URL"]):
        found = checks.run_checks()
    if fmt == "xlsx":
        path = output or "inspection-report.xlsx"
        with open(path, "wb") as handle:
            report.write(handle, found)
        click.echo(f"{len(found)} findings written to {path}")
        return
    for _code, label, count in checks.summary(found):
        click.echo(f"{count}\t{label}")
    click.echo("")
    for row in report.rows(found):
        click.echo("\t".join(row))
    sys.stdout.flush()
