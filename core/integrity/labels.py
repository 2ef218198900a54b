"""What each integrity problem is called on screen."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

PROBLEMS = {
    "changed": _l("changed outside the approval workflow"),
    "unsealed": _l("published without a seal"),
    "forged": _l("seal not written by the application"),
    "chain_gap": _l("ledger entry removed or reordered"),
    "chain_edited": _l("ledger entry edited"),
    "chain_truncated": _l("ledger entries removed from its end"),
    "file_changed": _l("file changed since it was released or published"),
    "file_added": _l("file added since the release"),
    "file_missing": _l("file removed since the release"),
    "manifest": _l("release manifest changed"),
    "gone": _l("taken off the site outside the workflow"),
    "spam": _l("spam vocabulary"),
    "link": _l("link to a domain not on the allow-list"),
}


def problem_label(problem: str) -> str:
    return str(PROBLEMS.get(problem, problem))
