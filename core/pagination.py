"""Pagination of a select() for list pages, without Model.query."""

from __future__ import annotations

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


def paginate(query: Select[Any], per_page: int = 20) -> Page:
    """The page named by ?page= (clamped to the valid range) of the query's rows."""
    try:
        number = max(1, int(request.args.get("page", "1")))
    except ValueError:
        number = 1
    total = db.session.scalar(db.select(func.count()).select_from(query.order_by(None).subquery())) or 0
    number = min(number, max(1, -(-total // per_page)))
    items = db.session.scalars(query.limit(per_page).offset((number - 1) * per_page)).all()
    return Page(items=list(items), number=number, per_page=per_page, total=total)
