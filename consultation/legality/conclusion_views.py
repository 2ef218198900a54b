"""Staff action: the drafting department records how a consultation ended (decided, withdrawn, superseded)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consultation import blueprints, labels
from consultation.drafting.services import WorkflowError
from consultation.legality import conclusion
from consultation.legality.forms import ConclusionForm
from consultation.legality.models import Outcome
from consultation.models import Consultation
from consultation.permissions import can_record_outcome, require
from core.extensions import db
from core.models import Role
from core.routing import Routes

bp = Routes(blueprints.manage, "/consultations", Role.EDITOR, Role.APPROVER)


@bp.route("/<int:consultation_id>/conclude", methods=["GET", "POST"])
def conclude(consultation_id: int) -> Any:
    consultation = db.get_or_404(Consultation, consultation_id)
    require(can_record_outcome(current_user, consultation))
    form = ConclusionForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            outcome = Outcome(form.outcome.data)
            conclusion.conclude(consultation, outcome, form.note.data or "", form.document_url.data or "", current_user)
        except WorkflowError as error:
            db.session.rollback()
            problems = [labels.problem_message(code) for code in error.problems]
        else:
            db.session.commit()
            flash(_("The outcome is recorded and shown on the public page."), "success")
            if outcome is Outcome.DECIDED:  # rule 9: the decided document and its 解读 are due next
                return redirect(url_for("consultation_manage.overview", consultation_id=consultation.id))
            return redirect(url_for("consultation_manage.detail", consultation_id=consultation.id))
    # A refused form comes back as a normal page, with everything typed and every reason.
    return render_template(
        "consultation_manage/conclude.html",
        consultation=consultation,
        form=form,
        problems=problems,
        recorded=conclusion.conclusion_of(consultation),
        may_conclude=conclusion.may_conclude(consultation),
    )
