"""Exact and near-duplicate clustering of a consultation's comments, stored so every worker sees the same clusters.

A new comment is compared with the comments already stored, not with an in-memory index: its MinHash
signature is cut into LSH bands whose keys are rows of consultation_comment_bands, so one indexed query
finds the earlier comments likely to be near copies, in any process. core.dedup.similarity() then decides,
exactly. A cluster is named by its first comment's id (Comment.cluster_id); joining one writes the same
value whichever worker does it, so two requests racing to join a cluster agree.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, or_
from sqlalchemy import inspect as sa_inspect

from consultation.handling.models import CommentBand, ConsultationFeedback
from consultation.models import Comment, Consultation
from core.dedup import DEFAULT_THRESHOLD, MIN_NEAR_DUPLICATE_LENGTH, SHINGLE_SIZE, cluster, fingerprint, similarity
from core.extensions import db
from core.screening import normalize_text

# 20 bands of 5 rows: a pair at similarity 0.7 shares a band with probability 1-(1-0.7^5)^20 ≈ 0.975; at 0.4,
# about 0.19 (those candidates cost one exact comparison each).
BANDS = 20
ROWS_PER_BAND = 5
# A campaign of thousands of copies must not make each new copy compare with thousands of candidates: past this
# size a cluster has enough indexed variety to catch new copies, which join it without being indexed.
MAX_INDEXED_PER_CLUSTER = 24
CANDIDATE_LIMIT = 40


@cache
def _permutations() -> Any:
    """The MinHash permutations, the same in every process (fixed seed), made once per process."""
    from datasketch import MinHash  # scipy comes with it: only processes that take comments pay for it

    template = MinHash(num_perm=BANDS * ROWS_PER_BAND, seed=20261126)
    return template.permutations, template.scheme


def band_keys(text: str) -> list[int]:
    """The LSH band keys of a text's MinHash signature; empty for texts too short to compare loosely."""
    from datasketch import MinHash

    normalized = normalize_text(text)
    if len(normalized) < MIN_NEAR_DUPLICATE_LENGTH:
        return []
    encoded = normalized.encode("utf-32-le")  # four bytes a character: an n-gram is a fixed-width slice
    width = 4 * SHINGLE_SIZE
    shingles = {encoded[i : i + width] for i in range(0, len(encoded) - width + 4, 4)}
    permutations, scheme = _permutations()
    signature = MinHash(num_perm=BANDS * ROWS_PER_BAND, hashfunc=zlib.crc32, permutations=permutations, scheme=scheme)
    signature.update_batch(shingles)
    values = signature.hashvalues
    keys = []
    for band in range(BANDS):
        chunk = values[band * ROWS_PER_BAND : (band + 1) * ROWS_PER_BAND].tobytes()
        digest = hashlib.blake2b(bytes([band]) + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))  # fits a signed BIGINT column
    return keys


def _cluster_key(comment: Comment) -> int:
    return comment.cluster_id or comment.id


# The statements every new comment runs, built once: building one costs several times more than running it.
_OF_TWIN = (Comment.consultation_id == bindparam("consultation_id"), Comment.fingerprint == bindparam("fingerprint"))
# The earliest exact copy, as columns of a one-row SELECT to which a caller may add reads of its own (the intake adds
# the burst count: one round trip instead of two). Parameters: consultation_id, fingerprint.
TWIN_COLUMNS = (
    db.select(Comment.id).where(*_OF_TWIN).order_by(Comment.id).limit(1).scalar_subquery().label("twin_id"),
    db.select(Comment.cluster_id)
    .where(*_OF_TWIN)
    .order_by(Comment.id)
    .limit(1)
    .scalar_subquery()
    .label("twin_cluster"),
)
_TWIN = db.select(*TWIN_COLUMNS)


@dataclass(frozen=True)
class Twin:
    """The earliest exact copy of a new comment, as read with TWIN_COLUMNS (id None: there is none)."""

    id: int | None
    cluster_id: int | None


