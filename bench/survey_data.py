"""A 20-question survey with N random responses, written straight into a scratch database for the benchmarks.

Used by bench/survey_results.py. The survey is built through the services (so it is a real survey); the
responses (with their answer documents, as stored responses have them) and answers go in with bulk INSERTs in
batches, which writes 100,000 responses in well under a minute.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert

SATISFACTION = ["很满意", "满意", "一般", "不满意", "很不满意"]
STREETS = ["新屯街道", "搭连街道", "万新街道", "张甸街道", "千金街道"]
TEXTS = [
    "排队时间太长，窗口开得少，希望周末也能办理业务。",
    "网上办理系统经常打不开，建议优化。",
    "工作人员态度很好，办事效率高。",
    "停车位不够，附近道路拥堵。",
    "材料要求反复变化，跑了好几趟，请一次告知。",
    '=HYPERLINK("http://evil.example")',
    "联系我 13800138000",
]
START = datetime(2025, 3, 1, tzinfo=UTC)

# (code, type, options or settings) — 20 questions over 3 pages.
QUESTIONS: list[list[tuple[str, str, dict[str, Any]]]] = [
    [
        ("street", "single", {"options": STREETS, "settings": {"other": True}}),
        ("age", "dropdown", {"options": ["18岁以下", "18–29岁", "30–44岁", "45–59岁", "60岁及以上"]}),
        ("gender", "single", {"options": ["男", "女"]}),
        ("years", "number", {"settings": {"min_value": 0, "max_value": 100}}),
        ("job", "single", {"options": ["在职", "退休", "学生", "其他"]}),
        ("visit", "date", {}),
    ],
    [
        ("services", "multiple", {"options": ["社保医保", "户籍证照", "教育入学", "住房保障", "养老服务", "就业创业"]}),
        ("channels", "multiple", {"options": ["窗口", "网站", "微信", "电话", "自助机"]}),
        (
            "rating",
            "matrix",
            {
                "options": SATISFACTION,
                "settings": {
                    "rows": [
                        {"code": f"r{n}", "label": label} for n, label in enumerate(["效率", "态度", "公开", "网办"], 1)
                    ]
                },
            },
        ),
        (
            "env",
            "matrix",
            {
                "options": SATISFACTION,
                "settings": {
                    "rows": [{"code": f"e{n}", "label": label} for n, label in enumerate(["环境", "指引", "等候"], 1)]
                },
            },
        ),
        ("overall", "scale", {"settings": {"scale_min": 1, "scale_max": 5}}),
        ("speed", "scale", {"settings": {"scale_min": 1, "scale_max": 7}}),
        ("nps", "nps", {}),
        ("trust", "single", {"options": SATISFACTION}),
    ],
    [
        ("priorities", "ranking", {"options": ["缩短时间", "网上办理", "延长时间", "改善态度"]}),
        ("topics", "multiple", {"options": ["交通", "教育", "医疗", "环境", "治安"]}),
        ("again", "single", {"options": ["会", "不会", "不确定"]}),
        ("suggestion", "short_text", {}),
        ("reason", "long_text", {}),
        ("story", "long_text", {}),
    ],
]


def build_survey(department_id: int, editor: Any) -> Any:
    """The survey, approved, through the builder services (flushes; the caller commits)."""
    from core.extensions import db
    from surveys.builder import options, services
    from surveys.models import ReviewStatus

    fields = {
        "title": "性能测试问卷",
        "purpose": "基准",
        "contact_phone": "024-56620001",
        "starts_at": START,
        "ends_at": START + timedelta(days=365),
    }
    survey = services.create_survey(department_id, fields, editor)
    for index, questions in enumerate(QUESTIONS):
        page = survey.pages[0] if index == 0 else services.add_page(survey, f"第{index + 1}页")
        db.session.flush()
        for code, kind, extra in questions:
            data = {
                "code": code,
                "type": kind,
                "text": f"问题 {code}",
                "show_if": "",
                "validation": "",
                "validation_message": "",
                "settings": extra.get("settings", {}),
            }
            question = services.save_question(survey, page, None, data)
            if extra.get("options"):
                options.add_options(question, "\n".join(extra["options"]))
    survey.status = ReviewStatus.APPROVED
    db.session.flush()
    return survey


def _answers(rng: random.Random) -> Iterator[tuple[str, Any, str]]:
    pick = lambda n: str(rng.randint(1, n))  # noqa: E731
    street = rng.choice(["1", "2", "3", "4", "5", "other"])
    yield "street", street, "高尔山街道" if street == "other" else ""
    yield "age", pick(5), ""
    yield "gender", pick(2), ""
    if rng.random() < 0.8:
        yield "years", rng.randint(0, 80), ""
    yield "job", pick(4), ""
    yield "visit", (START + timedelta(days=rng.randint(0, 300))).date().isoformat(), ""
    yield "services", rng.sample(["1", "2", "3", "4", "5", "6"], rng.randint(1, 3)), ""
    yield "channels", rng.sample(["1", "2", "3", "4", "5"], rng.randint(1, 2)), ""
    yield "rating", {f"r{n}": pick(5) for n in range(1, 5)}, ""
    yield "env", {f"e{n}": pick(5) for n in range(1, 4)}, ""
    yield "overall", rng.randint(1, 5), ""
    yield "speed", rng.randint(1, 7), ""
    yield "nps", rng.randint(0, 10), ""
    yield "trust", pick(5), ""
    if rng.random() < 0.7:
        yield "priorities", rng.sample(["1", "2", "3", "4"], 4), ""
    yield "topics", rng.sample(["1", "2", "3", "4", "5"], rng.randint(1, 3)), ""
    yield "again", pick(3), ""
    if rng.random() < 0.5:
        yield "suggestion", rng.choice(TEXTS), ""
    if rng.random() < 0.3:
        yield "reason", rng.choice(TEXTS) * 3, ""
    if rng.random() < 0.2:
        yield "story", rng.choice(TEXTS) * 5, ""


def add_responses(survey_id: int, count: int, *, batch: int = 5000, seed: int = 7) -> None:
    """`count` responses with their answers, by bulk INSERT in batches (commits each batch)."""
    from core.extensions import db
    from surveys.models import Answer, Response, answer_document

    rng = random.Random(seed)
    first_id = (db.session.scalar(db.select(db.func.max(Response.id))) or 0) + 1
    for start in range(0, count, batch):
        ids = range(first_id + start, first_id + min(start + batch, count))
        answers, responses = [], []
        for rid in ids:
            given = list(_answers(rng))
            answers += [
                {"response_id": rid, "question_code": code, "value": value, "other_text": other}
                for code, value, other in given
            ]
            responses.append(
                {
                    "id": rid,
                    "survey_id": survey_id,
                    "complete": rng.random() < 0.97,
                    "submitted_at": START + timedelta(hours=rng.randint(0, 24 * 120)),
                    # A bulk INSERT skips the ORM event that writes the document when a response is stored.
                    "answer_data": answer_document(
                        {code: value for code, value, _other in given}, {code: other for code, _v, other in given}
                    ),
                }
            )
        db.session.execute(insert(Response), responses)
        db.session.execute(insert(Answer), answers)
        db.session.commit()
