"""The drafting department's answers: every valid comment or cluster gets 采纳 / 部分采纳 / 未采纳 / 不属于征求范围.

A reason is required unless the comment was adopted (CONSULTATION_REASON_REQUIRED_UNLESS_ADOPTED; when that is
switched off, still for 相对集中意见). Answers are written on each comment, so a cluster answered once gives
every member the same answer and the statistics count comments. Reusable templates belong to a department.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import func

from consultation.drafting.services import WorkflowError
from consultation.handling.models import AnswerTemplate
from consultation.models import Adoption, Comment, Consultation, ConsultationStatus, Validity
from core import audit
from core.db import utcnow
from core.extensions import db
from core.models import Department, User


@dataclass(frozen=True)
class AnswerInput:
    adoption: Adoption
    reason: str = ""
    change: str = ""


@dataclass
class Concentration:
    """A 相对集中意见: the valid comments on one unit, or in one cluster, from enough submitters."""

    kind: str  # "unit" or "cluster"
    key: str  # the unit key, or the cluster id
    comment_ids: list[int]
    submitters: int


@dataclass
class AnswerRow:
    """One line of the answers page: a cluster (its first valid comment stands for it) or a single comment."""

    comment: Comment
    member_ids: list[int]
    concentrated: bool
    adoptions: set[Adoption | None] = field(default_factory=set)

    @property
    def size(self) -> int:
        return len(self.member_ids)

    @property
    def is_cluster(self) -> bool:
        return self.size > 1

    @property
    def answered(self) -> bool:
        return None not in self.adoptions

    @property
    def uniform_adoption(self) -> Adoption | None:
        return next(iter(self.adoptions)) if len(self.adoptions) == 1 else None


def valid_comments(consultation: Consultation) -> list[Comment]:
    return list(
        db.session.scalars(
            db.select(Comment)
            .where(Comment.consultation_id == consultation.id, Comment.validity == Validity.VALID)
            .order_by(Comment.received_at, Comment.id)
        )
    )


def submitter_key(comment: Comment) -> str:
    """Who sent it, for counting submitters: the name as given; each unnamed comment counts as its own."""
    return comment.author_name.strip() or f"#{comment.id}"


def concentrated_groups(consultation: Consultation, comments: Sequence[Comment] | None = None) -> list[Concentration]:
    """The 相对集中意见 among the valid comments, by unit (whole-draft comments are not one unit) and by cluster."""
    comments = valid_comments(consultation) if comments is None else comments
    config = current_app.config
    minimum = int(config["CONSULTATION_CONCENTRATED_SUBMITTERS"])
    share = float(config["CONSULTATION_CONCENTRATED_SHARE"])
    groups: dict[tuple[str, str], list[Comment]] = defaultdict(list)
    for comment in comments:
        if comment.unit_key:
            groups[("unit", comment.unit_key)].append(comment)
        if comment.cluster_id is not None:
            groups[("cluster", str(comment.cluster_id))].append(comment)
    found = []
    for (kind, key), members in groups.items():
        submitters = len({submitter_key(comment) for comment in members})
        # The share rule needs two submitters at least, or in a small consultation every comment is "concentrated".
        if submitters >= minimum or (submitters >= 2 and len(members) >= share * len(comments)):
            found.append(Concentration(kind, key, [comment.id for comment in members], submitters))
    return found


def concentrated_ids(consultation: Consultation, comments: Sequence[Comment] | None = None) -> set[int]:
    return {comment_id for group in concentrated_groups(consultation, comments) for comment_id in group.comment_ids}


def _reason_required(data: AnswerInput, concentrated: bool) -> str | None:
    if data.adoption is Adoption.ADOPTED or data.reason.strip():
        return None
    if current_app.config["CONSULTATION_REASON_REQUIRED_UNLESS_ADOPTED"]:
        return "reason_required_unless_adopted"
    return "concentrated_reason_required" if concentrated else None


def check_answerable(consultation: Consultation) -> None:
    if consultation.status is not ConsultationStatus.SCHEDULED:
        raise WorkflowError(["feedback_published" if consultation.status.is_published else "consultation_unpublished"])


def answer_problems(comments: Sequence[Comment], data: AnswerInput, concentrated: set[int]) -> list[str]:
    """Why these comments cannot get this answer (empty when they can)."""
    problems = []
    if not comments:
        problems.append("nothing_selected")
    if any(comment.validity is not Validity.VALID for comment in comments):
        problems.append("answer_not_valid")
    missing = _reason_required(data, any(comment.id in concentrated for comment in comments))
    if missing:
        problems.append(missing)
    return problems


def set_answer(comment: Comment, data: AnswerInput, editor: User, now: datetime) -> None:
    comment.adoption = data.adoption
    comment.answer_reason = data.reason.strip()
    comment.answer_change = data.change.strip()
    comment.answered_by_id = editor.id
    comment.answered_at = now


def answer(
    consultation: Consultation,
    comments: Sequence[Comment],
    data: AnswerInput,
    editor: User,
    *,
    how: str = "single",
    now: datetime | None = None,
) -> int:
    """Give `comments` (all of `consultation`) the same answer; `how` names the way for the audit log."""
    check_answerable(consultation)
    if any(comment.consultation_id != consultation.id for comment in comments):
        raise WorkflowError(["nothing_selected"])
    problems = answer_problems(comments, data, concentrated_ids(consultation))
    if problems:
        raise WorkflowError(problems)
    now = now or utcnow()
    for comment in comments:
        set_answer(comment, data, editor, now)
    audit.record(
        "consultation.answer",
        consultation,
        detail={
            "how": how,
            "receipts": [comment.receipt_number for comment in comments],
            "adoption": data.adoption.value,
            "reason": data.reason.strip(),
            "change": data.change.strip(),
        },
        actor=editor,
    )
    return len(comments)


def cluster_members(consultation: Consultation, cluster_id: int) -> list[Comment]:
    """The valid comments of one cluster."""
    return list(
        db.session.scalars(
            db.select(Comment)
            .where(
                Comment.consultation_id == consultation.id,
                Comment.cluster_id == cluster_id,
                Comment.validity == Validity.VALID,
            )
            .order_by(Comment.id)
        )
    )


def selection(consultation: Consultation, comment_ids: Iterable[int], cluster_ids: Iterable[int]) -> list[Comment]:
    """The valid comments picked one by one, plus every valid member of the picked clusters."""
    comment_ids, cluster_ids = list(comment_ids), list(cluster_ids)
    if not comment_ids and not cluster_ids:
        return []
    return list(
        db.session.scalars(
            db.select(Comment)
            .where(
                Comment.consultation_id == consultation.id,
                Comment.validity == Validity.VALID,
                Comment.id.in_(comment_ids) | Comment.cluster_id.in_(cluster_ids),
            )
            .order_by(Comment.id)
        )
    )


def answer_rows(consultation: Consultation) -> list[AnswerRow]:
    """The valid comments as the answers page lists them: a cluster is one row."""
    comments = valid_comments(consultation)
    concentrated = concentrated_ids(consultation, comments)
    rows: list[AnswerRow] = []
    by_cluster: dict[int, AnswerRow] = {}
    for comment in comments:
        row = by_cluster.get(comment.cluster_id) if comment.cluster_id is not None else None
        if row is None:
            row = AnswerRow(comment=comment, member_ids=[], concentrated=False)
            rows.append(row)
            if comment.cluster_id is not None:
                by_cluster[comment.cluster_id] = row
        row.member_ids.append(comment.id)
        row.adoptions.add(comment.adoption)
        row.concentrated = row.concentrated or comment.id in concentrated
    return rows


def unanswered_count(consultation: Consultation) -> int:
    return (
        db.session.scalar(
            db.select(func.count(Comment.id)).where(
                Comment.consultation_id == consultation.id,
                Comment.validity == Validity.VALID,
                Comment.adoption.is_(None),
            )
        )
        or 0
    )


# ------------------------------------------------------------------------------------------------ templates


def templates_for(department_ids: Iterable[int]) -> list[AnswerTemplate]:
    return list(
        db.session.scalars(
            db.select(AnswerTemplate)
            .where(AnswerTemplate.department_id.in_(list(department_ids)))
            .order_by(AnswerTemplate.department_id, AnswerTemplate.title)
        )
    )


def create_template(department: Department, title: str, data: AnswerInput, editor: User) -> AnswerTemplate:
    problem = _reason_required(data, concentrated=True)
    if problem:
        raise WorkflowError([problem])
    template = AnswerTemplate(
        department_id=department.id,
        title=title.strip(),
        adoption=data.adoption,
        reason=data.reason.strip(),
        change=data.change.strip(),
        created_by_id=editor.id,
    )
    db.session.add(template)
    audit.record("consultation.answer_template_create", template, detail={"title": template.title}, actor=editor)
    return template


def delete_template(template: AnswerTemplate, editor: User) -> None:
    audit.record("consultation.answer_template_delete", template, detail={"title": template.title}, actor=editor)
    db.session.delete(template)
