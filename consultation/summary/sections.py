"""The sections of the 征求意见情况说明 that real ones carry besides the counts and the table: purpose and legal
basis, the statutory procedures performed, targeted consultation and other participation (meetings, surveys,
telephone and 12345 hotline calls), the opinions not adopted with their reasons, and follow-up and closing.
Text is Chinese whatever the reader's UI language: it is a document of the office.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from consultation.drafting import periods
from consultation.handling import procedures
from consultation.handling.participation import ParticipationForm, PartyKind, Procedure, ProcedureState
from consultation.models import Adoption, Channel, Comment, Consultation, ConsultationStatus, Validity
from core.documents import chinese_date
from core.extensions import db
from core.links import site_url
from core.portal import sections_for
from core.screening import mask_personal_data

PROCEDURE_WORDS = {
    Procedure.PUBLIC_PARTICIPATION: "公众参与（公开征求意见）",
    Procedure.EXPERT_REVIEW: "专家论证",
    Procedure.RISK_ASSESSMENT: "风险评估",
    Procedure.HEARING: "听证",
    Procedure.FAIR_COMPETITION: "公平竞争审查",
    Procedure.LEGALITY_REVIEW: "合法性审查",
    Procedure.COLLECTIVE_DECISION: "集体讨论决定",
}
FORM_WORDS = {
    ParticipationForm.WRITTEN: "书面征求意见",
    ParticipationForm.FORUM: "座谈会",
    ParticipationForm.HEARING: "听证会",
    ParticipationForm.EXPERT_MEETING: "论证会",
    ParticipationForm.VISIT: "实地走访",
}
PARTY_WORDS = {
    PartyKind.DEPARTMENT: "有关部门",
    PartyKind.ENTERPRISE: "企业",
    PartyKind.ASSOCIATION: "行业协会商会",
    PartyKind.NPC_DEPUTY: "人大代表",
    PartyKind.CPPCC_MEMBER: "政协委员",
    PartyKind.EXPERT: "专家学者",
    PartyKind.RESIDENT: "群众代表",
    PartyKind.OTHER: "其他",
}
PROCEDURE_HEADER = ("程序", "履行情况", "日期", "说明及材料")
PROCEDURE_WIDTHS = (0.22, 0.16, 0.17, 0.45)
PARTICIPATION_HEADER = ("方式", "参与对象", "时间", "地点", "人数", "主要意见及处理")
PARTICIPATION_WIDTHS = (0.12, 0.22, 0.14, 0.14, 0.08, 0.30)
NOT_ADOPTED_HEADER = ("序号", "意见内容", "条数", "未采纳理由")
NOT_ADOPTED_WIDTHS = (0.08, 0.46, 0.08, 0.38)
GIST_CHARS = 60
_END = re.compile(r"[。．.；;，,、\s]+$")


def sentence(text: str) -> str:
    """`text` ending in exactly one 。, whatever it ended with: a reason ending in 。 never gets a second."""
    text = _END.sub("", text.strip())
    return f"{text}。" if text else ""


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return chinese_date(periods.local_date(value) if isinstance(value, datetime) else value)


# ------------------------------------------------------------------------------------------------ purpose


def purpose_text(consultation: Consultation) -> str:
    """征集目的及决策依据: the 征集说明 the department wrote for the notice, as plain text."""
    text = re.sub(r"^#+\s*|[*_`>]+", "", consultation.intro or "", flags=re.MULTILINE)
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


# ------------------------------------------------------------------------------------------------ procedures


def procedure_rows(consultation: Consultation) -> list[tuple[str, str, str, str]]:
    """The procedures the document type requires, and any other one recorded, as 程序 | 情况 | 日期 | 说明."""
    rows = []
    for line in procedures.procedure_lines(consultation):
        if not line.required and line.state is None:
            continue
        if line.state is ProcedureState.DONE:
            state = "已履行"
        elif line.state is ProcedureState.NOT_REQUIRED:
            state = "无需履行"
        else:
            state = "尚未履行" if line.code in procedures.BEFORE_REVIEW else "待履行"
        announced = line.announced_on and f"于{_day(line.announced_on)}向社会公告"  # a hearing (rules.md §1.1)
        material = line.reference and f"材料：{line.reference}"
        detail = "；".join(part for part in (announced, line.note, material) if part)
        if line.state is ProcedureState.NOT_REQUIRED and line.note:
            detail = f"理由：{line.note}" + (f"；材料：{line.reference}" if line.reference else "")
        rows.append((PROCEDURE_WORDS[line.code], state, _day(line.done_on), detail))
    return rows


# ------------------------------------------------------------------------------------------------ participation


def participation_rows(consultation: Consultation) -> list[tuple[str, str, str, str, str, str]]:
    """Each targeted consultation or meeting, named: 方式 | 对象 | 时间 | 地点 | 人数 | 主要意见."""
    return [
        (
            FORM_WORDS[row.form],
            f"{PARTY_WORDS[row.party_kind]}：{row.parties}",
            _day(row.held_on) + (f"（{_day(row.announced_on)}公告）" if row.announced_on else ""),
            row.place,
            f"{row.people}人" if row.people else "",
            mask_personal_data(row.opinions),
        )
        for row in procedures.participations(consultation)
    ]


@dataclass(frozen=True)
class SurveyLine:
    title: str
    period: str
    respondents: int | None
    url: str


def linked_surveys(consultation: Consultation) -> list[SurveyLine]:
    """Questionnaires that belong to the consultation, read through the section the surveys package registers
    for the consultation's page (core.portal): this package never imports surveys."""
    lines = []
    for section in sections_for("consultation_extras"):
        data: dict[str, Any] = section.load(consultation.id) or {}
        for item in data.get("linked_surveys", []):
            survey = item["survey"]
            endpoint, values = (
                ("surveys.public_results", {"survey_id": survey.id})
                if item.get("published")
                else ("surveys.take", {"survey_id": survey.id})
            )
            period = f"{_day(survey.starts_at)}至{_day(survey.ends_at)}" if survey.starts_at and survey.ends_at else ""
            lines.append(SurveyLine(survey.title, period, item.get("respondents"), site_url(endpoint, **values)))
    return lines


