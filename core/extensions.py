"""Flask extensions, created unbound and attached to the app in create_app."""

from __future__ import annotations

from typing import Any

import click
from flask import Flask
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from core.db import Base


class LazyMigrate:
    """Flask-Migrate, imported by the first `flask db` command or migration, not by create_app(): it brings alembic,
    mako and pygments (~11 MiB) that no request and no export needs (a CSV export must stay under 100 MiB)."""

    def init_app(self, app: Flask, db: SQLAlchemy, **options: Any) -> None:
        app.extensions["migrate"] = _DeferredMigrateConfig(app, db, options)
        app.cli.add_command(_DeferredCommands(app, "db", help="Perform database migrations."))


def _migrate(app: Flask) -> Any:
    """Flask-Migrate attached for real; its init_app replaces both stand-ins (the config and the command group)."""
    from flask_migrate import Migrate

    config = app.extensions["migrate"]
    if isinstance(config, _DeferredMigrateConfig):
        Migrate().init_app(app, config.db_, **config.options)
    return app.extensions["migrate"]


class _DeferredMigrateConfig:
    """Stands in app.extensions["migrate"] until Flask-Migrate's functions or migrations/env.py read it."""

    def __init__(self, app: Flask, db: SQLAlchemy, options: dict[str, Any]) -> None:
        self.app, self.db_, self.options = app, db, options

    def __getattr__(self, name: str) -> Any:  # only for what Flask-Migrate's own config has
        return getattr(_migrate(self.app), name)


class _DeferredCommands(click.Command):
    """`flask db ...`: listed with its help; the real group takes over as soon as it is invoked."""

    def __init__(self, app: Flask, name: str, help: str) -> None:
        super().__init__(name, help=help)
        self.app = app

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:  # fmt: skip
        _migrate(self.app)
        from flask_migrate.cli import db as commands

        return commands.make_context(info_name, args, parent=parent, **extra)


db = SQLAlchemy(model_class=Base)
migrate = LazyMigrate()
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)
