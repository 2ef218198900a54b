"""Verifying a published item before it is served: its content hashed now against its latest seal.

Hashing is cheap next to rendering (and a public page is rendered once per cache period); what is remembered per
process is the verdict for (item, content hash, ledger head), so an unchanged item costs one hash and one indexed
`max(id)` per rendering, and any new seal (or a removed one) makes every item be looked up again. Whether an item
has a seal at all, and whether the ledger is started, are remembered per ledger head the same way: an item with no
seal on a site that does not yet refuse unsealed items is served without loading its content.
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from cachetools import LRUCache
from flask import current_app, g, has_request_context, request
from werkzeug.exceptions import HTTPException

from core.integrity import canonical, ledger, registry

T = TypeVar("T")
_MEMO = "minyi_integrity_memo"
_STARTED = "minyi_integrity_started"
_NOT_STARTED_AT = "minyi_integrity_not_started_at"  # the ledger head at which the start marker was last not found
_SEALED = "minyi_integrity_sealed"


class ContentUnavailable(HTTPException):
    """A published item whose content no longer matches its seal: answered with the 503 page, never served."""

    code = 503
    description = "temporarily unavailable"

    def __init__(self, kind: str, subject_id: str, problem: str) -> None:
        super().__init__()
        self.kind, self.subject_id, self.problem = kind, str(subject_id), problem


@dataclass(frozen=True)
class Verdict:
    kind: str
    subject_id: str
    problem: str | None  # None: it holds; "unsealed", "changed", "forged"; "unpublished" is not a breach
    computed: str = ""
    sealed: str = ""

    @property
    def holds(self) -> bool:
        return self.problem is None


def _memo() -> tuple[LRUCache[tuple[str, str, str, int], Verdict], threading.Lock]:
    memo = current_app.extensions.get(_MEMO)
    if memo is None:
        memo = current_app.extensions[_MEMO] = (LRUCache(maxsize=4096), threading.Lock())
    return memo


def _enforcing(kind: str) -> bool:
    """Unsealed published items are refused once `seal-all` started the ledger (or when configured to); items of a
    kind added by an upgrade once `seal-all` of that version ran (SealableKind.since)."""
    mode = current_app.config.get("INTEGRITY_REQUIRE_SEALS", "auto")
    if mode != "auto":
        return bool(mode)
    # Remembered once true only: the marker is never removed by the application, and another process may add it.
    # Not found is remembered per ledger head: the marker is appended, so it cannot appear without the head moving.
    generation, extensions = registry.generation(kind), current_app.extensions
    started: set[int] = extensions.setdefault(_STARTED, set())
    not_started_at: dict[int, int] = extensions.setdefault(_NOT_STARTED_AT, {})
    if generation not in started and not_started_at.get(generation) != _head():
        if ledger.started(generation):
            started.add(generation)
        else:
            not_started_at[generation] = _head()
    return generation in started


def _has_seal(kind: str, subject_id: str) -> bool:
    """Whether the ledger holds any seal of the item; remembered per ledger head (a new seal moves the head)."""
    stored = current_app.extensions.get(_SEALED)
    if stored is None:
        stored = current_app.extensions[_SEALED] = (LRUCache(maxsize=4096), threading.Lock())
    memo, lock = stored
    key = (kind, subject_id, _head())
    with lock:
        known = memo.get(key)
    if known is None:
        known = ledger.latest(kind, subject_id) is not None
        with lock:
            memo[key] = known
    return bool(known)


def _head() -> int:
    # One max(id) per request, however many items the page lists (none when the item's query brought it along).
    if "integrity_head" not in g:
        g.integrity_head = ledger.head_id()
    return int(g.integrity_head)


def head_column() -> Any:
    """The ledger's head as a column, to be read in the query that loads the item a request verifies:
    `select(Item, integrity.head_column())`, then `integrity.note_head(value)`. One round trip less per request,
    and the head is read in the same snapshot as the item."""
    return ledger.HEAD_COLUMN


def note_head(value: int | None) -> None:
    """The head read with `head_column()`; the first one read in a request (or app context) is the one used."""
    if "integrity_head" not in g:
        g.integrity_head = int(value or 0)


_LOAD = object()
_UNKNOWN = object()


def remembered(key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """`compute()` once per ledger head in this process: any new seal (or a removed one) makes it computed again."""
    memo, lock = _memo()
    full_key = (*key, _head())
    with lock:
        known = memo.get(full_key, _UNKNOWN)  # type: ignore[arg-type]
    if known is _UNKNOWN:
        known = compute()
        with lock:
            memo[full_key] = known  # type: ignore[assignment]
    return known  # type: ignore[return-value]


def verdict(kind: str, subject_id: str | int, content: Any = _LOAD) -> Verdict:
    """Whether the item's content now is what was last sealed; "unpublished" when the public cannot see it.

    `content`: the item's canonical content when the caller loaded it already (a list, in one go)."""
    subject_id = str(subject_id)
    if content is _LOAD:
        content = registry.kind(kind).content(subject_id)
    if content is None:
        return Verdict(kind, subject_id, "unpublished")
    computed = canonical.content_hash(content)
    key = (kind, subject_id, computed, _head())
    memo, lock = _memo()
    with lock:
        known = memo.get(key)
    if known is not None:
        return known
    entry, in_place = ledger.latest_in_place(kind, subject_id)
    if entry is None:
        result = Verdict(kind, subject_id, "unsealed", computed)
    elif not hmac.compare_digest(entry.entry_hash, ledger.entry_hash(entry)) or not in_place:
        result = Verdict(kind, subject_id, "forged", computed, entry.content_hash)
    elif entry.content_hash != computed and not _legacy_holds(kind, subject_id, entry):
        result = Verdict(kind, subject_id, "changed", computed, entry.content_hash)
    else:  # (sealed as an earlier version sealed it: holds, and `seal-all` seals it again as it is sealed now)
        result = Verdict(kind, subject_id, None, computed, entry.content_hash)
    with lock:
        memo[key] = result
    return result


