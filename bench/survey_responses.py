"""Survey responses through the real form path, against gunicorn with the production settings.

A 20-question survey of mixed types (bench/survey_data.py's questions, on one page or on --pages pages) is built
with the package's services, approved and open. 32 concurrent residents for 60 s each GET the survey, POST each
page with its CSRF token and submission key, follow the redirects, and are thanked; then the connection drops its
cookies and answers again as a new browser (the survey takes one response per browser). Beside it, a bare Flask
hello-world measured in the same run. Afterwards every thanked submission is reconciled with the stored responses,
and the GET and POST are timed in-process (CPU time per request, SQL statements per request; --profile for cProfile).

Run: .venv/bin/python bench/survey_responses.py [--seconds 60] [--connections 32] [--pages 1] [--profile]
(needs `apt-get install wrk`)
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import logging
import os
import pstats
import random
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import app_env, gunicorn, print_header, scratch_dir, server_cpu_seconds, wrk
from bench.survey_data import QUESTIONS, TEXTS

ANSWER_SETS = 64
FORM_FIELD = re.compile(r'name="(csrf_token|submission_key|page_index)" value="([^"]*)"')


def layout(pages: int) -> list[list[tuple[str, str, dict[str, Any]]]]:
    """The 20 questions split over `pages` pages, in their order."""
    flat = [question for page in QUESTIONS for question in page]
    size = -(-len(flat) // pages)
    return [flat[start : start + size] for start in range(0, len(flat), size)]


def build_survey(pages: int) -> int:
    """Build the benchmark survey through the services, approved and open; returns its id (commits)."""
    from core.db import utcnow
    from core.extensions import db
    from surveys.models import QuestionType
    from tests.factories import make_department, make_user
    from tests.surveys.helpers import make_survey

    department = make_department("bench")
    spec = [
        [(code, QuestionType(kind), {**extra, "text": f"问题 {code}"}) for code, kind, extra in page]
        for page in layout(pages)
    ]
    now = utcnow()
    editor = make_user("editor", department, email="bench@example.cn")
    survey = make_survey(
        spec, department=department, editor=editor, title="性能测试问卷", purpose="基准：20 个问题",
        starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=30),
    )  # fmt: skip
    db.session.commit()
    return survey.id


def answer_fields(question: Any, rng: random.Random) -> list[tuple[str, str]]:
    """Form fields of a valid answer to `question`, named as in surveys/taking/answers.py."""
    from surveys.models import QuestionType as T
    from surveys.taking.answers import matrix_rows, scale_range

    code, kind = question.code, question.type
    codes = [option.code for option in question.options]
    if kind in (T.SINGLE, T.DROPDOWN):
        return [(code, rng.choice(codes))]
    if kind is T.MULTIPLE:
        return [(code, chosen) for chosen in rng.sample(codes, rng.randint(1, min(3, len(codes))))]
    if kind is T.MATRIX:
        return [(f"{code}.{row['code']}", rng.choice(codes)) for row in matrix_rows(question)]
    if kind is T.RANKING:
        return [(f"{code}__rank__{option}", str(rank)) for rank, option in enumerate(rng.sample(codes, len(codes)), 1)]
    if kind is T.NUMBER:
        return [(code, str(rng.randint(int(question.setting("min_value", 0)), int(question.setting("max_value", 99)))))]
    if kind in (T.SCALE, T.NPS):
        return [(code, str(rng.randint(*scale_range(question))))]
    if kind is T.DATE:
        return [(code, f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")]
    if kind in (T.SHORT_TEXT, T.LONG_TEXT):
        return [(code, rng.choice(TEXTS))]
    return []


def answer_sets(survey_id: int, count: int, seed: int = 11) -> list[list[str]]:
    """`count` respondents' answers: for each, the urlencoded fields of each page."""
    from core.extensions import db
    from surveys.models import Survey

    rng = random.Random(seed)
    survey = db.session.get(Survey, survey_id)
    page_fields = lambda page: urlencode([pair for q in page.questions for pair in answer_fields(q, rng)])  # noqa: E731
    return [[page_fields(page) for page in survey.pages] for _ in range(count)]


