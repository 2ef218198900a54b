"""Properties of the draft splitter over generated drafts: it never fails but with DraftFormatError, it keeps the
order of what it keeps and invents nothing, it keeps every character of a draft without Markdown, and it takes
linear time on long runs of Markdown that is opened and never closed."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from consultation.drafting.split import DraftFormatError, split_text

FEW = settings(max_examples=100, deadline=None)
_SPACE = re.compile(r"[\s\u3000\u00a0\u2000-\u200b\u202f\u205f\ufeff]")
HEADINGS = ["第一章 总则", "第二节 ", "第三条 ", "第十条规定的", "一、主要任务", "二、", "（一）", "(2)", "1. ", "2、",
            "附件：", "附件1", "东洲区人民政府", "2024年5月1日", "此件公开发布", "1.5倍", "第 三 条"]  # fmt: skip
MARKDOWN = ["# ", "> ", "- ", "**", "*", "__", "`", "[", "](", ")", "![", "<!--", "-->", "---", "\\", "|"]


def _kept(units) -> str:
    # A run-in lead phrase is the unit's title and stays in its text: count it once.
    lead_in_text = [unit.title and unit.text.startswith(unit.title + "。") for unit in units]
    return "".join(u.number + ("" if lead else u.title) + u.text for u, lead in zip(units, lead_in_text, strict=True))


def _visible(text: str) -> str:
    return _SPACE.sub("", text)


def _is_subsequence(part: str, whole: str) -> bool:
    remaining = iter(whole)
    return all(ch in remaining for ch in part)


def _split(text: str):
    try:
        return split_text(text)
    except DraftFormatError as error:
        assert error.code in ("too_long", "too_many_units")
        return None


DRAFTS = st.lists(
    st.one_of(st.sampled_from(HEADINGS), st.sampled_from(MARKDOWN), st.text(max_size=12), st.just("\n")), max_size=40
).map("".join)


@FEW
@given(st.one_of(st.text(), DRAFTS))
def test_any_draft_splits_into_units_that_keep_its_order_and_invent_nothing(text):
    units = _split(text)
    if units is not None:
        assert _is_subsequence(_visible(_kept(units)), _visible(text))
        assert len({unit.key for unit in units}) == len(units)


# Headings, numbering and signatures without any Markdown character and without 。 (a part's title ends at its 。).
WORDS = st.text("规定本办法单位应当甲乙丙 ，；0123456789年月日", max_size=10)
PLAIN = st.lists(
    st.one_of(
        st.sampled_from(HEADINGS), st.text("规定本办法单位应当甲乙丙 ，；0123456789年月日", max_size=10), st.just("\n")
    ),
    max_size=40,
).map("".join)


@FEW
@given(PLAIN)
def test_a_draft_without_markdown_keeps_every_character(text):
    units = _split(text)
    if units is not None:
        assert _visible(_kept(units)) == _visible(text)


@settings(max_examples=25, deadline=1500)  # milliseconds; each takes some 20: the quadratic patterns took seconds
@given(st.lists(st.sampled_from([*MARKDOWN, "字", " ", "第一条 "]), min_size=1, max_size=6).map("".join))
def test_long_runs_of_opened_markdown_split_in_linear_time(fragment):
    _split("第一条 " + fragment * (50_000 // len(fragment)))
