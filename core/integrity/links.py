"""Links to other sites: which domains a public page may link to, and whether external links still answer."""

from __future__ import annotations

import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

from flask import current_app


def domain_allowed(host: str) -> bool:
    """The site's own host, or a host under one of INTEGRITY_LINK_ALLOWLIST's domains (gov.cn …)."""
    host = host.lower().rstrip(".")
    own = (urlsplit(current_app.config["SITE_URL"]).hostname or "").lower()
    allowed = [own, *(domain.lower().lstrip(".") for domain in current_app.config.get("INTEGRITY_LINK_ALLOWLIST", ()))]
    return any(host == domain or host.endswith(f".{domain}") for domain in allowed if domain)


def _status(url: str, timeout: float) -> int | str:
    request = urllib.request.Request(url, method="HEAD", headers={"User-Agent": "Minyi link check"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only, checked
            return int(response.status)
    except urllib.error.HTTPError as error:
        if error.code == 405:  # servers that refuse HEAD: ask for the page instead
            try:
                with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
                    return int(response.status)
            except urllib.error.HTTPError as second:
                return int(second.code)
            except (OSError, ValueError) as failure:
                return type(failure).__name__
        return int(error.code)
    except (OSError, ValueError) as failure:
        return type(failure).__name__


def check_external_links(links: dict[str, str]) -> list[dict[str, Any]]:
    """Ask each external link (url -> page linking it) with a short timeout; the ones that fail, as findings."""
    timeout = float(current_app.config.get("INTEGRITY_LINK_TIMEOUT", 5))
    urls = [url for url in links if urlsplit(url).scheme in ("http", "https")]
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda url: _status(url, timeout), urls))
    return [
        {"type": "external_broken", "url": links[url], "target": url, "status": status}
        for url, status in zip(urls, statuses, strict=True)
        if not isinstance(status, int) or status >= 400
    ]
