"""The search page and its query handling: Chinese segmented into terms, phrases kept whole, stop words dropped,
long queries cut, matches marked in escaped text."""

from __future__ import annotations

from core.search_match import highlight, snippet
from core.search_query import MAX_QUERY_LENGTH, parse_query
from tests.conftest import make_app

EN = {"Accept-Language": "en"}


def test_a_chinese_query_is_cut_into_words_without_the_function_words(app):
    # jieba's search mode yields 自行, 行车 and 自行车: requiring 自行车 already requires the other two.
    assert parse_query("电动自行车的充电管理").terms == ("电动", "自行车", "充电", "管理")


def test_a_quoted_phrase_stays_one_term_in_ascii_or_chinese_quotes(app):
    assert parse_query('"充电管理办法" 物业').terms == ("充电管理办法", "物业")
    assert parse_query("“充电 管理”").terms == ("充电 管理",)


def test_english_words_are_lower_cased_and_english_stop_words_dropped(app):
    assert parse_query("The Parking rules, for WiFi").terms == ("parking", "rules", "wifi")


def test_percent_and_underscore_stay_part_of_the_word(app):
    assert parse_query("降低50%").terms == ("降低", "50%")
    assert parse_query("file_name").terms == ("file_name",)


def test_a_query_of_only_stop_words_and_punctuation_has_no_terms(app):
    assert parse_query("的 了 是，。！ the of").terms == ()
    assert parse_query("   ").terms == ()


def test_a_very_long_query_is_cut(app):
    query = parse_query("停车" * 80)
    assert query.truncated and len(query.text) == MAX_QUERY_LENGTH
    assert query.terms == ("停车",)


def test_highlighting_escapes_the_text_before_marking_it():
    marked = str(highlight('<script>alert("停车")</script> 停车场', ["停车"]))
    assert "<script>" not in marked
    assert marked == ("&lt;script&gt;alert(&#34;<mark>停车</mark>&#34;)&lt;/script&gt; <mark>停车</mark>场")


def test_highlighting_is_case_insensitive_and_merges_overlapping_terms():
    assert str(highlight("WiFi 覆盖范围", ["wifi", "覆盖", "盖范"])) == "<mark>WiFi</mark> <mark>覆盖范</mark>围"


def test_a_snippet_is_a_window_around_the_first_match():
    text = "甲" * 200 + "充电桩" + "乙" * 200
    shown = str(snippet(text, ["充电桩"]))
    assert shown.startswith("…") and shown.endswith("…")
    assert "<mark>充电桩</mark>" in shown and len(shown) < 160


def test_the_header_links_to_the_search_page(client):
    home = client.get("/", headers=EN).text
    assert 'href="/search"' in home and ">Search</a>" in home


def test_an_empty_search_shows_the_form_and_no_message(client):
    page = client.get("/search", headers=EN)
    assert page.status_code == 200
    assert 'name="q"' in page.text and "Results found" not in page.text and "very common words" not in page.text


def test_a_search_of_only_stop_words_gets_a_friendly_message(client):
    page = client.get("/search", query_string={"q": "的 了 the"}, headers=EN)
    assert page.status_code == 200 and "only very common words" in page.text


def test_a_too_long_search_is_cut_and_says_so(client):
    page = client.get("/search", query_string={"q": "停车" * 300}, headers=EN)
    assert page.status_code == 200
    assert f"Only the first {MAX_QUERY_LENGTH} characters" in page.text and "Results found: 0" in page.text


def test_an_unknown_kind_and_a_bad_page_number_search_everything(client):
    page = client.get("/search", query_string={"q": "停车", "kind": "users", "page": "x"}, headers=EN)
    assert page.status_code == 200 and "Results found: 0" in page.text


def test_searching_is_rate_limited(test_config):
    client = make_app(test_config, RATELIMIT_ENABLED=True).test_client()
    statuses = [client.get("/search", query_string={"q": "的"}).status_code for _ in range(61)]
    assert statuses[:60] == [200] * 60 and statuses[60] == 429
