"""Real drafting-office documents split exactly: 25 statutes typed as Word files (刑法 with its 编 and 53 articles
第X条之一/之二 among them) and 3 policy texts, counted from the official text in shared/data/drafts/manifest.json."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from consultation.drafting.split import DraftUnit, split_document

DRAFTS = Path("/work/shared/data/drafts")
MANIFEST = json.loads((DRAFTS / "manifest.json").read_text(encoding="utf-8"))
# The manifest's names for what it counts, and the kind of unit each one is.
COUNTED_KINDS = {
    "articles": "article",
    "parts_bian": "book",
    "chapters": "chapter",
    "sections_jie": "section",
    "parts": "part",
    "items": "item",
    "numbered_points": "point",
}
_ARTICLE_NUMBER = re.compile(r"^第[零〇一二两三四五六七八九十百千0-9]+条(?:之[一二三四五六七八九十]+)?$")


def _split(entry: dict) -> list[DraftUnit]:
    return split_document(entry["file"], (DRAFTS / entry["file"]).read_bytes())


@pytest.fixture(scope="module")
def criminal_law() -> list[DraftUnit]:
    [entry] = [entry for entry in MANIFEST if entry["title"] == "中华人民共和国刑法"]
    return _split(entry)


@pytest.mark.parametrize("entry", MANIFEST, ids=lambda entry: entry["file"])
def test_every_real_document_splits_into_the_counted_structure(entry):
    units = _split(entry)
    kinds = Counter(unit.kind for unit in units)
    expected = {COUNTED_KINDS[name]: count for name, count in entry.items() if name in COUNTED_KINDS}
    assert {kind: kinds[kind] for kind in expected} == expected
    if "articles_with_zhi" in entry:
        with_zhi = [unit for unit in units if unit.kind == "article" and "之" in unit.number]
        assert len(with_zhi) == entry["articles_with_zhi"]


@pytest.mark.parametrize("entry", MANIFEST, ids=lambda entry: entry["file"])
def test_every_unit_has_a_unique_key_a_known_parent_and_words(entry):
    units = _split(entry)
    seen: set[str] = set()
    for unit in units:
        assert unit.key not in seen
        assert unit.parent is None or unit.parent in seen  # a parent comes before its units
        seen.add(unit.key)
        if unit.kind == "article":
            assert _ARTICLE_NUMBER.match(unit.number)
            assert unit.text  # no article loses its words to a heading
        if unit.kind in ("part", "item", "point"):
            assert unit.title or unit.text
    assert units[0].kind == "preamble" and entry["title"][:6] in units[0].text


def test_criminal_law_books_open_the_text_and_do_not_end_an_article(criminal_law):
    books = [unit for unit in criminal_law if unit.kind == "book"]
    assert [(book.key, book.number, book.title) for book in books] == [
        ("b1", "第一编", "总则"),
        ("b2", "第二编", "分则"),
    ]
    assert "第一编" not in criminal_law[0].text
    assert all("第二编" not in unit.text and "分则" not in unit.text for unit in criminal_law if unit.key == "a101")
    chapters = {unit.key: unit for unit in criminal_law if unit.kind == "chapter"}
    # Chapters start again at 第一章 in 分则: each keeps its own key under its book.
    assert (chapters["b1-c1"].parent, chapters["b2-c1"].parent) == ("b1", "b2")
    assert chapters["b2-c1"].title == "危害国家安全罪"


def test_criminal_law_articles_with_zhi_are_articles_of_their_own(criminal_law):
    units = {unit.key: unit for unit in criminal_law}
    assert (units["a133-z1"].number, units["a133-z2"].number) == ("第一百三十三条之一", "第一百三十三条之二")
    assert units["a133-z1"].text.startswith("在道路上驾驶机动车")
    assert "第一百三十三条之一" not in units["a133"].text
    assert units["a133-z1"].parent == units["a133"].parent
    articles = [unit.key for unit in criminal_law if unit.kind == "article"]
    assert articles.index("a133") + 1 == articles.index("a133-z1")


def test_criminal_law_supplementary_provisions_and_annexes_are_top_level_units(criminal_law):
    units = {unit.key: unit for unit in criminal_law}
    assert units["a452"].parent == "supplementary" and units["supplementary"].title == "附则"
    assert units["supplementary"].parent is None  # beside 第一编 and 第二编, not inside 分则
    annexes = [unit for unit in criminal_law if unit.kind == "annex"]
    assert [(annex.number, annex.parent) for annex in annexes] == [("附件一", None), ("附件二", None)]
    assert annexes[0].text.startswith("全国人民代表大会常务委员会制定的下列条例")
    assert not units["a452"].text.splitlines()[-1].startswith("附件")


def test_a_policy_with_an_attached_report_gives_the_report_its_own_unit():
    [entry] = [entry for entry in MANIFEST if entry["file"] == "policy-02.txt"]
    units = _split(entry)
    [annex] = [unit for unit in units if unit.kind == "annex"]
    assert annex.title.startswith("关于我国地震重点监视防御区的确定")
    assert annex.text.startswith("国务院：")
    assert {unit.parent for unit in units if unit.kind == "part"} == {annex.key}
    closing = [unit for unit in units if unit.kind == "closing"]
    assert [c.text.splitlines()[0] for c in closing] == ["国务院办公厅", "国家地震局"]
    assert "国务院办公厅" not in units[0].text.splitlines()[-1]


def test_a_policy_item_s_lead_phrase_is_its_title_and_its_points_are_units():
    [entry] = [entry for entry in MANIFEST if entry["file"] == "policy-00.txt"]
    units = {unit.key: unit for unit in _split(entry)}
    assert (units["p1-i1"].title, units["p1-i1"].number) == ("指导思想", "（一）")
    assert "以习近平新时代中国特色社会主义思想为指导" in units["p1-i1"].text
    assert units["p3-i1"].title == "推进政务公开，强化解读回应"
    assert units["p3-i1"].text.startswith("推进政务公开，强化解读回应。积极运用政务新媒体")
    points = [unit for unit in units.values() if unit.kind == "point"]
    assert [(p.key, p.title, p.parent) for p in points][:1] == [("p1-i3-n1", "坚持正确导向", "p1-i3")]
