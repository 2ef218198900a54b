"""The drafting department's answers: every valid comment or cluster gets 采纳 / 部分采纳 / 未采纳 / 不属于征求范围.

A reason is required unless the comment was adopted (CONSULTATION_REASON_REQUIRED_UNLESS_ADOPTED; when that is
switched off, still for 相对集中意见). Answers are written on each comment, so a cluster answered once gives
every member the same answer and the statistics count comments. Reusable templates belong to a department.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import func

from consultation.drafting.services import WorkflowError
from consultation.handling import addenda
from consultation.handling.models import AnswerTemplate, ReasonCategory
from consultation.handling.participation_labels import REASON_CATEGORY_LABELS, STANDARD_REASONS
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


# Words that repeat the answer instead of giving a reason (rules.md §2 hard rule 5): "不予采纳。" says nothing.
_ANSWER_WORDS = re.compile(
    "不属于(?:本次)?征求(?:意见)?范围|部分采纳|不予采纳|暂不采纳|未予采纳|未采纳|不采纳|已采纳|采纳|不同意|同意|理由|无|略"
)


def real_characters(reason: str) -> int:
    """Letters and digits a reason has once the answer words are taken out: punctuation and spaces count nothing."""
    text = _ANSWER_WORDS.sub("", reason)
    return sum(1 for char in text if unicodedata.category(char)[0] in "LN")


def _reason_required(data: AnswerInput, concentrated: bool) -> str | None:
    if data.adoption is Adoption.ADOPTED:
        return None
    if data.reason.strip():
        # A reason given must say something (rules.md §2 hard rule 5): a minimum of real characters.
        minimum = int(current_app.config["CONSULTATION_REASON_MIN_CHARS"])
        return f"reason_too_short:{minimum}" if real_characters(data.reason) < minimum else None
    if current_app.config["CONSULTATION_REASON_REQUIRED_UNLESS_ADOPTED"]:
        return "reason_required_unless_adopted"
    return "concentrated_reason_required" if concentrated else None


def check_answerable(consultation: Consultation, comments: Sequence[Comment] = ()) -> None:
    """Answers change until the feedback is published; after it, only late letters an addendum will answer."""
    if consultation.status is ConsultationStatus.SCHEDULED:
        return
    if comments and addenda.is_open_late(consultation, list(comments)):
        return
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
    if any(comment.consultation_id != consultation.id for comment in comments):
        raise WorkflowError(["nothing_selected"])
    check_answerable(consultation, comments)
    now = now or utcnow()
    if consultation.status is not ConsultationStatus.SCHEDULED:
        addenda.accept_late(list(comments), editor, now)  # a late letter: answering it accepts it
    problems = answer_problems(comments, data, concentrated_ids(consultation))
    if problems:
        raise WorkflowError(problems)
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


@dataclass
class TemplateGroup:
    """The templates of one kind of reason, or a standard reason when the department has none of that kind."""

    category: ReasonCategory
    templates: list[AnswerTemplate]
    standard: str

    @property
    def category_label(self) -> str:
        return str(REASON_CATEGORY_LABELS[self.category])


def templates_by_category(department_ids: Iterable[int]) -> list[TemplateGroup]:
    """The template library by kind of reason (rules.md §2 hard rule 5): a reason is chosen by what it says."""
    by_category: dict[ReasonCategory, list[AnswerTemplate]] = defaultdict(list)
    for template in templates_for(department_ids):
        by_category[template.category].append(template)
    groups = []
    for category in ReasonCategory:
        standard = "" if by_category.get(category) else STANDARD_REASONS.get(category, "")
        if by_category.get(category) or standard:
            groups.append(TemplateGroup(category, by_category.get(category, []), standard))
    return groups


def create_template(
    department: Department,
    title: str,
    data: AnswerInput,
    editor: User,
    category: ReasonCategory = ReasonCategory.OTHER,
) -> AnswerTemplate:
    problem = _reason_required(data, concentrated=True)
    if problem:
        raise WorkflowError([problem])
    template = AnswerTemplate(
        department_id=department.id,
        title=title.strip(),
        adoption=data.adoption,
        category=category,
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
