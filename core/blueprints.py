"""Core's shared blueprints: the public shell, the staff dashboard and the administration.

The pages of core's modules join them through core.routing.Routes; `register` imports those modules and registers
these blueprints with core's single-module ones (sign-in, account, verify, search, API). docs/architecture.md
lists every blueprint of the site.
"""

from __future__ import annotations

from importlib import import_module

from flask import Blueprint, Flask

from core.models import Role
from core.permissions import guard_blueprint

public = Blueprint("public", __name__)
manage = Blueprint("manage", __name__, url_prefix="/manage")
guard_blueprint(manage)  # any staff member; the dashboard shows each their own blocks
admin = Blueprint("admin", __name__, url_prefix="/admin")
guard_blueprint(admin, Role.ADMIN)

# The modules whose routes join the blueprints above.
ROUTE_MODULES = (
    "core.public",
    "core.sitemap",
    "core.metrics",
    "core.captcha",
    "core.manage",
    "core.tasks_jobs",
    "core.admin",
    "core.outbox_admin",
    "core.calendar_admin",
    "core.inspection.views",
    "core.synonyms_admin",
    "core.words_admin",
)


def register(app: Flask) -> None:
    for name in ROUTE_MODULES:
        import_module(name)
    from core import account, api, auth, search, verification

    for blueprint in (public, auth.bp, account.bp, manage, admin, verification.bp, search.bp, api.bp):
        app.register_blueprint(blueprint)
