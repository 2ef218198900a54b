"""The survey side of the self-inspection (core/inspection): results not published, the surveys column."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app, url_for
from flask_babel import gettext as _

from core.db import utcnow
from core.extensions import db
from core.i18n import local_datetime
from core.inspection.checks import Finding, register_check
from surveys.models import Phase, ReviewStatus, Survey


def findings() -> list[Finding]:
    now = utcnow()
    stale_before = now - timedelta(days=int(current_app.config["INSPECTION_STALE_DAYS"]))
    approved = list(db.session.scalars(db.select(Survey).where(Survey.status == ReviewStatus.APPROVED)))
    column = _("Surveys")
    found = []
    for survey in approved:
        # 互动回应: a survey closed this long without its results made public.
        if survey.phase(now) is Phase.CLOSED and not survey.results_published:
            closed = survey.closed_early_at or survey.ends_at
            if closed < now - timedelta(days=int(current_app.config["INSPECTION_RESULTS_DUE_DAYS"])):
                found.append(
                    Finding(
                        "survey_results",
                        survey.title,
                        _("Closed %(at)s, results not published", at=local_datetime(closed)),
                        survey.department.name,
                        column,
                        url_for("surveys_manage.results", survey_id=survey.id),
                    )
                )
    if not approved:
        found.append(
            Finding(
                "empty_column",
                column,
                _("Nothing published yet"),
                column=column,
                fix_url=url_for("surveys_manage.index"),
            )
        )
    elif max(survey.starts_at for survey in approved) < stale_before:
        last = max(survey.starts_at for survey in approved)
        found.append(
            Finding(
                "stale_column",
                column,
                _("Last published %(at)s", at=local_datetime(last)),
                column=column,
                fix_url=url_for("surveys_manage.index"),
            )
        )
    return found


def init_app(app: Flask) -> None:
    register_check(app, findings)
