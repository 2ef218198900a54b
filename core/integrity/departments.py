"""Departments' public contact details (the phone numbers residents call) as a sealable kind."""

from __future__ import annotations

from typing import Any

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l

from core.extensions import db
from core.integrity.registry import SealableKind, register_kind
from core.models import Department

KIND = "department"


def content(subject_id: str) -> dict[str, Any] | None:
    department = db.session.get(Department, int(subject_id))
    if department is None or not department.is_active:
        return None
    fields = ("code", "name", "name_en", "office_phone", "email", "address", "office_hours", "description")
    return {name: getattr(department, name) for name in fields}


def _published() -> list[str]:
    query = db.select(Department.id).where(Department.is_active.is_(True)).order_by(Department.id)
    return [str(row) for row in db.session.scalars(query)]


def _describe(subject_id: str) -> str:
    department = db.session.get(Department, int(subject_id))
    return department.name if department is not None else f"department {subject_id}"


def _fix_url(subject_id: str) -> str:
    return url_for("admin.edit_department", department_id=int(subject_id))


def _locate(subject_id: str) -> tuple[str, str]:
    return (_describe(subject_id), str(_l("Department contacts")))


def init_app(app: Flask) -> None:
    register_kind(app, SealableKind(KIND, content, _published, _describe, _fix_url, locate=_locate))
