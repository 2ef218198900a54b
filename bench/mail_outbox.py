"""E-mail through the outbox: 10,000 feedback notices queued in one action, then delivered by the real worker.

A fresh SQLite database (or --database-url, e.g. a throwaway PostgreSQL from bench/pg_server.py) gets one
consultation with N opted-in comments. Timed: (1) the action an editor's "publish" performs — writing one outbox
row per commenter (core/outbox.enqueue via feedback.notify_commenters) and the commit; (2) `flask worker` (two
threads, as `make run` starts it) handing every message to a local SMTP server (aiosmtpd), reconciled: each
address exactly once.

Run: .venv/bin/python bench/mail_outbox.py [--messages 10000] [--database-url URL]   (aiosmtpd: requirements-dev)
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import ROOT, print_header, scratch_dir
from tests.smtp_sink import SmtpSink


def _app(database_url: str, instance: Path, sink_port: int) -> object:
    os.environ["MINYI_INSTANCE_PATH"] = str(instance)
    from app import create_app

    return create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SITE_URL": "http://127.0.0.1:8000/",
            "QUEUE_URL": f"sqlite:///{instance / 'queue.sqlite'}",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": sink_port,
            "LOG_FORMAT": "text",
        }
    )


def _seed(count: int) -> object:
    """One closed consultation and `count` answered comments whose authors asked to be told."""
    from consultation.models import Adoption, Comment, Consultation, ConsultationStatus, RespondentType
    from core.db import utcnow
    from core.extensions import db
    from core.models import Department

    department = Department(code=f"bench{secrets.token_hex(3)}", name="住房和城乡建设局")
    consultation = Consultation(
        department=department, title="《电动自行车充电管理办法（征求意见稿）》", doc_type="major_decision",
        status=ConsultationStatus.FEEDBACK_PUBLISHED, start_at=utcnow(), end_at=utcnow(),
    )  # fmt: skip
    db.session.add(consultation)
    db.session.flush()
    rows = [
        {"consultation_id": consultation.id, "respondent_type": RespondentType.INDIVIDUAL, "content": "建议增加。",
         "email": f"resident{n}@example.cn", "notify_me": True, "receipt_number": f"B{n:09d}",
         "adoption": Adoption.ADOPTED, "answer_reason": "已采纳。"}
        for n in range(count)
    ]  # fmt: skip
    db.session.execute(db.insert(Comment), rows)
    db.session.commit()
    return consultation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    work = scratch_dir()
    database_url = args.database_url or f"sqlite:///{work / 'bench.sqlite'}"
    sink = SmtpSink()
    sink.start()
    app = _app(database_url, work / "instance", sink.port)
    from consultation.handling import feedback
    from consultation.models import Comment
    from core.extensions import db

    with app.app_context():  # type: ignore[attr-defined]
        db.drop_all()
        db.create_all()
        consultation = _seed(args.messages)
        comments = db.session.scalars(db.select(Comment).where(Comment.consultation_id == consultation.id)).all()
        started = time.perf_counter()
        queued = feedback.notify_commenters(consultation, comments)
        db.session.commit()
        action = time.perf_counter() - started
    print_header(f"Mail: {queued} feedback e-mails ({database_url.split(':')[0]})")
    print(f"queue in one action (rows written + commit): {action:.2f} s")
    env = {key: value for key, value in os.environ.items() if not key.startswith("FLASK_")} | {
        "FLASK_APP": "app",
        "FLASK_SQLALCHEMY_DATABASE_URI": database_url,
        "MINYI_INSTANCE_PATH": str(work / "instance"),
        "FLASK_QUEUE_URL": f"sqlite:///{work / 'instance' / 'queue.sqlite'}",
        "FLASK_MAIL_SERVER": "127.0.0.1",
        "FLASK_MAIL_PORT": str(sink.port),
        "FLASK_SECRET_KEY": "bench",
    }
    started = time.perf_counter()
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "worker", "--workers", "2"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=(work / "worker.log").open("wb"), start_new_session=True,
    )  # fmt: skip
    with app.app_context():  # type: ignore[attr-defined]
        from core import outbox

        outbox.wake()  # what the publish view does after its commit
        while len(sink.messages) < queued and time.perf_counter() - started < 1800:
            time.sleep(0.5)
        delivered = time.perf_counter() - started
        counts = outbox.counts()
    os.killpg(worker.pid, signal.SIGTERM)
    worker.wait(timeout=60)
    sink.stop()
    recipients = [message["To"] for message in sink.messages]
    print(f"worker start + delivery of all to the SMTP sink: {delivered:.1f} s ({queued / delivered:.0f} messages/s)")
    print(f"received {len(recipients)}, distinct {len(set(recipients))}, outbox {dict(counts)}")


if __name__ == "__main__":
    main()
