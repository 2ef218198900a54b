"""Least privilege shown, not only enforced: a staff member is never offered a link that answers 403.

An approver reviews but does not create; a moderator moderates but does not draft. Each walks every staff page
they can reach from the dashboard by following links (GET only), and every link they are shown opens.
"""

from __future__ import annotations

import re
from collections import deque
from typing import Any
from urllib.parse import urldefrag, urlparse

import pytest
from flask.testing import FlaskClient

from consultation.models import ConsultationStatus
from core.extensions import db
from tests.conftest import AuthActions
from tests.consultation.conftest import make_consultation
from tests.factories import make_department
from tests.surveys.helpers import make_survey

HREF = re.compile(r'href="([^"#]+)')
STAFF_PREFIXES = ("/manage", "/admin", "/account")
# Files are not pages: tests/live/test_downloads.py downloads and parses every one of them.
FILE_SUFFIXES = (".csv", ".json", ".pdf", ".docx", ".xlsx", ".zip", ".sav", ".png", ".svg", ".xml")
MAX_PAGES = 150


def _staff_links(html: str) -> set[str]:
    links = set()
    for href in HREF.findall(html):
        path = urldefrag(href.replace("&amp;", "&"))[0]
        parsed = urlparse(path)
        if (
            not parsed.netloc
            and parsed.path.startswith(STAFF_PREFIXES)
            and not parsed.path.endswith(FILE_SUFFIXES)
            and "packet" not in parsed.path
        ):
            links.add(path)
    return links


def _walk(client: FlaskClient, start: str) -> dict[str, int]:
    """Every staff page reachable from `start` by links, with the status it answered."""
    seen: dict[str, int] = {}
    queue = deque([start])
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        if path in seen:
            continue
        response = client.get(path)
        seen[path] = response.status_code
        html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        response.close()
        if response.status_code == 200:
            queue.extend(_staff_links(html) - seen.keys())
    return seen


@pytest.mark.parametrize("role", ["approver", "moderator", "editor"])
def test_no_staff_link_leads_to_a_refusal(app: Any, client: FlaskClient, auth: AuthActions, role: str) -> None:
    department = make_department()
    make_consultation(department, status=ConsultationStatus.SCHEDULED, phase="closed")
    make_consultation(department)
    make_survey([[]], department=department)
    db.session.commit()
    auth.login_as(role, department)

    statuses = _walk(client, "/manage/")
    refused = {path: status for path, status in statuses.items() if status in (403, 404, 405, 500)}
    assert len(statuses) > 3, statuses
    assert refused == {}
