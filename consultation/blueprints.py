"""The consultation feature's blueprints: the public pages, the staff pages and (in opendata/api.py) the API.

Each stage's view module adds its routes to them through core.routing.Routes, under its own path prefix and with
the roles its pages need; `register` imports every such module, then registers the blueprints.
"""

from __future__ import annotations

from importlib import import_module

from flask import Blueprint, Flask

from core.permissions import guard_blueprint

public = Blueprint("consultation", __name__, url_prefix="/consultations")
manage = Blueprint("consultation_manage", __name__, url_prefix="/manage")
guard_blueprint(manage)  # any staff member; each stage's Routes narrows it to the roles of its pages

# The modules whose routes join the blueprints, by stage.
ROUTE_MODULES = (
    "consultation.columns",
    "consultation.drafting.views",
    "consultation.drafting.draft_views",
    "consultation.comments.views",
    "consultation.comments.moderation_views",
    "consultation.handling.views",
    "consultation.handling.participation_views",
    "consultation.summary.views",
    "consultation.legality.views",
    "consultation.legality.conclusion_views",
    "consultation.decision.views",
    "consultation.decision.document_views",
    "consultation.decision.media_views",
    "consultation.decision.public_views",
    "consultation.opendata.feeds",
    "consultation.opendata.interpretations",
)


def register(app: Flask) -> None:
    for name in ROUTE_MODULES:
        import_module(name)
    from consultation.opendata import api

    for blueprint in (public, manage, api.bp):
        app.register_blueprint(blueprint)
