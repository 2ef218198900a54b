"""Two gunicorn "hosts" on one PostgreSQL and one Redis: both driven at once, then everything reconciled.

The set-up of docs/deploy.md for several hosts, on loopback: a throwaway PostgreSQL (bench/pg_server.py, fsync on)
and a throwaway redis-server; two gunicorn servers started as `make run` starts them (gunicorn.conf.py, each with
its task worker), each with its own instance folder, both on the same database with Redis as the rate-limit store
(db 0) and the task queue (db 1), files in the database (STORAGE_BACKEND=database), e-mail to a local aiosmtpd sink.
Rate limits stay on, through Redis, raised far above what the load generator sends from its one address.

1. comments: one wrk per host at the same time, each connection a resident who GETs the form and POSTs it
   (bench/comment_flow.lua); 2. survey responses, the same way (bench/survey_flow.lua, 20 questions on one page).
Printed: each host's rate, p50/p99, both together, server CPU per item (both hosts' gunicorn and task workers),
PostgreSQL transactions and WAL flushes per item, Redis commands per item. Then reconciled: every receipt and
thanks any client got is stored exactly once; a comment with an attachment and an e-mail address sent through
host A downloads byte-identical through host B (as the department's editor), and its e-mail receipt, queued on
host A, is delivered exactly once by one of the two task workers.

Run: .venv/bin/python bench/two_hosts.py [--seconds 30] [--connections 16]   (connections per host)
Needs wrk and redis-server, for the benchmark only: apt-get install --no-install-recommends wrk redis-server
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests

from bench.comments import prepare_database
from bench.comments import reconcile as reconcile_comments
from bench.harness import Server, app_env, free_port, gunicorn, print_header, scratch_dir, server_cpu_seconds, wrk
from bench.pg_server import commits_per_second, postgres
from bench.survey_responses import answer_sets, build_survey, load_average
from bench.survey_responses import reconcile as reconcile_responses
from tests.smtp_sink import SmtpSink

BENCH = Path(__file__).resolve().parent
NAMES = ("A", "B")
UNLIMITED = "1000000 per minute"  # the limits are checked in Redis on every POST, never reached
SERVER_ERROR = '"status": 5'  # in the JSON request log
FORM_FIELD = re.compile(r'name="(csrf_token|submission_key)"[^>]*?value="([^"]*)"')


@contextmanager
def redis_server(work: Path) -> Iterator[str]:
    """A throwaway redis-server on a free loopback port, persisting nothing; yields its URL (no database number)."""
    import redis

    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not installed: apt-get install --no-install-recommends redis-server")
    port = free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
               "--dir", str(work)]  # fmt: skip
    with (work / "redis.log").open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                redis.Redis.from_url(url).ping()
                break
            except redis.ConnectionError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def host_env(base: dict[str, str], work: Path, name: str, redis_url: str, smtp_port: int) -> dict[str, str]:
    """One host's settings: its own instance folder; database, Redis, mail server and secret key shared."""
    return {
        **base,
        "MINYI_INSTANCE_PATH": str(work / f"instance-{name}"),
        "MINYI_START_WORKER": "1",  # as `make run`: the task worker beside the web workers, on every host
        "FLASK_RATELIMIT_ENABLED": "true",
        "FLASK_RATELIMIT_STORAGE_URI": f"{redis_url}/0",
        "FLASK_CONSULTATION_COMMENT_RATE_LIMIT": UNLIMITED,
        "FLASK_SURVEY_POST_RATE_LIMIT": UNLIMITED,
        "FLASK_QUEUE_URL": f"{redis_url}/1",
        "FLASK_STORAGE_BACKEND": "database",
        "FLASK_MAIL_SERVER": "127.0.0.1",
        "FLASK_MAIL_PORT": str(smtp_port),
    }


@dataclass
class Counters:
    """What the shared services did: PostgreSQL transactions and WAL flushes, Redis commands."""

    transactions: int
    wal_flushes: int
    redis_calls: dict[str, int]  # by command

    def __sub__(self, other: Counters) -> Counters:
        calls = {name: n - other.redis_calls.get(name, 0) for name, n in self.redis_calls.items()}
        return Counters(self.transactions - other.transactions, self.wal_flushes - other.wal_flushes, calls)

    def redis_per_item(self, items: int) -> str:
        top = sorted(self.redis_calls.items(), key=lambda pair: -pair[1])[:4]
        named = ", ".join(f"{name} {n / items:.2f}" for name, n in top)
        return f"{sum(self.redis_calls.values()) / items:.2f} commands per item ({named})"


