"""Public consultation on draft policies (公开征求意见): the record, the draft, comments, rounds."""

from __future__ import annotations

from flask import Flask

# Defaults for this package's settings; instance/config.py or FLASK_* variables override them.
DEFAULTS = {
    # Residents must give a name or organisation (docs/rules.md §4.2: required by default, configurable).
    "CONSULTATION_NAME_REQUIRED": True,
    # Longest comment accepted, in characters.
    "CONSULTATION_COMMENT_MAX_LENGTH": 5000,
    # Largest attachment to a comment or a notice.
    "CONSULTATION_ATTACHMENT_MAX_BYTES": 10 * 1024 * 1024,
    # Comment and receipt-lookup submissions from one address.
    "CONSULTATION_COMMENT_RATE_LIMIT": "20 per minute",
    # Version of the privacy notice residents acknowledge; stored with each comment.
    "CONSULTATION_PRIVACY_NOTICE_VERSION": "2026-01",
    # Burst screening: more than this many online comments from one address within the window are flagged.
    "CONSULTATION_BURST_LIMIT": 5,
    "CONSULTATION_BURST_WINDOW_SECONDS": 600,
    # 相对集中意见 (docs/rules.md §5): a unit or cluster with at least this many submitters...
    "CONSULTATION_CONCENTRATED_SUBMITTERS": 3,
    # ...or at least this share of the valid comments (counted only with two or more submitters).
    "CONSULTATION_CONCENTRATED_SHARE": 0.10,
    # Every non-adopted answer needs a reason (docs/rules.md §5 require_reason_for_unadopted: always);
    # with False only concentrated opinions do.
    "CONSULTATION_REASON_REQUIRED_UNLESS_ADOPTED": True,
    # A reason for an answer other than 采纳 needs at least this many letters or digits once punctuation and the
    # answer words (不予采纳, 未采纳 …) are taken out: "。" or "不采纳。" is no reason (rules.md §2 hard rule 5).
    "CONSULTATION_REASON_MIN_CHARS": 4,
    # Feedback is due this many working days after the consultation closed.
    "CONSULTATION_FEEDBACK_DUE_WORKING_DAYS": 20,
    # Commenters' phone and e-mail are deleted this many months after the feedback is published (the privacy
    # notice says so; docs/rules.md §5); `flask consultation purge-contacts` does it, daily from a timer.
    "CONSULTATION_CONTACT_RETENTION_MONTHS": 6,
    # `flask consultation archive` retires consultations whose feedback has been public this long (they stay
    # reachable by link, listed among the closed ones, marked as archived).
    "CONSULTATION_ARCHIVE_AFTER_DAYS": 365,
    # The decided document and its 政策解读 are due this many working days after the decision (rule 9).
    "CONSULTATION_DECISION_DUE_WORKING_DAYS": 20,
    # A hearing (听证会) is recorded only if it was announced to the public at least this many calendar days before
    # it was held (docs/rules.md §1.1 第十七条); raise it where the province asks more (10, 15 days).
    "CONSULTATION_HEARING_NOTICE_DAYS": 7,
}


def init_app(app: Flask) -> None:
    """Settings, the template filter, home and dashboard sections, staff link, demo data and CLI."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)

    from consultation import blueprints, cli, decision, demo, duties, inspection, labels, portal, sealing
    from consultation.drafting.rendering import render_markdown
    from consultation.opendata import interpretations, search
    from consultation.summary import data as summary_data
    from core import verification

    blueprints.register(app)
    app.jinja_env.filters["markdown"] = render_markdown
    # A global, so macros imported without context can name statuses, phases and types too.
    app.jinja_env.globals["consultation_labels"] = labels
    portal.init_app(app)
    sealing.init_app(app)  # what is sealed when approved, verified before it is served (core/integrity)
    inspection.init_app(app)  # its findings on /admin/inspection
    decision.init_app(app)
    search.init_app(app)
    interpretations.init_app(app)
    demo.init_app(app)
    cli.init_app(app)
    duties.init_app(app)  # run by the worker (core/tasks_schedule.py), listed on /admin/schedule
    # /verify tells whether the comments or answers behind an issued summary changed since it was issued.
    verification.register_fingerprint(summary_data.KIND, summary_data.source_fingerprint)
    verification.register_describer(summary_data.KIND, summary_data.describe)
