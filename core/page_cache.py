"""Public pages rendered once and served to every visitor who is not signed in, for a few seconds.

Such a page is the same for all those visitors except for a few per-visitor values: the CSRF token of its forms,
a comment form's submission key, a captcha challenge. While a page is rendered for the cache, each of these is
written as a marker (a "hole"); every response fills the holes with the visitor's own values. A busy
consultation page then costs one rendering every few seconds per worker instead of one per visitor, and its
counters lag by at most that long. Signed-in staff, visitors with a message waiting to be shown, and anything but
GET always get a fresh rendering. Each worker process keeps its own small cache (``PUBLIC_PAGE_CACHE_SECONDS``,
0 switches it off).
"""

from __future__ import annotations

import secrets
import sys
import threading
import time
from collections.abc import Callable, Hashable, Mapping

from cachetools import TTLCache
from flask import Flask, current_app, g, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from core.care import care_mode
from core.i18n import current_language

# Unguessable per process, so no text an editor or a resident types can ever be taken for a hole.
_HOLE_MARK = f"minyi-hole-{secrets.token_hex(8)}-"
_EXTENSION = "minyi_page_cache"
_FRESH_UNTIL = "fresh_pages_until"  # in the visitor's session: wall-clock seconds
# Bytes of pages one worker keeps: a bound, so a crawler walking every query string cannot grow a worker without
# limit (the oldest pages go first); a page larger than this is simply not kept.
_MAX_BYTES = 16 * 1024 * 1024

# The clock the cache expires entries by; tests replace it to step over the lifetime.
clock: Callable[[], float] = time.monotonic


class _PageStore:
    """Rendered pages by key, for one application in one process; safe when gunicorn runs threads."""

    def __init__(self, seconds: float) -> None:
        self._pages: TTLCache[Hashable, str] = TTLCache(
            maxsize=_MAX_BYTES, ttl=seconds, timer=lambda: clock(), getsizeof=sys.getsizeof
        )
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> str | None:
        with self._lock:
            return self._pages.get(key)

    def put(self, key: Hashable, html: str) -> None:
        if sys.getsizeof(html) > _MAX_BYTES:
            return
        with self._lock:
            self._pages[key] = html


def hole(name: str) -> str:
    """The marker written in place of a per-visitor value; it survives HTML escaping unchanged."""
    return f"{_HOLE_MARK}{name}"


def rendering_with_holes() -> bool:
    """True while a page is being rendered for the cache: per-visitor values must be written as holes."""
    return bool(g.get("page_cache_rendering"))


def keep_private() -> None:
    """Called while rendering: this page is for this visitor only (e.g. options shuffled for them); not kept."""
    g.page_cache_private = True


def show_own_change() -> None:
    """Called after a visitor's change (a comment): for one cache period, pages that count such changes
    (`counts_changes`) are rendered afresh for them, so the counters they look at next already hold what they just
    sent, whatever the other visitors are shown."""
    if _EXTENSION in current_app.extensions:
        session[_FRESH_UNTIL] = time.time() + float(current_app.config["PUBLIC_PAGE_CACHE_SECONDS"])


def _serves_from_cache(after_post: bool, counts_changes: bool) -> bool:
    store = current_app.extensions.get(_EXTENSION)
    return (
        store is not None
        and (request.method == "GET" or after_post)
        and "_flashes" not in session  # a message waiting for this visitor is part of the page
        and not (counts_changes and session.get(_FRESH_UNTIL, 0) > time.time())
        and not current_user.is_authenticated
    )


def _fill(html: str, fillers: Mapping[str, Callable[[], str]]) -> str:
    if _HOLE_MARK not in html:
        return html
    for name, value in {"csrf": generate_csrf, **fillers}.items():
        marker = hole(name)
        if marker in html:
            html = html.replace(marker, value())
    return html


def cached_page(
    key: Hashable,
    render: Callable[[], str],
    fillers: Mapping[str, Callable[[], str]] | None = None,
    *,
    after_post: bool = False,
    counts_changes: bool = False,
) -> str:
    """`render()`'s page, from the cache when this visitor may share it, with every hole filled for them.

    `key` names what the page shows besides its address and language (host, path, query string and language are part
    of the key already); `fillers` give the value of each hole `render` writes, other than the CSRF token.
    `after_post`: the page a POST ends on, which does not depend on what was posted (a thank-you page).
    `counts_changes`: the page shows counts a visitor's own change moves (see show_own_change).
    """
    fillers = fillers or {}
    if not _serves_from_cache(after_post, counts_changes):
        return render()
    # The scheme and host too: a page holding an absolute address (a share card's image) must never be served, with
    # a Host header someone else sent, to visitors of the real host.
    full_key = (request.host_url, request.path, request.query_string, current_language(), care_mode(), key)
    store: _PageStore = current_app.extensions[_EXTENSION]
    html = store.get(full_key)
    if html is None:
        g.page_cache_rendering, g.page_cache_private = True, False
        try:
            html = render()
        finally:
            g.page_cache_rendering = False
        if not g.page_cache_private:
            store.put(full_key, html)
    return _fill(html, fillers)


def init_app(app: Flask) -> None:
    seconds = float(app.config["PUBLIC_PAGE_CACHE_SECONDS"])
    if seconds > 0:
        app.extensions[_EXTENSION] = _PageStore(seconds)
