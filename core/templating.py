"""What every template can use: the navigation, the site name in the visitor's language, form helpers."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from core import page_cache
from core.care import care_mode
from core.forms import ROLE_LABELS
from core.i18n import is_english
from core.identity import site_identity
from core.links import site_url
from core.models import Role
from core.outline import outline
from core.permissions import can_any
from core.portal import StaffLink, register_staff_link, staff_links

# (endpoint, label) of the public navigation; endpoints that a blueprint does not provide yet are skipped.
PUBLIC_NAV = [
    ("public.home", _l("Home")),
    ("consultation.index", _l("Consultations")),
    ("surveys.index", _l("Surveys")),
    ("consultation.feedback_index", _l("Feedback")),
    ("public.departments", _l("Department contacts")),
    ("search.index", _l("Search")),
]


ADMIN_LINKS = [
    StaffLink("admin.departments", _l("Departments"), (Role.ADMIN,), order=900),
    StaffLink("admin.users", _l("Staff accounts"), (Role.ADMIN,), order=910),
    StaffLink("admin.calendar", _l("Holiday calendar"), (Role.ADMIN,), order=915),
    StaffLink("admin.audit_log", _l("Audit log"), (Role.ADMIN,), order=920),
]


def staff_nav() -> list[tuple[str, Any]]:
    """The staff navigation entries the current user may open."""
    from flask_login import current_user

    return [
        (link.endpoint, link.label)
        for link in staff_links()
        if can_any(current_user, [Role(role) for role in link.roles])
    ]


def csrf_field() -> Markup:
    """The hidden CSRF input of a form (cheaper than building a form object on every page)."""
    token = page_cache.hole("csrf") if page_cache.rendering_with_holes() else generate_csrf()
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(token)


def book_title(title: str) -> str:
    """A document's title as Chinese text names it, in 《》 (left as it is in English or when already quoted)."""
    return title if is_english() or title.startswith("《") else f"《{title}》"


def _context() -> dict[str, Any]:
    endpoints = current_app.view_functions
    return {
        "public_nav": [(endpoint, label) for endpoint, label in PUBLIC_NAV if endpoint in endpoints],
        "site_name": current_app.config["SITE_NAME_EN"] if is_english() else current_app.config["SITE_NAME"],
        "current_path": request.full_path.rstrip("?") if request else "/",
        "staff_nav": staff_nav,
        "care": care_mode(),  # 长辈版 chosen (core/care.py)
    }


def init_app(app: Flask) -> None:
    for link in ADMIN_LINKS:
        register_staff_link(app, link)
    app.context_processor(_context)
    app.jinja_env.add_extension("jinja2.ext.do")
    # Globals, not context: macros imported without context use them for their CSRF field.
    app.jinja_env.globals["csrf_field"] = csrf_field
    app.jinja_env.globals["role_labels"] = ROLE_LABELS  # a role by its name, never its code
    app.jinja_env.filters["book_title"] = book_title
    app.jinja_env.globals["draft_outline"] = outline  # contents of a long draft, from its unit tree
    app.jinja_env.globals["identity"] = site_identity  # the footer's 主办单位, 备案号 … from configuration
    app.jinja_env.globals["site_url"] = site_url  # absolute links from SITE_URL, never from the request's Host
    app.jinja_env.globals.update(rendering_with_holes=page_cache.rendering_with_holes, page_hole=page_cache.hole)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
