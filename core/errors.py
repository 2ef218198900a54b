"""Error pages in the visitor's language for 400, 403, 404, 405, 413, 429 and 500, and the CSRF failure."""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from core.extensions import db

PAGES = {400: "400", 403: "403", 404: "404", 405: "400", 413: "413", 429: "429", 500: "500"}


def _render(error: HTTPException) -> Any:
    code = error.code or 500
    template = PAGES.get(code, "400" if code < 500 else "500")
    return render_template(f"errors/{template}.html", error=error), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> Any:
        return render_template("errors/400.html", error=error, csrf_failed=True), 400

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Any:
        return _render(error)

    @app.errorhandler(InternalServerError)
    def _unexpected(error: InternalServerError) -> Any:
        # Flask routes any unhandled exception here (tests let it propagate instead); the session is discarded.
        db.session.rollback()
        return _render(error)
