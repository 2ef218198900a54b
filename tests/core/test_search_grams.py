"""The tokens of the search index: Chinese as character bigrams within each text, other scripts as whole words."""

from __future__ import annotations

from core.search_grams import any_word, text_tokens, word_tokens


def test_chinese_is_cut_into_overlapping_pairs_and_latin_words_kept_whole_and_lower_cased():
    assert text_tokens(["电动自行车 WiFi6，第3条"]) == ["电动", "动自", "自行", "行车", "wifi6", "3"]


def test_no_pair_spans_two_texts_or_a_punctuation_mark():
    tokens = text_tokens(["充电", "设施。管理"])
    assert "电设" not in tokens and "施管" not in tokens
    assert tokens == ["充电", "设施", "管理"]


def test_full_width_letters_are_indexed_as_typed_in_half_width():
    assert text_tokens(["ＷｉＦｉ覆盖"]) == ["wifi", "覆盖"]


def test_a_word_needs_all_its_pairs_and_the_beginning_of_its_latin_words():
    assert word_tokens("电动车") == (["电动", "动车"], [])
    assert word_tokens("form_a") == ([], ["form", "a"])
    assert word_tokens("税") is None  # one Chinese character: nothing to look up
    assert word_tokens("%") is None


def test_a_term_and_its_synonyms_become_one_query_in_each_database_s_syntax():
    assert any_word(["充电桩", "充电设施"], "sqlite") == '("充电" AND "电桩") OR ("充电" AND "电设" AND "设施")'
    assert any_word(["wifi", "无线网"], "postgresql") == "('wifi':*) | ('无线' & '线网')"
    assert any_word(["电动车", "车"], "sqlite") is None  # a variant that cannot be looked up: not narrowed
