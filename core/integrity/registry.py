"""What can be sealed: each feature registers its kinds of published item (core never imports a feature).

A kind gives `content(subject_id)`: the canonical content of the item as the public sees it, or None when the item
is not published (nothing to verify); `published()`: the ids of every published item (for `seal-all` and `check`);
optionally `describe(subject_id)`: a line naming it for the portal office, and `fix_endpoint`: where it is fixed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

_EXTENSION = "minyi_sealable_kinds"


@dataclass(frozen=True)
class SealableKind:
    name: str
    content: Callable[[str], Any]
    published: Callable[[], Iterable[str]]
    describe: Callable[[str], str] | None = None
    # Where staff correct the item (an address built with url_for).
    fix_url: Callable[[str], str] | None = None
    # Optional: the contents of many items at once ({id: content or None}), so a list page or feed loads what it
    # verifies in a few queries instead of a few per item.
    contents: Callable[[list[str]], dict[str, Any]] | None = None
    # Optional: (department, column) the item belongs to, for the self-inspection's figures.
    locate: Callable[[str], tuple[str, str]] | None = None
    # Optional, for lists and feeds: `summary(item)` is the part of an item a list shows (its title, type,
    # department …), read from the row the list already holds; `list_item(subject_id)` loads that row. It is sealed
    # beside the whole content (kind "<name>#list"), so a list verifies what it shows without loading drafts.
    summary: Callable[[Any], Any] | None = None
    list_item: Callable[[str], Any] | None = None
    # Optional: other sealed items shown with this one ([("department", "3")] for its department's name), verified
    # with it wherever it is served.
    depends: Callable[[Any], list[tuple[str, str]]] | None = None
    # The `seal-all` generation that seals this kind: a kind added by an upgrade (2: the consultation's period, the
    # survey's schedule) is refused unsealed only once `seal-all` of that version ran, so an upgraded site keeps
    # serving until the operator runs it; once an item has such a seal it must hold, whatever the generation.
    since: int = 1
    # Optional: the files published with the item, [(storage area, stored name)]; their bytes are sealed with it and
    # verified whenever they are read (core/integrity/files.py).
    files: Callable[[str], list[tuple[str, str]]] | None = None
    # Optional, when a version seals more of a kind than before: `legacy(subject_id)` is the content as versions
    # before generation `legacy_before` sealed it, accepted for a seal written before that generation's `seal-all`
    # (which seals the item again as it is sealed now), so an upgraded site keeps serving what it had sealed.
    legacy: Callable[[str], Any] | None = None
    legacy_before: int = 0
    # Forms older still, when a kind came to seal more more than once: ((legacy_before, legacy), …), each as above.
    older: tuple[tuple[int, Callable[[str], Any]], ...] = ()


LIST_SUFFIX = "#list"


def register_kind(app: Flask, kind: SealableKind) -> None:
    app.extensions.setdefault(_EXTENSION, {})[kind.name] = kind


def kinds() -> dict[str, SealableKind]:
    return dict(current_app.extensions.get(_EXTENSION, {}))


def kind(name: str) -> SealableKind:
    try:
        return current_app.extensions[_EXTENSION][name]
    except KeyError:
        raise KeyError(f"no sealable kind {name!r} registered") from None


def generation(name: str) -> int:
    """The `since` of a kind (of its list seal too); 1 for the ledger's own kinds (release, start markers)."""
    registered = current_app.extensions.get(_EXTENSION, {}).get(name.removesuffix(LIST_SUFFIX))
    return registered.since if registered is not None else 1


def current_generation() -> int:
    kinds_now = kinds().values()
    return max((max(kind.since, kind.legacy_before, *(g for g, _ in kind.older)) for kind in kinds_now), default=1)


def describe(name: str, subject_id: str) -> str:
    registered = current_app.extensions.get(_EXTENSION, {}).get(name)
    if registered is not None and registered.describe is not None:
        try:
            return registered.describe(subject_id)
        except Exception:  # a description must never hide the alert it belongs to
            current_app.logger.exception("integrity: describing %s %s failed", name, subject_id)
    return f"{name} {subject_id}"
