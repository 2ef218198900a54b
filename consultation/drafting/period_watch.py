"""Published periods that run short of their minimum once a missing year's holiday calendar is entered.

A working-day period that runs into a year the calendar lacks is saved with weekends only (provisional). When
the admin enters that year, its holidays may push the minimum later than the end already published: such a
consultation is flagged in the audit log at once and listed on its department's dashboard until it is extended.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from consultation.drafting import periods, services
from consultation.models import Consultation, ConsultationStatus
from core import audit
from core.db import utcnow
from core.extensions import db


@dataclass(frozen=True)
class ShortPeriod:
    consultation: Consultation
    check: periods.PeriodCheck


def short_periods(department_ids: Iterable[int] | None = None, now: datetime | None = None) -> list[ShortPeriod]:
    """Scheduled and open consultations (of these departments, or all) whose period is now below the minimum."""
    query = db.select(Consultation).where(
        Consultation.status == ConsultationStatus.SCHEDULED, Consultation.end_at >= (now or utcnow())
    )
    if department_ids is not None:
        query = query.where(Consultation.department_id.in_(list(department_ids)))
    found = []
    for consultation in db.session.scalars(query.order_by(Consultation.end_at)):
        check = services.check_period(consultation)
        if check is not None and not check.ok:
            found.append(ShortPeriod(consultation, check))
    return found


def recheck_after_calendar(year: int) -> int:
    """Audit each scheduled or open consultation touching `year` that is now too short; returns how many."""
    flagged = 0
    for item in short_periods():
        consultation, check = item.consultation, item.check
        first = periods.local_date(consultation.start_at).year
        last = max(periods.local_date(consultation.end_at), periods.local_date(check.minimum_end)).year
        if not first <= year <= last:
            continue
        audit.record(
            "consultation.period_below_minimum",
            consultation,
            detail={
                "year": year,
                "problems": check.problems,
                "end": consultation.end_at.isoformat(),
                "minimum_end": check.minimum_end.isoformat(),
            },
        )
        flagged += 1
    return flagged
