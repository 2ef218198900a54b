"""The consultations' open data: what is listed and filtered, paging, nothing unpublished, feedback only once public."""

from __future__ import annotations

import pytest

from consultation.comments import moderation
from consultation.comments.commenting import CommentInput
from consultation.models import Channel, ConsultationStatus, RespondentType
from core import page_cache
from core.extensions import db
from core.models import Role
from tests.conftest import make_app
from tests.consultation.conftest import make_consultation
from tests.consultation.handling_helpers import add_comment
from tests.consultation.opendata_helpers import publish_addendum, publish_feedback
from tests.factories import make_department, make_user

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")


@pytest.fixture
def housing(app):
    return make_department(name="区住建局", office_phone="024-56620078", email="zjj@dongzhou.example.cn")


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.get_json()["items"]]


def test_list_holds_published_consultations_and_filters_by_phase_department_and_type(client, housing) -> None:
    other = make_department(name="区教育局")
    open_one = make_consultation(housing, phase="open", title="开放中")
    upcoming = make_consultation(housing, phase="upcoming", title="即将开始")
    closed = make_consultation(other, phase="closed", title="已结束", doc_type="normative_doc")
    db.session.commit()
    assert _ids(client.get("/api/v1/consultations")) == [open_one.id, upcoming.id, closed.id]
    assert _ids(client.get("/api/v1/consultations?phase=upcoming")) == [upcoming.id]
    assert _ids(client.get(f"/api/v1/consultations?department={other.id}")) == [closed.id]
    assert _ids(client.get("/api/v1/consultations?type=normative_doc")) == [closed.id]
    item = client.get("/api/v1/consultations?phase=open").get_json()["items"][0]
    assert item["phase"] == "open" and item["days_left"] > 0
    assert item["url"].endswith(f"/consultations/{open_one.id}")
    assert item["end_at"].endswith("Z") and item["feedback_url"] is None
    assert client.get("/api/v1/consultations?phase=someday").status_code == 400


def test_drafts_and_consultations_in_review_are_never_listed_nor_found(client, housing) -> None:
    hidden = [
        make_consultation(housing, status=status, title=f"未发布{status}")
        for status in (ConsultationStatus.DRAFT, ConsultationStatus.IN_REVIEW, ConsultationStatus.RETURNED)
    ]
    db.session.commit()
    assert _ids(client.get("/api/v1/consultations")) == []
    for consultation in hidden:
        for suffix in ("", "/units", "/feedback"):
            response = client.get(f"/api/v1/consultations/{consultation.id}{suffix}")
            assert response.status_code == 404
            assert response.get_json()["error"]["status"] == 404


def test_pages_hold_per_page_items_and_per_page_is_capped_at_100(client, housing) -> None:
    for number in range(105):
        make_consultation(housing, phase="closed", title=f"第{number}号")
    db.session.commit()
    first = client.get("/api/v1/consultations?per_page=2").get_json()
    assert (len(first["items"]), first["total"], first["pages"]) == (2, 105, 53)
    second = client.get("/api/v1/consultations?per_page=2&page=2").get_json()
    assert not {item["id"] for item in first["items"]} & {item["id"] for item in second["items"]}
    capped = client.get("/api/v1/consultations?per_page=1000").get_json()
    assert capped["per_page"] == 100 and len(capped["items"]) == 100
    assert client.get("/api/v1/consultations?per_page=1000&page=3").get_json()["items"] == []
    assert client.get("/api/v1/consultations?per_page=0").status_code == 400


def test_notice_has_its_facts_contacts_texts_and_counts_per_unit(client, housing) -> None:
    consultation = make_consultation(housing, interpretation="## 解读\n\n一图读懂。")
    comments = [
        add_comment(consultation, "第三条太严。", unit_key="a3"),
        add_comment(consultation, "第三条可以。", unit_key="a3", name="李四"),
        add_comment(consultation, "整体赞成。", unit_key=None, name="王五"),
    ]
    moderation.approve(comments, make_user(Role.MODERATOR))  # counted once approved, as on the notice
    add_comment(consultation, "还在审核中。", unit_key="a3", name="赵六")
    db.session.commit()
    notice = client.get(f"/api/v1/consultations/{consultation.id}").get_json()
    assert notice["title"] == consultation.title
    assert notice["department"]["office_phone"] == "024-56620078"
    assert notice["department"]["email"] == "zjj@dongzhou.example.cn"
    # The notice's own contacts: phone, and the e-mail of the e-mail channel; no letters, so no address.
    assert notice["contact"] == {"phone": "024-56620078", "email": "housing@dongzhou.example.cn", "address": None}
    assert notice["channels"] == ["online", "email"]
    assert notice["explanation"].startswith("## 起草背景") and "一图读懂" in notice["interpretation"]
    assert notice["comments"]["total"] == 3 and notice["comments"]["participants"] == 3
    assert notice["comments"]["by_unit"] == [{"unit_key": None, "count": 1}, {"unit_key": "a3", "count": 2}]
    units = client.get(notice["units_url"].removeprefix("http://localhost")).get_json()["items"]
    assert [unit["key"] for unit in units] == ["c1", "a1", "a2", "a3"]
    assert units[3] == {"key": "a3", "kind": "article", "number": "第三条", "title": "",
                        "text": "物业服务企业应当每日巡查充电场所。", "parent": "c1"}  # fmt: skip


