"""Survey duties the worker runs by itself (core/tasks_schedule.py): the purge of closed surveys' tokens and drafts,
and the nightly results snapshot, each the same service as its `flask surveys …` command."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from core.extensions import db
from core.tasks_schedule import Duty, register_duty


def init_app(app: Flask) -> None:
    register_duty(Duty("survey-purge", _l("Delete closed surveys' tokens and drafts"), purge, "50", "3"))
    register_duty(Duty("survey-results", _l("Bring survey results snapshots up to date"), cache_results, "0", "4"))


def purge() -> str:
    from surveys.taking.responding import purge_closed

    purged = purge_closed()
    db.session.commit()
    return f"{len(purged)} closed surveys purged"


def cache_results() -> str:
    from surveys.models import ReviewStatus, Survey
    from surveys.results import data as result_data

    surveys = db.session.scalars(db.select(Survey).where(Survey.status == ReviewStatus.APPROVED)).all()
    responses = sum(result_data.load(survey).size for survey in surveys)
    return f"{len(surveys)} surveys cached, {responses} responses"