# Counts at most MAX_INDEXED_PER_CLUSTER members: a campaign of ten thousand copies costs no more than one of 24.
_CLUSTER_REACHES_INDEX_CAP = db.select(func.count()).select_from(
    db.select(Comment.id)
    .where(Comment.consultation_id == bindparam("consultation_id"), Comment.cluster_id == bindparam("cluster_id"))
    .limit(MAX_INDEXED_PER_CLUSTER)
    .subquery()
)
_COMMENTS = Comment.__table__
# On SQLite merging is two statements, each answered from an index (the primary key; consultation + cluster): one OR
# of both would make SQLite walk every comment of the consultation on every new copy of a campaign.
# (The ids are the consultation's own, found by consultation-scoped reads; a consultation condition here would lead
# SQLite to its consultation index instead of the primary key.)
_NAME_CLUSTER_ROOTS = (
    _COMMENTS.update()
    .where(
        _COMMENTS.c.id.in_(bindparam("ids", expanding=True)),
        _COMMENTS.c.cluster_id.is_distinct_from(bindparam("target")),
    )
    .values(cluster_id=bindparam("target"))
)
_MOVE_CLUSTER_MEMBERS = (
    _COMMENTS.update()
    .where(
        _COMMENTS.c.consultation_id == bindparam("in_consultation"),
        _COMMENTS.c.cluster_id.in_(bindparam("clusters", expanding=True)),
    )
    .values(cluster_id=bindparam("target"))
)


def _merging_in_id_order() -> Select[Any]:
    """PostgreSQL's merge, one statement: lock the key comments and the members of the other clusters in id order,
    then rename them after the smallest name they carry; returns that name.

    Every merge locks its rows in the same order (ids ascending) before writing any, so two comments merging
    overlapping clusters at once wait for each other instead of deadlocking (an UPDATE locks rows in the order it
    finds them on disk, which a concurrent merge changes). The name is read from the locked rows, so a merge whose
    reads are older than a concurrent one only ever lowers a name, never undoes the other's merge.
    """
    locked = (
        db.select(_COMMENTS.c.id, func.coalesce(_COMMENTS.c.cluster_id, _COMMENTS.c.id).label("name"))
        .where(
            or_(
                _COMMENTS.c.id.in_(bindparam("ids", expanding=True)),
                and_(
                    _COMMENTS.c.consultation_id == bindparam("in_consultation"),
                    _COMMENTS.c.cluster_id.in_(bindparam("clusters", expanding=True)),
                ),
            )
        )
        .order_by(_COMMENTS.c.id)
        .with_for_update(key_share=True)  # FOR NO KEY UPDATE, as the UPDATE takes: inserts of bands still pass
        .cte("locked")
    )
    name = db.select(func.min(locked.c.name)).scalar_subquery()
    renamed = (
        _COMMENTS.update()
        .where(_COMMENTS.c.id == locked.c.id, _COMMENTS.c.cluster_id.is_distinct_from(name))
        .values(cluster_id=name)
        .cte("renamed")
    )
    return db.select(name.label("target")).add_cte(renamed)


_MERGE_IN_ID_ORDER = _merging_in_id_order()


def merge_cluster_keys(consultation_id: int, keys: set[int], newcomer: int | None = None) -> int:
    """Make the clusters named by `keys` (a comment id stands for itself when it has no cluster) one cluster,
    named by the smallest key (or a smaller name one of them took meanwhile); returns it. Writes the same values
    whichever worker runs it.

    `newcomer`: the new comment (already inserted) that joined them, moved too if the name turns out smaller
    (PostgreSQL: another worker merged one of the keys into an older cluster meanwhile).
    """
    target = min(keys)
    others = sorted(keys - {target})
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        ids = sorted(keys | ({newcomer} if newcomer is not None else set()))
        parameters = {"ids": ids, "in_consultation": consultation_id, "clusters": others}
        target = connection.execute(_MERGE_IN_ID_ORDER, parameters).scalar() or target
    else:  # one writer at a time: the two statements' order cannot deadlock
        connection.execute(_NAME_CLUSTER_ROOTS, {"target": target, "ids": sorted(keys)})
        if others:
            connection.execute(
                _MOVE_CLUSTER_MEMBERS, {"in_consultation": consultation_id, "target": target, "clusters": others}
            )
    # The table changed under the session: comments of this consultation loaded in it read cluster_id again when
    # next used (a resident's submission has only its new comment loaded, which already carries the cluster). Read
    # without loading: an expired comment reads everything again anyway, and one a rolled-back run inserted is gone.
    for loaded in list(db.session.identity_map.values()):
        if isinstance(loaded, Comment) and sa_inspect(loaded).dict.get("consultation_id") == consultation_id:
            db.session.expire(loaded, ["cluster_id"])
    return target


