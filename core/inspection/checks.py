"""The self-inspection (自查) against 政府网站与政务新媒体检查指标: findings gathered from every feature.

A feature registers a check, a function returning findings, in its `init_app`; core adds its own (the last content
scan: broken links, spam, links off the allow-list, accessibility; the open integrity alerts). Nothing here asks
the network: external links are checked by the scheduled scan, whose last run is read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, url_for
from flask_babel import lazy_gettext as _l

from core.integrity import alerts, registry
from core.integrity.labels import problem_label
from core.integrity.scan import last_run

# Categories in the order an inspector reads them, with what each is called.
CATEGORIES: dict[str, Any] = {
    "integrity": _l("Content changed outside the approval workflow"),
    "spam": _l("Pages with spam vocabulary"),
    "foreign_link": _l("Links to domains not on the allow-list"),
    "broken_link": _l("Broken links (internal)"),
    "external_broken": _l("Broken links (external)"),
    "unavailable": _l("Pages not served"),
    "empty_column": _l("Empty columns"),
    "stale_column": _l("Columns not updated"),
    "feedback_late": _l("Feedback late or missing (互动回应)"),
    "survey_results": _l("Survey results not published"),
    "interpretation": _l("Interpretations missing or late"),
    "short_period": _l("Periods shorter than the minimum"),
    "legality_review": _l("Legality reviews outstanding"),
    "archive_due": _l("Due for archiving"),
    "retention_due": _l("Contact details due for deletion"),
    "accessibility": _l("Accessibility"),
}


@dataclass(frozen=True)
class Finding:
    category: str
    title: str
    detail: str = ""
    department: str = ""
    column: str = ""
    fix_url: str = ""


Check = Callable[[], list[Finding]]


def register_check(app: Flask, check: Check) -> None:
    app.extensions.setdefault("minyi_inspection_checks", []).append(check)


def category_label(code: str) -> str:
    return str(CATEGORIES.get(code, code))


def _scan_findings() -> list[Finding]:
    run = last_run()
    if run is None:
        return []
    kinds = {"spam": "spam", "link": "foreign_link", "broken_link": "broken_link"}
    kinds |= {"external_broken": "external_broken", "unavailable": "unavailable", "accessibility": "accessibility"}
    found = []
    for item in run.findings:
        category = kinds.get(item.get("type", ""))
        if category is None:
            continue
        what = item.get("word") or item.get("target") or item.get("detail") or f"HTTP {item.get('status', '')}"
        linked_from = f" ← {item['from']}" if item.get("from") else ""
        found.append(
            Finding(category, str(item.get("url", "")), f"{what}{linked_from}", fix_url=str(item.get("url", "")))
        )
    return found


def _integrity_findings() -> list[Finding]:
    found = []
    for alert in alerts.open_alerts(limit=1000):
        if alert.problem in ("spam", "link"):
            continue  # listed from the scan itself
        fix = ""
        sealable = registry.kinds().get(alert.kind)
        if sealable is not None and sealable.fix_url is not None:
            try:
                fix = sealable.fix_url(alert.subject_id)
            except Exception:  # an address that cannot be built must not hide the finding
                fix = ""
        title = str(alert.detail.get("description") or f"{alert.kind} {alert.subject_id}")
        department, column = _locate(sealable, alert.kind, alert.subject_id)
        fix = fix or url_for("admin.audit_log", object=f"{alert.kind}:{alert.subject_id}"[:80])
        found.append(Finding("integrity", title, problem_label(alert.problem), department, column, fix))
    return found


def _locate(sealable: registry.SealableKind | None, kind: str, subject_id: str) -> tuple[str, str]:
    if kind == "release":
        return "", str(_l("Templates and files"))
    if sealable is None or sealable.locate is None:
        return "", ""
    try:
        return sealable.locate(subject_id)
    except Exception:  # a department that cannot be named must not hide the finding
        return "", ""


def run_checks() -> list[Finding]:
    """Every finding, by category in CATEGORIES order."""
    found = _integrity_findings() + _scan_findings()
    for check in current_app.extensions.get("minyi_inspection_checks", []):
        found.extend(check())
    order = {code: index for index, code in enumerate(CATEGORIES)}
    return sorted(found, key=lambda f: (order.get(f.category, len(order)), f.department, f.column, f.title))


def summary(found: list[Finding]) -> list[tuple[str, str, int]]:
    """(category, label, count) for every category, zeros included: the figures an inspector computes."""
    counts: dict[str, int] = {}
    for finding in found:
        counts[finding.category] = counts.get(finding.category, 0) + 1
    return [(code, str(label), counts.get(code, 0)) for code, label in CATEGORIES.items()]


def by_department(found: list[Finding]) -> tuple[list[tuple[str, str]], list[tuple[str, list[int], int]]]:
    """The figures per department: (the categories found, [(department, count per category, total)]).

    Findings that belong to the site as a whole (a template, the surveys column) are counted under "—"."""
    categories = [(code, str(label)) for code, label in CATEGORIES.items() if any(f.category == code for f in found)]
    counts: dict[str, dict[str, int]] = {}
    for finding in found:
        row = counts.setdefault(finding.department or "—", {})
        row[finding.category] = row.get(finding.category, 0) + 1
    rows = [
        (department, [row.get(code, 0) for code, _label in categories], sum(row.values()))
        for department, row in sorted(counts.items())
    ]
    return categories, rows
