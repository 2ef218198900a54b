"""Prints how long the worst uploads and texts take: Markdown drafts that never close what they open, an XLSForm of
100,000 rows and one at the row limit, and texts built to slow the masking of personal data. Never asserts.

Run from the repository root: .venv/bin/python -m bench.upload_worst_cases
Each figure is one run (wall and CPU seconds); every case must stay within a few seconds, far below the gunicorn
timeout, whatever its size within the upload limits.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import print_header

SIZE = 250_000  # characters: 250 kB of "[" took minutes to split before its patterns were made linear
CONFIG = {"SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "LOG_FORMAT": "text"}


def timed(label: str, action: Callable[[], Any]) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        outcome = action()
        result = f"{len(outcome)} parts" if isinstance(outcome, list) else str(outcome)[:60]
    except Exception as error:  # a refusal is a result here
        result = f"refused: {type(error).__name__} {getattr(error, 'code', '')}".rstrip()
    print(f"  {label:<34} {time.perf_counter() - wall:7.3f} s wall {time.process_time() - cpu:7.3f} s cpu  {result}")


def drafts() -> None:
    from consultation.drafting.split import MAX_CHARACTERS, split_text

    print(f"Markdown drafts of {SIZE:,} characters (and one at the {MAX_CHARACTERS:,}-character limit):")
    for opening in ("[", "[链接", "![图", "[链接](", "[a]((", "*强调 ", "**加粗 ", "__下划线 ", "`代码", "<!--", "\\"):
        text = "第一条 " + opening * (SIZE // len(opening))
        timed(f"{opening!r} repeated", lambda text=text: split_text(text))
    timed("'1. 事项' lines (refused)", lambda: split_text("1. 事项\n" * (SIZE // 6)))
    timed("2,000 articles", lambda: split_text("".join(f"第{n}条 内容。\n" for n in range(1, 2001))))
    timed("plain text at the limit", lambda: split_text(("建议" * 499 + "。\n") * (MAX_CHARACTERS // 1000)))


def masking() -> None:
    from core.screening import mask_personal_data

    print(f"Masking personal data in texts of {SIZE:,} characters:")
    for piece in ("1", "1号", "a@", "街1号", "13800138000 ", "新太街5号3单元201，", "@" + "a" * 20, "1-"):
        text = piece * (SIZE // len(piece))
        timed(f"{piece!r} repeated", lambda text=text: mask_personal_data(text)[:20])


def xlsform() -> None:
    import openpyxl

    from app import create_app
    from core.extensions import db
    from surveys.transfer.xlsform_import import import_workbook
    from tests.factories import make_department, make_user

    def workbook(rows: int) -> bytes:
        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet("survey")
        sheet.append(["type", "name", "label"])
        for number in range(rows):
            sheet.append(["text", f"q{number}", f"问题{number}"])
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()

    with tempfile.TemporaryDirectory() as directory:
        os.environ["MINYI_INSTANCE_PATH"] = directory
        app = create_app({**CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory}/bench.sqlite"})
        with app.app_context():
            db.create_all()
            department = make_department("bench")
            editor = make_user("editor", department, email="bench@example.cn")
            db.session.commit()  # each import below is rolled back
            limit = app.config["XLSFORM_MAX_ROWS"]
            print(f"XLSForm import (XLSFORM_MAX_ROWS = {limit:,}):")
            for rows in (100_000, limit + 1, limit):
                data = workbook(rows)

                def run(data: bytes = data) -> str:
                    report = import_workbook(io.BytesIO(data), department.id, editor, "bench.xlsx")
                    db.session.rollback()
                    return report.error or f"{len(report.imported)} questions imported"

                timed(f"{rows:,} rows ({len(data) / 1000:,.0f} kB)", run)


if __name__ == "__main__":
    print_header("Worst-case uploads and texts")
    drafts()
    masking()
    xlsform()
