"""Demo consultations: one open (the district's 政务公开 notice), one upcoming, one closed with its feedback
published and then decided, with its decided document and 政策解读 (demo/decision.py), and one closed with every
comment answered whose feedback is still to be published.

Idempotent: a consultation whose title is already there is left alone. The texts are files in demo/ so the
draft splitter is exercised on real documents.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask

from consultation.comments import commenting, intake
from consultation.demo import decision as demo_decision
from consultation.demo import handling as demo_handling
from consultation.demo import participation as demo_participation
from consultation.drafting import periods, services
from consultation.drafting.split import split_text
from consultation.handling import feedback
from consultation.models import (
    Channel,
    Comment,
    CommentDisplay,
    Consultation,
    ConsultationStatus,
    DraftUnitRow,
    RespondentType,
    SecrecyResult,
)
from core.db import utcnow
from core.demo import register_demo_loader
from core.extensions import db
from core.models import Department, User

DEMO_DIR = Path(__file__).parent

OPEN_TITLE = "《东洲区持续深化政务公开做好当前重点工作的任务分解（征求意见稿）》"
UPCOMING_TITLE = "《东洲区重大行政决策程序规定（征求意见稿）》"
CLOSED_TITLE = "《东洲区住宅小区电动自行车停放充电管理办法（征求意见稿）》"
AWAITING_TITLE = "《东洲区既有住宅加装电梯实施办法（征求意见稿）》"


def _read(name: str) -> str:
    return (DEMO_DIR / name).read_text(encoding="utf-8")


def _demo_comments(name: str) -> list[tuple[str, RespondentType, str | None, Channel, str]]:
    """(name, respondent type, unit key or None for the whole draft, channel, content) from a demo table."""
    rows = []
    for line in _read(name).splitlines():
        if line and not line.startswith("#"):
            name, kind, unit_key, channel, content = line.split("\t")
            rows.append((name, RespondentType(kind), None if unit_key == "-" else unit_key, Channel(channel), content))
    return rows


# The web page's link to the policy interpretation, on a line of its own after the notice. The words also occur
# inside the text (《政策文件解读工作规范》), so only the whole line ends the notice.
_PAGE_AFTER_NOTICE = re.compile(r"^[ \t\u3000]*文件解读[ \t\u3000]*$", re.MULTILINE)


def _seed_notice_body() -> str:
    """The notice's text from its salutation to its signature, without the web page around it."""
    text = _read("seed-notice.txt")
    start = text.index("各乡(镇)人民政府")
    after = _PAGE_AFTER_NOTICE.search(text, start)
    return text[start : after.start() if after else None].rstrip()


def _statute_body() -> str:
    """The regulation's articles, without its Markdown title and promulgation lines."""
    text = _read("major-decision-regulation.md")
    return text[text.index("## 第一章") :]


def _units(text: str) -> list[DraftUnitRow]:
    return services.unit_rows(split_text(text))


def _published(
    title: str, department: Department, doc_type: str, start: datetime, end: datetime, body: str, people: dict
) -> Consultation:
    return Consultation(
        title=title,
        doc_type=doc_type,
        department=department,
        contact_phone=department.office_phone,
        contact_email=department.email,
        contact_address=department.address,
        channels=[Channel.ONLINE.value, Channel.EMAIL.value, Channel.LETTER.value],
        start_at=start,
        end_at=end,
        status=ConsultationStatus.SCHEDULED,
        created_by_id=people["editor"].id if people["editor"] else None,
        submitted_by_id=people["editor"].id if people["editor"] else None,
        secrecy_result=SecrecyResult.CLEARED,
        secrecy_note="经审查，不涉及国家秘密、工作秘密和敏感信息，同意公开。",
        secrecy_reviewer_id=people["approver"].id if people["approver"] else None,
        secrecy_reviewed_at=start - timedelta(days=1),
        units=_units(body),
    )


def _days_from_today(days: int) -> datetime:
    return periods.end_of_day(periods.local_date(utcnow()) + timedelta(days=days))


