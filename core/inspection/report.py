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


def write(buffer: IO[bytes], found: Sequence[Finding]) -> None:
    write_xlsx(
        buffer,
        [
            Sheet(
                _("Summary"),
                [_("Category"), _("Count")],
                [[label, count] for _c, label, count in summary(list(found))],
                kinds=["text", "number"],
            ),
            Sheet(
                _("By department"),
                [_("Department"), _("Count")],
                [list(row) for row in by_department(list(found))],
                kinds=["text", "number"],
            ),
            Sheet(_("Findings"), header(), rows(found), kinds=["text", "text", "text", "wrap", "wrap", "text"]),
        ],
    )
