"""Screening at submission: words, links, personal data, duplicates and clusters, bursts without storing addresses."""

from __future__ import annotations

import pytest

from consultation.comments import duplicates, intake
from consultation.handling.models import CommentBand, SubmissionSource
from consultation.models import Comment, Consultation
from core.extensions import db
from core.models import Role
from core.words import add_words
from tests.consultation.conftest import make_consultation
from tests.consultation.handling_helpers import CAMPAIGN_BASE, add_comment, campaign
from tests.factories import make_department, make_user

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")

SPAM = "360足球直播_365体育投注-平台官网 注册就送，加微信 vx: bet365kf"
PERSONAL = "我的电话13904135566，身份证号210402196803150020，建议增加巡查次数，晚上也要巡查。"


@pytest.fixture
def consultation(app):
    consultation = make_consultation(make_department())
    db.session.commit()
    return consultation


def _form(text: str, key: str) -> dict[str, str]:
    return {
        "submission_key": key,
        "unit_key": "a3",
        "author_name": "张晓明",
        "respondent_type": "individual",
        "phone": "13912345678",
        "content": text,
        "privacy_ack": "y",
    }


def test_gambling_spam_and_personal_data_are_flagged_when_a_resident_submits(client, consultation):
    client.post(f"/consultations/{consultation.id}/comment", data=_form(SPAM, "s" * 32))
    client.post(f"/consultations/{consultation.id}/comment", data=_form(PERSONAL, "p" * 32))
    spam, personal = db.session.scalars(db.select(Comment).order_by(Comment.id)).all()
    assert "sensitive:gambling" in spam.flag_list and "contact" in spam.flag_list
    assert {hit["word"] for hit in spam.screening["words"]} >= {"足球直播", "体育投注"}
    assert "personal_data" in personal.flag_list
    assert {hit["kind"] for hit in personal.screening["personal_data"]} == {"mobile", "id_number"}
    assert personal.moderation_status.value == "pending"  # screening marks; it never approves or rejects


def test_staff_recorded_comments_are_screened_too(app, client, auth, consultation):
    auth.login_as(Role.EDITOR, consultation.department)
    response = client.post(
        f"/manage/consultations/{consultation.id}/comments/new",
        data={"content": SPAM, "author_name": "来信人", "respondent_type": "individual", "unit_key": "",
              "channel": "letter", "received_on": "2026-01-05"},
    )  # fmt: skip
    assert response.status_code == 302
    assert "sensitive:gambling" in db.session.scalar(db.select(Comment)).flag_list


def test_an_exact_copy_joins_the_cluster_of_the_first_comment(consultation):
    first = add_comment(consultation, "建议把巡查频次改为每周两次，每日巡查不现实。")
    copy = add_comment(consultation, "建议把巡查频次改为每周两次,每日巡查不现实!", name="李四")
    other = add_comment(consultation, "施行日期应当推迟到明年一月一日，给小区留出准备时间。", name="王五")
    assert first.cluster_id == copy.cluster_id == first.id
    assert "exact_duplicate" in copy.flag_list
    assert other.cluster_id is None


def test_a_campaign_of_200_lightly_edited_copies_becomes_one_cluster(consultation):
    unrelated = add_comment(consultation, "第一条的依据中应当补充《辽宁省消防条例》的具体条款，并写明版本年份。")
    copies = campaign(consultation, 200)
    db.session.commit()
    assert len({comment.cluster_id for comment in copies}) == 1
    assert copies[0].cluster_id == copies[0].id
    assert unrelated.cluster_id is None
    # Past a few dozen members, new copies join without being indexed: the band table does not grow with a campaign.
    indexed = db.session.scalar(db.select(db.func.count(db.distinct(CommentBand.comment_id))))
    assert indexed <= duplicates.MAX_INDEXED_PER_CLUSTER + 2


