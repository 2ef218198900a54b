"""/admin/inspection: the self-inspection report for the portal office, and its xlsx download."""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, Response, render_template

from core.exports import content_disposition
from core.inspection import checks, report
from core.integrity.scan import last_run
from core.models import Role
from core.permissions import guard_blueprint

bp = Blueprint("inspection", __name__, url_prefix="/admin/inspection")
guard_blueprint(bp, Role.ADMIN)


@bp.route("/")
def index() -> Any:
    found = checks.run_checks()
    return render_template(
        "inspection/index.html",
        findings=found,
        summary=checks.summary(found),
        departments=checks.by_department(found),
        label=checks.category_label,
        scan=last_run(),
    )


@bp.route("/report.xlsx")
def xlsx() -> Response:
    buffer = io.BytesIO()
    report.write(buffer, checks.run_checks())
    return Response(
        buffer.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": content_disposition("inspection-report.xlsx")},
    )
