"""`flask consultation …`: commands for staff and operators."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from consultation.draft_parser import DraftFormatError, split_document, units_to_json

consultation_cli = AppGroup("consultation", help="Public consultations.")


@consultation_cli.command("import-draft")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_draft(file: Path) -> None:
    """Print how FILE (.docx, .md, .txt) splits into commentable units, as JSON."""
    try:
        units = split_document(file.name, file.read_bytes())
    except DraftFormatError as error:
        raise click.ClickException(str(error)) from error
    click.echo(json.dumps(units_to_json(units), ensure_ascii=False, indent=2))


@consultation_cli.command("purge-sources")
def purge_sources() -> None:
    """Delete burst-detection rows older than the burst window (run from cron; submissions also purge)."""
    from consultation.intake import purge_sources as purge
    from core.extensions import db

    removed = purge()
    db.session.commit()
    click.echo(f"{removed} rows removed")


def init_app(app: Flask) -> None:
    app.cli.add_command(consultation_cli)
