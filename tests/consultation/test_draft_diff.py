"""Comparing two consultation rounds of a draft unit by unit."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from consultation.drafting.diff import UnitChange, compare_rounds, inline_diff_html
from consultation.drafting.split import DraftUnit, cn_numeral_to_int, split_text

DECISIONS = Path("/work/shared/data/statutes/重大行政决策程序暂行条例(2019-04-20).md")
ARTICLE_LINE = re.compile(r"^第([一二三四五六七八九十]+)条 (.*)$")
INSERTED = "决策机关应当建立决策事项建议登记制度，定期向社会公布建议的处理情况。"


def chinese_number(n: int) -> str:
    """1..99 in Chinese numerals, to renumber articles the way a drafter would."""
    digits = "零一二三四五六七八九"
    tens, ones = divmod(n, 10)
    written = ("" if tens == 1 else digits[tens]) + "十" if tens else ""
    return written + (digits[ones] if ones else "")


def revise(markdown: str, revise_article: Callable[[int, str], list[str]]) -> str:
    """Rewrite a statute article by article, then renumber all articles in order.

    revise_article(old_number, first_line_body) returns the new article first lines in its place: [] deletes
    it, two entries insert one. Lines after an article's first line (its items) stay with the last entry.
    """
    out = []
    next_number = 0
    for line in markdown.splitlines():
        found = ARTICLE_LINE.match(line)
        if not found:
            out.append(line)
            continue
        for body in revise_article(cn_numeral_to_int(found.group(1)), found.group(2)):
            next_number += 1
            out.append(f"第{chinese_number(next_number)}条 {body}")
    return "\n".join(out)


def second_round(number: int, body: str) -> list[str]:
    """Insert an article before 第十一条, delete 第二十条, and reword 第三十条."""
    if number == 11:
        return [INSERTED, body]
    if number == 20:
        return []
    if number == 30:
        return [body.replace("常务会议或者全体会议", "常务会议")]
    return [body]


@pytest.fixture(scope="module")
def statute() -> str:
    return DECISIONS.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def changes(statute) -> list[UnitChange]:
    return compare_rounds(split_text(statute), split_text(revise(statute, second_round)))


def keys(change: UnitChange) -> tuple[str | None, str | None]:
    return (change.old.key if change.old else None, change.new.key if change.new else None)


def test_chinese_number_helper_matches_the_parser():
    assert [cn_numeral_to_int(chinese_number(n)) for n in (1, 10, 11, 20, 44, 99)] == [1, 10, 11, 20, 44, 99]


def test_insert_delete_and_edit_are_each_reported_once(changes):
    statuses = Counter(change.status for change in changes)
    assert statuses["added"] == 1
    assert statuses["removed"] == 1
    assert statuses["changed"] == 1
    # 44 articles + 6 chapters + 6 sections + preamble, minus the removed one and the reworded one.
    assert statuses["unchanged"] == 44 + 6 + 6 + 1 - 2


def test_inserted_article_is_added_where_it_now_stands(changes):
    added = next(change for change in changes if change.status == "added")
    assert added.new is not None and added.new.key == "a11" and added.new.text == INSERTED
    assert added.diff_html == f"<ins>{INSERTED}</ins>"
    position = changes.index(added)
    assert keys(changes[position - 1]) == ("a10", "a10")
    assert keys(changes[position + 1]) == ("a11", "a12")


def test_articles_shifted_by_renumbering_are_unchanged_not_removed_and_added(changes):
    shifted = [change for change in changes if change.renumbered]
    assert [keys(change) for change in shifted] == [(f"a{n}", f"a{n + 1}") for n in range(11, 20)]
    assert all(change.status == "unchanged" for change in shifted)
    assert shifted[0].new is not None and shifted[0].new.number == "第十二条"


def test_removed_article_follows_its_old_predecessor(changes):
    removed = next(change for change in changes if change.status == "removed")
    assert removed.old is not None and removed.old.key == "a20"
    assert removed.old.text.startswith("决策承办单位组织专家论证")
    position = changes.index(removed)
    assert keys(changes[position - 1]) == ("a19", "a20")
    assert keys(changes[position + 1]) == ("a21", "a21")


def test_reworded_article_shows_the_deleted_words(changes):
    edited = next(change for change in changes if change.status == "changed")
    assert keys(edited) == ("a30", "a30")
    assert "<del>会议或者全体</del>" in edited.diff_html or "<del>或者全体会议</del>" in edited.diff_html
    assert "<ins>" not in edited.diff_html


def test_changes_follow_the_new_rounds_order(changes, statute):
    new_units = split_text(revise(statute, second_round))
    assert [change.new for change in changes if change.new is not None] == new_units


def test_article_shifted_and_edited_is_changed_not_removed_and_added(statute):
    def insert_then_edit(number: int, body: str) -> list[str]:
        if number == 5:
            return [INSERTED, body.replace("科学决策原则", "科学决策和效率原则")]
        return [body]

    changes = compare_rounds(split_text(statute), split_text(revise(statute, insert_then_edit)))
    edited = next(change for change in changes if change.status == "changed")
    assert keys(edited) == ("a5", "a6")
    assert "<ins>和效率</ins>" in edited.diff_html
    assert Counter(change.status for change in changes)["removed"] == 0


def test_rewritten_article_keeping_its_number_is_changed():
    old = split_text("第一条 为了规范管理，制定本办法。\n第二条 本办法自公布之日起施行。")
    new = split_text("第一条 根据有关法律法规，结合本区实际，出台本规定以加强监管。\n第二条 本办法自公布之日起施行。")
    assert [(change.status, keys(change)) for change in compare_rounds(old, new)] == [
        ("changed", ("a1", "a1")),
        ("unchanged", ("a2", "a2")),
    ]


def test_identical_rounds_are_all_unchanged_and_plainly_escaped(statute):
    units = split_text(statute)
    changes = compare_rounds(units, units)
    assert all(change.status == "unchanged" and not change.renumbered for change in changes)
    assert [change.new for change in changes] == units
    article3 = next(change for change in changes if change.new and change.new.key == "a3")
    assert "<ins>" not in article3.diff_html and "(一)制定有关公共服务" in article3.diff_html


def test_removed_first_unit_comes_first():
    old = split_text("第一条 甲方的义务。\n第二条 乙方的义务。")
    new = split_text("第一条 乙方的义务。")
    assert [(change.status, keys(change)) for change in compare_rounds(old, new)] == [
        ("removed", ("a1", None)),
        ("unchanged", ("a2", "a1")),
    ]


def test_renamed_chapter_shows_its_title_change():
    old = split_text("第一章 总则\n第一条 目的。")
    new = split_text("第一章 一般规定\n第一条 目的。")
    chapter = compare_rounds(old, new)[0]
    assert chapter.status == "changed"
    assert chapter.diff_html.startswith("<del>总则</del><ins>一般规定</ins>")


def test_diff_escapes_html_in_the_draft():
    old = DraftUnit("a1", "article", "第一条", "", "见<附件1>。", None)
    new = DraftUnit("a1", "article", "第一条", "", "见<附件2>及<script>。", None)
    html = str(compare_rounds([old], [new])[0].diff_html)
    assert "<script" not in html and "&lt;script" in html
    assert "&lt;附件" in html


def test_nearby_edits_merge_into_one_replacement_instead_of_a_comb():
    html = inline_diff_html("应当在三十日内答复", "可以在六十个工作日内答复")
    assert html == "<del>应当在三十</del><ins>可以在六十个工作</ins>日内答复"


def test_numbers_are_compared_whole():
    assert inline_diff_html("自2019年施行", "自2020年施行") == "自<del>2019</del><ins>2020</ins>年施行"
