"""Demo of the end of the process (rule 9): the closed consultation whose feedback is published goes through
legality review, is decided, and its decided document (a Word file) and 政策解读 (with figures) are prepared by
the demo editor and published once the demo approver approved them, so the whole chain draft ↔ feedback ↔ decided
document ↔ 解读 can be followed.

Idempotent: each step only does what is still missing.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import timedelta

from consultation.decision import documents, services
from consultation.decision.models import ChartKind, InterpretationStatus
from consultation.demo.handling import MAIN_CHANGES
from consultation.drafting import uploads
from consultation.drafting.services import WorkflowError
from consultation.handling import feedback
from consultation.handling.answer_sheet import ADOPTION_WORDS
from consultation.legality import conclusion, gate
from consultation.legality.models import LegalityReview, Outcome, ReviewState
from consultation.models import Consultation, ConsultationStatus
from core.db import utcnow
from core.extensions import db
from core.models import User

DOCUMENT_NUMBER = "东政办发〔2026〕15号"
NOTE = f"经区政府第24次常务会议审议通过，以{DOCUMENT_NUMBER}印发。"
INTERPRETATION = {
    "background": (
        "近年来，电动自行车已成为群众日常出行的重要交通工具，本区登记的电动自行车逐年增加。"
        "与此同时，住宅小区集中停放充电设施不足，楼道停放、飞线充电、电动自行车进入电梯等问题突出，"
        "火灾隐患大。为从源头上减少火灾事故，区政府办公室起草了本办法，并公开征求了社会公众意见。"
    ),
    "goals": (
        "- 新建住宅小区同步建成集中停放和智能充电设施；\n"
        "- 既有住宅小区在一年过渡期内逐步增设充电设施；\n"
        "- 楼道、安全出口、电梯轿厢内不再停放电动自行车，室内不再为电池充电。"
    ),
    "key_measures": (
        "## 设施建设\n\n新建小区按不低于机动车停车位总数百分之二十的比例配建充电设施，并与主体工程同步验收；"
        "无物业的既有小区由社区居委会牵头组织增设。\n\n"
        "## 安全管理\n\n禁止电动自行车进入电梯轿厢，禁止在室内为拆卸的电池充电；物业服务企业每日巡查，"
        "街道办事处接报后二十四小时内处置。"
    ),
}


def _decided_text(consultation: Consultation) -> list[str]:
    """The adopted text: the draft with the changes the feedback promised (main changes 一 to 五)."""
    text = "\n".join(f"{unit.number} {unit.text}".strip() for unit in consultation.units if unit.text)
    text = text.replace("百分之十五", "百分之二十").replace("同步规划建设", "同步规划建设并同步验收")
    text = text.replace(
        "禁止私拉电线和插座为电动自行车充电。",
        "禁止私拉电线和插座为电动自行车充电。禁止电动自行车进入电梯轿厢，禁止在室内为拆卸的电池充电。",
    )
    return re.sub(
        r"自\d{4}年\d{1,2}月\d{1,2}日起施行", "自公布之日起三十日后施行，既有住宅小区给予一年过渡期", text
    ).splitlines()


def _document_file(consultation: Consultation, title: str) -> uploads.StoredFile:
    from docx import Document  # here: only the demo writes a Word file

    document = Document()
    document.add_heading(title, level=1)
    document.add_paragraph(DOCUMENT_NUMBER)
    for line in _decided_text(consultation):
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return uploads.store(buffer.getvalue(), f"{title.strip('《》')}.docx")


def _pass_legality_review(consultation: Consultation, editor: User, reviewer: User | None) -> Iterator[str]:
    review = gate.review_of(consultation)
    if review is None:
        try:
            gate.submit(consultation, editor)
        except WorkflowError:
            # The gate asks more than the demo records (procedures, hearings): record the review as the bureau did.
            db.session.add(LegalityReview(consultation_id=consultation.id, state=ReviewState.SUBMITTED,
                                          status_before=consultation.status, submitted_by_id=editor.id))  # fmt: skip
            consultation.status = ConsultationStatus.SUBMITTED_FOR_REVIEW
        db.session.flush()
        review = gate.review_of(consultation)
    if review is not None and review.state is not ReviewState.PASSED and reviewer is not None:
        if review.state is ReviewState.SUBMITTED:
            gate.mark_received(consultation, reviewer)
        gate.mark_passed(consultation, reviewer, "经审查，未发现合法性问题。")
        yield "consultation (closed): legality review passed"


def _figures(consultation: Consultation) -> list[dict]:
    stats = feedback.statistics(consultation)
    return [
        {"title": "新建住宅小区充电设施配建比例", "unit": "%", "series": ["征求意见稿", "正式文件"],
         "rows": [["占机动车停车位总数", [15, 20]]], "kind": ChartKind.BARS, "note": "本办法第四条"},
        {"title": "公众意见采纳情况", "unit": "条", "series": ["意见数"], "kind": ChartKind.BARS,
         "rows": [[word, [stats.by_adoption.get(key, 0)]] for key, word in ADOPTION_WORDS.items()],
         "note": "结果反馈公布的有效意见"},
    ]  # fmt: skip


def _publish_document(consultation: Consultation, editor: User, approver: User, title: str) -> Iterator[str]:
    """The editor prepares and submits the decided document (a Word file); the demo approver approves it."""
    prepared = documents.prepared_of(consultation)
    if prepared is None:
        stored = _document_file(consultation, title)
        prepared = documents.prepare(consultation, editor, documents.DocumentInput(title, DOCUMENT_NUMBER, "", stored))
    if prepared.status.is_editable:
        documents.submit(prepared, editor)
    documents.approve(prepared, approver, "与印发文本一致，同意发布。")
    yield "consultation (closed): decided document published"


def carry_through(consultation: Consultation, people: dict, reviewer: User | None) -> Iterator[str]:
    """Legality review, decision, decided document and 解读 for the demo consultation whose feedback is out."""
    editor, approver = people["editor"], people["approver"]
    if editor is None or approver is None or consultation.status is ConsultationStatus.SCHEDULED:
        return
    if services.decided_conclusion(consultation) is None:
        yield from _pass_legality_review(consultation, editor, reviewer)
        if gate.review_of(consultation) is None or gate.review_of(consultation).state is not ReviewState.PASSED:
            return
        conclusion.conclude(consultation, Outcome.DECIDED, NOTE, "", approver, now=utcnow() - timedelta(days=3))
        yield "consultation (closed): decided"
    title = consultation.title.replace("（征求意见稿）", "")
    if services.document_of(consultation) is None:
        yield from _publish_document(consultation, editor, approver, title)
    interpretation = services.interpretation_of(consultation)
    if interpretation is None:
        parts = {
            "title": f"{title}政策解读",
            **INTERPRETATION,
            "changes": "根据公众意见，主要作了以下修改：\n\n" + MAIN_CHANGES,
        }
        interpretation = services.save_interpretation(consultation, editor, parts)
        for values in _figures(consultation):
            services.save_figure(interpretation, editor, values)
    if interpretation.status.is_editable:
        services.submit(interpretation, editor)
    if interpretation.status is InterpretationStatus.IN_REVIEW:
        services.approve(interpretation, approver, "内容准确，同意发布。")
        yield "consultation (closed): 政策解读 published"
