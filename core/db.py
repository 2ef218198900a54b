"""The declarative base, its naming convention, and column types shared by every model."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from sqlalchemy import DateTime, Insert, MetaData, String, TypeDecorator, text
from sqlalchemy import Enum as SQLEnum
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, mapped_column, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class InsertUnlessTaken(Insert):
    """INSERT … ON CONFLICT DO NOTHING (the same words on PostgreSQL and SQLite), built as the dialects' own inserts
    build it, with a clause SQLAlchemy can cache: theirs is compiled again on every execution (0.3 ms a comment).

    What a request uses to store something once when another request may store the same at the same moment: the
    loser's INSERT returns no row (PostgreSQL waits for the winner's commit first) and nothing else in its
    transaction is undone, with no savepoint's round trips.
    """

    inherit_cache = True

    def __init__(self, table: Any) -> None:
        super().__init__(table)
        self._post_values_clause = text("ON CONFLICT DO NOTHING")


def utcnow() -> datetime:
    """The current instant, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always hands back aware UTC datetimes (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        # SQLite stores text; keep it naive-UTC so comparisons in SQL stay lexicographic and correct.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    # Every Mapped[datetime] column is a UTC column; the naming convention keeps migrations stable.
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION), type_annotation_map={datetime: UTCDateTime()}
    )


# Column aliases used across the models.
created_at = Annotated[datetime, mapped_column(UTCDateTime(), default=utcnow)]
str200 = Annotated[str, mapped_column(String(200))]


def enum_by_value(enum_class: type[StrEnum], length: int = 30) -> SQLEnum:
    """An enum column stored by value as a plain string, so a migration never has to alter a native enum type."""
    return SQLEnum(enum_class, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])
