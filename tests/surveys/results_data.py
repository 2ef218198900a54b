"""A survey with every answerable question type and seeded random responses, for the results and export tests.

Expected figures are always recomputed in the tests from the stored Answer rows, never copied from output.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from core.extensions import db
from core.models import Department
from surveys.models import Answer, QuestionType, Response, Survey
from tests.surveys.helpers import make_survey

START = datetime(2025, 3, 1, 2, tzinfo=UTC)  # 10:00 in Beijing
SUGGESTIONS = [
    "希望周末也能办理业务，排队时间太长",
    "联系我 13812345678",
    '=HYPERLINK("http://x")',
    "停车位太少，希望增加停车位",
    "",
]


def every_type_survey(department: Department | None = None, **fields: Any) -> Survey:
    satisfaction = ["很满意", "满意", "一般", "不满意", "很不满意"]
    return make_survey(
        [
            [
                ("street", QuestionType.SINGLE, {"options": ["新屯街道", "搭连街道", "万新街道"],
                                                 "settings": {"other": True}}),
                ("age", QuestionType.DROPDOWN, {"options": ["18–29岁", "30–44岁", "45岁及以上"]}),
                ("services", QuestionType.MULTIPLE, {"options": ["社保", "户籍", "教育", "住房"],
                                                     "settings": {"other": True}}),
                ("years", QuestionType.NUMBER, {"settings": {"min_value": 0, "max_value": 100}}),
            ],
            [
                ("rating", QuestionType.MATRIX, {"options": satisfaction, "settings": {"rows": [
                    {"code": "r1", "label": "办事效率"}, {"code": "r2", "label": "服务态度"}]}}),
                ("overall", QuestionType.SCALE, {"settings": {"scale_min": 1, "scale_max": 5}}),
                ("nps", QuestionType.NPS, {}),
                ("priorities", QuestionType.RANKING, {"options": ["时间", "网办", "态度"]}),
                ("visit", QuestionType.DATE, {}),
                ("suggestion", QuestionType.LONG_TEXT, {}),
                ("intro", QuestionType.NOTE, {}),
            ],
        ],
        department=department,
        **fields,
    )  # fmt: skip


def random_answers(rng: random.Random) -> tuple[dict[str, Any], dict[str, str]]:
    values: dict[str, Any] = {
        "street": rng.choice(["1", "1", "1", "2", "2", "3", "other"]),
        "age": rng.choice(["1", "2", "2", "3"]),
        "services": rng.sample(["1", "2", "3", "4", "other"], rng.randint(1, 3)),
        "rating": {"r1": str(rng.randint(1, 5)), "r2": str(rng.randint(1, 3))},
        "overall": rng.randint(1, 5),
        "nps": rng.randint(0, 10),
        "visit": (START + timedelta(days=rng.randint(0, 60))).date().isoformat(),
    }
    if rng.random() < 0.8:
        values["years"] = rng.randint(0, 60)
    if rng.random() < 0.7:
        values["priorities"] = rng.sample(["1", "2", "3"], 3)
    if text := rng.choice(SUGGESTIONS):
        values["suggestion"] = text
    other = {}
    if values["street"] == "other":
        other["street"] = "高尔山街道 13900001111"
    if "other" in values["services"]:
        other["services"] = "=cmd|' /C calc'!A0"
    return values, other


def add_responses(survey: Survey, count: int, *, seed: int = 1, incomplete_every: int = 0) -> None:
    rng = random.Random(seed)  # test data, reproducible
    for n in range(count):
        values, other = random_answers(rng)
        response = Response(
            survey_id=survey.id,
            submitted_at=START + timedelta(hours=rng.randint(0, 24 * 40)),
            complete=not (incomplete_every and n % incomplete_every == 0),
        )
        response.answers = [Answer(question_code=c, value=v, other_text=other.get(c, "")) for c, v in values.items()]
        db.session.add(response)
    db.session.flush()


def stored(survey: Survey, *, complete: bool | None = True) -> list[tuple[Response, dict[str, Any]]]:
    """Every stored response with its answers by code, read straight from the tables."""
    query = db.select(Response).where(Response.survey_id == survey.id).order_by(Response.id)
    if complete is not None:
        query = query.where(Response.complete.is_(complete))
    return [(r, {a.question_code: a.value for a in r.answers}) for r in db.session.scalars(query)]


def option_counts(rows: list[tuple[Response, dict[str, Any]]], code: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for _response, answers in rows:
        value = answers.get(code)
        counts.update(value if isinstance(value, list) else [value] if value is not None else [])
    return counts
