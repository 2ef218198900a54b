"""`flask surveys purge-closed`: delete the dedup tokens and resume drafts of surveys that have closed.

Operators run it daily (cron or a systemd timer, see docs/operations.md); the site also purges a closed
survey lazily the first time someone opens it after closing.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from core.extensions import db
from surveys.responding import purge_closed

group = AppGroup("surveys", help="Survey maintenance.")


@group.command("purge-closed")
def purge_closed_command() -> None:
    """Delete one-response tokens and resume drafts of every survey that has closed."""
    purged = purge_closed()
    db.session.commit()
    for survey in purged:
        click.echo(f"purged survey {survey.id} ({survey.short_code})")
    click.echo(f"{len(purged)} closed survey(s) purged")
