"""Shared benchmark plumbing: a gunicorn server with production settings, wrk runs, a scratch database.

Benchmarks print figures; they never assert. Loopback only; every run is bounded in time.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path


@contextmanager
def gunicorn(wsgi_app: str, env: dict[str, str], *, log_path: Path, workers: int | None = None) -> Iterator[Server]:
    """gunicorn with the production settings of gunicorn.conf.py, on a free loopback port.

    `workers` overrides GUNICORN_WORKERS only when a benchmark compares worker counts.
    """
    port = free_port()
    command = [GUNICORN, "-c", str(ROOT / "gunicorn.conf.py"), wsgi_app]
    # PORT too: gunicorn.conf.py names (and empties) its metrics folder after it, so a benchmark's server never
    # wipes that of `make run` on 8000 or of another benchmark running beside it.
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "PORT": str(port)}
    if workers is not None:
        env["GUNICORN_WORKERS"] = str(workers)
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process)
        yield Server(url=url, process=process, log_path=log_path)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def server_cpu_seconds(server: Server) -> float:
    """CPU seconds (user + system) used so far by gunicorn's master and its live workers, from /proc (Linux).

    Read before and after a run, the difference per request is independent of what else the machine runs. Workers
    recycled during the run count too: the master's cutime/cstime hold the workers it has reaped.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    children = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(server.process.pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    total = 0.0
    for pid in [server.process.pid, *map(int, children)]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # exited meanwhile: the master's reaped-children time has it
            continue
        used = fields[11:15] if pid == server.process.pid else fields[11:13]  # utime, stime (, cutime, cstime)
        total += sum(int(ticks_used) for ticks_used in used) / ticks
    return total


def _wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited at start; see its log")
        try:
            with urllib.request.urlopen(url + "/", timeout=2):  # noqa: S310 - loopback URL we built
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer in time")


@dataclass
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx_3xx: int
    socket_errors: int
    output: str


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _latency(text: str, percentile: str) -> float:
    match = re.search(rf"^\s*{percentile}%\s+([\d.]+)(us|ms|s|m)\s*$", text, flags=re.M)
    return float(match.group(1)) * _UNITS[match.group(2)] if match else float("nan")


def wrk(url: str, *, connections: int, seconds: int, script: Path | None = None, env: dict[str, str] | None = None
        ) -> WrkResult:  # fmt: skip
    """Run wrk with one thread per connection (so a Lua script's state is per connection) and parse its report."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    threads = connections if script else min(connections, 2)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, env={**os.environ, **(env or {})},
        timeout=seconds + 60,
    ).stdout  # fmt: skip
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return WrkResult(
        requests_per_second=float(rps.group(1)) if rps else 0.0,
        p50_ms=_latency(output, "50"),
        p99_ms=_latency(output, "99"),
        requests=int(total.group(1)) if total else 0,
        non_2xx_3xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in socket_errors.groups()) if socket_errors else 0,
        output=output,
    )


def scratch_dir() -> Path:
    path = Path(tempfile.mkdtemp(prefix="minyi-bench-"))
    return path


def app_env(database_url: str, instance: Path) -> dict[str, str]:
    """Production settings, except what a load test must switch off: the captcha and per-address rate limits."""
    return {
        "FLASK_SQLALCHEMY_DATABASE_URI": database_url,
        "FLASK_SECRET_KEY": "benchmark-secret-key-not-for-production",
        "FLASK_CAPTCHA_ENABLED": "0",
        "FLASK_RATELIMIT_ENABLED": "0",
        "FLASK_LOG_FORMAT": "json",
        "MINYI_INSTANCE_PATH": str(instance),
        # No task worker beside the servers measured here: bench/mail_outbox.py measures it on its own.
        "MINYI_START_WORKER": "0",
    }


def print_header(title: str) -> None:
    import platform

    print(f"# {title}")
    when = time.strftime("%Y-%m-%d %H:%M")
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, {platform.machine()}, {when}")
