"""Public pages of the surveys: the list, answering page by page, share links and QR codes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Response, abort, current_app, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from core import integrity, metrics, page_cache
from core.extensions import db, limiter
from core.links import site_url
from core.qr import qr_png, qr_svg
from core.routing import Routes
from surveys import blueprints, portal
from surveys.builder import services
from surveys.forms import FinalPageForm
from surveys.models import Phase, ResumeDraft, ReviewStatus, Survey
from surveys.permissions import may_edit, may_review, share_url
from surveys.taking import answering, responding
from surveys.taking.steps import PageState, build_page
from surveys.taking.structure import structure_of

bp = Routes(blueprints.public, "/surveys")
# The short link lives at the site root (/s/<code>), so it is short enough for print and QR codes.
share_bp = Routes(blueprints.public)

COOKIE_MAX_AGE = 180 * 24 * 3600


def _post_rate_limit() -> str:
    return str(current_app.config["SURVEY_POST_RATE_LIMIT"])


def _public_survey(survey_id: int) -> Survey:
    """The approved survey (404 otherwise), not yet verified against its seal: see `_verified`."""
    return services.approved_survey(survey_id, verify=False) or abort(404)


def _verified(survey: Survey) -> Survey:
    """The survey once its seal holds (else the 503 page): called before anything is stored and before a page
    showing its text is rendered. A page served from the page cache was verified when it was rendered, at most
    PUBLIC_PAGE_CACHE_SECONDS ago, as the consultation pages are; a POST verifies the summary it can show."""
    integrity.require("survey", survey.id)
    return survey


@bp.route("/")
def index() -> str:
    """问卷调查: the public surveys, filtered by department, state and year (surveys.portal.listing)."""
    return render_template("surveys/index.html", **portal.listing())


def _cookie_names(survey_id: int) -> tuple[str, str]:
    return f"sv{survey_id}_d", f"sv{survey_id}_r"


@dataclass
class Tokens:
    """The browser's dedup and resume tokens, and which of them were minted just now (so are in no table)."""

    dedup: str
    resume: str
    new_dedup: bool = False
    new_resume: bool = False

    @property
    def new(self) -> bool:
        """Whether the cookies must be set."""
        return self.new_dedup or self.new_resume


def _tokens(survey_id: int) -> Tokens:
    dedup_name, resume_name = _cookie_names(survey_id)
    dedup, resume = request.cookies.get(dedup_name), request.cookies.get(resume_name)
    return Tokens(
        dedup or responding.new_token(), resume or responding.new_token(), new_dedup=not dedup, new_resume=not resume
    )


def _with_cookies(response: Response, survey_id: int, dedup: str, resume: str) -> Response:
    for name, value in zip(_cookie_names(survey_id), (dedup, resume), strict=True):
        response.set_cookie(
            name, value, max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax", secure=request.is_secure, path="/"
        )
    return response


def _not_open(survey: Survey, phase: Phase) -> str:
    if phase is Phase.CLOSED and responding.purge_if_closed(survey):
        db.session.commit()  # the lazy purge: a closed survey keeps no tokens or drafts
    return render_template("surveys/closed.html", survey=_verified(survey), phase=phase, Phase=Phase)


@dataclass
class ShowAgain:
    """A page to show again after its POST, with its errors (and the captcha's)."""

    page: PageState
    final_form: FinalPageForm


@bp.route("/<int:survey_id>", methods=["GET", "POST"])
@limiter.limit(_post_rate_limit, methods=["POST"])
def take(survey_id: int) -> Any:
    tokens = _tokens(survey_id)
    if request.method == "GET" and tokens.new_dedup and tokens.new_resume:
        # A new browser's first page (or the notice that the survey is not open) is the same for all of them but
        # their tokens: shared for a while like a blank comment form, it asks the database nothing.
        page = page_cache.cached_page(
            "survey-first-page",
            lambda: _first_page(survey_id, tokens),
            fillers={"submission_key": responding.new_token},
        )
        return _with_cookies(make_response(page), survey_id, tokens.dedup, tokens.resume)
    survey = _public_survey(survey_id)
    if request.method == "POST":
        _verified(survey)
    phase = survey.phase()
    if phase is not Phase.OPEN:
        return _not_open(survey, phase)
    # A token minted for this request cannot be in a table yet: no need to ask the database.
    record = None if tokens.new_dedup else responding.dedup_record(survey, tokens.dedup)
    if record is not None:
        # A retried final POST (same idempotency key) is thanked again; anything else is a second response.
        repeated = request.method == "POST" and responding.is_same_submission(
            record, request.form.get("submission_key", "")
        )
        response = make_response(_done_page(survey, already=not repeated))
    else:
        draft = None if tokens.new_resume else responding.load_draft(survey, tokens.resume)
        stored = draft.answers if draft else {}
        values, other = stored.get("values", {}), stored.get("other", {})
        pages = structure_of(survey)
        if request.method == "POST":
            final_form = FinalPageForm()
            answered = answering.Answered(tokens.dedup, tokens.resume, draft, values, other)
            result = answering.step(survey, pages, request.form, answered, final_form.validate_on_submit)
            db.session.commit()
            response = make_response(_after_step(survey, result, final_form, tokens))
        else:
            shown = ShowAgain(build_page(pages, draft.page_index if draft else 0, values, other, {}), FinalPageForm())
            response = make_response(_render_page(survey, shown, tokens, draft))
    return _with_cookies(response, survey_id, tokens.dedup, tokens.resume) if tokens.new else response