def counters(database_url: str, redis_url: str) -> Counters:
    """Read after a pause: each PostgreSQL backend reports its statistics at most once a second, idle ones later."""
    import psycopg
    import redis

    time.sleep(11)
    with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        transactions = connection.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()[0]
        wal_flushes = connection.execute("SELECT wal_sync FROM pg_stat_wal").fetchone()[0]
    stats = redis.Redis.from_url(redis_url).info("commandstats")
    calls = {name.removeprefix("cmdstat_"): int(figures["calls"]) for name, figures in stats.items()}
    return Counters(int(transactions), int(wal_flushes), calls)


@dataclass
class Phase:
    unit: str
    seconds: int
    results: list[Any]  # WrkResult per host
    items: list[list[str]]  # receipts or thanks per host
    cpu_seconds: float  # both hosts
    shared: Counters


def drive(hosts: list[Server], args: argparse.Namespace, script: str, env_for: Callable[[int], dict[str, str]],
          read_items: Callable[[int], list[str]], unit: str, measure: Callable[[], Counters]) -> Phase:  # fmt: skip
    """One wrk per host, all at the same time; CPU from /proc and the shared services' counters around them."""
    before, cpu_before = measure(), [server_cpu_seconds(host) for host in hosts]
    with ThreadPoolExecutor(len(hosts)) as pool:
        runs = [pool.submit(wrk, host.url, connections=args.connections, seconds=args.seconds,
                            script=BENCH / script, env=env_for(index)) for index, host in enumerate(hosts)]  # fmt: skip
        results = [run.result() for run in runs]
    cpu = sum(server_cpu_seconds(host) - used for host, used in zip(hosts, cpu_before, strict=True))
    print(f"load average after the {unit} phase: {load_average()}")
    items = [read_items(index) for index in range(len(hosts))]
    return Phase(unit, args.seconds, results, items, cpu, measure() - before)


def report(phase: Phase) -> None:
    total = sum(len(items) for items in phase.items)
    for name, result, items in zip(NAMES, phase.results, phase.items, strict=True):
        print(f"  host {name}: {len(items) / phase.seconds:.0f} {phase.unit}/s, {result.requests_per_second:.0f} req/s,"
              f" p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, non-2xx/3xx {result.non_2xx_3xx}, "
              f"socket errors {result.socket_errors}")  # fmt: skip
    per = max(total, 1)
    print(f"  together: {total / phase.seconds:.0f} {phase.unit}/s; server CPU per item (both hosts, web and task "
          f"workers): {1000 * phase.cpu_seconds / per:.2f} ms; PostgreSQL {phase.shared.transactions / per:.2f} "
          f"transactions and {phase.shared.wal_flushes / per:.2f} WAL flushes per item; Redis "
          f"{phase.shared.redis_per_item(per)}")  # fmt: skip


def comment_phase(hosts: list[Server], args: argparse.Namespace, work: Path, consultation: tuple[int, str],
                  measure: Callable[[], Counters]) -> Phase:  # fmt: skip
    consultation_id, unit_key = consultation
    receipts = [work / f"receipts-{name}.txt" for name in NAMES]
    env_for = lambda index: {  # noqa: E731
        "FORM_PATH": f"/consultations/{consultation_id}/comment?unit={unit_key}",
        "POST_PATH": f"/consultations/{consultation_id}/comment", "UNIT_KEY": unit_key,
        "RECEIPTS_FILE": str(receipts[index]),
    }  # fmt: skip
    return drive(hosts, args, "comment_flow.lua", env_for, lambda index: receipts[index].read_text().split(),
                 "comments", measure)  # fmt: skip


def survey_phase(hosts: list[Server], args: argparse.Namespace, work: Path, survey_id: int, answers: Path,
                 measure: Callable[[], Counters]) -> Phase:  # fmt: skip
    thanks = [work / f"thanks-{name}.txt" for name in NAMES]
    env_for = lambda index: {  # noqa: E731
        "TAKE_PATH": f"/surveys/{survey_id}", "SURVEY_ID": str(survey_id), "ANSWERS_FILE": str(answers),
        "THANKS_FILE": str(thanks[index]), "SEED": str(index + 1),
    }  # fmt: skip
    return drive(hosts, args, "survey_flow.lua", env_for, lambda index: thanks[index].read_text().split(),
                 "responses", measure)  # fmt: skip


