"""`flask consultation …`: commands for staff and operators."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from consultation.drafting.split import DraftFormatError, split_document, units_to_json

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
    from consultation.comments.intake import purge_sources as purge
    from core.extensions import db

    removed = purge()
    db.session.commit()
    click.echo(f"{removed} rows removed")


@consultation_cli.command("purge-contacts")
@click.option("--dry-run", is_flag=True, help="Only list what would be deleted.")
def purge_contacts(dry_run: bool) -> None:
    """Delete commenters' phone and e-mail once the feedback is CONSULTATION_CONTACT_RETENTION_MONTHS old."""
    from consultation.comments import retention
    from core.extensions import db

    due = retention.contacts_due() if dry_run else retention.purge_contacts()
    for item in due:
        click.echo(
            f"{item.consultation_id}\t{item.title}\tfeedback {item.feedback_published_at:%Y-%m-%d}\t"
            f"{item.comments_with_contacts} comments with contact details"
        )
    if dry_run:
        click.echo(f"dry run: {len(due)} consultations would have their commenters' contact details deleted")
        return
    db.session.commit()
    click.echo(f"contact details deleted in {len(due)} consultations")


@consultation_cli.command("archive")
@click.option("--dry-run", is_flag=True, help="Only list what would be archived.")
def archive(dry_run: bool) -> None:
    """Archive consultations whose feedback has been public CONSULTATION_ARCHIVE_AFTER_DAYS days."""
    from consultation.legality import archive as archiving
    from core.extensions import db

    due = archiving.archive_due() if dry_run else archiving.archive()
    for item in due:
        superseded = f"\tsuperseded by {item.superseded_by}" if item.superseded_by else ""
        click.echo(
            f"{item.consultation_id}\t{item.title}\t{item.status.value}\t"
            f"feedback {item.feedback_published_at:%Y-%m-%d}{superseded}"
        )
    if dry_run:
        click.echo(f"dry run: {len(due)} consultations would be archived")
        return
    db.session.commit()
    click.echo(f"{len(due)} consultations archived")


@consultation_cli.command("export")
@click.argument("consultation_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["docx", "pdf", "xlsx", "csv", "json"]), required=True)
@click.option("--internal", is_flag=True, help="Names in full (for the legality review); default: public version.")
@click.option("--bom", is_flag=True, help="CSV only: start with a UTF-8 byte-order mark, for Excel.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True)
def export(consultation_id: int, fmt: str, internal: bool, bom: bool, output: Path) -> None:
    """Write the summary of CONSULTATION_ID in one format, registered and audited like a download."""
    from consultation.models import Consultation
    from consultation.summary.exports import export_to_file
    from core.extensions import db
    from core.verification import DocumentFormat, DocumentVersion, display_code

    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        raise click.ClickException(f"no consultation {consultation_id}")
    version = DocumentVersion.INTERNAL if internal else DocumentVersion.PUBLIC
    site = current_app.config["SITE_URL"]
    # Documents print the public address of the notice and of /verify: build them for the configured site.
    with current_app.test_request_context(base_url=site), output.open("wb") as handle:
        document = export_to_file(consultation, DocumentFormat(fmt), version, handle, bom=bom)
        db.session.commit()
    click.echo(f"{output}: {document.size} bytes, code {display_code(document.code)}, sha256 {document.sha256}")


def init_app(app: Flask) -> None:
    app.cli.add_command(consultation_cli)
