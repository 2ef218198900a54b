"""The inspection report as rows for the page, the CLI and the xlsx (core/exports)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO

from flask_babel import gettext as _

from core.exports import Sheet, write_xlsx
from core.inspection.checks import Finding, by_department, category_label, summary


def rows(found: Sequence[Finding]) -> list[list[str]]:
    return [[category_label(f.category), f.department, f.column, f.title, f.detail, f.fix_url] for f in found]


def header() -> list[str]:
    return [_("Category"), _("Department"), _("Column"), _("Item"), _("Finding"), _("Where to fix it")]


def _department_sheet(found: Sequence[Finding]) -> Sheet:
    categories, table = by_department(list(found))
    header_row = [_("Department"), *(label for _code, label in categories), _("Total")]
    body = [[department, *counts, total] for department, counts, total in table]
    return Sheet(_("By department"), header_row, body, kinds=["text"] + ["number"] * (len(categories) + 1))


def write(buffer: IO[bytes], found: Sequence[Finding]) -> None:
    write_xlsx(
        buffer,
        [
            Sheet(
                _("Summary"),
                [_("Category"), _("Findings count")],
                [[label, count] for _c, label, count in summary(list(found))],
                kinds=["text", "number"],
            ),
            _department_sheet(found),
            Sheet(_("Findings"), header(), rows(found), kinds=["text", "text", "text", "wrap", "wrap", "text"]),
        ],
    )
