"""The surveys feature's blueprints: the respondent's pages, the staff pages and (in opendata/api.py) the API.

Each stage's view module adds its routes to them through core.routing.Routes, under its own path prefix and with
the roles its pages need; `register` imports every such module, then registers the blueprints.
"""

from __future__ import annotations

from importlib import import_module

from flask import Blueprint, Flask

from core.permissions import guard_blueprint

public = Blueprint("surveys", __name__)
manage = Blueprint("surveys_manage", __name__, url_prefix="/manage/surveys")
guard_blueprint(manage)  # any staff member; each stage's Routes narrows it to the roles of its pages

# The modules whose routes join the blueprints, by stage.
ROUTE_MODULES = (
    "surveys.builder.views",
    "surveys.builder.routes",
    "surveys.taking.views",
    "surveys.results.views",
    "surveys.transfer.views",
    "surveys.opendata.feeds",
)


def register(app: Flask) -> None:
    for name in ROUTE_MODULES:
        import_module(name)
    from surveys.opendata import api

    for blueprint in (public, manage, api.bp):
        app.register_blueprint(blueprint)