def _legacy_holds(kind: str, subject_id: str, entry: Any) -> bool:
    """Whether a seal written before its kind sealed more (SealableKind.legacy) holds the content as sealed then."""
    sealable = registry.kinds().get(kind)
    if sealable is None:
        return False
    forms = [(sealable.legacy_before, sealable.legacy)] if sealable.legacy is not None else []
    for before, legacy in forms + list(sealable.older):
        marker = ledger.start_marker(before)
        if marker is not None and entry.id > marker:
            continue  # sealed after that generation's seal-all: this earlier form is no excuse
        earlier = legacy(subject_id)
        if earlier is not None and hmac.compare_digest(entry.content_hash, canonical.content_hash(earlier)):
            return True
    return False


def _refused(result: Verdict) -> bool:
    if result.problem in (None, "unpublished"):
        return False
    return result.problem != "unsealed" or _enforcing(result.kind)


def intact(kind: str, subject_id: str | int) -> bool:
    """False (and alerted, as a refused page is) when the item's content no longer matches its seal: for a service
    about to seal it again with something added, which must not seal a breach along with it."""
    result = verdict(kind, subject_id)
    if not _refused(result):
        return True
    from core.integrity import alerts

    alerts.raise_alert(result.kind, result.subject_id, str(result.problem), {"computed": result.computed})
    return False


def require(kind: str, subject_id: str | int) -> None:
    """Raise ContentUnavailable (the 503 page, an alert) unless the item may be served.

    A resident's POST (a comment, an answer) is stored and redirected; at most a form with its errors comes back,
    showing the item's title. So a POST verifies what a list shows (the summary, from the row in hand) rather than
    hashing the whole draft on every submission; GET and HEAD verify everything.
    """
    if not current_app.config.get("INTEGRITY_ENABLED", True):
        return
    posted = has_request_context() and request.method not in ("GET", "HEAD")
    result = _summary_verdict(kind, str(subject_id)) if posted else None
    if (result is None or result.problem == "unsealed") and (_enforcing(kind) or _has_seal(kind, str(subject_id))):
        result = verdict(kind, subject_id)
    # Otherwise the item has no seal and unsealed items are still served: its content need not be loaded.
    if result is not None and _refused(result):
        raise ContentUnavailable(kind, str(subject_id), str(result.problem))
    sealable = registry.kind(kind)
    if sealable.depends is not None and sealable.list_item is not None:
        item = sealable.list_item(str(subject_id))
        for other_kind, other_id in sealable.depends(item) if item is not None else ():
            require(other_kind, other_id)


def servable(
    kind: str,
    items: Iterable[T],
    subject_id: Callable[[T], object] = lambda item: item.id,  # type: ignore[attr-defined]
    *,
    whole: bool = False,
) -> list[T]:
    """The items of a list page or feed that may be served; each one left out raises an alert.

    A list verifies what it shows of each item (its kind's summary); `whole` verifies everything, for a list that
    quotes from anywhere in the item (search results with snippets of the draft)."""
    items = list(items)
    if not current_app.config.get("INTEGRITY_ENABLED", True):
        return items
    from core.integrity import alerts

    ids, sealable = [str(subject_id(item)) for item in items], registry.kind(kind)
    results: dict[str, Verdict] = {}
    if sealable.summary is not None and not whole:
        # What the list shows, hashed from the rows in hand: no draft, question or answer is loaded.
        for item, item_id in zip(items, ids, strict=True):
            result = verdict(kind + registry.LIST_SUFFIX, item_id, sealable.summary(item))
            if result.problem != "unsealed":  # sealed before lists had their own seal: the whole item is checked
                results[item_id] = Verdict(kind, item_id, result.problem, result.computed, result.sealed)
    missing = [item_id for item_id in ids if item_id not in results]
    loaded = sealable.contents(missing) if sealable.contents is not None and missing else {}
    for item_id in missing:
        results[item_id] = verdict(kind, item_id, loaded[item_id]) if item_id in loaded else verdict(kind, item_id)
    kept = []
    for item, item_id in zip(items, ids, strict=True):
        result = results[item_id]
        if not _refused(result) and sealable.depends is not None:
            result = next((r for r in _dependencies(sealable.depends(item)) if _refused(r)), result)
        if _refused(result):
            alerts.raise_alert(result.kind, result.subject_id, str(result.problem), {"computed": result.computed})
        else:
            kept.append(item)
    return kept


def _summary_verdict(kind: str, subject_id: str) -> Verdict | None:
    sealable = registry.kind(kind)
    if sealable.summary is None or sealable.list_item is None:
        return None
    item = sealable.list_item(subject_id)
    return verdict(kind + registry.LIST_SUFFIX, subject_id, sealable.summary(item)) if item is not None else None


def _dependencies(pairs: list[tuple[str, str]]) -> Iterator[Verdict]:
    for other_kind, other_id in pairs:
        yield verdict(other_kind, other_id)


def forget() -> None:
    """Drop this process's verdicts (tests, and after `seal-all`)."""
    for name in (_MEMO, _STARTED, _NOT_STARTED_AT, _SEALED):
        current_app.extensions.pop(name, None)