def join_clusters(consultation_id: int, comments: Sequence[Comment]) -> int:
    """Put `comments` (and every member of their clusters) into one cluster, named by the earliest id."""
    target = merge_cluster_keys(consultation_id, {_cluster_key(comment) for comment in comments})
    for comment in comments:
        comment.cluster_id = target
    return target


def _candidates_statement() -> Select[Any]:
    """Earlier comments sharing the most band keys with a new one: one indexed query, whichever worker asks."""
    hits = (
        db.select(CommentBand.comment_id, func.count().label("shared"))
        .where(
            CommentBand.consultation_id == bindparam("consultation_id"),
            CommentBand.band.in_(bindparam("bands", expanding=True)),
        )
        .group_by(CommentBand.comment_id)
        .order_by(func.count().desc(), CommentBand.comment_id)
        .limit(CANDIDATE_LIMIT)
        .subquery()
    )
    return (
        db.select(Comment.id, Comment.cluster_id, Comment.content)
        .join(hits, hits.c.comment_id == Comment.id)
        .order_by(hits.c.shared.desc(), Comment.id)
    )


_CANDIDATES = _candidates_statement()


@dataclass
class _NearCopies:
    matched: set[int] = field(default_factory=set)  # clusters (or lone comments) holding a near copy
    lone: set[int] = field(default_factory=set)  # lone comments among the candidates (no cluster named yet)
    seen: dict[int, int] = field(default_factory=dict)  # candidates per cluster: a lower bound of its size


def _near_copies(consultation_id: int, content: str, keys: list[int]) -> _NearCopies:
    """The clusters (or single comments) of the consultation holding a near copy of `content`."""
    candidates = db.session.execute(_CANDIDATES, {"consultation_id": consultation_id, "bands": keys}).all()
    found = _NearCopies()
    for candidate in candidates:
        key = candidate.cluster_id or candidate.id
        found.seen[key] = found.seen.get(key, 0) + 1
        if candidate.cluster_id is None:
            found.lone.add(key)
        if key not in found.matched and similarity(content, candidate.content) >= DEFAULT_THRESHOLD:
            found.matched.add(key)
    return found


def _has_enough_indexed(consultation_id: int, cluster_id: int) -> bool:
    """Whether the cluster has MAX_INDEXED_PER_CLUSTER members already (then a new copy's bands add nothing)."""
    members = db.session.scalar(
        _CLUSTER_REACHES_INDEX_CAP, {"consultation_id": consultation_id, "cluster_id": cluster_id}
    )
    return (members or 0) >= MAX_INDEXED_PER_CLUSTER


def _published_at(consultation_id: int) -> datetime | None:
    """When the consultation's feedback was published (None: not yet)."""
    published = db.select(ConsultationFeedback.published_at).where(
        ConsultationFeedback.consultation_id == consultation_id
    )
    return db.session.scalar(published)


def _feedback_published(consultation_id: int) -> bool:
    """Whether the consultation's feedback is out (asked only of a comment near several clusters: rare)."""
    return _published_at(consultation_id) is not None


@dataclass
class Placement:
    """Where a new comment belongs, worked out with reads only before it is stored (so its row is written once,
    and the database's single writer lock is held only for the short burst of writes at the end)."""

    fingerprint: str
    cluster_id: int | None = None
    flags: set[str] = field(default_factory=set)
    band_keys: list[int] = field(default_factory=list)  # to store once the comment has its id
    # Clusters (or lone comments) to make one cluster after the insert; empty when the comment just joins one cluster
    # already named (its first comment carries the name): then there is nothing to write but the comment itself.
    merge_keys: set[int] = field(default_factory=set)


