"""Pagination of list pages with Flask-SQLAlchemy's own `Pagination`, clamped to the pages there are.

`?page=` past the last page shows the last page and a page that is not a number shows the first, instead of
Flask-SQLAlchemy's 404: a shared link to page 9 of a list that has since shrunk still shows something.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func

from core.extensions import db


class ListPagination(Pagination):
    """The same interface over items already in memory (e.g. ranked search results)."""

    def _query_items(self) -> list[Any]:
        items: Sequence[Any] = self._query_args["items"]
        return list(items[self._query_offset : self._query_offset + self.per_page])

    def _query_count(self) -> int:
        return len(self._query_args["items"])


def count_rows(query: Select[Any]) -> int:
    """How many rows the query returns (its ordering dropped: it does not change the count)."""
    return db.session.scalar(db.select(func.count()).select_from(query.order_by(None).subquery())) or 0


def _last_page(total: int | None, per_page: int) -> int:
    return max(1, -(-(total or 0) // per_page))


def paginate(query: Select[Any], per_page: int = 20) -> Pagination:
    """The page named by ?page= of the query's rows."""
    page = db.paginate(query, per_page=per_page, max_per_page=per_page, error_out=False)
    if page.page > _last_page(page.total, per_page):
        page = db.paginate(query, page=_last_page(page.total, per_page), per_page=per_page, error_out=False)
    return page


def paginate_list(items: Sequence[Any], per_page: int = 20) -> Pagination:
    """The page named by ?page= of items already in memory."""
    page = ListPagination(per_page=per_page, max_per_page=per_page, error_out=False, items=items)
    if page.page > _last_page(page.total, per_page):
        page = ListPagination(page=_last_page(page.total, per_page), per_page=per_page, error_out=False, items=items)
    return page
