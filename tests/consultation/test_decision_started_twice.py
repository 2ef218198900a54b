"""Two editors starting the same thing at the same moment (a revision of the 解读, a correction of the decided
document, the first 解读): the second is told who started it and when, with a link to it, never a 500 from the
unique (consultation, version) constraint.

The moment is made real with two database sessions: the second editor's request has read that nothing is
started; before it writes, the first editor's request (its own session, as another worker's) starts the same
version and commits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from consultation.decision import documents, services
from consultation.decision.models import Interpretation, PreparedDocument
from consultation.models import Consultation
from core.extensions import db
from core.models import Role, User
from tests.consultation.test_decision import PARTS, decided, publish_document
from tests.consultation.test_decision_revisions import _published
from tests.factories import make_department, make_user

EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def _ledger_head_outside_instance(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> None:
    app.config["INTEGRITY_LEDGER_HEAD"] = str(tmp_path_factory.mktemp("head") / "head.json")


def _first_editor_commits_after_the_read(
    monkeypatch: pytest.MonkeyPatch, app: Flask, module: Any, reader: str, start: Callable[[Consultation, User], Any],
    consultation_id: int, first_editor_id: int, reads: int = 1,
) -> None:  # fmt: skip
    """The `reads`-th call of `module.reader` (the last thing the second editor's request reads before it writes)
    returns what it found, but the first editor's start is committed meanwhile in a session of its own."""
    real = getattr(module, reader)
    calls = []

    def read_then_the_first_editor_commits(*args: Any, **kwargs: Any) -> Any:
        found = real(*args, **kwargs)
        calls.append(True)
        if len(calls) == reads:
            with app.app_context():  # another session on another connection, as another request
                start(db.session.get(Consultation, consultation_id), db.session.get(User, first_editor_id))
                db.session.commit()
        return found

    monkeypatch.setattr(module, reader, read_then_the_first_editor_commits)


def test_the_second_editor_starting_a_revision_at_the_same_moment_gets_a_link_to_the_first(
    app, client, auth, monkeypatch
):
    consultation, first, _approver = _published(make_department(name="区住建局"))
    second = make_user(Role.EDITOR, db.session.get(Consultation, consultation.id).department, display_name="李四")
    first.display_name = "张三"
    db.session.commit()
    _first_editor_commits_after_the_read(monkeypatch, app, services, "interpretation_of", services.start_revision,
                                         consultation.id, first.id)  # fmt: skip
    auth.login(second.email)
    started = client.post(f"/manage/consultations/{consultation.id}/interpretation/revise", headers=EN)
    assert started.status_code == 303
    page = client.get(started.headers["Location"], headers=EN).text
    assert "张三 already started a revision of the interpretation (version 2)" in page
    assert f'<a href="/manage/consultations/{consultation.id}/interpretation" class="started-link">' in page
    db.session.expire_all()
    assert [row.version for row in db.session.scalars(db.select(Interpretation))] == [1, 2]
    again = client.post(f"/manage/consultations/{consultation.id}/interpretation/revise", headers=EN)
    assert "张三 already started a revision" in client.get(again.headers["Location"], headers=EN).text, "later too"


def test_the_second_editor_starting_a_correction_at_the_same_moment_gets_a_link_to_the_first(
    app, client, auth, monkeypatch
):
    department = make_department(name="区住建局")
    consultation = decided(department)
    first = make_user(Role.EDITOR, department, display_name="张三")
    second = make_user(Role.EDITOR, department, display_name="李四")
    publish_document(consultation, first, make_user(Role.APPROVER, department))
    db.session.commit()
    _first_editor_commits_after_the_read(monkeypatch, app, documents, "prepared_of", documents.start_correction,
                                         consultation.id, first.id)  # fmt: skip
    auth.login(second.email)
    started = client.post(f"/manage/consultations/{consultation.id}/decision/document/correct", headers=EN)
    assert started.status_code == 303
    page = client.get(started.headers["Location"], headers=EN).text
    assert "张三 already started a correction of the decided document (version 2)" in page
    link = f'<a href="/manage/consultations/{consultation.id}/decision#decided-document" class="started-link">'
    assert link in page
    db.session.expire_all()
    [prepared] = db.session.scalars(db.select(PreparedDocument).where(PreparedDocument.version == 2)).all()
    assert prepared.created_by_id == first.id


def test_two_editors_saving_the_first_interpretation_at_once_keep_one_and_the_second_text_on_screen(
    app, client, auth, monkeypatch
):
    department = make_department(name="区住建局")
    consultation = decided(department)
    first = make_user(Role.EDITOR, department, display_name="张三")
    second = make_user(Role.EDITOR, department, display_name="李四")
    db.session.commit()

    def first_saves(consultation: Consultation, editor: User) -> None:
        services.save_interpretation(consultation, editor, {**PARTS, "goals": "张三的目标。"})

    # Read by the page, then by the service just before it inserts: the first editor commits after both.
    _first_editor_commits_after_the_read(monkeypatch, app, services, "interpretation_of", first_saves,
                                         consultation.id, first.id, reads=2)  # fmt: skip
    auth.login(second.email)
    saved = client.post(
        f"/manage/consultations/{consultation.id}/interpretation", data={**PARTS, "goals": "李四的目标。"}, headers=EN
    )
    assert saved.status_code == 200 and "张三 already started the interpretation" in saved.text
    assert "李四的目标。" in saved.text, "what the second editor typed stays on screen"
    db.session.expire_all()
    assert db.session.scalars(db.select(Interpretation.goals)).all() == ["张三的目标。"]
