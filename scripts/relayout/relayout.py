"""Issue 17's re-layout, prepared and tried but not yet applied: move modules into stage folders and rewrite every
reference (imports, dotted module strings, file paths), then `ruff check --fix . && ruff format .`.

Run from a clean tree: `python3 scripts/relayout/relayout.py .`. Tried on a copy of main (2026-12-05): the app
imports and the non-browser suite passed except one test that builds the demo folder's path by hand. Quoted
"package.name" strings are endpoints or audit actions and are left alone. architecture-draft.md beside this file is
docs/architecture.md for the layout this script makes. A one-off tool: delete this folder once it has run.
"""

# ruff: noqa: B023, E501, S603, S607
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(sys.argv[1]).resolve()

MOVES: dict[str, dict[str, str]] = {
    "consultation": {
        "answer_sheet": "handling.answer_sheet",
        "answer_views": "handling.views",
        "answers": "handling.answers",
        "api": "opendata.api",
        "api_spec": "opendata.api_spec",
        "archive": "legality.archive",
        "commenting": "comments.commenting",
        "conclusion": "legality.conclusion",
        "conclusion_views": "legality.conclusion_views",
        "demo": "demo",  # becomes demo/__init__.py (the data files already live in demo/)
        "demo_handling": "demo.handling",
        "draft_diff": "drafting.diff",
        "draft_parser": "drafting.parser",
        "duplicates": "comments.duplicates",
        "feedback": "handling.feedback",
        "feeds": "opendata.feeds",
        "handling_forms": "handling.forms",
        "handling_models": "handling.models",
        "highlight": "comments.highlight",
        "intake": "comments.intake",
        "legality": "legality.gate",
        "manage": "drafting.views",
        "moderation": "comments.moderation",
        "moderation_views": "comments.moderation_views",
        "notice": "drafting.notice",
        "notice_archive": "drafting.notice_archive",
        "packet": "summary.packet",
        "periods": "drafting.periods",
        "rendering": "drafting.rendering",
        "retention": "comments.retention",
        "review_forms": "legality.forms",
        "review_labels": "legality.labels",
        "review_models": "legality.models",
        "review_views": "legality.views",
        "search": "opendata.search",
        "services": "drafting.services",
        "summary_data": "summary.data",
        "summary_document": "summary.document",
        "summary_exports": "summary.exports",
        "summary_tables": "summary.tables",
        "summary_views": "summary.views",
        "uploads": "drafting.uploads",
        "views": "comments.views",
    },
    "surveys": {
        "answers": "taking.answers",
        "api": "opendata.api",
        "builder": "builder.routes",
        "conditions": "taking.conditions",
        "exports": "transfer.exports",
        "feeds": "opendata.feeds",
        "manage": "builder.views",
        "options": "builder.options",
        "responding": "taking.responding",
        "result_data": "results.data",
        "result_files": "results.files",
        "result_filters": "results.filters",
        "results": "results.compute",
        "results_views": "results.views",
        "review": "builder.review",
        "sav_export": "transfer.sav_export",
        "search": "opendata.search",
        "services": "builder.services",
        "stored_answers": "results.stored_answers",
        "structure": "taking.structure",
        "taking": "taking.steps",
        "transfer_views": "transfer.views",
        "views": "taking.views",
        "xlsform_export": "transfer.xlsform_export",
        "xlsform_expr": "transfer.xlsform_expr",
        "xlsform_import": "transfer.xlsform_import",
        "xlsform_read": "transfer.xlsform_read",
    },
}

FOLDER_DOCS = {
    "consultation.drafting": "Drafting: the record, draft import and split, periods, review before publication, rounds, uploads.",
    "consultation.comments": "Comments: the resident's pages, intake (screening and near-duplicates), receipts, moderation.",
    "consultation.handling": "Handling: the department's answers, templates, answer sheets and the published feedback.",
    "consultation.summary": "Summary: the 征求意见情况说明 data, tables and documents, the packet, verification registration.",
    "consultation.legality": "Legality review: the gate, the reviewer's steps, how a consultation ended, archiving.",
    "consultation.opendata": "Open data: the JSON API and its OpenAPI document, Atom feeds, what site search indexes.",
    "surveys.builder": "Building a questionnaire: pages, questions, options, review before publication.",
    "surveys.taking": "Taking part: the condition language, answers, page steps, storing a response once.",
    "surveys.results": "Results: columns shared by workers, per-question results, filters, cross-tabulation.",
    "surveys.transfer": "Files in and out: XLSForm import and export, response exports (.xlsx, CSV, .sav).",
    "surveys.opendata": "Open data: the JSON API, the Atom feed, what site search indexes.",
}


