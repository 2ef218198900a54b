"""`flask integrity …`: check, seal-all, seal-release, scan, accept."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from core.extensions import db
from core.integrity import check as checking
from core.integrity import release, scan
from core.models import User

group = AppGroup("integrity", help="Tamper evidence: seals, release manifest, content scan.")


def _user(email: str | None) -> User | None:
    if not email:
        return None
    user = db.session.scalar(db.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no account {email!r}")
    return user


@group.command("check")
def check_command() -> None:
    """Check the ledger chain, every published item and the release files; exit 1 naming each broken one."""
    found = checking.check_and_alert()
    db.session.commit()
    for problem in found:
        click.echo(problem.line())
    if not release.manifest_path().exists():
        click.echo(f"note: no release manifest at {release.manifest_path()}: templates and static files not checked")
    if found:
        click.echo(f"{len(found)} broken", err=True)
        sys.exit(1)
    click.echo("all seals hold")


@group.command("seal-all")
@click.option("--by", "email", help="Account recorded as the approver (default: the operator, unnamed).")
def seal_all_command(email: str | None) -> None:
    """Seal every published item that has no seal yet (once, after upgrading), then enforce seals."""
    counts = checking.seal_all(_user(email))
    db.session.commit()
    checking.remember_head()
    for kind, count in sorted(counts.items()):
        click.echo(f"sealed {count} {kind}")
    click.echo("ledger started: unsealed published items are no longer served")


@group.command("seal-release")
@click.option("--by", "email", help="Account recorded as the approver of the release.")
def seal_release_command(email: str | None) -> None:
    """Write the manifest of templates and static files as they are now, and seal it."""
    path, count = release.write_manifest(_user(email))
    db.session.commit()
    checking.remember_head()
    click.echo(f"release manifest: {count} files in {path}")


@group.command("accept")
@click.argument("kind")
@click.argument("subject_id")
@click.option("--by", "email", required=True, help="The account of the person who checked the content.")
def accept_command(kind: str, subject_id: str, email: str) -> None:
    """Seal an item's current content after a person checked it (e.g. a correction made in the database)."""
    from core import audit

    user = _user(email)
    outcome = checking.accept(kind, subject_id, user)
    if outcome is None:
        raise click.ClickException(f"{kind} {subject_id} is not published")
    audit.record("integrity.accept", None, detail={"kind": kind, "subject_id": subject_id}, actor=user)
    db.session.commit()
    if outcome == "sealed":
        click.echo(f"sealed {kind} {subject_id} as it is now")
    else:  # no longer published: its removal is accepted, so check stops naming it
        click.echo(f"{kind} {subject_id} is no longer published: recorded as withdrawn")


@group.command("scan")
@click.option("--external-links", is_flag=True, help="Also ask every external link (short timeouts).")
@click.option("--max-pages", type=int, default=None, help="Stop after this many pages.")
def scan_command(external_links: bool, max_pages: int | None) -> None:
    """Scan every public page for spam words and links off the allow-list; exit 1 when something is found."""
    run = scan.run_scan(check_external=external_links, max_pages=max_pages)
    hits = [f for f in run.findings if f["type"] in ("spam", "link", "broken_link", "external_broken", "unavailable")]
    for finding in run.findings:
        click.echo("\t".join(str(value) for value in finding.values()))
    click.echo(f"{run.pages} pages scanned, {len(hits)} findings")
    if hits:
        sys.exit(1)
