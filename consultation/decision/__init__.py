"""The end of the process (docs/rules.md rule 9): after a consultation is decided, the department publishes the
decided document and its 政策解读 within N working days; the site tracks the deadline and links the chain."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The staff and public blueprints, and this stage's blocks on the dashboard, the home page and the chain."""
    from consultation.decision import portal, sealing

    portal.init_app(app)
    sealing.init_app(app)  # the decided document and the 解读 are sealed when published (core/integrity)