def test_feedback_table_is_served_only_once_the_feedback_is_published(client, housing) -> None:
    consultation = make_consultation(housing, phase="closed")
    comments = [add_comment(consultation, "建议改为每周巡查。", name="张晓明"),
                add_comment(consultation, "本企业建议延期施行。", name="东洲物业有限公司", unit_key="a2",
                            respondent_type=RespondentType.ENTERPRISE)]  # fmt: skip
    db.session.commit()
    assert client.get(f"/api/v1/consultations/{consultation.id}/feedback").status_code == 404
    publish_feedback(consultation, comments)
    db.session.commit()
    published = client.get(f"/api/v1/consultations/{consultation.id}/feedback").get_json()
    assert published["main_changes"] == "第三条改为每周巡查。"
    assert published["statistics"]["received"] == 2 and published["statistics"]["valid"] == 2
    assert published["statistics"]["by_adoption"] == {"not_adopted": 2}
    rows = published["rows"]["items"]
    # Masked as on the public feedback page: a person's name, not an organisation's.
    assert [(row["number"], row["name"], row["adoption"]) for row in rows] == [
        (1, "张*明", "not_adopted"), (2, "东洲物业有限公司", "not_adopted")]  # fmt: skip
    assert rows[0]["reason"] == "与上位法规定不一致。"
    listed = client.get("/api/v1/consultations?phase=closed").get_json()["items"][0]
    assert listed["feedback_url"].endswith(f"/consultations/{consultation.id}/feedback")
    second_page = client.get(f"/api/v1/consultations/{consultation.id}/feedback?per_page=1&page=2").get_json()
    assert [(row["number"], row["name"]) for row in second_page["rows"]["items"]] == [(2, "东洲物业有限公司")]


REASON = "将在实施细则中统筹考虑。"  # tests/consultation/opendata_helpers.publish_addendum answers with it


def test_feedback_carries_its_addenda_with_names_and_phones_masked_as_on_the_page(client, housing) -> None:
    consultation = make_consultation(housing, phase="closed")
    comment = add_comment(consultation, "建议改为每周巡查。", name="张晓明")
    publish_feedback(consultation, [comment])
    db.session.commit()
    url = f"/api/v1/consultations/{consultation.id}/feedback"
    assert client.get(url).get_json()["addenda"] == []
    letter = CommentInput("信件：建议增设充电车棚。", RespondentType.INDIVIDUAL, author_name="赵建华",
                          channel=Channel.LETTER, phone="13912345678")  # fmt: skip
    publish_addendum(consultation, letter, note="来信人（13912345678）于截止日前寄出；咨询请拨024-56620078。")
    db.session.commit()
    body = client.get(url + "?per_page=1").get_data(as_text=True)
    assert "赵建华" not in body and "13912345678" not in body
    (addendum,) = client.get(url + "?per_page=1").get_json()["addenda"]
    assert addendum["url"] == f"http://localhost/consultations/{consultation.id}/feedback#addendum-{addendum['id']}"
    assert addendum["note"] == "来信人（139****5678）于截止日前寄出；咨询请拨024-56620078。"  # the office's number kept
    assert addendum["rows"] == [{"name": "赵*华", "content": "信件：建议增设充电车棚。", "valid": True,
                                 "adoption": "partly_adopted", "reason": REASON, "change": ""}]  # fmt: skip
    page = client.get(f"/consultations/{consultation.id}/feedback").get_data(as_text=True)
    assert f'id="addendum-{addendum["id"]}"' in page and "139****5678" in page and "13912345678" not in page


@pytest.fixture
def cached_app(app, test_config, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(page_cache, "clock", lambda: now[0])
    cached = make_app(test_config, PUBLIC_PAGE_CACHE_SECONDS=5)
    cached.step = lambda seconds: now.__setitem__(0, now[0] + seconds)
    return cached


def test_api_and_feeds_are_served_from_the_page_cache_so_crawlers_cannot_load_the_database(cached_app, housing):
    make_consultation(housing, title="第一份")
    db.session.commit()
    client = cached_app.test_client()
    urls = ("/api/v1/consultations", "/consultations/feed.atom")
    first = {url: client.get(url) for url in urls}
    make_consultation(housing, title="第二份")
    db.session.commit()
    for url in urls:
        again = client.get(url)
        assert again.get_data() == first[url].get_data()  # the same bytes for the cache period
        assert again.content_type == first[url].content_type
    cached_app.step(6)
    assert "第二份" in client.get("/api/v1/consultations").get_data(as_text=True)
    assert "第二份" in client.get("/consultations/feed.atom").get_data(as_text=True)
