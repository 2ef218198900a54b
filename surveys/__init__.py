"""Questionnaires (调查问卷): building, review, answering on a phone, save and resume, one response per person.

`init_app` adds what the package contributes to shared pages and commands; its blueprints are registered in
app.py with the others. Importing the package itself loads nothing, so surveys.taking.conditions stays usable alone.
"""

from __future__ import annotations

from typing import Any


def init_app(app: Any) -> None:
    """Home and dashboard sections, the staff link, the short-link routes, the CLI group and the demo data."""
    from flask_babel import lazy_gettext as _l

    from core.demo import register_demo_loader
    from core.models import Role
    from core.portal import Section, StaffLink, register_section, register_staff_link
    from surveys import blueprints, cli, demo, duties, inspection, portal, sealing
    from surveys.builder import views as manage
    from surveys.opendata import search
    from surveys.permissions import public_results_available
    from surveys.results import views as results_views
    from surveys.taking import answers, views
    from surveys.transfer import export_jobs as transfer_jobs

    # Globals, not context: the question macros are imported without context.
    app.jinja_env.globals.update(
        survey_options=answers.display_options,
        survey_scale_range=answers.scale_range,
        survey_matrix_rows=answers.matrix_rows,
        survey_rank_of=answers.rank_of,
        survey_repeats=answers.repeats,
        survey_text=answers.shown_text,  # members, shown_instances, field_name of a repeat group
    )
    blueprints.register(app)
    app.jinja_env.globals["survey_results_public"] = public_results_available
    register_staff_link(app, StaffLink("surveys_manage.index", _l("Surveys"), (Role.EDITOR, Role.APPROVER), order=200))
    register_section(app, "home", Section("surveys", "surveys/_home_section.html", views.open_surveys_section, 200))
    register_section(
        app, "dashboard", Section("surveys", "surveys_manage/_dashboard_section.html", manage.dashboard_section, 200)
    )
    register_section(
        app,
        "consultation_extras",
        Section("surveys", "surveys/_consultation_section.html", results_views.consultation_section, 200),
    )
    portal.init_app(app)  # the 问卷调查 column and the site map
    register_demo_loader(app, demo.load)
    sealing.init_app(app)  # the survey text is sealed when approved, verified before it is served (core/integrity)
    inspection.init_app(app)  # its findings on /admin/inspection
    search.init_app(app)
    app.cli.add_command(cli.group)
    duties.init_app(app)  # run by the worker (core/tasks_schedule.py), listed on /admin/schedule
    transfer_jobs.init_app(app)  # large response exports built by the worker (core/tasks_jobs.py)
