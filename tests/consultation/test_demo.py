"""The demo: the whole open draft, a closed consultation handled and published, another awaiting its feedback; once."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from consultation import demo
from consultation.demo import handling as demo_handling
from consultation.drafting.split import split_text
from consultation.handling import feedback
from consultation.models import Comment, Consultation, ConsultationStatus, RejectionReason
from core.db import utcnow
from core.extensions import db
from core.models import Role
from tests.factories import make_department, make_user


def test_the_closed_demo_consultation_is_handled_and_published_once(app, client):
    office = make_department("gov-office")
    make_user(Role.EDITOR, office, email="editor@demo.minyi.cn")
    make_user(Role.APPROVER, office, email="approver@demo.minyi.cn")
    make_user(Role.MODERATOR, email="moderator@demo.minyi.cn")
    make_user(Role.REVIEWER, email="reviewer@demo.minyi.cn")  # passes its legality review: it is then decided
    first = list(demo.load())
    db.session.commit()
    assert list(demo.load()) == []
    closed = db.session.scalar(db.select(Consultation).where(Consultation.title == demo.CLOSED_TITLE))
    assert closed.status is ConsultationStatus.CONCLUDED and any("feedback published" in line for line in first)
    comments = db.session.scalars(db.select(Comment).where(Comment.consultation_id == closed.id)).all()
    clusters = Counter(comment.cluster_id for comment in comments if comment.cluster_id)
    assert len(demo_handling.CAMPAIGN_NAMES) in clusters.values()  # the campaign is one cluster
    assert [c.rejection_reason for c in comments if c.rejection_reason] == [RejectionReason.SPAM]
    stats = feedback.statistics(closed)
    assert stats.unanswered == 0 and stats.received == stats.valid + stats.rejected
    page = client.get(f"/consultations/{closed.id}/feedback")
    assert page.status_code == 200 and "13904135566" not in page.text and "体育投注" not in page.text


def _demo_people():
    office = make_department("gov-office")
    make_user(Role.EDITOR, office, email="editor@demo.minyi.cn")
    make_user(Role.APPROVER, office, email="approver@demo.minyi.cn")
    make_user(Role.MODERATOR, email="moderator@demo.minyi.cn")


def _by_title(title):
    return db.session.scalar(db.select(Consultation).where(Consultation.title == title))


def _source_paragraphs():
    """Every paragraph of the published notice in the demo's source, from the salutation to the signature."""
    text = (Path(demo.__file__).parent / "seed-notice.txt").read_text(encoding="utf-8")
    notice = text[text.index("各乡(镇)人民政府") : text.rindex("(此件公开发布)") + len("(此件公开发布)")]
    return [line.strip() for line in notice.splitlines() if line.strip()]


def test_the_open_demo_draft_holds_every_part_of_the_source_notice(app, client):
    _demo_people()
    list(demo.load())
    db.session.commit()
    notice = _by_title(demo.OPEN_TITLE)
    # A lead phrase ("1.全面公开…文件。各部门…") is the unit's title and stays at the start of its text.
    draft = "".join(
        f"{row.number}{'' if row.title and row.text.startswith(f'{row.title}。') else row.title}{row.text}"
        for row in notice.units
    )
    missing = [p for p in _source_paragraphs() if "".join(p.split()) not in "".join(draft.split())]
    assert missing == []
    assert [row.number for row in notice.units if row.kind == "part"] == [f"{n}、" for n in "一二三四五六"]
    page = client.get(f"/consultations/{notice.id}").text
    assert "深入落实《政策文件解读工作规范(试行)》" in page and "持续改进作风" in page and "强化工作指导监督" in page


def test_a_demo_database_holding_the_cut_notice_gets_the_whole_draft_once(app, monkeypatch):
    _demo_people()
    cut = demo._seed_notice_body()
    cut = cut[: cut.index("政策文件解读") + 2]  # as the loader used to cut it: inside a title
    monkeypatch.setattr(demo, "_seed_notice_body", lambda: cut)
    list(demo.load())
    db.session.commit()
    assert len(_by_title(demo.OPEN_TITLE).units) == 5
    monkeypatch.undo()
    assert "consultation (open): draft completed" in list(demo.load())
    db.session.commit()
    assert list(demo.load()) == []
    units = _by_title(demo.OPEN_TITLE).units
    assert units[-1].kind == "closing" and len(units) == len(split_text(demo._seed_notice_body()))
    assert next(row for row in units if row.key == "p1-n3").text.endswith("完成时限:长期坚持)")


def test_the_demo_holds_a_closed_consultation_answered_with_its_feedback_still_to_publish(app, client, auth):
    _demo_people()
    list(demo.load())
    db.session.commit()
    awaiting = _by_title(demo.AWAITING_TITLE)
    assert awaiting.status is ConsultationStatus.SCHEDULED and awaiting.phase(utcnow()) == "closed"
    stats = feedback.statistics(awaiting)
    assert stats.received >= 10 and stats.pending == 0 and stats.unanswered == 0 and stats.rejected == 1
    record = feedback.record_of(awaiting)
    assert record.published_at is None and record.main_changes
    assert feedback.publication_problems(awaiting, record.main_changes) == []
    assert client.get(f"/consultations/{awaiting.id}/feedback").status_code == 404  # not published yet
    auth.login("editor@demo.minyi.cn")  # the demo's editor publishes it with the drafted main changes
    published = client.post(
        f"/manage/consultations/{awaiting.id}/feedback", data={"main_changes": record.main_changes, "intent": "publish"}
    )
    assert published.status_code == 302
    page = client.get(f"/consultations/{awaiting.id}/feedback").text
    assert "加微信" not in page and "第五条联合审查时限缩短为五个工作日" in page
