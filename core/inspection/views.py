"""/admin/inspection: the self-inspection report for the portal office, and its xlsx download."""

from __future__ import annotations

import io
from typing import Any

from flask import Response, render_template

from core import blueprints
from core.exports import XLSX_MIMETYPE, send_download
from core.inspection import checks, report
from core.integrity.scan import last_run
from core.routing import Routes

bp = Routes(blueprints.admin, "/inspection")


@bp.route("/", endpoint="inspection")
def index() -> Any:
    found = checks.run_checks()
    return render_template(
        "admin/inspection.html",
        findings=found,
        summary=checks.summary(found),
        departments=checks.by_department(found),
        label=checks.category_label,
        scan=last_run(),
    )


@bp.route("/report.xlsx", endpoint="inspection_xlsx")
def xlsx() -> Response:
    buffer = io.BytesIO()
    report.write(buffer, checks.run_checks())
    return send_download(buffer.getvalue(), "inspection-report.xlsx", XLSX_MIMETYPE)
