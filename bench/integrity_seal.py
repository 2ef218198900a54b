"""The cost of verifying seals on the public consultation page (core/integrity), rendered afresh every request.

The page cache is switched off so every request renders and verifies: the worst case. Each of the demo's open
consultation page, the consultation list and the departments page is asked N times with verification off and on in
turn.
(bench/comments.py measures the whole site under wrk; the page cache makes the verification rarer still there.)

Run: .venv/bin/python bench/integrity_seal.py [--requests 300]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app
from core.db import utcnow
from core.extensions import db


def _timed(app, client, path: str, requests: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Median milliseconds unverified and verified, the two asked in turn so a busy machine slows both alike."""
    samples: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(requests):
        for enabled in (False, True):
            app.config["INTEGRITY_ENABLED"] = enabled
            start = time.perf_counter()
            response = client.get(path)
            samples[enabled].append(time.perf_counter() - start)
            assert response.status_code == 200, (path, response.status_code)
    return statistics.median(samples[False]) * 1000, statistics.median(samples[True]) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        config = {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{scratch}/bench.sqlite",
            "PUBLIC_PAGE_CACHE_SECONDS": 0,
            "CAPTCHA_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "LOG_FORMAT": "text",
        }
        app = create_app(config)
        with app.app_context():
            from consultation.models import Consultation
            from core.demo import load

            db.create_all()
            list(load())
            consultation = next(c for c in db.session.scalars(db.select(Consultation)) if c.phase(utcnow()) == "open")
            paths = [f"/consultations/{consultation.id}", "/consultations/", "/surveys/", "/departments"]
        client = app.test_client()
        for path in paths:
            _timed(app, client, path, 20)  # warm up
            off, on = _timed(app, client, path, args.requests)
            print(f"{path}: median {off:.2f} ms unverified, {on:.2f} ms verified ({(on / off - 1) * 100:+.1f} %)")


if __name__ == "__main__":
    main()
