"""Prints how long a site search takes over a few thousand draft units; never asserts.

Run from the repository root: .venv/bin/python -m bench.search   (SQLite in a scratch file)
or with BENCH_DATABASE_URL=postgresql+psycopg://… to measure PostgreSQL (the tables are created and dropped,
unless BENCH_KEEP=1).
300 published consultations of 10 articles each (3,000 units) and 60 surveys; each query runs 20 times through
core.search.search (SQL, the check on masked texts, ranking, highlighting), as the /search page calls it, once
scanning the texts with LIKE (SEARCH_INDEX off) and once through the index of bigrams, the two runs taking turns
so both see the same load on a shared machine. Also prints how long the index took to build.
"""

import gc
import os
import random
import statistics
import tempfile
import time
from datetime import timedelta

from sqlalchemy import event

from app import create_app
from consultation.models import Consultation, ConsultationStatus, DraftUnitRow, SecrecyResult
from core import search_index
from core.db import utcnow
from core.extensions import db
from core.models import Department
from core.search import search
from core.search_query import Filters, parse_query

SEED = 2026
CONSULTATIONS = int(os.environ.get("BENCH_CONSULTATIONS", "300"))  # 3000: ten times the units, to see the trend
UNITS, RUNS = 10, 20
SUBJECTS = [
    "电动自行车",
    "充电设施",
    "停车泊位",
    "垃圾分类",
    "加装电梯",
    "公共租赁住房",
    "学位分配",
    "养老服务",
    "物业管理",
]
SENTENCES = [
    "第{n}条 本区{subject}工作由区住房和城乡建设局统筹，街道办事处具体实施。",
    "第{n}条 {subject}的建设和维护费用按照有关规定列支，接受审计监督。",
    "第{n}条 违反本办法规定的，由有关部门责令改正；情节严重的，依法予以处罚。",
]
QUERIES = [
    ("synonym (电动车)", "电动车", Filters()),
    ("common word (管理)", "管理", Filters()),
    ("two words (充电桩 收费)", "充电桩 费用", Filters()),
    ("document type (行政规范性文件)", "行政规范性文件", Filters()),
    ("with filters", "物业", Filters(kind="consultation", doc_type="normative_doc", phase="open")),
    ("relaxed pass (公共租房)", "公共租房", Filters()),
    ("nothing, did-you-mean (冲电桩)", "冲电桩", Filters()),
]


def _seed() -> None:
    random.seed(SEED)
    departments = [Department(code=f"d{i}", name=f"区第{i}局") for i in range(20)]
    db.session.add_all(departments)
    now = utcnow()
    for i in range(CONSULTATIONS):
        subject = random.choice(SUBJECTS)
        consultation = Consultation(
            title=f"《东洲区{subject}管理办法（征求意见稿{i}）》",
            doc_type=random.choice(["major_decision", "normative_doc", "normative_doc_market"]),
            department=random.choice(departments),
            explanation=f"为规范{subject}，起草本办法。",
            start_at=now - timedelta(days=random.randint(0, 700)),
            end_at=now + timedelta(days=random.randint(-300, 30)),
            status=ConsultationStatus.SCHEDULED,
            secrecy_result=SecrecyResult.CLEARED,
        )
        consultation.units = [
            DraftUnitRow(
                key=f"a{n}",
                kind="article",
                number=str(n),
                position=n,
                text=random.choice(SENTENCES).format(n=n, subject=random.choice(SUBJECTS)),
            )
            for n in range(1, UNITS + 1)
        ]
        db.session.add(consultation)
    db.session.commit()


class _SqlClock:
    """Time spent in the database (cursor execute to fetch end is close enough: results are small)."""

    def __init__(self) -> None:
        self.total = 0.0
        self._start = 0.0
        event.listen(db.engine, "before_cursor_execute", self.before)
        event.listen(db.engine, "after_cursor_execute", self.after)

    def before(self, *_args: object) -> None:
        self._start = time.perf_counter()

    def after(self, *_args: object) -> None:
        self.total += time.perf_counter() - self._start


def _measure(app, text: str, filters: Filters, clock: _SqlClock) -> dict[bool, tuple[float, float, float, int]]:
    """Per mode (index off, on): median and p95 in ms, median SQL ms, results found; the modes take turns, each run
    after a garbage collection so neither pays for the other's garbage."""
    times: dict[bool, list[float]] = {False: [], True: []}
    sql: dict[bool, list[float]] = {False: [], True: []}
    found = {}
    for indexed in (False, True):  # warm: jieba, the synonym list
        app.config["SEARCH_INDEX"] = indexed
        search(parse_query(text), filters)
    for _ in range(RUNS):
        for indexed in (False, True):
            app.config["SEARCH_INDEX"] = indexed
            gc.collect()
            clock.total = 0.0
            start = time.perf_counter()
            results = search(parse_query(text), filters)
            times[indexed].append((time.perf_counter() - start) * 1000)
            sql[indexed].append(clock.total * 1000)
            found[indexed] = len(results.hits)
    return {
        indexed: (
            statistics.median(runs),
            sorted(runs)[int(RUNS * 0.95) - 1],
            statistics.median(sql[indexed]),
            found[indexed],
        )
        for indexed, runs in times.items()
    }


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/search.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        db.drop_all()
        db.create_all()
        start = time.perf_counter()
        _seed()  # the commit indexes every consultation, as publishing does one by one
        seeded = time.perf_counter() - start
        start = time.perf_counter()
        indexed = search_index.rebuild()
        db.session.commit()
        rebuilt = time.perf_counter() - start
        print(f"{db.engine.dialect.name}: {CONSULTATIONS} consultations, {CONSULTATIONS * UNITS} units")
        print(f"  seeded and indexed in {seeded:.1f} s; `flask search reindex` of {indexed} items: {rebuilt:.1f} s")
        print(f"  {'':34} {'found':>5}  {'LIKE: median / p95 (SQL)':>28}  {'index: median / p95 (SQL)':>28}")
        clock = _SqlClock()
        with app.test_request_context("/search"):
            for label, text, filters in QUERIES:
                measured = _measure(app, text, filters, clock)
                shown = [f"{median:7.1f} / {p95:6.1f} ({sql:5.1f}) ms" for median, p95, sql, _ in measured.values()]
                found, found_indexed = measured[False][3], measured[True][3]
                same = "" if found == found_indexed else f"  (index found {found_indexed})"
                print(f"  {label:34} {found:5}  {shown[0]:>28}  {shown[1]:>28}{same}")
        db.session.remove()
        if not os.environ.get("BENCH_KEEP"):  # BENCH_KEEP=1 leaves the data, to try indexes by hand
            db.drop_all()


if __name__ == "__main__":
    main()