def test_clusters_are_found_from_the_database_not_from_a_process_memory(app, consultation):
    first_id, consultation_id = add_comment(consultation, CAMPAIGN_BASE).id, consultation.id
    db.session.commit()
    db.session.expunge_all()  # as if the next comment arrived at another worker
    consultation = db.session.get(Consultation, consultation_id)
    second = add_comment(consultation, CAMPAIGN_BASE.replace("每周", "每月"), name="李四")
    assert second.cluster_id == first_id


def test_rechecking_merges_copies_that_arrived_at_the_same_instant(app, consultation):
    moderator = make_user(Role.MODERATOR)
    first = add_comment(consultation, CAMPAIGN_BASE)
    second = add_comment(consultation, CAMPAIGN_BASE.replace("每周", "每月"), name="李四")
    # Two workers stored them at once, neither seeing the other.
    first.cluster_id = second.cluster_id = None
    db.session.flush()
    from consultation.comments import moderation

    assert moderation.recheck_duplicates(consultation, moderator) == 2
    assert first.cluster_id == second.cluster_id == first.id


def test_a_burst_from_one_address_is_flagged_and_the_address_is_stored_nowhere(app, consultation):
    limit = app.config["CONSULTATION_BURST_LIMIT"]
    source = intake.source_key("203.0.113.77")
    comments = [
        add_comment(consultation, f"第{n}条意见：建议增加夜间巡查，尤其是冬季。", name=f"居民{n}", source=source)
        for n in range(limit + 2)
    ]
    assert ["burst" in c.flag_list for c in comments] == [False] * limit + [True, True]
    other = add_comment(consultation, "另一个地址来的意见，内容完全不同。", source=intake.source_key("198.51.100.2"))
    assert "burst" not in other.flag_list
    for comment in comments:
        stored = " ".join(str(getattr(comment, column.key)) for column in Comment.__table__.columns)
        assert "203.0.113.77" not in stored and source not in stored
    assert "203.0.113.77" not in " ".join(db.session.scalars(db.select(SubmissionSource.source)))


def test_source_rows_older_than_the_window_are_purged(app, consultation):
    from datetime import timedelta

    from core.db import utcnow

    db.session.add(SubmissionSource(source="old", at=utcnow() - timedelta(hours=2)))
    db.session.add(SubmissionSource(source="new", at=utcnow()))
    db.session.flush()
    assert intake.purge_sources() == 1
    assert db.session.scalars(db.select(SubmissionSource.source)).all() == ["new"]


def test_a_word_the_admin_adds_is_caught_in_the_next_comment(consultation):
    admin = make_user(Role.ADMIN)
    before = add_comment(consultation, "欢迎关注东洲好物优选店铺，全场五折。")
    assert not any(flag.startswith("sensitive:") for flag in before.flag_list)
    add_words("advertising", ["好物优选"], admin)
    after = add_comment(consultation, "欢迎关注东洲好物优选店铺，全场五折！", name="李四")
    assert "sensitive:advertising" in after.flag_list


def test_merging_clusters_moves_every_member_and_comments_already_loaded_see_it(consultation):
    first = add_comment(consultation, "建议在每栋楼下设置充电车棚，并安装自动断电装置。")
    second = add_comment(consultation, "请物业每周公布一次巡查记录，方便业主监督。")
    member = add_comment(consultation, "请物业每周公布一次巡查记录，方便业主监督！")
    other_consultation = make_consultation(make_department())
    bystander = add_comment(other_consultation, "请物业每周公布一次巡查记录，方便业主监督。")
    db.session.commit()
    assert member.cluster_id == second.id and first.cluster_id is None
    target = duplicates.merge_cluster_keys(consultation.id, {first.id, second.id})
    assert target == first.id
    # No refresh asked for: the objects loaded in this session read the merged cluster.
    assert (first.cluster_id, second.cluster_id, member.cluster_id) == (first.id, first.id, first.id)
    assert bystander.cluster_id != first.id
