"""The search synonyms: the shipped list until an admin edits it on /admin/synonyms, every change audited and in
force at the next search."""

from __future__ import annotations

import re

import pytest

from core import synonyms
from core.audit import AuditEvent
from core.extensions import db
from core.models import Role
from core.search_query import expand, parse_query
from tests.consultation.conftest import known_holiday_calendars, make_consultation  # noqa: F401
from tests.factories import make_department

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")
EN = {"Accept-Language": "en"}


def _found(client, q: str) -> list[int]:
    page = client.get("/search", query_string={"q": q}, headers=EN).text
    return [int(n) for n in re.findall(r'<h3><a href="/consultations/(\d+)">', page)]


def test_the_shipped_list_is_in_force_while_the_table_is_empty(app):
    index = synonyms.current_index()
    assert "电动自行车" in index.variants("电动车") and "充电设施" in index.variants("充电桩")
    assert index.variants("电动自行车")[0] == "电动自行车" and "电动车" in index.variants("电动自行车")
    assert index.variants("停车难") == ("停车难",)  # a word of no group stands for itself


def test_neighbouring_words_that_form_a_listed_word_are_joined(app):
    # jieba cuts 行政规范性文件 into 行政 / 规范性 / 文件; the list knows the whole word.
    terms = expand(parse_query("行政规范性文件"), synonyms.current_index())
    assert [term.text for term in terms] == ["行政规范性文件"]
    assert "规范性文件" in terms[0].variants


def test_a_group_an_admin_adds_takes_effect_at_the_next_search(client, auth):
    notice = make_consultation(make_department(), explanation="推进适老化改造，方便长者出行。")
    db.session.commit()
    assert _found(client, "银发族") == []
    auth.login_as(Role.ADMIN)
    page = client.get("/admin/synonyms/")
    assert page.status_code == 200 and "电动自行车" in page.text  # the shipped list, copied on the first visit
    response = client.post("/admin/synonyms/", data={"groups": "银发族，长者、老年人\n只有一个词"})
    assert response.status_code == 302
    assert _found(client, "银发族") == [notice.id]
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "synonyms.add"))
    assert event.detail == {"groups": ["银发族，长者，老年人"]}


def test_a_group_an_admin_removes_no_longer_widens_the_search(client, auth):
    notice = make_consultation(make_department())  # says 电动自行车
    db.session.commit()
    assert _found(client, "电瓶车") == [notice.id]
    auth.login_as(Role.ADMIN)
    client.get("/admin/synonyms/")
    group = db.session.scalar(db.select(synonyms.SynonymGroup).where(synonyms.SynonymGroup.words.contains("电瓶车")))
    assert client.post("/admin/synonyms/remove", data={"group_id": str(group.id)}).status_code == 302
    assert _found(client, "电瓶车") == []
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "synonyms.remove")) is not None


def test_a_line_without_two_words_is_refused_with_a_message_and_only_admins_reach_the_page(client, auth):
    auth.login_as(Role.EDITOR)
    assert client.get("/admin/synonyms/").status_code == 403
    auth.logout()
    auth.login_as(Role.ADMIN)
    response = client.post("/admin/synonyms/", data={"groups": "单独一个词"}, headers=EN)
    assert response.status_code == 200 and "at least two words" in response.text
    assert "单独一个词" in response.text  # what was typed is kept in the form


def test_did_you_mean_never_offers_a_number_from_a_title(client):
    make_consultation(make_department(), title="咨询电话13912345678的停车管理办法")
    db.session.commit()
    page = client.get("/search", query_string={"q": "13912345679"}, headers=EN).text
    assert "Did you mean" not in page and "13912345678" not in page