def git(*args: str) -> None:
    subprocess.run(["git", *args], cwd=ROOT, check=True)


def move_files() -> None:
    for package, moves in MOVES.items():
        for old, new in moves.items():
            parts = new.split(".")
            target = ROOT / package / Path(*parts[:-1]) / f"{parts[-1]}.py"
            if old == "demo":
                target = ROOT / package / "demo" / "__init__.py"
            target.parent.mkdir(parents=True, exist_ok=True)
            init = target.parent / "__init__.py"
            if target != init and not init.exists():
                doc = FOLDER_DOCS.get(f"{package}.{'.'.join(parts[:-1])}", "")
                init.write_text(f'"""{doc}"""\n' if doc else "")
                git("add", str(init.relative_to(ROOT)))
            git("mv", f"{package}/{old}.py", str(target.relative_to(ROOT)))


def _sources() -> list[Path]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, check=True, capture_output=True, text=True).stdout.split()
    return [
        ROOT / f
        for f in out
        if f.endswith((".py", ".md", ".html", ".cfg", ".toml", ".txt", ".ini")) and (ROOT / f).exists()
    ]


def rewrite_from_package_imports(text: str, package: str, moves: dict[str, str]) -> str:
    pattern = re.compile(rf"^(?P<indent>[ \t]*)from {package} import (?:\((?P<block>[^)]*)\)|(?P<line>[^\n(]+))$", re.M)

    def replace(match: re.Match[str]) -> str:
        indent = match["indent"]
        groups: dict[str, list[str]] = {}
        names = match["line"] or " ".join(part.split("#")[0] for part in match["block"].splitlines())
        for item in (n.strip() for n in names.split("#")[0].split(",")):
            if not item:
                continue
            name, _, alias = (p.strip() for p in item.partition(" as "))
            local = alias or name
            if name in moves:
                new = moves[name]
                if name == "demo":
                    groups.setdefault(package, []).append(item)
                    continue
                parent, _, leaf = new.rpartition(".")
                groups.setdefault(f"{package}.{parent}", []).append(leaf if leaf == local else f"{leaf} as {local}")
            else:
                groups.setdefault(package, []).append(item)
        comment = (match["line"] or "").partition("#")[2]
        lines = [f"{indent}from {mod} import {', '.join(names)}" for mod, names in groups.items()]
        if comment:
            lines[0] += f"  #{comment}"
        return "\n".join(lines)

    return pattern.sub(replace, text)


def rewrite(text: str) -> str:
    for package, moves in MOVES.items():
        names = "|".join(sorted((re.escape(k) for k in moves if k != "demo"), key=len, reverse=True))
        # Not a quoted "package.name": that is an endpoint or an audit action, not a module.
        dotted = re.compile(rf"\b{package}\.({names})\b(?![\"'])")
        text = dotted.sub(lambda m: f"{package}.{moves[m[1]]}", text)
        path_names = "|".join(sorted((re.escape(k) for k in moves), key=len, reverse=True))
        paths = re.compile(rf"\b{package}/({path_names})\.py\b")

        def path_sub(m: re.Match[str]) -> str:
            if m[1] == "demo":
                return f"{package}/demo/__init__.py"
            return f"{package}/{moves[m[1]].replace('.', '/')}.py"

        text = paths.sub(path_sub, text)
        # Last: the dotted pass above must not see the package paths this one writes.
        text = rewrite_from_package_imports(text, package, moves)
    return text


def main() -> None:
    move_files()
    for path in _sources():
        if "migrations/versions" in str(path):
            continue
        old = path.read_text()
        new = rewrite(old)
        if new != old:
            path.write_text(new)
    demo = ROOT / "consultation" / "demo" / "__init__.py"
    demo.write_text(demo.read_text().replace('Path(__file__).parent / "demo"', "Path(__file__).parent"))


if __name__ == "__main__":
    main()
