"""Comment intake through the real form path, against gunicorn with the production settings.

32 concurrent residents for 60 s each GET the comment form and POST it with its CSRF token and submission key;
then the consultation page's throughput; both beside a bare Flask hello-world measured in the same run.
Afterwards every receipt the clients got is reconciled with the stored comments.

Run: .venv/bin/python bench/comments.py [--seconds 60] [--connections 32]   (needs `apt-get install wrk`)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import ROOT, app_env, gunicorn, print_header, scratch_dir, server_cpu_seconds, wrk


def prepare_database(env: dict[str, str]) -> tuple[int, str]:
    """Migrate a fresh SQLite database, load the demo, and pick the open consultation and its third unit."""
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    for command in (["db", "upgrade"], ["demo", "load"]):
        subprocess.run([*flask, *command], cwd=ROOT, env={**os.environ, **env}, check=True, capture_output=True)
    probe = (
        "from app import create_app; from core.extensions import db; from consultation.models import Consultation;"
        "from core.db import utcnow\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    c = next(c for c in db.session.scalars(db.select(Consultation)) if c.phase(utcnow()) == 'open')\n"
        "    print(c.id, c.units[2].key)"
    )
    output = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env={**os.environ, **env}, check=True, capture_output=True, text=True
    ).stdout.split()
    return int(output[0]), output[1]


def reconcile(env: dict[str, str], keys: list[str], consultation_id: int, before: int) -> dict[str, int]:
    probe = (
        "import sys, json; from app import create_app; from core.extensions import db;"
        "from consultation.models import Comment; from sqlalchemy import func\n"
        "keys = sys.stdin.read().split()\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        f"    total = db.session.scalar(db.select(func.count()).where(Comment.consultation_id == {consultation_id}))\n"
        "    found = {}\n"
        "    for i in range(0, len(keys), 500):\n"
        "        chunk = keys[i:i + 500]\n"
        "        for key, n in db.session.execute(db.select(Comment.idempotency_key, func.count())"
        ".where(Comment.idempotency_key.in_(chunk)).group_by(Comment.idempotency_key)):\n"
        "            found[key] = n\n"
        "    print(json.dumps({'stored_total': total, 'receipts_found': len(found),"
        " 'stored_twice': sum(1 for n in found.values() if n > 1)}))"
    )
    import json

    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env={**os.environ, **env}, input="\n".join(keys),
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    figures = json.loads(result.stdout)
    figures["stored_in_run"] = figures.pop("stored_total") - before
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--page-seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
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
    print_header("comment intake through the real form path")
    consultation_id, unit_key = prepare_database(env)
    before = reconcile(env, [], consultation_id, 0)["stored_in_run"]

    with gunicorn("bench.hello:app", env, log_path=work / "hello.log") as hello:
        hello_result = wrk(hello.url + "/", connections=args.connections, seconds=args.page_seconds)
    print(f"hello-world: {hello_result.requests_per_second:.0f} req/s, p50 {hello_result.p50_ms:.1f} ms, "
          f"p99 {hello_result.p99_ms:.1f} ms")  # fmt: skip

    receipts = work / "receipts.txt"
    with gunicorn("app:create_app()", env, log_path=work / "app.log") as server:
        page = wrk(f"{server.url}/consultations/{consultation_id}", connections=args.connections,
                   seconds=args.page_seconds)  # fmt: skip
        cpu_before = server_cpu_seconds(server)
        flow = wrk(
            server.url,
            connections=args.connections,
            seconds=args.seconds,
            script=Path(__file__).with_name("comment_flow.lua"),
            env={
                "FORM_PATH": f"/consultations/{consultation_id}/comment?unit={unit_key}",
                "POST_PATH": f"/consultations/{consultation_id}/comment",
                "UNIT_KEY": unit_key,
                "RECEIPTS_FILE": str(receipts),
            },
        )
        server_cpu = server_cpu_seconds(server) - cpu_before
    keys = receipts.read_text().split()
    log = (work / "app.log").read_text(errors="replace")
    figures = reconcile(env, keys, consultation_id, before)

    comments_per_second = len(keys) / args.seconds
    print(f"consultation page: {page.requests_per_second:.0f} req/s "
          f"({page.requests_per_second / hello_result.requests_per_second:.2f}x hello), "
          f"p50 {page.p50_ms:.1f} ms, p99 {page.p99_ms:.1f} ms, non-2xx {page.non_2xx_3xx}")  # fmt: skip
    print(f"comments: {comments_per_second:.0f}/s ({comments_per_second / hello_result.requests_per_second:.2f}x "
          f"hello) over {args.seconds} s with {args.connections} clients; requests (GET form + POST) p50 "
          f"{flow.p50_ms:.1f} ms, p99 {flow.p99_ms:.1f} ms; non-2xx/3xx {flow.non_2xx_3xx}, "
          f"socket errors {flow.socket_errors}")  # fmt: skip
    print(f"server CPU per comment (gunicorn master and workers, GET + POST): "
          f"{1000 * server_cpu / max(len(keys), 1):.2f} ms")  # fmt: skip
    print(f"reconciliation: {len(keys)} receipts given, {figures['receipts_found']} found stored, "
          f"{figures['stored_twice']} stored twice, {figures['stored_in_run']} comments stored in the run "
          f"(≥ receipts; the excess is posts in flight when wrk stopped)")  # fmt: skip
    server_errors = log.count('"status": 5')
    print(f"'database is locked' in the server log: {log.count('database is locked')}; "
          f"5xx in the server log: {server_errors}")  # fmt: skip
    print(f"scratch directory (database, logs): {work}")


if __name__ == "__main__":
    main()
