"""Chinese first, English complete: every string the user can see has a Chinese translation, with one meaning."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
# The Makefile's `babel-extract` runs pybabel with exactly these arguments; babel.cfg names the keywords.
EXTRACT_ARGS = ["-F", "babel.cfg", "--ignore-dirs=.venv tests bench migrations", "."]

# English words that mean different things on different screens ("Received" 6 is a count, "Received"
# 2026-05-01 a time; "Number" is a question type or an article's number; "Open" is a survey's state or its
# dates). Each use says which it means with pgettext, so each meaning gets its own Chinese.
AMBIGUOUS_WORDS = frozenset({"Number", "Received", "Open", "Status", "Type", "Date", "From", "Published"})

Key = tuple[str | None, str]  # (msgctxt, msgid)


def _key(message: object) -> Key:
    msgid = message.id  # type: ignore[attr-defined]
    return message.context, msgid if isinstance(msgid, str) else msgid[0]  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """What `make babel-extract` would find in the code and the templates now."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-o", str(pot), *EXTRACT_ARGS],
        cwd=ROOT, check=True,
    )  # fmt: skip
    with pot.open("rb") as handle:
        return read_po(handle)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    with CATALOG.open("rb") as handle:
        return read_po(handle)


def test_the_makefile_extracts_as_this_test_does() -> None:
    recipe = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert '-F babel.cfg -o translations/messages.pot --ignore-dirs=".venv tests bench migrations" .' in recipe


def test_every_string_in_the_code_has_a_chinese_translation(extracted: Catalog, catalog: Catalog) -> None:
    translated = {
        _key(m)
        for m in catalog
        if m.id and m.string and (all(m.string) if isinstance(m.string, tuple) else True) and not m.fuzzy
    }
    missing = sorted(
        f"{ctx} | {msgid}" if ctx else msgid for ctx, msgid in {_key(m) for m in extracted if m.id} - translated
    )
    assert missing == [], "untranslated (run `make babel-extract` and translate): " + "; ".join(missing[:20])


def test_pgettext_and_ngettext_are_extracted_with_their_contexts(extracted: Catalog) -> None:
    # The examples of the defect: each meaning is a msgid of its own, a count is a plural.
    keys = {_key(m) for m in extracted if m.id}
    assert {("comment count", "Received"), ("time", "Received")} <= keys
    assert {("question type", "Number"), ("question type", "Date")} <= keys
    assert {("survey phase", "Open"), ("survey dates", "Open")} <= keys
    plurals = {m.id for m in extracted if isinstance(m.id, tuple)}
    assert ("participant", "participants") in plurals


def test_no_word_with_several_meanings_is_used_without_a_context(extracted: Catalog) -> None:
    bare = [
        f"{m.id} at {', '.join(f'{path}:{line}' for path, line in m.locations)}"
        for m in extracted
        if isinstance(m.id, str) and m.id in AMBIGUOUS_WORDS and m.context is None
    ]
    assert bare == [], "say which meaning with pgettext(context, word): " + "; ".join(bare)


def test_no_msgid_is_both_a_count_and_a_plain_string(extracted: Catalog) -> None:
    # "participants" after a number is a count; the same msgid as a heading would share its one translation.
    plain: dict[str | None, set[str]] = defaultdict(set)
    counted: dict[str | None, set[str]] = defaultdict(set)
    for message in extracted:
        if isinstance(message.id, tuple):
            counted[message.context].update(message.id)
        elif message.id:
            plain[message.context].add(message.id)
    both = sorted(msgid for context, ids in counted.items() for msgid in ids & plain[context])
    assert both == [], "used both with ngettext and gettext: " + "; ".join(both)


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\(\w+\)[sd]", text))


def test_placeholders_survive_translation(catalog: Catalog) -> None:
    for message in catalog:
        if not message.id or not message.string:
            continue
        if isinstance(message.id, tuple):  # Chinese has one plural form: it may use either English form's
            allowed = _placeholders(message.id[0]) | _placeholders(message.id[1])
            assert all(_placeholders(string) <= allowed for string in message.string), message.id
        else:
            assert _placeholders(message.string) == _placeholders(message.id), message.id