def prepare_survey(work: Path) -> tuple[Any, int, Path]:
    """The 20-question survey of bench/survey_responses.py in the shared database, and its answer sets."""
    from app import create_app
    from core.extensions import db
    from core.integrity.check import seal_all

    app = create_app()
    with app.app_context():
        survey_id = build_survey(1)
        seal_all()  # published content is served only sealed once the demo has sealed the rest (core/integrity)
        db.session.commit()
        sets = answer_sets(survey_id, 64)
        db.session.remove()
    answers = work / "answers.txt"
    answers.write_text("".join(f"{page}\t{fields}\n" for one in sets for page, fields in enumerate(one)))
    return app, survey_id, answers


def attachment_bytes() -> bytes:
    """A 400 × 300 PNG of noise (~120 kB): an attachment the upload check opens as a real image."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.effect_noise((400, 300), 64).convert("RGB").save(buffer, format="PNG")
    return buffer.getvalue()


def comment_with_attachment(url: str, consultation: tuple[int, str], email: str, data: bytes) -> str:
    """A resident's comment with an attachment and an e-mail address through one host; returns the receipt key."""
    consultation_id, unit_key = consultation
    session = requests.Session()
    form = session.get(f"{url}/consultations/{consultation_id}/comment?unit={unit_key}", timeout=30).text
    fields = dict(FORM_FIELD.findall(form))
    posted = session.post(
        f"{url}/consultations/{consultation_id}/comment",
        data={**fields, "unit_key": unit_key, "content": "两台主机核对：附件从 A 上传，从 B 下载。",
              "author_name": "核对居民", "respondent_type": "individual", "privacy_ack": "y", "email": email},
        files={"attachment": ("两台主机.png", data, "image/png")}, allow_redirects=False, timeout=60,
    )  # fmt: skip
    if posted.status_code != 303:
        raise RuntimeError(f"the comment with an attachment was refused ({posted.status_code})")
    return posted.headers["Location"].rstrip("/").rsplit("/", 1)[1]


def download_as_editor(url: str, account: tuple[str, str], comment_id: int) -> requests.Response:
    """Log in to one host as the department's editor and download the comment's attachment."""
    session = requests.Session()
    login = session.get(f"{url}/login", timeout=30).text
    token = dict(FORM_FIELD.findall(login)).get("csrf_token", "")
    email, password = account
    session.post(f"{url}/login", data={"csrf_token": token, "email": email, "password": password}, timeout=30)
    return session.get(f"{url}/manage/consultations/comments/{comment_id}/attachment", timeout=60)


def stored_comment(app: Any, key: str, instance: Path) -> tuple[int, tuple[str, str], str]:
    """The comment stored under `key`: its id, an editor of its department with the demo password, its topic."""
    from consultation.comments import commenting
    from consultation.models import Comment
    from core.extensions import db
    from core.models import Role, User

    passwords = dict(line.split("\t") for line in (instance / "demo-accounts.txt").read_text().splitlines())
    with app.app_context():
        comment = db.session.scalar(db.select(Comment).where(Comment.idempotency_key == key))
        department = comment.consultation.department_id
        editor = next(user for user in db.session.scalars(db.select(User).where(User.email.in_(passwords)))
                      if user.has_role(Role.EDITOR, department))  # fmt: skip
        found = comment.id, (editor.email, passwords[editor.email]), commenting.receipt_topic(comment)
        db.session.remove()
    return found


def mail_status(app: Any, topic: str) -> str:
    from core import outbox
    from core.extensions import db

    with app.app_context():
        message = outbox.status_of(topic)
        status = message.status.value if message else "none"
        db.session.remove()
    return status


def cross_host_check(app: Any, hosts: list[Server], consultation: tuple[int, str], sink: SmtpSink,
                     instance: Path) -> None:  # fmt: skip
    """Upload through host A, download through host B; the receipt e-mail queued on A delivered exactly once."""
    email = "two-hosts@example.cn"
    data = attachment_bytes()
    started = time.monotonic()
    key = comment_with_attachment(hosts[0].url, consultation, email, data)
    comment_id, editor, topic = stored_comment(app, key, instance)
    receipt_on_b = requests.get(f"{hosts[1].url}/consultations/received/{key}", timeout=30).status_code
    download = download_as_editor(hosts[1].url, editor, comment_id)
    same = hashlib.sha256(download.content).hexdigest() == hashlib.sha256(data).hexdigest()
    print(f"attachment: {len(data):,} bytes uploaded through host A with a comment; host B shows its receipt page "
          f"({receipt_on_b}) and gives its editor {download.status_code}, {len(download.content):,} bytes, "
          f"{'byte-identical' if same else 'DIFFERENT'}")  # fmt: skip
    delivered = lambda: [m for m in sink.messages if email in (m["To"] or "")]  # noqa: E731
    while not delivered() and time.monotonic() - started < 180:
        time.sleep(0.2)
    waited = time.monotonic() - started
    time.sleep(10)  # a second delivery by the other host's worker would arrive within this
    print(f"e-mail receipt queued on host A: delivered to the SMTP sink {len(delivered())} time(s), the first "
          f"{waited:.1f} s after it was posted; outbox status {mail_status(app, topic)}")  # fmt: skip


