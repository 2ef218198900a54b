"""Atom feeds (RFC 4287) of the public lists, written by feedgen and kept in the public page cache.

A package hands over its entries (title, public page, time, department, a short plain-text summary); this module
writes the feed. feedgen brings lxml, which create_app() must not load: it is imported when a feed is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Response, current_app, request

from core import page_cache
from core.db import utcnow
from core.i18n import current_language, is_english
from core.links import site_url

ATOM_TYPE = "application/atom+xml"
FEED_LENGTH = 50  # entries per feed: what a feed reader shows, not an archive
SUMMARY_LENGTH = 200


@dataclass(frozen=True)
class FeedEntry:
    title: str
    link: str  # the public page, absolute; also the entry's id, which never changes
    updated: datetime  # UTC
    author: str  # the department
    summary: str  # plain text


def excerpt(text: str, length: int = SUMMARY_LENGTH) -> str:
    """The start of a plain text on one line, cut at `length` characters with an ellipsis."""
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


def site_name() -> str:
    return str(current_app.config["SITE_NAME_EN" if is_english() else "SITE_NAME"])


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive values; they are stored in UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def atom_feed(*, title: str, subtitle: str, page_url: str, feed_url: str, entries: Iterable[FeedEntry]) -> str:
    """The Atom document: `page_url` is the HTML list it follows, `feed_url` its own address (its id)."""
    from feedgen.feed import FeedGenerator

    entries = list(entries)
    generator = FeedGenerator()
    generator.id(feed_url)
    generator.title(title)
    generator.subtitle(subtitle)
    generator.link(href=page_url, rel="alternate", type="text/html")
    generator.link(href=feed_url, rel="self", type=ATOM_TYPE)
    generator.language(current_language().replace("_", "-"))
    generator.author({"name": site_name()})
    # The feed changes when its newest entry does; an empty feed is as new as now.
    generator.updated(max((_utc(entry.updated) for entry in entries), default=utcnow()))
    for entry in entries:
        item = generator.add_entry(order="append")
        item.id(entry.link)
        item.title(entry.title)
        item.link(href=entry.link, rel="alternate", type="text/html")
        item.updated(_utc(entry.updated))
        item.author({"name": entry.author})
        item.summary(entry.summary, type="text")
    return generator.atom_str(pretty=True).decode("utf-8")


def cached_feed(key: str, page_endpoint: str, build: Callable[[str, str], str]) -> Response:
    """The feed `build(page_url, feed_url)` writes, from the public page cache, as an Atom response."""

    def render() -> str:
        return build(site_url(page_endpoint), site_url(str(request.endpoint)))

    return Response(page_cache.cached_page(key, render), content_type=f"{ATOM_TYPE}; charset=utf-8")
