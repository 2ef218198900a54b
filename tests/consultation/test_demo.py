"""The demo's closed consultation arrives moderated, clustered, answered and with its feedback published; once."""

from __future__ import annotations

from collections import Counter

from consultation import demo, demo_handling, feedback
from consultation.models import Comment, Consultation, ConsultationStatus, RejectionReason
from core.extensions import db
from core.models import Role
from tests.factories import make_department, make_user


def test_the_closed_demo_consultation_is_handled_and_published_once(app, client):
    office = make_department("gov-office")
    make_user(Role.EDITOR, office, email="editor@demo.minyi.cn")
    make_user(Role.APPROVER, office, email="approver@demo.minyi.cn")
    make_user(Role.MODERATOR, email="moderator@demo.minyi.cn")
    first = list(demo.load())
    db.session.commit()
    assert list(demo.load()) == []
    closed = db.session.scalar(db.select(Consultation).where(Consultation.title == demo.CLOSED_TITLE))
    assert closed.status is ConsultationStatus.FEEDBACK_PUBLISHED and any(
        "feedback published" in line for line in first
    )
    comments = db.session.scalars(db.select(Comment).where(Comment.consultation_id == closed.id)).all()
    clusters = Counter(comment.cluster_id for comment in comments if comment.cluster_id)
    assert len(demo_handling.CAMPAIGN_NAMES) in clusters.values()  # the campaign is one cluster
    assert [c.rejection_reason for c in comments if c.rejection_reason] == [RejectionReason.SPAM]
    stats = feedback.statistics(closed)
    assert stats.unanswered == 0 and stats.received == stats.valid + stats.rejected
    page = client.get(f"/consultations/{closed.id}/feedback")
    assert page.status_code == 200 and "13904135566" not in page.text and "体育投注" not in page.text
