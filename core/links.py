"""Absolute links to the public site, built from the configured SITE_URL, never from the request.

A request's Host and X-Forwarded-Host are whatever the client sent, so a link built from them in a feed, an API
body, an e-mail, an exported document or a QR code could send readers to another site. Every absolute link goes
through `site_url`; pages link with relative addresses and need none.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app


def site_url(endpoint: str, **values: Any) -> str:
    """The absolute address of `endpoint` (full name, e.g. "consultation.detail") on the configured site."""
    site = current_app.config["SITE_URL"]
    parts = urlsplit(site)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RuntimeError(f"SITE_URL must be an http(s) address such as https://yijian.example.cn/, not {site!r}")
    # A path in SITE_URL ("https://example.cn/minyi/") is where the site is mounted, as SCRIPT_NAME would be.
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)
