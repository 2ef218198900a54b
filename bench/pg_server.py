"""A throwaway PostgreSQL server for the benchmarks, in its own state directory (the test runner's
scripts/throwaway-postgres is left alone), with durable settings: fsync and synchronous_commit stay on, so the
commits per second measured are those of a real server on this disk.

    with postgres() as url: ...            # from a benchmark
    .venv/bin/python bench/pg_server.py    # start one, print its URL, stop it on Enter
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import free_port


def _bin() -> Path:
    for pattern in ("/usr/lib/postgresql/*/bin", "/usr/local/pgsql/bin", "/usr/local/bin", "/usr/bin"):
        for directory in sorted(glob.glob(pattern), reverse=True):
            if Path(directory, "initdb").exists() and Path(directory, "pg_ctl").exists():
                return Path(directory)
    raise RuntimeError("no PostgreSQL server binaries (apt-get install postgresql)")


def _as_owner(command: list[str]) -> list[str]:
    """initdb refuses to run as root: as root, run the server as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.getuid() == 0 else command


@contextmanager
def postgres(database: str = "minyi_bench") -> Iterator[str]:
    binaries = _bin()
    state = Path(tempfile.mkdtemp(prefix="minyi-bench-pg-"))
    state.chmod(0o755)
    if os.getuid() == 0:
        shutil.chown(state, "postgres")
    port = free_port()
    data = state / "data"
    subprocess.run(_as_owner([str(binaries / "initdb"), "-D", str(data), "-U", "minyi", "--auth=trust", "-E", "UTF8",
                              "--locale=C.UTF-8"]), check=True, capture_output=True)  # fmt: skip
    options = f"-p {port} -k {state} -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=256MB"
    subprocess.run(_as_owner([str(binaries / "pg_ctl"), "-D", str(data), "-l", str(state / "server.log"), "-w",
                              "-o", options, "start"]), check=True, capture_output=True)  # fmt: skip
    try:
        subprocess.run(_as_owner([str(binaries / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "minyi",
                                  database]), check=True, capture_output=True)  # fmt: skip
        yield f"postgresql+psycopg://minyi@127.0.0.1:{port}/{database}"
    finally:
        subprocess.run(_as_owner([str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
                       check=False, capture_output=True)  # fmt: skip
        shutil.rmtree(state, ignore_errors=True)


def commits_per_second(url: str, seconds: float = 5.0, clients: int = 8) -> float:
    """Small write transactions (one row each) per second, `clients` at a time: the ceiling of comment intake."""
    import threading
    import time

    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as setup:
        setup.execute("CREATE TABLE IF NOT EXISTS bench_commits (id bigserial PRIMARY KEY, body text)")
    counts = [0] * clients
    stop = time.monotonic() + seconds

    def client(index: int) -> None:
        with psycopg.connect(dsn) as connection:
            while time.monotonic() < stop:
                connection.execute("INSERT INTO bench_commits (body) VALUES (%s)", ("建议增加充电桩。" * 20,))
                connection.commit()
                counts[index] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / seconds


if __name__ == "__main__":
    with postgres() as url:
        print(url)
        print(f"commits/s (8 clients, one-row transactions, fsync on): {commits_per_second(url):.0f}")
        input("Enter stops the server ")
