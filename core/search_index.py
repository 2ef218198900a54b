"""The search index: per public item, the tokens of its texts (core.search_grams), kept in step with the texts.

One table, `search_index` (kind, item_id, grams). On PostgreSQL `grams` is a tsvector of the tokens (built with
array_to_tsvector, so no text-search parser or extension such as zhparser decides what a word is) under a GIN
index; on SQLite it is the tokens as text, indexed by the FTS5 table `search_index_fts` (external content, kept
by triggers). Each feature registers what it indexes (`register_indexed_kind`): the search provider's kind, the
column its items are numbered by, the models whose changes touch an item, and `texts(ids)`: the texts of those of
the ids the public may see (the others leave the index). When a session commits, the items its changes touched
are indexed again in the same transaction; `flask search reindex` and a nightly duty rebuild everything.

The index only narrows a search: the providers still check every term on the real rows, and the public's
visibility of each row, after the lookup. Until the index has been filled, and after a migration that marks it
stale (a new kind of item, or the upgrade that added it to a site with content), searches do without it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import click
from flask import Flask, current_app, has_app_context
from flask.cli import AppGroup
from sqlalchemy import (
    ColumnElement,
    Connection,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    cast,
    column,
    delete,
    event,
    func,
    inspect,
    literal_column,
    select,
    table,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY, TSVECTOR
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from core import search_grams
from core.extensions import db

FTS = "search_index_fts"  # SQLite: the FTS5 table (and the prefix of its shadow tables)
GIN_INDEX = "ix_search_index_grams"  # PostgreSQL
STALE = "(stale)"  # the kind of a row a migration adds when the index must be rebuilt before it is used
CHUNK = 500  # items read and written at a time
_PENDING = "minyi_search_index_pending"  # session.info: the (kind, item id) touched since the last commit


class SearchIndexEntry(db.Model):
    """One public item's tokens; the full-text index over them is dialect-specific (create_extras)."""

    __tablename__ = "search_index"
    __table_args__ = (UniqueConstraint("kind", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[int]
    grams: Mapped[str] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"))


_TABLE = SearchIndexEntry.__table__
_SQLITE_EXTRAS = (  # FTS is search_index_fts
    "CREATE VIRTUAL TABLE search_index_fts USING fts5(grams, content='search_index', content_rowid='id')",
    "CREATE TRIGGER search_index_added AFTER INSERT ON search_index BEGIN "
    "INSERT INTO search_index_fts(rowid, grams) VALUES (new.id, new.grams); END",
    "CREATE TRIGGER search_index_removed AFTER DELETE ON search_index BEGIN "
    "INSERT INTO search_index_fts(search_index_fts, rowid, grams) VALUES ('delete', old.id, old.grams); END",
    "CREATE TRIGGER search_index_changed AFTER UPDATE ON search_index BEGIN "
    "INSERT INTO search_index_fts(search_index_fts, rowid, grams) VALUES ('delete', old.id, old.grams); "
    "INSERT INTO search_index_fts(rowid, grams) VALUES (new.id, new.grams); END",
)
_POSTGRESQL_EXTRAS = (f"CREATE INDEX {GIN_INDEX} ON search_index USING gin (grams)",)


def create_extras(connection: Connection) -> None:
    """The full-text index over search_index: a GIN index, or the FTS5 table and its triggers."""
    postgresql = connection.dialect.name == "postgresql"
    for statement in _POSTGRESQL_EXTRAS if postgresql else _SQLITE_EXTRAS:
        connection.exec_driver_sql(statement)


def drop_extras(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"DROP INDEX IF EXISTS {GIN_INDEX}")
        return
    for trigger in ("search_index_added", "search_index_removed", "search_index_changed"):
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS}")


event.listen(_TABLE, "after_create", lambda _table, connection, **_kw: create_extras(connection))
event.listen(_TABLE, "before_drop", lambda _table, connection, **_kw: drop_extras(connection))


def include_name(name: str | None, type_: str, _parents: Any) -> bool:
    """Alembic's comparison leaves out what create_extras makes (the models do not describe it)."""
    if type_ == "table":
        return not (name or "").startswith(FTS)
    return not (type_ == "index" and name == GIN_INDEX)


# ------------------------------------------------------------------------------------------------ what is indexed


@dataclass(frozen=True)
class Watch:
    """Changes to rows of `model` that touch an indexed item, whose id is the row's attribute `item`. With
    `attributes`, only a change to one of them counts (a new row: one of them set); a deleted row always counts."""

    model: type
    item: str
    attributes: tuple[str, ...] = ()


@dataclass(frozen=True)
class IndexedKind:
    name: str  # the search provider's kind
    id_column: Any  # the column the items are numbered by (a rebuild reads every id, public or not)
    texts: Callable[[Sequence[int]], dict[int, list[str]]]  # of these ids, those the public may see: their texts
    watches: tuple[Watch, ...]


def register_indexed_kind(app: Flask, kind: IndexedKind) -> None:
    app.extensions.setdefault("minyi_search_index", {})[kind.name] = kind
    watches = app.extensions.setdefault("minyi_search_index_watches", defaultdict(list))
    for watch in kind.watches:
        watches[watch.model].append((kind.name, watch))


def _kinds() -> dict[str, IndexedKind]:
    return current_app.extensions.get("minyi_search_index", {}) if has_app_context() else {}


def _watches() -> dict[type, list[tuple[str, Watch]]]:
    """Per model, the kinds its changes touch and how."""
    return current_app.extensions.get("minyi_search_index_watches", {}) if has_app_context() else {}


# ------------------------------------------------------------------------------------------------ writing


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _insert(session: Session, kind: str, texts: dict[int, list[str]]) -> None:
    postgresql = session.get_bind().dialect.name == "postgresql"
    rows = []
    for item_id, item_texts in texts.items():
        if tokens := search_grams.text_tokens(item_texts):
            rows.append({"kind_": kind, "item_": item_id, "tokens": tokens if postgresql else " ".join(tokens)})
    if not rows:
        return
    grams = func.array_to_tsvector(bindparam("tokens", type_=ARRAY(Text))) if postgresql else bindparam("tokens")
    statement = (postgresql_insert if postgresql else sqlite_insert)(_TABLE)
    statement = statement.values(kind=bindparam("kind_"), item_id=bindparam("item_"), grams=grams)
    # An upsert: a rebuild running beside a publication may have written the item after this transaction's delete.
    keys = [_TABLE.c.kind, _TABLE.c.item_id]
    session.execute(
        statement.on_conflict_do_update(index_elements=keys, set_={"grams": statement.excluded.grams}), rows
    )


def refresh(keys: Iterable[tuple[str, int]], session: Session | None = None) -> None:
    """Index these items again from their texts: a public item gets its tokens, any other leaves the index."""
    session = session or db.session()
    wanted: dict[str, set[int]] = defaultdict(set)
    for kind, item_id in keys:
        wanted[kind].add(item_id)
    kinds = _kinds()
    for name, ids in wanted.items():
        if name not in kinds:
            continue
        for chunk in _chunks(sorted(ids)):
            session.execute(delete(_TABLE).where(_TABLE.c.kind == name, _TABLE.c.item_id.in_(chunk)))
            _insert(session, name, kinds[name].texts(chunk))


def rebuild() -> int:
    """Index every public item afresh, in the caller's transaction (which commits); returns how many."""
    session = db.session()
    session.info.pop(_PENDING, None)  # everything is read again
    session.execute(delete(_TABLE))  # the stale mark too
    count = 0
    for name, kind in _kinds().items():
        ids = session.scalars(select(kind.id_column).order_by(kind.id_column)).all()
        for chunk in _chunks(ids):
            texts = kind.texts(chunk)
            _insert(session, name, texts)
            count += len(texts)
    return count


def _counts(item: Any, watch: Watch, new: bool, deleted: bool) -> bool:
    if deleted or not watch.attributes:
        return True
    state = inspect(item)
    if new:
        return any(state.dict.get(name) not in (None, "") for name in watch.attributes)
    return any(state.attrs[name].history.has_changes() for name in watch.attributes)


@event.listens_for(Session, "after_flush")
def _note_touched(session: Session, _context: Any) -> None:
    """Remember the items a flush touched (the rows' history is still there after the flush)."""
    watches = _watches()
    if not watches:
        return
    touched = set()
    # Session.new and .deleted build a new set on every access: read once, a flush of thousands of rows stays linear.
    for rows, new, deleted in (
        (session.new, True, False),
        (session.dirty, False, False),
        (session.deleted, False, True),
    ):
        for item in rows:
            for kind, watch in watches.get(type(item), ()):
                item_id = inspect(item).dict.get(watch.item)
                if item_id is not None and _counts(item, watch, new, deleted):
                    touched.add((kind, item_id))
    if touched:
        session.info.setdefault(_PENDING, set()).update(touched)


@event.listens_for(Session, "before_commit")
def _index_touched(session: Session) -> None:
    """Index the touched items again, in the transaction that changed them: the index commits with the texts."""
    if not _watches() or not (db.session.registry.has() and db.session.registry() is session):
        return  # a session of its own (core.integrity.alerts), which touches nothing indexed
    session.flush()  # the commit would flush next: flushed now, its changes are noted first
    if session.info.get(_PENDING) and not _table_exists(session):
        return  # a database not yet upgraded to the index: the rebuild after the upgrade fills it
    for _ in range(3):  # reading the texts flushes nothing new, unless a listener changed something meanwhile
        touched = session.info.pop(_PENDING, set())
        if not touched:
            break
        refresh(touched, session)
        session.flush()


def _table_exists(session: Session) -> bool:
    """Whether the database has the index yet (remembered once it has: it is checked only before the upgrade)."""
    if current_app.extensions.get("minyi_search_index_table"):
        return True
    exists = inspect(session.connection()).has_table(_TABLE.name)
    current_app.extensions["minyi_search_index_table"] = exists
    return exists


@event.listens_for(Session, "after_transaction_end")
def _forget_touched(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # committed (already indexed) or rolled back (nothing to index)
        session.info.pop(_PENDING, None)


# ------------------------------------------------------------------------------------------------ reading


def ready() -> bool:
    """Whether searches may use the index: switched on, filled, and not marked stale by a migration."""
    if not current_app.config["SEARCH_INDEX"]:
        return False
    stale = select(_TABLE.c.id).where(_TABLE.c.kind == STALE).limit(1).scalar_subquery()
    filled = select(_TABLE.c.id).limit(1).scalar_subquery()
    marked, some = db.session.execute(select(stale, filled)).one()
    return marked is None and some is not None


_FTS_TABLE = table(FTS, column("rowid"))


def matching(kind: str, words: Sequence[str], id_column: Any) -> ColumnElement[bool]:
    """`id_column` is one of the items of `kind` whose tokens hold those of one of the words (a term and its
    synonyms); true() when a word cannot be looked up, so the term is not narrowed."""
    dialect = db.session.get_bind().dialect.name
    query = search_grams.any_word(words, dialect)
    if query is None:
        return true()
    if dialect == "postgresql":
        found = _TABLE.c.grams.op("@@")(cast(bindparam("q", query, unique=True), TSQUERY))
    else:
        matches = select(_FTS_TABLE.c.rowid).where(literal_column(FTS).op("MATCH")(bindparam("q", query, unique=True)))
        found = _TABLE.c.id.in_(matches)
    return id_column.in_(select(_TABLE.c.item_id).where(_TABLE.c.kind == kind, found))


# ------------------------------------------------------------------------------------------------ operating

cli = AppGroup("search", help="Site search and its index.")


@cli.command("reindex")
def reindex_command() -> None:
    """Rebuild the search index from the published texts (after an upgrade, or to repair it)."""
    count = rebuild()
    db.session.commit()
    click.echo(f"search index rebuilt: {count} items")


def _rebuild_duty() -> str:
    count = rebuild()
    db.session.commit()
    return f"{count} items indexed"


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from core.tasks_schedule import Duty, register_duty

    app.cli.add_command(cli)
    register_duty(Duty("search-reindex", _l("Rebuild the search index from the published texts"), _rebuild_duty,
                       "40", "4"))  # fmt: skip