def reconcile(survey_id: int, keys: list[str]) -> dict[str, int]:
    """Match each thanked submission key with the stored dedup tokens, and count responses and answers."""
    from sqlalchemy import func

    from core.extensions import db
    from surveys.models import Answer, DedupToken, Response, ResumeDraft

    db.session.expire_all()
    hashes: dict[str, int] = {}
    for (submission_hash,) in db.session.execute(db.select(DedupToken.submission_hash).filter_by(survey_id=survey_id)):
        hashes[submission_hash] = hashes.get(submission_hash, 0) + 1
    thanked = [hashes.get(hashlib.sha256(key.encode()).hexdigest(), 0) for key in keys]
    per_response = (
        db.select(func.count(Answer.id).label("n"))
        .join(Response, Answer.response_id == Response.id)
        .where(Response.survey_id == survey_id)
        .group_by(Response.id)
        .subquery()
    )
    count = lambda query: db.session.scalar(query) or 0  # noqa: E731
    return {
        "thanked_found": sum(1 for n in thanked if n >= 1),
        "thanked_stored_twice": sum(1 for n in thanked if n > 1),
        "thanked_keys_repeated": len(keys) - len(set(keys)),
        "responses": count(db.select(func.count(Response.id)).where(Response.survey_id == survey_id)),
        "dedup_tokens": sum(hashes.values()),
        "responses_short_of_20_answers": count(db.select(func.count()).where(per_response.c.n != len(
            [q for page in QUESTIONS for q in page]))),
        "drafts_left": count(db.select(func.count(ResumeDraft.id)).where(ResumeDraft.survey_id == survey_id)),
    }  # fmt: skip


@dataclass
class InProcess:
    """CPU time and SQL statements of each kind of request, measured with the Flask test client."""

    cpu_ms: dict[str, list[float]] = field(default_factory=dict)
    statements: dict[str, list[int]] = field(default_factory=dict)

    def add(self, kind: str, cpu_seconds: float, statements: int) -> None:
        self.cpu_ms.setdefault(kind, []).append(cpu_seconds * 1000)
        self.statements.setdefault(kind, []).append(statements)


@contextmanager
def counting_statements(engine: Any) -> Iterator[list[int]]:
    from sqlalchemy import event

    counter = [0]

    def count(*_args: Any) -> None:
        counter[0] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", count)


def respond_in_process(app: Any, survey_id: int, pages: list[str], measure: Callable[[str, Callable[[], Any]], Any]
                       ) -> bool:  # fmt: skip
    """One new browser answering every page through the test client; True when thanked."""
    client = app.test_client()
    path = f"/surveys/{survey_id}"
    while True:
        page = measure("GET", lambda: client.get(path))
        form = dict(FORM_FIELD.findall(page.get_data(as_text=True)))
        action = "submit" if 'name="action" value="submit"' in page.get_data(as_text=True) else "next"
        body = f"{urlencode({**form, 'action': action})}&{pages[int(form['page_index'])]}"
        kind = "POST (last page)" if action == "submit" else "POST (page)"
        post = lambda body=body: client.post(path, data=body, content_type="application/x-www-form-urlencoded")  # noqa: E731
        posted = measure(kind, post)
        if posted.status_code not in (302, 303):
            return "flash-success" in posted.get_data(as_text=True)


def measure_in_process(app: Any, survey_id: int, sets: list[list[str]], rounds: int, profile: bool) -> InProcess:
    """CPU time (time.process_time) and SQL statements per request over `rounds` responses; cProfile on demand.

    Called outside any app context: each test-client request then gets its own, as under gunicorn (a shared one
    would keep `g`, and Flask-WTF's CSRF token in it, from one simulated browser to the next).
    """
    from core.extensions import db

    with app.app_context():
        engine = db.engine
    figures = InProcess()
    profiles: dict[str, cProfile.Profile] = {}

    def measure(kind: str, call: Callable[[], Any]) -> Any:
        with counting_statements(engine) as statements:
            profiler = profiles.setdefault(kind, cProfile.Profile()) if profile else None
            started = time.process_time()
            if profiler:
                profiler.enable()
            result = call()
            if profiler:
                profiler.disable()
            figures.add(kind, time.process_time() - started, statements[0])
        return result

    for warm in range(5):  # templates compiled, caches filled: what a worker that has served a while does
        respond_in_process(app, survey_id, sets[warm], lambda _kind, call: call())
    thanked = sum(respond_in_process(app, survey_id, sets[n % len(sets)], measure) for n in range(rounds))
    print(f"in-process: {thanked}/{rounds} responses thanked")
    for kind, values in figures.cpu_ms.items():
        values.sort()
        statements = figures.statements[kind]
        print(f"  {kind:<17} CPU {sum(values) / len(values):6.2f} ms mean, {values[len(values) // 2]:6.2f} ms median;"
              f" {sum(statements) / len(statements):.1f} SQL statements")  # fmt: skip
    for kind, profiler in profiles.items():
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(35)
        print(f"\n## cProfile, {kind}, {rounds} requests\n{out.getvalue()}")
    return figures


def load_average() -> str:
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--hello-seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--pages", type=int, default=1, help="pages the 20 questions are spread over")
    parser.add_argument("--rounds", type=int, default=200, help="responses timed in-process")
    parser.add_argument("--profile", action="store_true", help="print cProfile of each kind of request")
    parser.add_argument("--skip-wrk", action="store_true", help="only the in-process measurement")
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL (bench/pg_server.py)")
    args = parser.parse_args()
    if not args.postgres:
        run(args, None)
        return
    from bench.pg_server import commits_per_second, postgres

    with postgres() as url:
        print(f"PostgreSQL commits/s (8 clients, one-row transactions, fsync on): {commits_per_second(url):.0f}")
        run(args, url)


