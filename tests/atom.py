"""Reading the site's Atom feeds in tests, with the standard library (no feed library: the raw XML is checked)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any

ATOM = "{http://www.w3.org/2005/Atom}"


def parse_feed(response: Any) -> tuple[ET.Element, list[dict[str, str]]]:
    """The feed element and its entries as dicts; checks what every entry must have."""
    assert response.status_code == 200
    assert response.content_type.startswith("application/atom+xml")
    feed = ET.fromstring(response.data)  # noqa: S314 - the site's own output, in a test
    assert feed.tag == f"{ATOM}feed"
    entries = []
    for entry in feed.findall(f"{ATOM}entry"):
        link = entry.find(f"{ATOM}link")
        item = {
            "title": entry.findtext(f"{ATOM}title") or "",
            "id": entry.findtext(f"{ATOM}id") or "",
            "link": link.get("href", "") if link is not None else "",
            "updated": entry.findtext(f"{ATOM}updated") or "",
            "author": entry.findtext(f"{ATOM}author/{ATOM}name") or "",
            "summary": entry.findtext(f"{ATOM}summary") or "",
        }
        assert all(item.values()), item
        offset = datetime.fromisoformat(item["updated"]).utcoffset()
        assert offset is not None and offset.total_seconds() == 0  # RFC 3339, in UTC
        entries.append(item)
    return feed, entries
