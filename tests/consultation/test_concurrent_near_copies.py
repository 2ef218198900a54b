"""Near copies of a campaign arriving at the same instant on several hosts are each stored once, in one cluster.

PostgreSQL runs the comments' transactions side by side, so two comments merging overlapping clusters lock the same
comment rows; when it still aborts a comment's transaction (a deadlock elsewhere), the comment form runs it again
once. SQLite has one writer and neither interleaves two transactions nor aborts one for another: PostgreSQL only.
"""

from __future__ import annotations

import io
import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from consultation.comments import commenting, duplicates
from consultation.comments.commenting import CommentInput
from consultation.models import Comment, Consultation, RespondentType
from core import storage
from core.extensions import db
from core.outbox import OutboxMessage
from tests.consultation.conftest import make_consultation
from tests.consultation.test_commenting import PNG
from tests.factories import make_department

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")

HOSTS = 8
CAMPAIGNS = 20
# Characters of ordinary comments on a draft; each campaign's text is drawn from them (fixed seeds).
WORDS = "建议小区物业应当每日巡查充电场所做好记录增设集中充电棚智能充电桩收费标准公开透明业主大会讨论决定执行电动自行车"


def _postgresql_only() -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer: it never interleaves two transactions, nor aborts one for another")


def _campaign(number: int) -> str:
    draw = random.Random(number)
    return "".join(draw.choice(WORDS) for _ in range(60))


def _submit(app: Flask, consultation_id: int, content: str, key: str) -> None:
    with app.app_context():
        try:
            consultation = db.session.get_one(Consultation, consultation_id)
            data = CommentInput(content=content, respondent_type=RespondentType.INDIVIDUAL)
            commenting.submit_online_comment(consultation, data, key, source=f"address-{key}")
            db.session.commit()
        finally:
            db.session.remove()


