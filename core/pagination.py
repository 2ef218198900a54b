"""Pagination of a select() for list pages, without Model.query."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import request
from sqlalchemy import Select, func

from core.extensions import db


@dataclass
class Page:
    items: list[Any]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def count_rows(query: Select[Any]) -> int:
    """How many rows the query returns (its ordering dropped: it does not change the count)."""
    return db.session.scalar(db.select(func.count()).select_from(query.order_by(None).subquery())) or 0


def _requested_page(total: int, per_page: int) -> int:
    """The page named by ?page=, clamped to the pages there are (1 when it is missing or not a number)."""
    try:
        number = max(1, int(request.args.get("page", "1")))
    except ValueError:
        number = 1
    return min(number, max(1, -(-total // per_page)))


def paginate(query: Select[Any], per_page: int = 20) -> Page:
    """The page named by ?page= (clamped to the valid range) of the query's rows."""
    total = count_rows(query)
    number = _requested_page(total, per_page)
    items = db.session.scalars(query.limit(per_page).offset((number - 1) * per_page)).all()
    return Page(items=list(items), number=number, per_page=per_page, total=total)


def paginate_list(items: Sequence[Any], per_page: int = 20) -> Page:
    """The page named by ?page= of items already in memory (e.g. ranked search results)."""
    number = _requested_page(len(items), per_page)
    return Page(items=list(items[(number - 1) * per_page : number * per_page]), number=number, per_page=per_page,
                total=len(items))  # fmt: skip
