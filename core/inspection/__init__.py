"""The portal office's self-inspection (自查): /admin/inspection and `flask inspection report`."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from core.inspection import cli
    from core.models import Role
    from core.portal import StaffLink, register_staff_link

    register_staff_link(app, StaffLink("admin.inspection", _l("Self-inspection"), (Role.ADMIN.value,), order=95))
    app.cli.add_command(cli.group)
