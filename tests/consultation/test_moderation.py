"""The moderation queue: nothing public before approval, marked text, filters, bulk actions in one POST, audit."""

from __future__ import annotations

import pytest

from consultation.models import Comment, CommentDisplay, ConsultationStatus, ModerationStatus, Validity
from core.audit import AuditEvent
from core.extensions import db
from core.models import Role
from tests.consultation.conftest import make_consultation
from tests.consultation.handling_helpers import add_comment, campaign
from tests.factories import make_department, make_user

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")

SPAM = "360足球直播_365体育投注-平台官网，注册就送彩金"
PERSONAL = "联系我13904135566，身份证210402196803150020，建议晚上也巡查。"


@pytest.fixture
def consultation(app):
    consultation = make_consultation(make_department(), comment_display=CommentDisplay.APPROVED_MASKED)
    db.session.commit()
    return consultation


def _act(client, ids, action, **extra):
    response = client.post("/manage/moderation/act", data={"comment": [str(i) for i in ids], "action": action, **extra})
    db.session.expire_all()  # the request changed the rows in its own session
    return response


def test_nothing_is_public_before_approval_and_then_only_masked(client, auth, consultation):
    comment = add_comment(consultation, PERSONAL, name="张晓祥")
    db.session.commit()
    assert "建议晚上也巡查" not in client.get(f"/consultations/{consultation.id}").text
    auth.login_as(Role.MODERATOR)
    assert _act(client, [comment.id], "approve").status_code == 302
    page = client.get(f"/consultations/{consultation.id}").text
    assert "建议晚上也巡查" in page and "张*祥" in page
    assert "13904135566" not in page and "210402196803150020" not in page and "张晓祥" not in page


def test_the_queue_marks_words_and_personal_data_and_filters_by_flag(client, auth, consultation):
    add_comment(consultation, SPAM, name="广告")
    add_comment(consultation, PERSONAL, name="李四")
    add_comment(consultation, "建议增加充电桩数量。", name="王五")
    db.session.commit()
    auth.login_as(Role.MODERATOR)
    page = client.get("/manage/moderation/").text
    assert '<mark class="hl-word" title="赌博">365体育投注-平台</mark>' in page  # the list's name, not its code
    assert '<mark class="hl-pii" title="手机号码">13904135566</mark>' in page
    gambling = client.get("/manage/moderation/?flag=sensitive:gambling").text
    assert "官网，注册就送" in gambling and "充电桩" not in gambling
    clean = client.get("/manage/moderation/?flag=clean").text
    assert "充电桩" in clean and "官网，注册就送" not in clean


def test_reject_needs_a_reason_and_rejected_comments_are_kept_with_it(client, auth, consultation):
    spam = add_comment(consultation, SPAM, name="广告")
    db.session.commit()
    auth.login_as(Role.MODERATOR)
    _act(client, [spam.id], "reject")
    assert db.session.get(Comment, spam.id).moderation_status is ModerationStatus.PENDING
    _act(client, [spam.id], "reject", reason="spam")
    stored = db.session.get(Comment, spam.id)
    assert (stored.moderation_status, stored.validity, stored.rejection_reason.value) == (
        ModerationStatus.REJECTED, Validity.ILLEGAL, "spam"
    )  # fmt: skip
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "consultation.comment_reject"))
    assert event.detail == {"receipts": [spam.receipt_number], "reason": "spam"}


def test_marking_validity_and_bulk_approval_of_a_whole_cluster_in_one_post(client, auth, consultation):
    copies = campaign(consultation, 30)
    single = add_comment(consultation, "施行日期建议推迟半年。", name="赵六")
    db.session.commit()
    auth.login_as(Role.MODERATOR)
    cluster = copies[0].cluster_id
    listed = client.get(f"/manage/moderation/?cluster={cluster}").text
    assert (
        "30 comments match"
        in client.get(f"/manage/moderation/?cluster={cluster}", headers={"Accept-Language": "en"}).text
    )
    assert "施行日期" not in listed
    response = client.post(
        "/manage/moderation/act",
        data={"action": "approve", "all_matching": "y", "cluster": str(cluster), "state": "pending"},
    )
    assert response.status_code == 302 and f"cluster={cluster}" in response.headers["Location"]
    db.session.expire_all()
    statuses = {
        c.moderation_status for c in db.session.scalars(db.select(Comment).where(Comment.cluster_id == cluster))
    }
    assert statuses == {ModerationStatus.APPROVED}
    assert db.session.get(Comment, single.id).moderation_status is ModerationStatus.PENDING
    _act(client, [copies[1].id], "validity:duplicate")
    assert db.session.get(Comment, copies[1].id).validity is Validity.DUPLICATE


def test_merging_and_splitting_clusters(client, auth, consultation):
    a = add_comment(consultation, "建议设置充电棚并安装监控摄像头。", name="甲")
    b = add_comment(consultation, "充电地点要有遮雨措施，最好有人看管。", name="乙")
    db.session.commit()
    auth.login_as(Role.MODERATOR)
    _act(client, [a.id, b.id], "merge")
    assert db.session.get(Comment, a.id).cluster_id == db.session.get(Comment, b.id).cluster_id == a.id
    _act(client, [a.id], "split")
    assert db.session.get(Comment, a.id).cluster_id is None
    assert db.session.get(Comment, b.id).cluster_id is None  # a cluster of one is no cluster


def test_editors_cannot_moderate_unless_they_also_hold_the_role(client, auth, consultation):
    comment = add_comment(consultation, "建议增加充电桩。")
    db.session.commit()
    editor = auth.login_as(Role.EDITOR, consultation.department)
    assert client.get("/manage/moderation/").status_code == 403
    assert _act(client, [comment.id], "approve").status_code == 403
    from core.accounts import grant_role

    grant_role(editor, Role.MODERATOR, None, actor=None)
    db.session.commit()
    assert client.get("/manage/moderation/").status_code == 200


def test_moderation_is_refused_once_the_feedback_is_published(client, auth):
    closed = make_consultation(make_department(), phase="closed", status=ConsultationStatus.FEEDBACK_PUBLISHED)
    comment = add_comment(closed, "建议增加充电桩。")
    db.session.commit()
    auth.login_as(Role.MODERATOR)
    _act(client, [comment.id], "approve")
    assert db.session.get(Comment, comment.id).moderation_status is ModerationStatus.PENDING


def test_the_dashboard_tells_a_moderator_what_waits(client, auth, consultation):
    add_comment(consultation, "建议增加充电桩。")
    db.session.commit()
    make_user(Role.MODERATOR)
    auth.login_as(Role.MODERATOR)
    assert 'id="dashboard-moderation"' in client.get("/manage/").text
