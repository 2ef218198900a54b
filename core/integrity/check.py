"""The whole check (`flask integrity check`) and the one-time sealing of what an older database already published."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.integrity import alerts, ledger, registry, release
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
    for path, problem in release.file_problems():
        found.append(Problem(release.RELEASE_KIND, path, problem, path))
    return found


def check_and_alert() -> list[Problem]:
    """problems(), each raised as an alert (once), and alerts whose items hold again closed; the caller commits."""
    found = problems()
    for problem in found:
        alerts.raise_alert(problem.kind, problem.subject_id, problem.problem, {"description": problem.description})
    alerts.resolve_holding({(p.kind, p.subject_id, p.problem) for p in found})
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
            if verdict(name, str(subject_id)).problem == "unsealed":
                ledger.seal(name, subject_id, approver, reason="seal-all")
                counts[name] = counts.get(name, 0) + 1
    if not ledger.started():
        ledger.append(ledger.START_KIND, "start", ledger.GENESIS, "seal-all", approver)
    forget()
    return counts


def accept(kind: str, subject_id: str, approver: Any) -> bool:
    """Seal the item's content as it is now, after a person checked it; False when it is not published."""
    sealed = ledger.seal(kind, subject_id, approver, reason="accept")
    forget()
    return sealed is not None
