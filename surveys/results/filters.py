"""Filters of the results pages and exports, read from GET parameters so every link and download carries them.

`answer=code:option` keeps the responses that chose that option of a choice question, `since` and `until`
are days in Beijing time (inclusive), `status` is complete (the default), incomplete or all. Values that do
not make sense for the survey are ignored rather than refused, so a bookmarked link never breaks a page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from surveys.models import QuestionType, Survey
from surveys.results.data import Snapshot, column_codes, day_number

if TYPE_CHECKING:
    import numpy as np

STATUSES = ("complete", "incomplete", "all")
FILTER_TYPES = (QuestionType.SINGLE, QuestionType.DROPDOWN, QuestionType.MULTIPLE)


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Filters:
    question: str = ""
    option: str = ""
    since: date | None = None
    until: date | None = None
    status: str = "complete"

    @classmethod
    def from_args(cls, args: Mapping[str, Any], survey: Survey) -> Filters:
        question, _sep, option = (args.get("answer") or "").partition(":")
        choices = {q.code: column_codes(q) for q in survey.questions if q.type in FILTER_TYPES}
        if option not in choices.get(question, []):
            question = option = ""
        status = args.get("status") or "complete"
        return cls(
            question=question,
            option=option,
            since=_day(args.get("since")),
            until=_day(args.get("until")),
            status=status if status in STATUSES else "complete",
        )

    def as_args(self) -> dict[str, str]:
        """The GET parameters that give these filters back (defaults left out)."""
        args = {}
        if self.question:
            args["answer"] = f"{self.question}:{self.option}"
        if self.since:
            args["since"] = self.since.isoformat()
        if self.until:
            args["until"] = self.until.isoformat()
        if self.status != "complete":
            args["status"] = self.status
        return args

    @property
    def active(self) -> bool:
        return bool(self.as_args())

    def mask(self, snapshot: Snapshot) -> np.ndarray:
        """Which responses of the snapshot pass the filters."""
        import numpy as np  # numpy is imported on use: create_app() must not load it

        keep = np.ones(snapshot.size, bool)
        if self.status != "all":
            keep &= snapshot.complete == (self.status == "complete")
        if self.since:
            keep &= snapshot.submitted_day >= day_number(self.since)
        if self.until:
            keep &= snapshot.submitted_day <= day_number(self.until)
        if self.question:
            column = snapshot.columns[self.question]
            keep &= column.indicators()[:, column.codes.index(self.option)]
        return keep
