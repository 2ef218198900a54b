"""The portal office's pages: departments and their contact phones, staff accounts and roles, the audit log."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from core import audit, blueprints, integrity
from core.accounts import AccountError, create_user, grant_role, revoke_role, set_enabled
from core.audit import AuditEvent
from core.extensions import db
from core.forms import ConfirmForm, DepartmentForm, MembershipForm, UserForm
from core.models import Department, Membership, Role, User
from core.pagination import paginate
from core.routing import Routes

bp = Routes(blueprints.admin)


@bp.route("/departments")
def departments() -> Any:
    rows = db.session.scalars(db.select(Department).order_by(Department.name)).all()
    return render_template("admin/departments.html", departments=rows)


@bp.route("/departments/new", methods=["GET", "POST"])
@bp.route("/departments/<int:department_id>", methods=["GET", "POST"])
def edit_department(department_id: int | None = None) -> Any:
    department = db.get_or_404(Department, department_id) if department_id else None
    form = DepartmentForm(obj=department)
    if form.validate_on_submit():
        clash = db.session.scalar(db.select(Department).where(Department.code == form.code.data))
        if clash is not None and clash is not department:
            form.code.errors = [_("Another department already uses this code.")]
        else:
            is_new = department is None
            department = department or Department()
            form.populate_obj(department)
            db.session.add(department)
            audit.record(
                "department.create" if is_new else "department.update",
                department,
                detail={"code": department.code, "name": department.name},
            )
            integrity.seal("department", department)  # its phones and address as approved by the portal office
            db.session.commit()
            flash(_("The department has been saved."), "success")
            return redirect(url_for("admin.departments"))
    return render_template("admin/department_form.html", form=form, department=department)


@bp.route("/users")
def users() -> Any:
    rows = db.session.scalars(db.select(User).order_by(User.email)).all()
    return render_template("admin/users.html", users=rows, form=UserForm())


@bp.route("/users/new", methods=["POST"])
def new_user() -> Any:
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = create_user(form.email.data, form.password.data, form.display_name.data or "")
        except AccountError as error:
            form.password.errors = [str(error)]
        else:
            db.session.commit()
            flash(_("The account has been created. Now give it a role."), "success")
            return redirect(url_for("admin.user", user_id=user.id))
    rows = db.session.scalars(db.select(User).order_by(User.email)).all()
    return render_template("admin/users.html", users=rows, form=form), 400


def _membership_form() -> MembershipForm:
    form = MembershipForm()
    departments = db.session.scalars(db.select(Department).order_by(Department.name)).all()
    form.department_id.choices = [SelectChoice(0, "—")] + [SelectChoice(d.id, d.name) for d in departments]
    return form


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int) -> Any:
    account = db.get_or_404(User, user_id)
    form = _membership_form()
    if form.validate_on_submit():
        department = db.session.get(Department, form.department_id.data) if form.department_id.data else None
        try:
            grant_role(account, Role(form.role.data), department)
        except AccountError as error:
            form.department_id.errors = [str(error)]
        else:
            db.session.commit()
            flash(_("The role has been granted."), "success")
            return redirect(url_for("admin.user", user_id=account.id))
    return render_template("admin/user.html", account=account, form=form, confirm=ConfirmForm())


@bp.route("/users/<int:user_id>/roles/<int:membership_id>/revoke", methods=["POST"])
def revoke(user_id: int, membership_id: int) -> Any:
    membership = db.get_or_404(Membership, membership_id)
    if membership.user_id != user_id or not ConfirmForm().validate_on_submit():
        abort(400)
    revoke_role(membership)
    db.session.commit()
    flash(_("The role has been withdrawn and the account's sessions ended."), "info")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/users/<int:user_id>/<any(enable, disable):action>", methods=["POST"])
def enable_or_disable(user_id: int, action: str) -> Any:
    account = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        set_enabled(account, action == "enable", actor=current_user)
    except AccountError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("The account has been enabled.") if action == "enable" else _("The account has been disabled."))
    return redirect(url_for("admin.user", user_id=user_id))


def _local_day_start(value: str, *, end: bool = False) -> datetime | None:
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return None
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start + timedelta(days=1) if end else start


@bp.route("/audit")
def audit_log() -> Any:
    filters = {key: request.args.get(key, "").strip() for key in ("actor", "action", "object", "since", "until")}
    query = db.select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if filters["actor"]:
        pattern = f"%{filters['actor']}%"
        query = query.where(AuditEvent.actor_label.ilike(pattern) | AuditEvent.subject.ilike(pattern))
    if filters["action"]:
        query = query.where(AuditEvent.action.startswith(filters["action"]))
    if filters["object"]:
        object_type, _sep, object_id = filters["object"].partition(":")
        query = query.where(AuditEvent.object_type == object_type)
        if object_id:
            query = query.where(AuditEvent.object_id == object_id)
    if since := _local_day_start(filters["since"]):
        query = query.where(AuditEvent.at >= since)
    if until := _local_day_start(filters["until"], end=True):
        query = query.where(AuditEvent.at < until)
    page = paginate(query, per_page=50)
    return render_template("admin/audit.html", page=page, filters=filters)
