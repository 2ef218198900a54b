"""Prints how long splitting real drafts takes and how much memory it needs: 刑法 as .docx (505 articles with its
编, 章, 节, 第X条之一 and 附件), every document in shared/data/drafts, a Civil-Code-sized draft, a draft at the
character limit, and the editor's corrections applied to 刑法's split. Never asserts.

Run from the repository root: .venv/bin/python -m bench.draft_split
Times are the median of RUNS runs (wall and CPU seconds); peak memory is what Python allocated at most during one
run (tracemalloc), and the process's peak resident size at the end.
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import print_header

DRAFTS = Path("/work/shared/data/drafts")
CRIMINAL_LAW = DRAFTS / "statute-00.docx"
RUNS = 7


def measure(label: str, action: Callable[[], Any], runs: int = RUNS) -> Any:
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        outcome = action()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    tracemalloc.start()
    action()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    shown = f"{len(outcome):,} units" if isinstance(outcome, list) else f"{len(str(outcome)):,} characters"
    print(
        f"  {label:<44} {statistics.median(walls) * 1000:8.1f} ms wall {statistics.median(cpus) * 1000:8.1f} ms cpu"
        f"  peak {peak / 2**20:6.1f} MiB  {shown}"
    )
    return outcome


def criminal_law() -> None:
    from consultation.drafting import correction
    from consultation.drafting.split import docx_to_text, split_document, split_text

    data = CRIMINAL_LAW.read_bytes()
    print(f"刑法 as .docx ({len(data) / 1024:.0f} KiB), median of {RUNS} runs:")
    text = measure("read the Word file (python-docx)", lambda: docx_to_text(data))
    measure("split its text", lambda: split_text(text))
    units = measure("read and split (what an upload costs)", lambda: split_document(CRIMINAL_LAW.name, data))
    rows = [correction.Edited(unit, merge=unit.key.endswith("-z1")) for unit in units]
    measure("apply corrections (join every 之一)", lambda: correction.apply(rows))


def every_document() -> None:
    from consultation.drafting.split import split_document

    files = sorted(path for path in DRAFTS.iterdir() if path.suffix in (".docx", ".txt"))
    blobs = [(path.name, path.read_bytes()) for path in files]
    print(f"All {len(files)} documents in shared/data/drafts, read and split one after another:")
    measure("28 documents", lambda: [unit for name, data in blobs for unit in split_document(name, data)], runs=3)


def synthetic() -> None:
    from consultation.drafting.split import MAX_CHARACTERS, split_text

    print("Generated drafts:")
    civil_code = []
    for book in range(1, 8):
        civil_code.append(f"第{book}编 第{book}编的标题")
        for chapter in range(1, 11):
            civil_code.append(f"第{chapter}章 第{chapter}章的标题")
            for article in range(1, 18):
                number = (book - 1) * 170 + (chapter - 1) * 17 + article
                civil_code.append(f"第{number}条 " + "民事主体从事民事活动，应当遵循诚信原则。" * 3)
    measure("Civil-Code-sized: 7 编, 70 章, 1,190 条", lambda: split_text("\n".join(civil_code)))
    numerals = "一二三四五六七八九"
    items = "".join(f"（{numerals[i]}）加强工作{i}。各单位要落实。\n1.做好甲。\n2.做好乙。\n" for i in range(9))
    policy = "\n".join(f"{numerals[p]}、任务{p}\n{items}" for p in range(9))
    measure("policy: 9 parts × 9 items × 2 points", lambda: split_text(policy))
    line = "建议" * 499 + "。\n"
    measure("plain text at the character limit", lambda: split_text(line * (MAX_CHARACTERS // len(line))), runs=3)
    notice = "附件1\n方案\n一、目标\n做好工作。\n" * 400
    measure("400 attached documents", lambda: split_text(notice), runs=3)


def correction_page() -> None:
    """The import page's answer for 刑法: the split as the correction form, rendered for a signed-in editor."""
    import tempfile

    from app import create_app

    scratch = Path(tempfile.mkdtemp(prefix="minyi-bench-draft-"))
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{scratch / 'bench.db'}"})
    # Imported once the app has loaded the packages in their order.
    from consultation.drafting import draft_views
    from consultation.drafting.split import split_document
    from consultation.models import Consultation, ConsultationStatus
    from core.extensions import db
    from core.sessions import start_session
    from tests.factories import make_department, make_user

    data = CRIMINAL_LAW.read_bytes()
    print(f"The correction page for 刑法 (scratch database in {scratch}):")
    with app.app_context():
        db.create_all()
        department = make_department("bench")
        editor = make_user("editor", department, email="bench@example.cn")
        consultation = Consultation(
            title="刑法（征求意见稿）", department=department, status=ConsultationStatus.DRAFT, doc_type="other"
        )
        db.session.add(consultation)
        db.session.commit()
        with app.test_request_context(f"/manage/consultations/{consultation.id}/draft", method="POST"):
            start_session(editor, second_factor_done=True)

            def page() -> str:
                units = split_document(CRIMINAL_LAW.name, data)
                html, _status = draft_views._render_units(consultation, draft_views._units_form(units))
                return html

            html = measure("read, split and render the form", page)
            print(f"  the page is {len(html.encode()) / 1024:,.0f} KiB of HTML")


if __name__ == "__main__":
    print_header("Draft splitting")
    criminal_law()
    every_document()
    synthetic()
    correction_page()
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"Peak resident size of this process: {peak_kib / 1024:.0f} MiB")
