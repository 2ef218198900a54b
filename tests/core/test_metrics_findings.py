"""/metrics tells the operator's monitoring about tamper evidence and the self-inspection: broken seals by kind
(the open alerts the worker's check keeps) and findings by category, counted again at most once a minute."""

from __future__ import annotations

import re

from core.db import utcnow
from core.extensions import db
from core.integrity.models import IntegrityAlert


def _gauge(page: str, name: str, label: str, value: str) -> float | None:
    match = re.search(rf'^{name}{{{label}="{re.escape(value)}"}} (\S+)$', page, re.M)
    return float(match.group(1)) if match else None


def test_broken_seals_are_reported_by_kind_and_go_back_to_zero_when_fixed(app, client) -> None:
    app.config["METRICS_FINDINGS_SECONDS"] = 0
    changed = IntegrityAlert(kind="consultation", subject_id="7", problem="changed")
    db.session.add_all([
        changed,
        IntegrityAlert(kind="consultation", subject_id="8", problem="unsealed"),
        IntegrityAlert(kind="survey", subject_id="3", problem="changed", resolved_at=utcnow()),  # fixed already
        IntegrityAlert(kind="page", subject_id="/x", problem="spam"),  # a scan finding, not a seal
    ])  # fmt: skip
    db.session.commit()
    page = client.get("/metrics").text
    assert _gauge(page, "minyi_integrity_broken", "kind", "consultation") == 2
    assert _gauge(page, "minyi_integrity_broken", "kind", "survey") == 0  # every sealed kind is listed
    assert _gauge(page, "minyi_integrity_broken", "kind", "page") is None
    assert _gauge(page, "minyi_inspection_findings", "category", "integrity") == 2
    assert _gauge(page, "minyi_inspection_findings", "category", "accessibility") == 0
    db.session.execute(db.update(IntegrityAlert).values(resolved_at=utcnow()))
    db.session.commit()
    page = client.get("/metrics").text
    assert _gauge(page, "minyi_integrity_broken", "kind", "consultation") == 0
    assert _gauge(page, "minyi_inspection_findings", "category", "integrity") == 0


def test_findings_are_counted_again_only_after_the_configured_interval(app, client) -> None:
    app.config["METRICS_FINDINGS_SECONDS"] = 0
    assert _gauge(client.get("/metrics").text, "minyi_inspection_findings", "category", "integrity") == 0
    app.config["METRICS_FINDINGS_SECONDS"] = 3600
    db.session.add(IntegrityAlert(kind="consultation", subject_id="7", problem="changed"))
    db.session.commit()
    page = client.get("/metrics").text
    assert _gauge(page, "minyi_integrity_broken", "kind", "consultation") == 1  # one cheap count, every scrape
    assert _gauge(page, "minyi_inspection_findings", "category", "integrity") == 0  # the checks wait their turn
    app.config["METRICS_FINDINGS_SECONDS"] = 0
    assert _gauge(client.get("/metrics").text, "minyi_inspection_findings", "category", "integrity") == 1
