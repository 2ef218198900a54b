"""The portal office's view of the background work: the outbox (queued, sent, failed e-mail) and the scheduled
duties with their last and next run. Addresses are shown masked: staff need to see that a message went, not to
whom in full."""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core import audit, blueprints, outbox, tasks, tasks_schedule
from core.extensions import db
from core.forms import ConfirmForm
from core.models import Role
from core.pagination import paginate
from core.portal import StaffLink, register_staff_link
from core.routing import Routes

bp = Routes(blueprints.admin)
ROWS_PER_PAGE = 50
OUTBOX_LABELS = {"queued": _l("Queued"), "sending": _l("Sending"), "sent": _l("Sent"), "failed": _l("Failed for good")}
RUN_LABELS = {"queued": _l("queued"), "running": _l("running"), "ok": _l("done"), "failed": _l("failed")}


def init_app(app: Flask) -> None:
    register_staff_link(app, StaffLink("admin.outbox_page", _l("E-mail outbox"), (Role.ADMIN,), order=925))
    register_staff_link(app, StaffLink("admin.schedule", _l("Scheduled duties"), (Role.ADMIN,), order=926))


def masked_address(address: str) -> str:
    """zhang.xiaoming@example.cn → zh…@example.cn"""
    local, at, domain = address.partition("@")
    return f"{local[:2]}…{at}{domain}" if at else "…"


@bp.route("/outbox")
def outbox_page() -> Any:
    status = request.args.get("status", "")
    query = db.select(outbox.OutboxMessage).order_by(outbox.OutboxMessage.id.desc())
    if status in set(outbox.OutboxStatus):
        query = query.where(outbox.OutboxMessage.status == outbox.OutboxStatus(status))
    else:
        status = ""
    page = paginate(query, ROWS_PER_PAGE)
    return render_template(
        "admin/outbox.html",
        page=page,
        status=status,
        counts=outbox.counts(),
        statuses=list(outbox.OutboxStatus),
        server_configured=outbox.server_configured(),
        queue=tasks.describe(),
        masked=masked_address,
        outbox_labels=OUTBOX_LABELS,
        form=ConfirmForm(),
    )


@bp.route("/outbox/<int:message_id>/retry", methods=["POST"])
def retry(message_id: int) -> Any:
    message = db.get_or_404(outbox.OutboxMessage, message_id)
    if not ConfirmForm().validate_on_submit() or message.status is not outbox.OutboxStatus.FAILED:
        abort(400)
    outbox.retry_now(message)
    audit.record("outbox.retry", None, detail={"message": message.id, "topic": message.topic})
    db.session.commit()
    outbox.wake()
    flash(_("The e-mail will be sent again."), "success")
    return redirect(url_for("admin.outbox_page", status="failed"))


@bp.route("/schedule")
def schedule() -> Any:
    runs = {run.name: run for run in db.session.scalars(db.select(tasks_schedule.ScheduledRun))}
    rows = [(duty, runs.get(duty.name), tasks_schedule.next_run(duty)) for duty in tasks_schedule.duties()]
    return render_template(
        "admin/schedule.html",
        rows=rows,
        queue=tasks.describe(),
        pending=tasks.pending_count(),
        timezone=current_app.config["BABEL_DEFAULT_TIMEZONE"],
        run_labels=RUN_LABELS,
    )