def place(consultation_id: int, content: str, twin: Twin | None = None) -> Placement:
    """Find a new comment's cluster among the comments already stored (reads only); `twin` when the caller read it
    with TWIN_COLUMNS (bound to fingerprint(content)).

    Flags: "exact_duplicate" (the same matching form was already received) or "near_duplicate" (a lightly
    edited copy). The caller sets `cluster_id` on the comment, stores it, then calls index(), which writes.
    """
    placement = Placement(fingerprint(content))
    if twin is None:
        row = db.session.execute(_TWIN, {"consultation_id": consultation_id, "fingerprint": placement.fingerprint})
        twin = Twin(*row.one())
    if twin.id is not None:
        # An exact copy adds nothing to the band index that its original is not already there for.
        placement.cluster_id = twin.cluster_id or twin.id
        placement.merge_keys = set() if twin.cluster_id else {twin.id}
        placement.flags.add("exact_duplicate")
        return placement
    keys = band_keys(content)
    if not keys:
        return placement
    copies = _near_copies(consultation_id, content, keys)
    if copies.matched:
        placement.cluster_id = min(copies.matched)
        if len(copies.matched) > 1 and _feedback_published(consultation_id):
            # A late letter near several published rows joins the earliest only: merging them would regroup the
            # published feedback table (rows gone, counts changed), which only an addendum may add to.
            copies.matched = {placement.cluster_id}
        if len(copies.matched) > 1 or copies.matched & copies.lone:
            placement.merge_keys = copies.matched
        placement.flags.add("near_duplicate")
    if placement.cluster_id is None or not (
        # Enough of its members among the candidates already says so, without counting them.
        copies.seen.get(placement.cluster_id, 0) >= MAX_INDEXED_PER_CLUSTER
        or _has_enough_indexed(consultation_id, placement.cluster_id)
    ):
        placement.band_keys = keys
    return placement


def index(comment: Comment, placement: Placement) -> None:
    """After the comment's insert: merge the clusters it joined and store its band keys for later comments."""
    if placement.merge_keys:
        merge_cluster_keys(comment.consultation_id, placement.merge_keys, newcomer=comment.id)
    if placement.band_keys:
        db.session.execute(
            db.insert(CommentBand),
            [
                {"consultation_id": comment.consultation_id, "comment_id": comment.id, "band": key}
                for key in placement.band_keys
            ],
        )


def recheck(consultation: Consultation) -> int:
    """Cluster all the consultation's comments again in one pass (core.dedup.cluster) and merge what it finds.

    Clusters are only ever merged, never split, so a moderator's merges stand. Catches near copies that two
    workers stored at the same instant, each before seeing the other. Returns how many comments moved.
    """
    rows = db.session.execute(
        db.select(Comment.id, Comment.content, Comment.cluster_id, Comment.created_at)
        .where(Comment.consultation_id == consultation.id)
        .order_by(Comment.id)
    ).all()
    found = cluster((row.id, row.content) for row in rows)
    published_rows = _published_rows(consultation.id, rows)
    groups: dict[int, list[int]] = {}
    for comment_id, root in found.items():
        groups.setdefault(root, []).append(comment_id)
    moved = 0
    for members in groups.values():
        if len(members) < 2 or len({published_rows[m] for m in members if m in published_rows}) > 1:
            continue  # (nor ever joins two rows of the published feedback table)
        comments = db.session.scalars(db.select(Comment).where(Comment.id.in_(members))).all()
        before = {comment.id: comment.cluster_id for comment in comments}
        join_clusters(consultation.id, comments)
        moved += sum(1 for comment in comments if before[comment.id] != comment.cluster_id)
    db.session.flush()
    return moved


def _published_rows(consultation_id: int, rows: Sequence[Any]) -> dict[int, int]:
    """The cluster (or lone comment) each comment published in the feedback table stood in; empty before."""
    published_at = _published_at(consultation_id)
    if published_at is None:
        return {}
    return {row.id: row.cluster_id or row.id for row in rows if row.created_at <= published_at}


def cluster_sizes(consultation_id: int, cluster_ids: Iterable[int]) -> dict[int, int]:
    """How many comments each of these clusters holds."""
    ids = list(set(cluster_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        db.select(Comment.cluster_id, func.count(Comment.id))
        .where(Comment.consultation_id == consultation_id, Comment.cluster_id.in_(ids))
        .group_by(Comment.cluster_id)
    ).all()
    return {cluster_id: count for cluster_id, count in rows}
