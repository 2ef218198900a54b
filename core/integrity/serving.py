"""What the application does on a breach while serving: the 503 page, the alert, checked templates and statics."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_login import current_user

from core.extensions import db
from core.integrity import alerts, release
from core.integrity.verify import ContentUnavailable

# Used when the templates themselves are what was changed: no template is trusted to say so.
_PLAIN_503 = (
    '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>暂时无法访问 / Temporarily unavailable</title>'
    "<h1>页面暂时无法访问</h1><p>该内容正在核查，请稍后再试。</p>"
    "<h1>Temporarily unavailable</h1><p>This content is being checked. Please try again later.</p></html>"
)


def _unavailable() -> Any:
    try:
        body = render_template("errors/503.html")
    except release.TemplateTampered:
        body = _PLAIN_503
    response = Response(body, 503, mimetype="text/html")
    response.headers["Retry-After"] = "600"
    response.headers["Cache-Control"] = "no-store"
    return response


def _content_unavailable(error: ContentUnavailable) -> Any:
    db.session.rollback()
    alerts.raise_alert(error.kind, error.subject_id, error.problem)
    if request.path.startswith("/api/"):  # the open-data API answers in JSON, as its other errors do
        response = jsonify(error="unavailable", message="temporarily unavailable: the content is being checked")
        response.status_code, response.headers["Retry-After"] = 503, "600"
        return response
    return _unavailable()


def _template_tampered(error: release.TemplateTampered) -> Any:
    db.session.rollback()
    alerts.raise_alert(release.RELEASE_KIND, error.name, "file_changed")
    return _unavailable()


def _checked_static(view: Any) -> Any:
    def static(filename: str) -> Any:
        if not release.static_file_holds(filename):
            alerts.raise_alert(release.RELEASE_KIND, f"static/{filename}", "file_changed")
            return Response("暂时无法访问 / Temporarily unavailable", 503, mimetype="text/plain")
        return view(filename=filename)

    return static


def dashboard_section() -> dict[str, Any]:
    """Open alerts, for the portal office only."""
    from core.models import Role

    if not current_user.has_role(Role.ADMIN):
        return {}
    found = alerts.open_alerts(limit=50)
    return {"alerts": found} if found else {}


def init_app(app: Flask) -> None:
    app.register_error_handler(ContentUnavailable, _content_unavailable)
    app.register_error_handler(release.TemplateTampered, _template_tampered)
    app.jinja_env.loader = release.VerifyingLoader(app.jinja_env.loader, app)  # type: ignore[arg-type]
    with app.app_context():  # Flask-Babel names its domain from the application's settings
        release.verify_catalogs()
    if "static" in app.view_functions:
        app.view_functions["static"] = _checked_static(app.view_functions["static"])