def reconcile(app: Any, env: dict[str, str], comments: Phase, responses: Phase, consultation_id: int,
              survey_id: int, before: int, work: Path) -> None:  # fmt: skip
    from core.extensions import db

    keys = [key for items in comments.items for key in items]
    both = set(comments.items[0]) & set(comments.items[1])
    found = reconcile_comments(env, keys, consultation_id, before)
    print(f"comments: {len(keys)} receipts given ({len(comments.items[0])} by A, {len(comments.items[1])} by B, "
          f"{len(both)} by both), {found['receipts_found']} found stored, {found['stored_twice']} stored twice, "
          f"{found['stored_in_run']} stored in the run (≥ receipts: posts in flight when wrk stopped)")  # fmt: skip
    thanked = [key for items in responses.items for key in items]
    with app.app_context():
        figures = reconcile_responses(survey_id, thanked)
        db.session.remove()
    print(f"responses: {len(thanked)} thanked, {figures['thanked_found']} found stored, "
          f"{figures['thanked_stored_twice']} stored twice, {figures['thanked_keys_repeated']} keys thanked twice; "
          f"{figures['responses']} stored, {figures['responses_short_of_20_answers']} without their 20 answers"
          )  # fmt: skip
    told: dict[str, int] = {}
    for name in NAMES:
        for line in (work / f"thanks-{name}.txt.counts").read_text().splitlines():
            what, count = line.split()
            told[what] = told.get(what, 0) + int(count)
    print(f"survey clients told 'already answered' {told['already']}, refused {told['refused']}, "
          f"given a page without a form {told['failed']}")  # fmt: skip


def server_errors(work: Path) -> str:
    counts = []
    for name in NAMES:
        log = (work / f"host-{name}.log").read_text(errors="replace")
        counts.append(f"host {name}: {log.count(SERVER_ERROR)} × 5xx, {log.count('Traceback')} tracebacks")
    return "; ".join(counts)


def run(args: argparse.Namespace, database_url: str, redis_url: str, sink: SmtpSink, work: Path) -> None:
    base = app_env(database_url, work / "instance-A")
    envs = [host_env(base, work, name, redis_url, sink.port) for name in NAMES]
    os.environ.update(envs[0])  # the in-process app that builds the survey and reconciles: host A's settings
    consultation = prepare_database(envs[0])
    before = reconcile_comments(envs[0], [], consultation[0], 0)["stored_in_run"]
    app, survey_id, answers = prepare_survey(work)
    measure = lambda: counters(database_url, redis_url)  # noqa: E731
    with ExitStack() as stack:
        hosts = [stack.enter_context(gunicorn("app:create_app()", env, log_path=work / f"host-{name}.log"))
                 for name, env in zip(NAMES, envs, strict=True)]  # fmt: skip
        print(f"hosts: A {hosts[0].url}, B {hosts[1].url}; load average before: {load_average()}")
        comments = comment_phase(hosts, args, work, consultation, measure)
        responses = survey_phase(hosts, args, work, survey_id, answers, measure)
        print(f"comments, {args.connections} clients per host for {args.seconds} s:")
        report(comments)
        print(f"survey responses (20 questions, one page), {args.connections} clients per host for {args.seconds} s:")
        report(responses)
        print("reconciliation:")
        reconcile(app, envs[0], comments, responses, consultation[0], survey_id, before, work)
        cross_host_check(app, hosts, consultation, sink, work / "instance-A")
    print(f"server logs: {server_errors(work)}")
    print(f"scratch directory (logs, receipts): {work}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=16, help="wrk connections per host")
    args = parser.parse_args()
    work = scratch_dir()
    print_header("two gunicorn hosts on one PostgreSQL and one Redis")
    sink = SmtpSink()
    sink.start()
    try:
        with postgres() as database_url, redis_server(work) as redis_url:
            # With more clients, one WAL flush can carry several commits (group commit): the ceiling a spike meets.
            rates = {clients: commits_per_second(database_url, clients=clients) for clients in (8, 64)}
            print(
                "PostgreSQL commits/s (one-row transactions, fsync on): "
                + ", ".join(f"{rate:.0f} with {clients} clients" for clients, rate in rates.items())
            )
            run(args, database_url, redis_url, sink, work)
    finally:
        sink.stop()


if __name__ == "__main__":
    main()