def _busy_between_reads_and_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each host pauses a few milliseconds between placing its comment and merging (a busy CPU does)."""
    index = duplicates.index

    def paused(comment: Comment, placement: duplicates.Placement) -> None:
        time.sleep(random.random() * 0.01)
        index(comment, placement)

    monkeypatch.setattr(duplicates, "index", paused)


def test_near_copies_sent_at_the_same_instant_from_several_hosts_are_stored_once_in_one_cluster(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    _postgresql_only()
    consultation_id = make_consultation(make_department()).id
    db.session.commit()
    _busy_between_reads_and_writes(monkeypatch)
    # Each campaign in three waves, one copy per host: at the same instant (copies that cannot see each other, each
    # alone), spread over 10 ms (each merging what it sees, overlapping the others' merges), at the same instant again.
    waves = [(campaign, spread) for campaign in range(CAMPAIGNS) for spread in (0.0, 0.01, 0.0)]
    barrier = threading.Barrier(HOSTS)
    failures: list[BaseException] = []

    def host(index: int) -> None:
        pause = random.Random(index)
        for number, (campaign, spread) in enumerate(waves):
            try:
                barrier.wait(timeout=60)
                time.sleep(pause.random() * spread)
                content = f"{_campaign(campaign)}（{number}号楼{index}单元居民）"
                _submit(app, consultation_id, content, f"{number:06d}-{index:02d}".rjust(32, "0"))
            except Exception as error:  # every host's failures are reported below
                failures.append(error)

    threads = [threading.Thread(target=host, args=(index,)) for index in range(HOSTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert [str(failure)[:300] for failure in failures] == []
    stored = db.session.execute(db.select(Comment.idempotency_key, Comment.content, Comment.cluster_id)).all()
    assert len(stored) == len(waves) * HOSTS
    assert set(Counter(row.idempotency_key for row in stored).values()) == {1}
    clusters: dict[str, set[int | None]] = defaultdict(set)
    for row in stored:
        clusters[row.content[:60]].add(row.cluster_id)
    assert len(clusters) == CAMPAIGNS
    assert [names for names in clusters.values() if len(names) > 1 or None in names] == []


def _wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, "the transactions never reached the expected waits"
        time.sleep(0.01)


def _blockers(pid: int) -> list[int]:
    with db.engine.connect() as connection:
        return list(connection.execute(text("SELECT pg_blocking_pids(:pid)"), {"pid": pid}).scalar() or [])


def _lone_comments(consultation: Consultation, count: int) -> list[int]:
    texts = ["建议增加夜间巡查。", "收费应当公开透明。", "楼道不得停放车辆。"][:count]
    data = [CommentInput(content=content, respondent_type=RespondentType.INDIVIDUAL) for content in texts]
    return [commenting.submit_online_comment(consultation, one, f"{n:032d}")[0].id for n, one in enumerate(data)]


def test_two_merges_of_overlapping_clusters_wait_for_each_other_instead_of_deadlocking(app: Flask) -> None:
    """The worst interleaving, made certain: an UPDATE locks rows in the order it finds them on disk, and a row
    another transaction changed meanwhile has moved; before the fix PostgreSQL aborted one of these merges."""
    _postgresql_only()
    consultation = make_consultation(make_department())
    consultation_id = consultation.id
    first, second, third = _lone_comments(consultation, 3)
    db.session.execute(text("UPDATE consultation_comments SET basis = basis WHERE id = :id"), {"id": second})
    db.session.commit()  # on disk now: first, third, second
    pids: dict[str, int] = {}
    failures: list[BaseException] = []

    def merge(name: str, keys: set[int]) -> None:
        with app.app_context():
            try:
                pids[name] = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
                duplicates.merge_cluster_keys(consultation_id, keys)
                db.session.commit()
            except Exception as error:  # reported below
                failures.append(error)
            finally:
                db.session.remove()

    wider = threading.Thread(target=merge, args=("wider", {first, second, third}))
    narrower = threading.Thread(target=merge, args=("narrower", {first, second}))
    editing = db.engine.connect()  # e.g. a moderator's edit of the first comment, not committed yet
    holding = db.engine.connect()  # another transaction holding the third one
    try:
        editing.execute(text("UPDATE consultation_comments SET basis = basis WHERE id = :id"), {"id": first})
        holding.execute(text("SELECT id FROM consultation_comments WHERE id = :id FOR UPDATE"), {"id": third})
        wider.start()
        _wait_until(lambda: "wider" in pids and _blockers(pids["wider"]) != [])  # waiting for the edit
        editing.commit()  # the first comment moves on disk: after the second for whoever reads from now on
        narrower.start()
        _wait_until(lambda: bool(failures) or ("narrower" in pids and _blockers(pids["narrower"]) != []))
    finally:
        editing.close()
        holding.close()  # its transaction ends: the wider merge goes on
        for thread in (wider, narrower):
            if thread.is_alive():
                thread.join(timeout=30)
    assert [str(failure)[:300] for failure in failures] == []
    names = db.session.scalars(db.select(Comment.cluster_id).order_by(Comment.id)).all()
    assert names == [first, first, first]


def _aborted_once(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """PostgreSQL aborts the comment's transaction once, after its insert, as it does the one it picks to end a
    deadlock (SQLSTATE 40P01); returns the id each run of the transaction got."""
    index = duplicates.index
    runs: list[int] = []

    def aborted_then_index(comment: Comment, placement: duplicates.Placement) -> None:
        runs.append(comment.id)
        if len(runs) == 1:
            db.session.execute(text("DO $$ BEGIN RAISE EXCEPTION 'deadlock detected' USING ERRCODE = '40P01'; END $$"))
        index(comment, placement)

    monkeypatch.setattr(duplicates, "index", aborted_then_index)
    return runs


@pytest.mark.parametrize("backend", ["local", "database"])
def test_a_comment_aborted_for_a_deadlock_is_stored_once_with_its_file_and_its_receipt(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, backend: str
) -> None:
    _postgresql_only()
    monkeypatch.setattr(app, "instance_path", str(tmp_path / "instance"))
    app.config.update(STORAGE_BACKEND=backend, UPLOAD_FOLDER=str(tmp_path / "uploads"))
    consultation = make_consultation(make_department())
    campaign = "建议将每日巡查改为每日两次，并在小区公告栏公布巡查记录。"
    earlier = CommentInput(content=f"{campaign}（一号楼）", respondent_type=RespondentType.INDIVIDUAL)
    commenting.submit_online_comment(consultation, earlier, "e" * 32)
    db.session.commit()
    runs = _aborted_once(monkeypatch)
    form: dict[str, Any] = {
        "submission_key": "r" * 32,
        "unit_key": "a3",
        "author_name": "张晓明",
        "respondent_type": "individual",
        "email": "zhang@example.cn",
        "content": f"{campaign}（二号楼）",  # a near copy: it names the cluster of both, each run
        "privacy_ack": "y",
        "attachment": (io.BytesIO(PNG), "photo.png"),
    }
    response = client.post(f"/consultations/{consultation.id}/comment", data=form)
    assert response.status_code == 303
    assert len(runs) == 2  # the transaction ran again, once
    first, comment = db.session.scalars(db.select(Comment).order_by(Comment.id)).all()
    assert first.cluster_id == comment.cluster_id == first.id
    assert storage.read("uploads", comment.attachment_stored_name) == PNG
    uploads = tmp_path / "uploads"
    files_on_disk = list(uploads.iterdir()) if uploads.exists() else []
    assert len(files_on_disk) == (1 if backend == "local" else 0)  # the first run's file removed
    assert db.session.scalar(db.select(db.func.count()).select_from(storage.StoredFile)) == (
        1 if backend == "database" else 0
    )
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 1
    assert comment.receipt_number in client.get(response.headers["Location"]).text