def survey_rows(surveys: Iterable[SurveyLine]) -> list[tuple[str, str]]:
    rows = []
    for survey in surveys:
        result = f"收回有效问卷{survey.respondents}份" if survey.respondents is not None else "结果尚未公开"
        rows.append((f"问卷调查《{survey.title}》", f"{survey.period}；{result}"))
        rows.append(("问卷及结果地址", survey.url))
    return rows


@dataclass(frozen=True)
class Calls:
    """Telephone and 12345 hotline calls recorded as comments: how many, and the gist of each (masked)."""

    count: int
    gists: list[str]


def hotline_calls(consultation: Consultation) -> Calls:
    contents = db.session.scalars(
        db.select(Comment.content)
        .where(
            Comment.consultation_id == consultation.id,
            Comment.channel == Channel.PHONE,
            Comment.validity == Validity.VALID,
        )
        .order_by(Comment.received_at, Comment.id)
    ).all()
    gists = [_gist(mask_personal_data(content)) for content in contents]
    return Calls(len(gists), gists)


def _gist(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= GIST_CHARS else text[: GIST_CHARS - 1] + "…"


# ------------------------------------------------------------------------------------------------ not adopted


def not_adopted_rows(rows: Iterable[Any]) -> list[tuple[object, ...]]:
    """The opinions not adopted, each with its reason; a cluster (a campaign) once, with how many sent it."""
    grouped: dict[object, list[Any]] = {}
    for row in rows:
        if row.codes[2] != Adoption.NOT_ADOPTED.value:
            continue
        key = ("cluster", row.cluster) if row.cluster is not None else ("comment", row.number)
        grouped.setdefault(key, []).append(row)
    return [
        (number, members[0].content, len(members), sentence(members[0].reason))
        for number, members in enumerate(grouped.values(), start=1)
    ]


# ------------------------------------------------------------------------------------------------ closing


def next_steps(consultation: Consultation) -> str:
    """What happens next, by where the consultation stands."""
    unit = consultation.department.name
    if consultation.status is ConsultationStatus.CONCLUDED:
        return f"该文件已经集体讨论决定并正式印发，{unit}将做好宣传解读和组织实施工作。"
    if consultation.status is ConsultationStatus.SUBMITTED_FOR_REVIEW:
        return "草案已提请合法性审查，审查通过后按程序提请集体讨论决定，正式文件及其政策解读将在本网站公开。"
    return (
        f"下一步，{unit}将根据征求意见情况对草案进一步修改完善，按程序提请合法性审查和集体讨论决定，"
        f"正式文件及其政策解读将在本网站公开。"
    )


def contact_line(consultation: Consultation) -> str:
    """Whom to ask: the office contact of the notice (never a personal one)."""
    parts = [f"联系单位：{consultation.department.name}"]
    if consultation.contact_phone.strip():
        parts.append(f"联系电话：{consultation.contact_phone.strip()}")
    if consultation.contact_email.strip():
        parts.append(f"电子邮箱：{consultation.contact_email.strip()}")
    return "；".join(parts) + "。"


# ------------------------------------------------------------------------------------------------ JSON


def json_sections(consultation: Consultation) -> dict[str, Any]:
    """The same sections for the JSON export, with codes beside the Chinese words."""
    calls = hotline_calls(consultation)
    return {
        "purpose": purpose_text(consultation),
        "procedures": [
            {"code": line.code.value, "name": PROCEDURE_WORDS[line.code], "required": line.required,
             "state": line.state.value if line.state else None, "missing": line.missing,
             "date": line.done_on.isoformat() if line.done_on else None, "note": line.note,
             "reference": line.reference, "announced_on": _iso(line.announced_on)}
            for line in procedures.procedure_lines(consultation)
        ],
        "participation": [
            {"form": row.form.value, "form_label": FORM_WORDS[row.form], "party_kind": row.party_kind.value,
             "parties": row.parties, "date": row.held_on.isoformat() if row.held_on else None, "place": row.place,
             "announced_on": _iso(row.announced_on),
             "people": row.people, "opinions": mask_personal_data(row.opinions)}
            for row in procedures.participations(consultation)
        ],
        "surveys": [vars(survey) for survey in linked_surveys(consultation)],
        "hotline_calls": {"count": calls.count, "gists": calls.gists},
        "follow_up": {"next_steps": next_steps(consultation), "contact": contact_line(consultation)},
    }  # fmt: skip
