"""Demo data: the departments of 东洲区 with their office phones and one staff account per role.

Idempotent: what is already there is left alone. Feature packages add their own demo content through
`register_demo_loader`. Demo passwords are generated once and kept in instance/demo-accounts.txt (mode 0600),
so a demo database is never protected by a password published in the README.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

from flask import Flask, current_app

from core.accounts import create_user, grant_role
from core.extensions import db
from core.models import Department, Role, User

# Office phones follow Fushun's 024 area code; the numbers are demo values, not the real lines.
DEPARTMENTS = [
    ("gov-office", "区政府办公室", "District Government Office", "024-56620001", "区政府综合楼201室"),
    (
        "development-reform",
        "区发展和改革局",
        "Development and Reform Bureau",
        "024-56620012",
        "区政府综合楼305室",
    ),
    ("education", "区教育局", "Education Bureau", "024-56620023", "东洲区新太街12号"),
    ("civil-affairs", "区民政局", "Civil Affairs Bureau", "024-56620034", "东洲区张甸路8号"),
    ("justice", "区司法局", "Justice Bureau", "024-56620045", "区政府综合楼410室"),
    ("finance", "区财政局", "Finance Bureau", "024-56620056", "区政府综合楼502室"),
    (
        "human-resources",
        "区人力资源和社会保障局",
        "Human Resources and Social Security Bureau",
        "024-56620067",
        "东洲区搭连街25号",
    ),
    (
        "housing",
        "区住房和城乡建设局",
        "Housing and Urban-Rural Development Bureau",
        "024-56620078",
        "东洲区东洲路66号",
    ),
    ("health", "区卫生健康局", "Health Commission", "024-56620089", "东洲区南花园街3号"),
    (
        "market-regulation",
        "区市场监督管理局",
        "Market Regulation Administration",
        "024-56620090",
        "东洲区新屯街18号",
    ),
    ("ecology", "区生态环境分局", "Ecology and Environment Sub-bureau", "024-56620101", "东洲区碾盘路9号"),
    ("emergency", "区应急管理局", "Emergency Management Bureau", "024-56620112", "区政府综合楼118室"),
]

# (e-mail, name, role, department code)
ACCOUNTS = [
    ("admin@demo.minyi.cn", "门户管理员", Role.ADMIN, None),
    ("editor@demo.minyi.cn", "政府办起草人", Role.EDITOR, "gov-office"),
    ("approver@demo.minyi.cn", "政府办审核人", Role.APPROVER, "gov-office"),
    ("editor.education@demo.minyi.cn", "教育局起草人", Role.EDITOR, "education"),
    ("approver.education@demo.minyi.cn", "教育局审核人", Role.APPROVER, "education"),
    ("moderator@demo.minyi.cn", "门户审核员", Role.MODERATOR, None),
    ("reviewer@demo.minyi.cn", "司法局审查员", Role.REVIEWER, None),
]

DemoLoader = Callable[[], Iterator[str]]


def register_demo_loader(app: Flask, loader: DemoLoader) -> None:
    app.extensions.setdefault("minyi_demo_loaders", []).append(loader)


def _password_file() -> Path:
    return Path(current_app.instance_path) / "demo-accounts.txt"


def _demo_password(email: str, known: dict[str, str]) -> str:
    # Four random words-worth of entropy; easy to copy from the terminal.
    return known.get(email) or f"minyi-{secrets.token_urlsafe(9)}"


def _read_known_passwords() -> dict[str, str]:
    path = _password_file()
    if not path.exists():
        return {}
    pairs = (line.split("\t", 1) for line in path.read_text(encoding="utf-8").splitlines() if "\t" in line)
    return {email: password for email, password in pairs}


def load() -> Iterator[str]:
    """Create what is missing and yield one line per thing done, ending with the demo accounts."""
    departments = {d.code: d for d in db.session.scalars(db.select(Department))}
    for code, name, name_en, phone, address in DEPARTMENTS:
        if code not in departments:
            departments[code] = Department(
                code=code,
                name=name,
                name_en=name_en,
                office_phone=phone,
                email=f"{code}@dongzhou.example.cn",
                address=f"辽宁省抚顺市{address}",
                office_hours="工作日 8:30–11:30, 13:30–17:00",
                description=f"{name}负责本领域政策起草、解读和公众咨询。",
            )
            db.session.add(departments[code])
            yield f"department {code}"
    db.session.flush()

    known = _read_known_passwords()
    passwords: dict[str, str] = {}
    for email, name, role, department_code in ACCOUNTS:
        user = db.session.scalar(db.select(User).where(User.email == email))
        password = _demo_password(email, known)
        if user is None:
            user = create_user(email, password, name)
            grant_role(user, role, departments[department_code] if department_code else None)
            yield f"account {email}"
        passwords[email] = password
    db.session.commit()
    _write_passwords(passwords)

    for loader in current_app.extensions.get("minyi_demo_loaders", []):
        yield from loader()
        db.session.commit()
    # The demo publishes without the approval screens: seal what it published (core/integrity), as an upgrade does.
    from core.integrity.check import seal_all

    sealed = sum(seal_all().values())
    db.session.commit()
    if sealed:
        yield f"sealed {sealed} published items"


def _write_passwords(passwords: dict[str, str]) -> None:
    path = _password_file()
    content = "".join(f"{email}\t{password}\n" for email, password in passwords.items())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(content)


def describe_accounts() -> list[str]:
    """Lines for `make run` to print: each demo account, its role and password."""
    known = _read_known_passwords()
    return [f"  {role.value:<9} {email:<34} {known.get(email, '?')}" for email, _name, role, _d in ACCOUNTS]