def _first_page(survey_id: int, tokens: Tokens) -> str:
    """A new browser's first page, blank, or the notice that the survey is not open."""
    survey = _public_survey(survey_id)
    phase = survey.phase()
    if phase is not Phase.OPEN:
        return _not_open(survey, phase)
    blank = ShowAgain(build_page(structure_of(survey), 0, {}, {}, {}), FinalPageForm())
    return _render_page(survey, blank, tokens, None)


def _render_page(survey: Survey, shown: ShowAgain, tokens: Tokens, draft: ResumeDraft | None) -> str:
    if any(question.setting("shuffle") for question in shown.page.questions):
        page_cache.keep_private()  # the options are in this respondent's own order
    if draft is not None:
        submission_key = draft.submission_key
    else:
        submission_key = (
            page_cache.hole("submission_key") if page_cache.rendering_with_holes() else responding.new_token()
        )
    return render_template(
        "surveys/take.html",
        survey=_verified(survey),
        state=shown.page,
        seed=tokens.resume,
        final_form=shown.final_form,
        submission_key=submission_key,
        share_image=site_url("surveys.qr", survey_id=survey.id, fmt="png"),
    )


def _after_step(survey: Survey, result: answering.Step, final_form: FinalPageForm, tokens: Tokens) -> Any:
    """The page a POST's step leads to, once it is committed."""
    if result.outcome is responding.Outcome.STORED:
        metrics.count_accepted("survey_response")
    if result.outcome is responding.Outcome.CLOSED:
        return render_template("surveys/closed.html", survey=survey, phase=Phase.CLOSED, Phase=Phase)
    if result.outcome is not None:
        return _done_page(survey, already=result.outcome is responding.Outcome.ALREADY_RESPONDED)
    if result.again is not None:
        draft = responding.load_draft(survey, tokens.resume)  # the step may have saved one: its key goes in the form
        return _render_page(survey, ShowAgain(result.again, final_form), tokens, draft)
    return redirect(url_for("surveys.take", survey_id=survey.id))


def _done_page(survey: Survey, *, already: bool) -> str:
    """The thanks (or "already answered") page: the same for every browser, so shared like a public page."""
    return page_cache.cached_page(
        ("survey-done", already),
        lambda: render_template("surveys/done.html", survey=_verified(survey), already=already),
        after_post=True,
    )


@bp.route("/<int:survey_id>/qr.<any(png, svg):fmt>")
def qr(survey_id: int, fmt: str) -> Response:
    survey = db.get_or_404(Survey, survey_id)
    if survey.status is not ReviewStatus.APPROVED and not (
        may_edit(current_user, survey) or may_review(current_user, survey)
    ):
        abort(404)
    url = share_url(survey)
    if fmt == "png":
        response = make_response(qr_png(url))
        response.mimetype = "image/png"
    else:
        response = make_response(str(qr_svg(url, title=survey.title)))
        response.mimetype = "image/svg+xml"
    if request.args.get("download"):
        response.headers["Content-Disposition"] = f"attachment; filename=survey-{survey.short_code}.{fmt}"
    return response


@share_bp.route("/s/<code>")
def short(code: str) -> Any:
    survey_id = db.session.scalar(db.select(Survey.id).where(Survey.short_code == code.lower()))
    if survey_id is None:
        abort(404)
    return redirect(url_for("surveys.take", survey_id=survey_id))


def open_surveys_section() -> dict[str, Any]:
    """For the home page: surveys open now."""
    surveys = db.session.scalars(db.select(Survey).where(Survey.status == ReviewStatus.APPROVED)).all()
    open_now = integrity.servable("survey", [s for s in surveys if s.phase() is Phase.OPEN])  # as approved only
    return {"open_surveys": sorted(open_now, key=lambda s: s.ends_at)}
