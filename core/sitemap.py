"""网站地图: /sitemap lists every public page for people, /sitemap.xml the same addresses for search engines.

The site's own pages and the portal columns come from core; each feature lists its records (every consultation,
every survey) through `core.portal.register_sitemap`."""

from __future__ import annotations

from itertools import groupby
from typing import Any
from xml.sax.saxutils import escape

from flask import Response, current_app, render_template
from flask_babel import lazy_gettext as _l

from core import blueprints, page_cache
from core.links import site_url
from core.portal import SitemapEntry, portal_columns, sitemap_entries
from core.routing import Routes

bp = Routes(blueprints.public)

# The site's own pages, in the order a visitor meets them; endpoints a deployment lacks are left out.
_CORE_PAGES = [
    ("public.home", _l("Home")),
    ("search.index", _l("Search")),
    ("public.departments", _l("Department contacts")),
    ("public.contact", _l("Contact us")),
    ("public.privacy", _l("Privacy notice")),
    ("verify.index", _l("Verify a document")),
    ("public.sitemap", _l("Site map")),
]


def main_pages() -> list[SitemapEntry]:
    """Home, the portal's columns, then the service pages: one entry per endpoint."""
    group = _l("Main pages")
    pairs = [_CORE_PAGES[0], *((column.endpoint, column.label) for column in portal_columns()), *_CORE_PAGES[1:]]
    seen: set[str] = set()
    entries = []
    for endpoint, label in pairs:
        if endpoint in current_app.view_functions and endpoint not in seen:
            seen.add(endpoint)
            entries.append(SitemapEntry(group, str(label), endpoint, {}))
    return entries


def all_entries() -> list[SitemapEntry]:
    return main_pages() + sitemap_entries()


@bp.route("/sitemap", endpoint="sitemap")
def page() -> str:
    return page_cache.cached_page("sitemap", _render_page)


def _render_page() -> str:
    groups = [(group, list(items)) for group, items in groupby(all_entries(), key=lambda entry: str(entry.group))]
    return render_template("public/sitemap.html", groups=groups)


@bp.route("/sitemap.xml", endpoint="sitemap_xml")
def xml() -> Any:
    """The sitemaps.org format, every address absolute on SITE_URL."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for entry in all_entries():
        lastmod = f"<lastmod>{entry.updated.date().isoformat()}</lastmod>" if entry.updated else ""
        lines.append(f"<url><loc>{escape(site_url(entry.endpoint, **entry.values))}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return Response("\n".join(lines) + "\n", mimetype="application/xml")
