"""The whole check (`flask integrity check`) and the one-time sealing of what an older database already published."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import func

from core.extensions import db
from core.integrity import alerts, files, ledger, registry, release
from core.integrity.models import LedgerEntry
from core.integrity.verify import forget, verdict


@dataclass(frozen=True)
class Problem:
    kind: str
    subject_id: str
    problem: str
    description: str

    def line(self) -> str:
        return f"{self.problem}\t{self.kind}\t{self.subject_id}\t{self.description}"


def problems() -> list[Problem]:
    """Every broken item: the ledger chain, each published item against its seal, templates and static files."""
    found = [
        Problem("ledger", str(brk.entry_id), f"chain_{brk.problem}", f"ledger entry #{brk.entry_id}")
        for brk in ledger.chain_breaks()
    ]
    forget()
    for name, sealable in registry.kinds().items():
        for subject_id in sealable.published():
            result = verdict(name, str(subject_id))
            if result.problem not in (None, "unpublished"):
                found.append(Problem(name, str(subject_id), result.problem, registry.describe(name, str(subject_id))))
    found.extend(_gone())
    for kind, subject, problem, description in files.problems():
        found.append(Problem(kind, subject, problem, description))
    for path, problem in release.file_problems():
        found.append(Problem(release.RELEASE_KIND, path, problem, path))
    found.extend(_truncation())
    return found


def _gone() -> list[Problem]:
    """Items whose latest seal is live but that are no longer published: deleted, or hidden outside the workflow
    (which records a withdrawal when it takes an item off the site)."""
    found = []
    for name, sealable in registry.kinds().items():
        latest_ids = (
            db.select(func.max(LedgerEntry.id)).where(LedgerEntry.kind == name).group_by(LedgerEntry.subject_id)
        )
        rows = db.session.execute(
            db.select(LedgerEntry.subject_id, LedgerEntry.content_hash).where(LedgerEntry.id.in_(latest_ids))
        )
        live = {subject_id for subject_id, content_hash in rows if content_hash != ledger.WITHDRAWN}
        for subject_id in sorted(live - {str(item) for item in sealable.published()}):
            if verdict(name, subject_id).problem == "unpublished":
                found.append(Problem(name, subject_id, "gone", registry.describe(name, subject_id)))
    return found


def _head_path() -> Path:
    configured = current_app.config.get("INTEGRITY_LEDGER_HEAD")
    return Path(configured) if configured else Path(current_app.instance_path) / "integrity-ledger-head.json"


def _truncation() -> list[Problem]:
    """The chain's end as the last check saw it must still be there: entries removed from the end leave no gap."""
    try:
        seen = json.loads(_head_path().read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return []
    if seen.get("database") != _database_key():
        return []  # written for another database (a copy of the instance folder, a test run)
    entry = db.session.get(LedgerEntry, int(seen.get("id", 0)))
    if seen.get("id") and (entry is None or entry.entry_hash != seen.get("entry_hash")):
        return [Problem("ledger", str(seen["id"]), "chain_truncated", f"ledger entry #{seen['id']}")]
    return []


def remember_head() -> None:
    """Keep the chain's end outside the database, for the next check (after a check that found it whole)."""
    if current_app.testing and not current_app.config.get("INTEGRITY_LEDGER_HEAD"):
        return  # a test run never writes into the instance folder; tests that need the file name one
    head = db.session.scalar(db.select(LedgerEntry).order_by(LedgerEntry.id.desc()).limit(1))
    if head is None:
        return
    path = _head_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    seen = {"database": _database_key(), "id": head.id, "entry_hash": head.entry_hash}
    path.write_text(json.dumps(seen), encoding="utf-8")


def _database_key() -> str:
    # The database's address without its password, hashed: the file names which database it describes.
    url = db.engine.url.render_as_string(hide_password=True)
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def check_and_alert() -> list[Problem]:
    """problems(), each raised as an alert (once), and alerts whose items hold again closed; the caller commits."""
    found = problems()
    for problem in found:
        alerts.raise_alert(problem.kind, problem.subject_id, problem.problem, {"description": problem.description})
    alerts.resolve_holding({(p.kind, p.subject_id, p.problem) for p in found})
    if not any(problem.kind == "ledger" for problem in found):
        remember_head()
    return found


def seal_all(approver: Any = None) -> dict[str, int]:
    """Seal every published item that has no seal yet, then start enforcing; the caller commits.

    An item whose content differs from its seal is left alone (sealing it would launder a tampering): `accept`
    re-seals it after a person has looked.
    """
    counts: dict[str, int] = {}
    forget()
    for name, sealable in registry.kinds().items():
        for subject_id in sealable.published():
            result = verdict(name, str(subject_id))
            problem = result.problem
            if problem == "unsealed" or (problem is None and result.computed != result.sealed):
                # Unsealed, or sealed as an earlier version sealed it (SealableKind.legacy): sealed as it is now.
                ledger.seal(name, subject_id, approver, reason="seal-all")
                counts[name] = counts.get(name, 0) + 1
            elif problem is None:
                if sealable.summary is not None and not _list_sealed(name, str(subject_id)):
                    ledger.seal_summary(sealable, str(subject_id), "seal-all", approver)  # sealed before lists were
                files.seal_files(sealable, str(subject_id), "seal-all", approver)  # sealed before files were
    for generation in range(1, registry.current_generation() + 1):
        if not ledger.started(generation):
            ledger.append(ledger.START_KIND, ledger.start_subject(generation), ledger.GENESIS, "seal-all", approver)
    forget()
    return counts


def _list_sealed(name: str, subject_id: str) -> bool:
    return ledger.latest(name + registry.LIST_SUFFIX, subject_id) is not None


def accept(kind: str, subject_id: str, approver: Any) -> str | None:
    """Seal the item's content as it is now, after a person checked it: "sealed"; "withdrawn" when it is no longer
    published (its removal is what is accepted); None when it was never published."""
    sealed = ledger.seal(kind, subject_id, approver, reason="accept")
    forget()
    if sealed is not None:
        return "sealed"
    latest = ledger.latest(kind, subject_id)
    return "withdrawn" if latest is not None and latest.content_hash == ledger.WITHDRAWN else None
