"""Tamper evidence for what the site publishes (网页防篡改).

Every published item is sealed when it is approved: the hash of its canonical content, with the approver and the
time, in an append-only ledger where each entry is chained to the one before. Public pages, feeds and the API
serve an item only while its content matches its latest seal; templates and static files must match the release
manifest. A breach is never served (a 503 page in the visitor's language) and is alerted to the portal office.

For a feature, one line seals an item in the service that approves it (before the commit):

    from core.integrity import seal
    seal("consultation", consultation, approver)

and one line verifies it where the public reads it: `require("consultation", consultation.id)` (raises the 503)
or `servable("consultation", rows)` (a list without the broken ones). A kind is registered once in the feature's
`init_app` with `register_kind(app, SealableKind(...))` (see registry.py). A hot path reads the ledger's head with the
item's row, one round trip less: `select(Item, head_column())`, then `note_head(head)`.
"""

from __future__ import annotations

from core.integrity.ledger import seal
from core.integrity.registry import SealableKind, register_kind
from core.integrity.verify import ContentUnavailable, head_column, intact, note_head, require, servable

__all__ = [
    "ContentUnavailable",
    "SealableKind",
    "head_column",
    "intact",
    "note_head",
    "register_kind",
    "require",
    "seal",
    "servable",
]


def init_app(app: object) -> None:
    """The 503 handling, checked templates and static files, the departments' kind, the dashboard block, the CLI."""
    from flask import Flask

    from core.integrity import cli, departments, duties, issued, labels, serving
    from core.portal import Section, register_section

    assert isinstance(app, Flask)
    serving.init_app(app)
    departments.init_app(app)
    issued.init_app(app)
    register_section(
        app, "dashboard", Section("integrity", "manage/_integrity_section.html", serving.dashboard_section, 1)
    )
    app.jinja_env.globals["integrity_problem_label"] = labels.problem_label
    app.cli.add_command(cli.group)
    duties.init_app()  # the worker's check every 5 minutes and nightly scan (listed on /admin/schedule)
