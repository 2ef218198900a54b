"""Minyi (民意): public consultations on draft policies and questionnaires for a district government."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    # MINYI_INSTANCE_PATH moves instance/ (config, secrets, SQLite file, uploads) out of the code tree.
    app = Flask(__name__, instance_path=os.environ.get("MINYI_INSTANCE_PATH") or None, instance_relative_config=True)
    app.config.from_object("core.config.DefaultConfig")
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env()
    else:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))

    from core import extensions

    extensions.db.init_app(app)
    from core.search_index import include_name  # the search index's full-text extras are not in the models

    extensions.migrate.init_app(app, extensions.db, render_as_batch=True, include_name=include_name)
    extensions.csrf.init_app(app)
    extensions.limiter.init_app(app)
    extensions.login_manager.init_app(app)
    extensions.login_manager.login_view = "auth.login"
    extensions.login_manager.session_protection = None  # sessions are server-side and revocable instead

    from core import database, i18n, logs, page_cache, security, templating

    database.init_app(app)
    i18n.init_app(app)
    page_cache.init_app(app)
    logs.init_app(app)
    security.init_app(app)
    templating.init_app(app)

    # Each package registers its own blueprints, settings, commands and blocks on shared pages.
    import consultation
    import core
    import surveys

    for package in (core, consultation, surveys):
        package.init_app(app)

    from core import cli, errors

    errors.init_app(app)
    cli.init_app(app)
    return app


def _instance_secret_key(instance: Path) -> str:
    """A random key generated on first run and kept in instance/ (never a fixed key in git)."""
    path = instance / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()
