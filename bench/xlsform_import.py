"""Prints how long an XLSForm import takes and how much memory it peaks at: the largest workbook in
../shared/data/xlsform/ (by rows), and generated forms of 900 and 5,000 questions (text, numbers, choices with
relevant, a calculation, a repeat every 50 rows), at and above XLSFORM_MAX_ROWS. Never asserts.

Run from the repository root: .venv/bin/python -m bench.xlsform_import
Time is one run (wall and CPU); memory is the Python heap's peak during that run (tracemalloc, a second run,
since tracing slows it). An upload must never hold a web worker more than a few seconds: a form beyond
XLSFORM_MAX_ROWS is refused at once with a message naming the limit.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import print_header

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "xlsform"
CONFIG = {"SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "LOG_FORMAT": "text"}


def generated(questions: int) -> bytes:
    """A form of `questions` survey rows, in groups of 50 (a page each), one of them a repeat of 5 members."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    survey = book.create_sheet("survey")
    survey.append(["type", "name", "label", "relevant", "calculation", "label::English (en)"])
    for n in range(questions):
        if n % 50 == 0:
            survey.append(["end_group" if n else None, None])
            survey.append(["begin_repeat" if n % 500 == 250 else "begin_group", f"g{n}", f"第{n // 50 + 1}部分"])
        kind = ("text", "integer", "select_one yn", "select_multiple svc", "calculate")[n % 5]
        relevant = f"${{q{n - 2}}} = 'yes'" if n % 5 == 2 and n % 50 > 5 else None
        calculation = f"${{q{n - 3}}} * 12" if kind == "calculate" else None
        survey.append([kind, f"q{n}", f"问题{n}", relevant, calculation, f"Question {n}"])
    survey.append(["end_repeat" if (questions // 50) % 10 == 6 else "end_group"])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    for row in (("yn", "yes", "是"), ("yn", "no", "否"), ("svc", "24/7", "全天"), ("svc", "tidal flat", "滩涂")):
        choices.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def largest_shared() -> Path | None:
    from pyxform.xls2json_backends import xls_to_dict, xlsx_to_dict

    def rows(path: Path) -> int:
        reader = xls_to_dict if path.suffix == ".xls" else xlsx_to_dict
        return len(reader(str(path)).get("survey") or [])

    paths = sorted(SHARED.glob("*.xls*")) if SHARED.is_dir() else []
    return max(paths, key=rows, default=None)


def measure(label: str, action: Callable[[], str]) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    outcome = action()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    tracemalloc.start()
    action()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"  {label:<40} {wall:7.2f} s wall {cpu:7.2f} s cpu {peak / 2**20:7.1f} MiB peak  {outcome[:70]}")


def main() -> None:
    from app import create_app
    from core.extensions import db
    from surveys.transfer.xlsform_import import import_workbook
    from tests.factories import make_department, make_user

    with tempfile.TemporaryDirectory() as directory:
        os.environ["MINYI_INSTANCE_PATH"] = directory
        app = create_app({**CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory}/bench.sqlite"})
        with app.app_context():
            db.create_all()
            department = make_department("bench")
            editor = make_user("editor", department, email="bench@example.cn")
            db.session.commit()  # each import below is rolled back

            def run(data: bytes | str, name: str) -> Callable[[], str]:
                def action() -> str:
                    stream = data if isinstance(data, str) else io.BytesIO(data)
                    report = import_workbook(stream, department.id, editor, name)
                    db.session.rollback()
                    if report.error:
                        return f"refused: {report.error}"
                    return f"{len(report.imported)} imported, {len(report.refused)} refused"

                return action

            limit = app.config["XLSFORM_MAX_ROWS"]
            print(f"XLSForm import (XLSFORM_MAX_ROWS = {limit:,}):")
            largest = largest_shared()
            if largest is not None:
                measure(f"{largest.name} (largest in shared/)", run(str(largest), largest.name))
            for questions in (900, 5000):
                data = generated(questions)
                label = f"generated, {questions:,} questions ({len(data) / 1000:,.0f} kB)"
                measure(label, run(data, "bench.xlsx"))
                if questions > limit:
                    app.config["XLSFORM_MAX_ROWS"] = questions + 200
                    measure(f"  the same with the limit at {questions + 200:,}", run(data, "bench.xlsx"))
                    app.config["XLSFORM_MAX_ROWS"] = limit


if __name__ == "__main__":
    print_header("XLSForm import")
    main()
