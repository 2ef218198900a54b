"""create_app() must not load the heavy libraries that only some pages and exports need: a command-line export
of a million comments has to fit in 100 MiB (docs/performance.md), and they are imported where they are used."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HEAVY = ("reportlab", "docx", "openpyxl", "xlsxwriter", "numpy", "zxcvbn", "polars", "pyreadstat", "scipy",
         "datasketch", "jieba", "re2", "segno", "captcha", "PIL", "lxml", "alembic", "pygments")  # fmt: skip
ROOT = Path(__file__).resolve().parent.parent

PROBE = f"""
import json, sys
from app import create_app
create_app()
from core import passwords
print(json.dumps({{"loaded": sorted(m for m in {HEAVY!r} if m in sys.modules),
                  "dummy_hashed": passwords.dummy_hash.cache_info().currsize}}))
"""


def test_creating_the_app_loads_none_of_the_heavy_libraries() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["loaded"] == []
    # Argon2's timing-equaliser hash takes 64 MiB for a moment: only a login may make it, not every process.
    assert probe["dummy_hashed"] == 0
