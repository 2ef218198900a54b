"""Demo data: an open satisfaction survey using every question type and a condition, with 300 responses.

The responses are random but plausible (seeded, so every demo database has the same ones): answers lean
towards satisfied, the follow-up question appears only for the dissatisfied, as a real survey would show.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from core.db import utcnow
from core.extensions import db
from core.models import Department, User
from surveys.builder.services import new_short_code, parse_expression
from surveys.models import Answer, Option, Question, QuestionType, Response, ReviewStatus, Survey, SurveyPage
from surveys.taking.answers import visible_answers

TITLE = "东洲区居民公共服务满意度调查"
RESPONSES = 300
SATISFACTION = ["很满意", "满意", "一般", "不满意", "很不满意"]

# (page title, [(code, type, text, options, settings, show_if, required)])
PAGES: list[tuple[str, list[tuple[str, QuestionType, str, list[str], dict[str, Any], str, bool]]]] = [
    (
        "基本情况",
        [
            ("intro", QuestionType.NOTE, "本调查匿名进行，约需5分钟。感谢您参与！", [], {}, "", False),
            ("street", QuestionType.SINGLE, "您居住在哪个街道？",
             ["新屯街道", "搭连街道", "万新街道", "张甸街道"], {"other": True}, "", True),
            ("age", QuestionType.DROPDOWN, "您的年龄段", ["18岁以下", "18–29岁", "30–44岁", "45–59岁", "60岁及以上"],
             {}, "", True),
            ("years", QuestionType.NUMBER, "您在东洲区居住了多少年？", [], {"min_value": 0, "max_value": 100}, "",
             False),
        ],
    ),
    (
        "服务评价",
        [
            ("services", QuestionType.MULTIPLE, "过去一年您办理过哪些公共服务事项？（最多选3项）",
             ["社保医保", "户籍证照", "教育入学", "住房保障", "养老服务"],
             {"min_selections": 1, "max_selections": 3, "other": True}, "", True),
            ("rating", QuestionType.MATRIX, "请对以下方面作出评价", SATISFACTION,
             {"rows": [{"code": "r1", "label": "办事效率"}, {"code": "r2", "label": "服务态度"},
                       {"code": "r3", "label": "信息公开"}, {"code": "r4", "label": "网上办理"}]}, "", True),
            ("overall", QuestionType.SCALE, "总体而言，您对区里的公共服务满意吗？", [],
             {"scale_min": 1, "scale_max": 5, "scale_min_label": "很不满意", "scale_max_label": "很满意"}, "", True),
            ("reason", QuestionType.LONG_TEXT, "请说说您不满意的主要原因", [], {}, "${overall} <= 2", True),
            ("nps", QuestionType.NPS, "您有多大可能向亲友推荐到区政务服务中心办事？", [], {}, "", False),
        ],
    ),
    (
        "意见建议",
        [
            ("priorities", QuestionType.RANKING, "请按重要程度对以下改进方向排序",
             ["缩短办理时间", "增加网上办理事项", "延长窗口服务时间", "改善服务态度"], {}, "", False),
            ("visit", QuestionType.DATE, "您最近一次到区政务服务中心办事是哪一天？", [], {}, "", False),
            ("suggestion", QuestionType.SHORT_TEXT, "您还有什么建议？", [], {}, "", False),
        ],
    ),
]  # fmt: skip

REASONS = [
    "排队时间太长，窗口开得少。",
    "材料要求反复变化，跑了好几趟。",
    "网上办理系统经常打不开。",
    "工作人员解释不清楚。",
]
SUGGESTIONS = ["希望周末也能办理业务", "多推广网上办理", "增加停车位", "办事指南写得再清楚一些", "", "", ""]


def build(department: Department, editor: User | None, approver: User | None) -> Survey:
    now = utcnow()
    survey = Survey(
        department_id=department.id,
        title=TITLE,
        purpose="了解居民对区内公共服务的评价和期望，为改进政务服务提供依据。",
        contact_phone=department.office_phone or "024-56620001",
        starts_at=now - timedelta(days=10),
        ends_at=now + timedelta(days=20),
        short_code=new_short_code(),
        status=ReviewStatus.APPROVED,
        created_by_id=editor.id if editor else None,
        submitted_by_id=editor.id if editor else None,
        reviewed_by_id=approver.id if approver else None,
        reviewed_at=now - timedelta(days=11),
        closed_message="本次调查已结束，感谢您的关注。",
    )
    survey.pages = [SurveyPage(position=index, title=title) for index, (title, _questions) in enumerate(PAGES)]
    db.session.add(survey)
    db.session.flush()
    codes: list[str] = []
    for page, (_title, questions) in zip(survey.pages, PAGES, strict=True):
        for position, (code, kind, text, options, settings, show_if, required) in enumerate(questions):
            question = Question(survey_id=survey.id, code=code, type=kind, text=text, required=required)
            question.settings, question.position = settings, position
            question.show_if, question.show_if_tree = show_if, parse_expression("show_if", show_if, codes)
            question.options = [Option(code=str(n + 1), label=label, position=n) for n, label in enumerate(options)]
            page.questions.append(question)
            codes.append(code)
    db.session.flush()
    return survey


def _plausible_answers(rng: random.Random) -> tuple[dict[str, Any], dict[str, str]]:
    mood = rng.choices([1, 2, 3, 4, 5], weights=[4, 8, 25, 40, 23])[0]  # 5 = very satisfied
    column = lambda: str(min(5, max(1, 6 - mood + rng.choice([-1, 0, 0, 1]))))  # noqa: E731
    values: dict[str, Any] = {
        "street": rng.choices(["1", "2", "3", "4", "other"], weights=[30, 25, 25, 15, 5])[0],
        "age": rng.choices(["1", "2", "3", "4", "5"], weights=[3, 20, 32, 28, 17])[0],
        "services": rng.sample(["1", "2", "3", "4", "5"], rng.choice([1, 1, 2, 3])),
        "rating": {row: column() for row in ("r1", "r2", "r3", "r4")},
        "overall": mood,
        "reason": rng.choice(REASONS),
        "nps": min(10, max(0, mood * 2 + rng.randint(-2, 1))),
    }
    if rng.random() < 0.8:
        values["years"] = rng.randint(1, 60)
    if rng.random() < 0.6:
        values["priorities"] = rng.sample(["1", "2", "3", "4"], 4)
    if rng.random() < 0.7:
        values["visit"] = (date.today() - timedelta(days=rng.randint(3, 300))).isoformat()
    if suggestion := rng.choice(SUGGESTIONS):
        values["suggestion"] = suggestion
    other = {"street": "高尔山街道"} if values["street"] == "other" else {}
    return values, other


def add_responses(survey: Survey, count: int, seed: int = 2024) -> None:
    rng = random.Random(seed)  # noqa: S311 - demo data, reproducible on purpose
    questions = survey.questions
    for _n in range(count):
        values, other = _plausible_answers(rng)
        kept = visible_answers(questions, values)
        submitted = survey.starts_at + timedelta(hours=rng.randint(0, 24 * 9))
        response = Response(survey_id=survey.id, submitted_at=submitted.replace(minute=0, second=0, microsecond=0))
        response.answers = [Answer(question_code=c, value=v, other_text=other.get(c, "")) for c, v in kept.items()]
        db.session.add(response)
    db.session.flush()


def load() -> Iterator[str]:
    if db.session.scalar(db.select(Survey.id).where(Survey.title == TITLE)) is not None:
        return
    department = db.session.scalar(db.select(Department).where(Department.code == "gov-office"))
    if department is None:
        department = db.session.scalars(db.select(Department).order_by(Department.id)).first()
    if department is None:
        return
    editor = db.session.scalar(db.select(User).where(User.email == "editor@demo.minyi.cn"))
    approver = db.session.scalar(db.select(User).where(User.email == "approver@demo.minyi.cn"))
    survey = build(department, editor, approver)
    add_responses(survey, RESPONSES)
    yield f"survey {survey.short_code} with {RESPONSES} responses"