def load() -> Iterator[str]:
    """Each demo consultation that is not there yet, then what the existing ones still lack."""
    departments = {d.code: d for d in db.session.scalars(db.select(Department))}
    office = departments.get("gov-office")
    if office is None:
        return
    existing = set(db.session.scalars(db.select(Consultation.title)))
    users = {u.email: u for u in db.session.scalars(db.select(User))}
    people = {"editor": users.get("editor@demo.minyi.cn"), "approver": users.get("approver@demo.minyi.cn")}
    moderator = users.get("moderator@demo.minyi.cn")
    yield from _load_open(existing, office, people)
    yield from _load_upcoming(existing, departments.get("justice", office), people)
    yield from _load_closed(existing, office, people, moderator, users.get("reviewer@demo.minyi.cn"))
    if AWAITING_TITLE not in existing and moderator is not None and people["editor"] is not None:
        yield from _load_awaiting(office, moderator, people)  # the demo editor's department: they may publish
    awaiting = db.session.scalar(db.select(Consultation).where(Consultation.title == AWAITING_TITLE))
    if awaiting is not None:  # procedures, meetings and hotline calls, so its 说明 shows every section
        yield from demo_participation.add_to(awaiting, people["editor"], moderator)


def _load_open(existing: set[str], office: Department, people: dict) -> Iterator[str]:
    """The open consultation (the district's 政务公开 notice), or the rest of its draft if an old load cut it."""
    if OPEN_TITLE in existing:
        yield from _complete_open_draft()
        return
    consultation = _published(
        OPEN_TITLE, office, "policy_doc_other", utcnow() - timedelta(days=3), _days_from_today(21),
        _seed_notice_body(), people,
    )  # fmt: skip
    consultation.intro = (
        "为做好当前政务公开重点工作，区政府办公室起草了任务分解（征求意见稿），现向社会公开征求意见。"
        "社会公众可通过本网站在线提交意见，也可通过电子邮件或信函方式反馈。"
    )
    consultation.explanation = (
        "## 起草背景\n\n根据辽政办公开〔2023〕6号和抚政办公开〔2023〕4号文件精神，结合本区实际起草。\n\n"
        "## 主要内容\n\n任务分解共六部分，分别明确牵头单位、责任单位和完成时限。"
    )
    consultation.interpretation = (
        "本任务分解围绕政策文件公开、政务服务、决策公开、互动回应、平台建设和作风建设六个方面展开。"
    )
    db.session.add(consultation)
    yield "consultation (open): 政务公开任务分解"


def _load_upcoming(existing: set[str], justice: Department, people: dict) -> Iterator[str]:
    """The upcoming consultation: the justice bureau's regulation, opening in five days."""
    if UPCOMING_TITLE in existing:
        return
    start = _days_from_today(5) - timedelta(hours=15)  # 09:00 Asia/Shanghai in five days
    consultation = _published(
        UPCOMING_TITLE, justice, "major_decision", start, _days_from_today(40), _statute_body(), people
    )
    consultation.created_by_id = consultation.submitted_by_id = None
    consultation.intro = "为规范本区重大行政决策程序，区司法局起草了本规定（征求意见稿），现公开征求社会各界意见。"
    consultation.explanation = "本规定参照《重大行政决策程序暂行条例》（国务院令第713号）起草，结合本区实际作了细化。"
    db.session.add(consultation)
    yield "consultation (upcoming): 重大行政决策程序规定"


def _load_closed(
    existing: set[str], office: Department, people: dict, moderator: User | None, reviewer: User | None
) -> Iterator[str]:
    """The closed consultation with its comments, then handled, its feedback published, and decided (rule 9)."""
    if CLOSED_TITLE not in existing:
        consultation = _closed(CLOSED_TITLE, "charging-measures.txt", office, days=(-45, -10), people=people)
        consultation.intro = (
            "为加强住宅小区电动自行车停放充电安全管理，区政府办公室起草了本办法（征求意见稿），现公开征求意见。"
        )
        consultation.explanation = "近年来电动自行车火灾事故多发，本办法针对停放充电设施不足、违规充电等问题作出规定。"
        count = _add_comments(consultation, "charging-comments.tsv", 20260901, people)
        yield f"consultation (closed): 电动自行车停放充电管理办法, {count} comments"
    closed = db.session.scalar(db.select(Consultation).where(Consultation.title == CLOSED_TITLE))
    if closed is None:
        return
    if closed.status is ConsultationStatus.SCHEDULED:
        yield from demo_handling.handle(closed, moderator, people["editor"])
    yield from demo_decision.carry_through(closed, people, reviewer)


