"""Blocks that feature packages add to shared pages (home page, staff dashboard) without core importing them.

A section may also belong to one object's page: its loader then takes arguments (e.g. "consultation_extras",
whose loaders receive the consultation id), and the page's template renders them with
`{{ portal_sections("consultation_extras", consultation.id) }}`; a loader returning an empty dict adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, current_app, render_template
from markupsafe import Markup


@dataclass(frozen=True)
class Section:
    """A block on a shared page: a template rendered with what `load` returns, in `order`."""

    name: str
    template: str
    load: Callable[..., dict[str, Any]]
    order: int = 100


def register_section(app: Flask, page: str, section: Section) -> None:
    sections = app.extensions.setdefault("minyi_sections", {}).setdefault(page, [])
    sections.append(section)
    sections.sort(key=lambda s: s.order)
    app.jinja_env.globals.setdefault("portal_sections", render_sections)


def sections_for(page: str) -> list[Section]:
    return list(current_app.extensions.get("minyi_sections", {}).get(page, []))


def render_sections(page: str, *args: Any) -> Markup:
    """The sections of `page` rendered in order, each loader called with `args`; empty loads are skipped."""
    parts = []
    for section in sections_for(page):
        data = section.load(*args)
        if data:
            parts.append(Markup(render_template(section.template, **data)))  # noqa: S704 - our own escaped template
    return Markup("").join(parts)


@dataclass(frozen=True)
class StaffLink:
    """An entry of the staff navigation, shown to users holding any of `roles`."""

    endpoint: str
    label: Any
    roles: tuple[str, ...]
    order: int = 100


def register_staff_link(app: Flask, link: StaffLink) -> None:
    links = app.extensions.setdefault("minyi_staff_links", [])
    links.append(link)
    links.sort(key=lambda item: item.order)


def staff_links() -> list[StaffLink]:
    return list(current_app.extensions.get("minyi_staff_links", []))


@dataclass(frozen=True)
class Column:
    """A column of the portal's 意见征集 (正在征集, 往期征集, 结果反馈, 问卷调查): tabs over its lists link them all."""

    endpoint: str
    label: Any
    order: int = 100


def register_column(app: Flask, column: Column) -> None:
    columns = app.extensions.setdefault("minyi_columns", [])
    columns.append(column)
    columns.sort(key=lambda item: item.order)
    app.jinja_env.globals.setdefault("portal_columns", portal_columns)


def portal_columns() -> list[Column]:
    return list(current_app.extensions.get("minyi_columns", []))


@dataclass(frozen=True)
class SitemapEntry:
    """A public page for the site map: `endpoint` and `values` build its address; `group` heads its list."""

    group: Any
    label: str
    endpoint: str
    values: dict[str, Any]
    updated: datetime | None = None


def register_sitemap(app: Flask, provider: Callable[[], list[SitemapEntry]]) -> None:
    """`provider` lists a feature's public pages (every consultation, every survey) for /sitemap and /sitemap.xml."""
    app.extensions.setdefault("minyi_sitemap", []).append(provider)


def sitemap_entries() -> list[SitemapEntry]:
    return [entry for provider in current_app.extensions.get("minyi_sitemap", []) for entry in provider()]
