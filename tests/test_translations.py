"""Chinese first, English complete: every string the user can see has a Chinese translation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"


def extracted_msgids(tmp_path: Path) -> set[str]:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg", "-k", "_l",
         "-k", "lazy_gettext", "-o", str(pot), "--ignore-dirs=.venv tests bench migrations", "."],
        cwd=ROOT, check=True,
    )  # fmt: skip
    with pot.open("rb") as handle:
        catalog = read_po(handle)
    return {message.id if isinstance(message.id, str) else message.id[0] for message in catalog if message.id}


def test_every_string_in_the_code_has_a_chinese_translation(tmp_path: Path) -> None:
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id and m.string and (all(m.string) if isinstance(m.string, tuple) else True) and not m.fuzzy
    }
    missing = sorted(extracted_msgids(tmp_path) - translated)
    assert missing == [], "untranslated (run `make babel-extract` and translate): " + "; ".join(missing[:20])


def test_placeholders_survive_translation() -> None:
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    import re

    for message in catalog:
        if not message.id or not message.string or isinstance(message.id, tuple):
            continue
        assert set(re.findall(r"%\(\w+\)[sd]", message.id)) == set(re.findall(r"%\(\w+\)[sd]", message.string)), (
            message.id
        )