def run(args: argparse.Namespace, database_url: str | None) -> None:
    work = scratch_dir()
    env = app_env(database_url or f"sqlite:///{work / 'bench.sqlite'}", work / "instance")
    os.environ.update(env)
    print_header(f"survey responses through the real form path (20 questions on {args.pages} page(s))")

    from app import create_app
    from core.extensions import db

    app = create_app()
    logging.getLogger("minyi.access").disabled = True  # the in-process part prints no request log
    with app.app_context():
        # The schema from the models, as the tests make it: the benchmark runs while a migration is pending.
        db.create_all()
        survey_id = build_survey(args.pages)
        sets = answer_sets(survey_id, ANSWER_SETS)
        db.session.remove()
        db.engine.dispose()
    answers_file = work / "answers.txt"
    answers_file.write_text("".join(f"{page}\t{fields}\n" for one in sets for page, fields in enumerate(one)))

    if not args.skip_wrk:
        run_wrk(args, work, env, survey_id, answers_file)
    measure_in_process(app, survey_id, sets, args.rounds, args.profile)
    print(f"scratch directory (database, logs): {work}")


def run_wrk(args: argparse.Namespace, work: Path, env: dict[str, str], survey_id: int, answers_file: Path) -> None:
    from app import create_app
    from core.extensions import db

    print(f"load average before: {load_average()}")
    with gunicorn("bench.hello:app", env, log_path=work / "hello.log") as hello:
        hello_result = wrk(hello.url + "/", connections=args.connections, seconds=args.hello_seconds)
    print(f"hello-world: {hello_result.requests_per_second:.0f} req/s, p50 {hello_result.p50_ms:.1f} ms, "
          f"p99 {hello_result.p99_ms:.1f} ms")  # fmt: skip

    thanks_file = work / "thanks.txt"
    with gunicorn("app:create_app()", env, log_path=work / "app.log") as server:
        cpu_before = server_cpu_seconds(server)
        flow = wrk(
            server.url,
            connections=args.connections,
            seconds=args.seconds,
            script=Path(__file__).with_name("survey_flow.lua"),
            env={"TAKE_PATH": f"/surveys/{survey_id}", "SURVEY_ID": str(survey_id),
                 "ANSWERS_FILE": str(answers_file), "THANKS_FILE": str(thanks_file)},
        )  # fmt: skip
        server_cpu = server_cpu_seconds(server) - cpu_before
    print(f"load average after: {load_average()}")
    keys = thanks_file.read_text().split()
    counts = dict(line.split() for line in Path(f"{thanks_file}.counts").read_text().splitlines())
    with create_app().app_context():
        figures = reconcile(survey_id, keys)
        db.session.remove()
    per_second = len(keys) / args.seconds
    requests_per_response = 2 * args.pages
    print(f"responses: {per_second:.0f}/s ({per_second * requests_per_response / hello_result.requests_per_second:.2f}"
          f"x hello in requests) over {args.seconds} s with {args.connections} clients, {requests_per_response} "
          f"requests each; {flow.requests_per_second:.0f} req/s, p50 {flow.p50_ms:.1f} ms, p99 {flow.p99_ms:.1f} ms; "
          f"non-2xx/3xx {flow.non_2xx_3xx}, socket errors {flow.socket_errors}")  # fmt: skip
    print(f"server CPU per response (gunicorn master and workers, every request of it): "
          f"{1000 * server_cpu / max(len(keys), 1):.2f} ms")  # fmt: skip
    print(f"clients: {len(keys)} thanked, {counts['already']} told 'already answered', {counts['refused']} "
          f"refused, {counts['failed']} pages without a form")  # fmt: skip
    print(f"reconciliation: {figures['thanked_found']} of {len(keys)} thanked found stored, "
          f"{figures['thanked_stored_twice']} stored twice, {figures['thanked_keys_repeated']} keys thanked twice; "
          f"{figures['responses']} responses and {figures['dedup_tokens']} dedup tokens stored (≥ thanked: the "
          f"excess is posts in flight when wrk stopped), {figures['responses_short_of_20_answers']} responses "
          f"without their 20 answers, {figures['drafts_left']} drafts left")  # fmt: skip
    log = (work / "app.log").read_text(errors="replace")
    locked, server_errors = log.count("database is locked"), log.count('"status": 5')
    print(f"'database is locked' in the server log: {locked}; 5xx in the server log: {server_errors}")


if __name__ == "__main__":
    main()
