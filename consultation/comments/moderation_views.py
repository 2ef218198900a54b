"""The moderation queue (moderators only): filter, read the marked text, act on a selection in one POST."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from consultation import blueprints, labels
from consultation.comments import duplicates, moderation
from consultation.comments.highlight import highlight
from consultation.drafting.services import WorkflowError
from consultation.handling.forms import ModerationForm
from consultation.models import Comment, Consultation, ModerationStatus, Validity
from core.extensions import db
from core.forms import ConfirmForm
from core.models import Role
from core.pagination import paginate
from core.routing import Routes
from core.words import current_word_lists

bp = Routes(blueprints.manage, "/moderation", Role.MODERATOR)
# Moderation is the portal office's job; editors and admins do not moderate unless they also hold the role.

PER_PAGE = 50


def _queue_url(filters: moderation.QueueFilter, **extra: Any) -> str:
    args = {key: value for key, value in filters.as_args().items() if value}
    return url_for("consultation_manage.queue", **args, **extra)


@bp.route("/")
def queue() -> str:
    filters = moderation.QueueFilter.from_args(request.args.to_dict())
    page = paginate(moderation.queue_query(filters), per_page=PER_PAGE)
    comments: list[Comment] = page.items
    sizes: dict[int, int] = {}
    for consultation_id in {c.consultation_id for c in comments}:
        sizes |= duplicates.cluster_sizes(
            consultation_id, [c.cluster_id for c in comments if c.consultation_id == consultation_id and c.cluster_id]
        )
    consultations = moderation.consultations_with_comments()
    current = db.session.get(Consultation, filters.consultation_id) if filters.consultation_id else None
    return render_template(
        "consultation_manage/moderation.html",
        page=page,
        comments=comments,
        marked={comment.id: highlight(comment.content) for comment in comments},
        unit_labels={c.consultation_id: {r.key: r.label for r in c.consultation.units} for c in comments},
        sizes=sizes,
        filters=filters,
        consultations=consultations,
        current=current,
        flag_choices=_flag_choices(),
        form=ModerationForm(),
        confirm=ConfirmForm(),
        statuses=list(ModerationStatus),
        Validity=Validity,
    )


def _flag_choices() -> list[tuple[str, str]]:
    flags = ["personal_data", "link", "contact", "exact_duplicate", "near_duplicate", "burst"]
    flags += [f"sensitive:{category}" for category in current_word_lists()]
    return [("attention", _("Any flag")), ("clean", _("No flag"))] + [(f, labels.flag_label(f)) for f in flags]


def _selected(form: ModerationForm, filters: moderation.QueueFilter) -> list[Comment]:
    if form.all_matching.data:
        return moderation.matching_comments(filters)
    return moderation.comments_by_id(form.comment.data or [])


@bp.route("/act", methods=["POST"])
def act() -> Any:
    filters = moderation.QueueFilter.from_args(request.form.to_dict())
    form = ModerationForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(str(error) for error in errors), "error")
        return redirect(_queue_url(filters))
    comments = _selected(form, filters)
    action = form.action.data
    confirmed = set(form.confirmed.data or [])
    try:
        if action == "approve":
            count = moderation.approve(comments, current_user, confirmed=confirmed)
        elif action == "reject":
            count = moderation.reject(comments, form.rejection_reason, current_user)
        elif action.startswith("validity:"):
            validity = Validity(action.partition(":")[2])
            count = moderation.mark_validity(comments, validity, current_user, confirmed=confirmed)
        elif action == "merge":
            moderation.merge(comments, current_user)
            count = len(comments)
        else:
            count = moderation.split_off(comments, current_user)
    except moderation.ConfirmationNeeded as needed:
        db.session.rollback()
        return _confirmation_page(comments, needed.culprits, action, filters)
    except WorkflowError as error:
        db.session.rollback()
        culprits = error.culprits if isinstance(error, moderation.BatchRefused) else []
        for code in error.problems:
            message = labels.problem_message(code)
            if culprits:
                receipts = ", ".join(comment.receipt_number for comment in culprits)
                message = _("%(problem)s Caused by: %(receipts)s", problem=message, receipts=receipts)
            flash(message, "error")
        return redirect(_queue_url(filters))
    db.session.commit()
    flash(ngettext("Done for %(num)d comment.", "Done for %(num)d comments.", count), "success")
    return redirect(_queue_url(filters))


def _confirmation_page(
    batch: list[Comment], flagged: list[Comment], action: str, filters: moderation.QueueFilter
) -> str:
    """The step before approving a batch that holds flagged comments: each one named and shown, then a choice
    (approve them too, or only the others) posted as plain forms, so it works without JavaScript."""
    flagged_ids = {comment.id for comment in flagged}
    return render_template(
        "consultation_manage/moderation_confirm.html",
        batch=batch,
        flagged=flagged,
        others=[comment for comment in batch if comment.id not in flagged_ids],
        marked={comment.id: highlight(comment.content) for comment in flagged},
        action=action,
        filters=filters,
        form=ModerationForm(formdata=None),
    )


@bp.route("/recheck/<int:consultation_id>", methods=["POST"])
def recheck(consultation_id: int) -> Any:
    consultation = db.get_or_404(Consultation, consultation_id)
    ConfirmForm().validate_on_submit()
    moved = moderation.recheck_duplicates(consultation, current_user)
    db.session.commit()
    flash(
        ngettext(
            "Duplicates checked again: %(num)d comment joined a cluster.",
            "Duplicates checked again: %(num)d comments joined a cluster.",
            moved,
        ),
        "success",
    )
    return redirect(
        url_for("consultation_manage.queue", consultation=consultation_id, state="all", cluster="clustered")
    )