def _complete_open_draft() -> Iterator[str]:
    """Demo databases loaded before the notice was cut at the right line hold its draft only up to part 一 item 3
    (its text cut inside a title): complete that draft in place, keeping the units' keys and their comments."""
    consultation = db.session.scalar(db.select(Consultation).where(Consultation.title == OPEN_TITLE))
    source = _units(_seed_notice_body())
    if consultation is None or len(consultation.units) >= len(source):
        return
    stored = {row.key: row for row in consultation.units}
    if not stored.keys() <= {row.key for row in source}:
        return  # not the demo's cut draft: leave it alone
    for row in source:
        if row.key in stored:
            stored[row.key].text, stored[row.key].position = row.text, row.position
        else:
            consultation.units.append(row)
    yield "consultation (open): draft completed"


def _load_awaiting(department: Department, moderator: User, people: dict) -> Iterator[str]:
    """The closed consultation whose comments are moderated and answered, its feedback drafted, not published:
    "publish feedback" is left for the demo's user to try."""
    consultation = _closed(AWAITING_TITLE, "elevator-measures.txt", department, days=(-33, -3), people=people)
    consultation.intro = "为规范既有住宅加装电梯工作，区政府办公室起草了本办法（征求意见稿），现公开征求意见。"
    consultation.explanation = "本办法明确加装电梯的表决、审查、资金分摊和使用管理，回应居民上下楼难的诉求。"
    count = _add_comments(consultation, "elevator-comments.tsv", 20260903, people)
    demo_handling.answer_all(consultation, moderator, people["editor"], demo_handling.AWAITING_ANSWERS)
    feedback.save_main_changes(consultation, demo_handling.AWAITING_MAIN_CHANGES, people["editor"])
    yield f"consultation (closed, feedback to publish): 既有住宅加装电梯实施办法, {count} comments answered"


def _closed(title: str, draft: str, department: Department, days: tuple[int, int], people: dict) -> Consultation:
    """A closed normative document (kept from the public while it ran) from a demo file; days from today."""
    body = _read(draft).split("\n", 1)[1]  # the first line is the title
    start = _days_from_today(days[0]) - timedelta(hours=15)
    consultation = _published(title, department, "normative_doc", start, _days_from_today(days[1]), body, people)
    consultation.comment_display = CommentDisplay.HIDDEN
    db.session.add(consultation)
    db.session.flush()
    return consultation


def _add_comments(consultation: Consultation, table: str, seed: int, people: dict) -> int:
    """The demo table's comments, received on days spread over the period (the same every time)."""
    rng = random.Random(seed)  # noqa: S311 - spreads demo dates, the same every time; not security
    comments = _demo_comments(table)
    days = max((consultation.end_at - consultation.start_at).days - 1, 0)
    for index, (name, kind, unit_key, channel, content) in enumerate(comments):
        received = consultation.start_at + timedelta(
            days=rng.randint(0, days), hours=rng.randint(0, 12), minutes=rng.randint(0, 59)
        )
        comment = Comment(
            consultation_id=consultation.id,
            unit_key=unit_key,
            channel=channel,
            received_at=received,
            author_name=name,
            respondent_type=kind,
            content=content,
            publish_name=index % 3 == 0,
            privacy_notice_version="2026-01",
            receipt_number=commenting.new_receipt_number(received),
            recorded_by_id=people["editor"].id if channel is not Channel.ONLINE and people["editor"] else None,
        )
        intake.screen_and_add(comment)
    return len(comments)


def init_app(app: Flask) -> None:
    register_demo_loader(app, load)
