"""The admin's sensitive-word lists: seeded from the shipped file, edited on /admin/words, audited, seen by every
worker through the version number."""

from __future__ import annotations

from core import words
from core.audit import AuditEvent
from core.extensions import db
from core.models import Role
from core.screening import load_word_list
from tests.factories import make_user


def test_the_shipped_list_is_in_force_until_an_admin_changes_it(app):
    shipped = load_word_list(words.DEFAULT_WORD_LIST)
    assert words.current_word_lists() == shipped
    assert words.current_matcher().find("体育投注")[0].category == "gambling"


def test_the_admin_page_lists_the_categories_and_adds_pasted_words(client, auth):
    auth.login_as(Role.ADMIN)
    page = client.get("/admin/words/")
    assert page.status_code == 200 and 'id="category-gambling"' in page.text
    response = client.post("/admin/words/", data={"category": "fraud", "words": "刷单返利\n兼职日结、刷单返利，"})
    assert response.status_code == 302
    assert words.current_word_lists()["fraud"] == ["兼职日结", "刷单返利"]
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "words.add"))
    assert event.detail == {"category": "fraud", "words": ["刷单返利", "兼职日结"]}
    assert "fraud" in {hit.category for hit in words.current_matcher().find("高薪兼职日结")}


def test_removing_a_word_stops_matching_it(client, auth):
    auth.login_as(Role.ADMIN)
    client.get("/admin/words/")
    word = db.session.scalar(db.select(words.SensitiveWord).where(words.SensitiveWord.word == "百家乐"))
    assert client.post("/admin/words/remove", data={"word_id": str(word.id)}).status_code == 302
    assert "百家乐" not in words.current_word_lists()["gambling"]
    assert words.current_matcher().find("百家乐") == []
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "words.remove")) is not None


def test_every_process_notices_a_change_through_the_version(app):
    admin = make_user(Role.ADMIN)
    stale = words._MatcherCache()  # another worker, which built its matcher before the change
    words.add_words("fraud", ["刷单返利"], admin)
    assert stale.get().find("刷单返利")
    before = stale.get()
    assert stale.get() is before  # unchanged version: the matcher is reused, not rebuilt
    words.remove_words([w.id for w in db.session.scalars(db.select(words.SensitiveWord))][:1], admin)
    assert stale.get() is not before


def test_a_bad_category_is_refused_and_only_admins_reach_the_page(client, auth):
    auth.login_as(Role.EDITOR)
    assert client.get("/admin/words/").status_code == 403
    auth.logout()
    auth.login_as(Role.ADMIN)
    response = client.post("/admin/words/", data={"category": "赌博 类", "words": "x"})
    assert response.status_code == 200 and "field-error" in response.text
