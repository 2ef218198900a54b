"""Properties of core.screening.mask_personal_data over generated text: every phone, ID-shaped number and e-mail is
masked wherever it stands, masking twice changes nothing, and text without personal data comes back unchanged."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from core.screening import find_personal_data, mask_personal_data
from core.text_patterns import MAY_HOLD_PERSONAL_DATA

FEW = settings(max_examples=150, deadline=None)
DIGITS = "0123456789"
# Characters that end any piece of personal data: what a resident writes around a number or an address.
BOUNDARY = st.sampled_from(["，", "。", "：", "、", "\n", "（", "）", "是", " 谢谢 "])


def _digits(count: int) -> st.SearchStrategy[str]:
    return st.text(DIGITS, min_size=count, max_size=count)


def _grouped(groups: list[str], separator: str) -> str:
    return separator.join(groups)


SEPARATOR = st.sampled_from(["", " ", "-"])
ID_NUMBERS = st.one_of(
    st.builds(lambda a, b, c, last, sep: _grouped([a, b, c + last], sep),
              _digits(6), _digits(8), _digits(3), st.sampled_from([*DIGITS, "X", "x"]), SEPARATOR),
    st.builds(lambda a, b, c, sep: _grouped([a, b, c], sep), _digits(6), _digits(6), _digits(3), SEPARATOR),
)  # fmt: skip
MOBILES = st.builds(
    lambda prefix, second, rest, sep: prefix + _grouped([f"1{second}{rest[0]}", rest[1:5], rest[5:]], sep),
    st.sampled_from(["", "+86", "86", "+86 ", "86-"]),
    st.sampled_from("3456789"),
    _digits(9),
    SEPARATOR,
)
LANDLINES = st.builds(
    lambda area, first, rest, sep, split: area + sep + first + (rest[:-4] + split + rest[-4:]),
    st.sampled_from(["010", "021", "024", "0413", "0755"]),
    st.sampled_from("23456789"),
    st.one_of(_digits(6), _digits(7)),
    st.sampled_from(["", "-", " "]),
    st.sampled_from(["", " ", "-"]),
)
EMAILS = st.emails()
TEXT = st.text(max_size=30)


@FEW
@given(TEXT, BOUNDARY, st.one_of(ID_NUMBERS, MOBILES, LANDLINES, EMAILS), BOUNDARY, TEXT)
def test_every_phone_id_number_and_email_is_masked_wherever_it_stands(before, left, value, right, after):
    masked = mask_personal_data(before + left + value + right + after)
    assert value not in masked


PIECES = st.one_of(TEXT, ID_NUMBERS, MOBILES, LANDLINES, EMAILS, st.sampled_from(["新太街5号3单元201", "幸福小区3栋"]))


@FEW
@given(st.lists(PIECES, max_size=6).map("".join))
def test_masking_twice_changes_nothing(text):
    once = mask_personal_data(text)
    assert mask_personal_data(once) == once


POLICY = st.sampled_from(
    ["第5号文件", "3单元楼道改造", "第十二条", "2024年5月1日", "共12户", "第3条第2款", "5号开会", "东政发〔2023〕5号"]
)
NO_DIGITS = st.text(st.characters(blacklist_categories=["Nd"], blacklist_characters="@＠"), max_size=20)


@FEW
@given(st.lists(st.one_of(NO_DIGITS, POLICY), max_size=8).map("，".join))
def test_text_without_personal_data_comes_back_unchanged(text):
    assert mask_personal_data(text) == text


@FEW
@given(st.text("0123456789１２ -－()（）@＠a.街区号单元栋室楼第文", max_size=40))
def test_the_quick_pre_check_never_skips_a_text_with_personal_data(text):
    if find_personal_data(text):
        assert MAY_HOLD_PERSONAL_DATA.search(text)
