"""Keyword frequencies of Chinese free text and display widths."""

from core.textstats import display_width, load_stopwords, top_terms

COMMENTS = [
    "幸福路的停车位太少了，晚上回来根本找不到停车位，停车位停车位！",
    "建议在小区周边增加停车位，同时加强垃圾分类的宣传。",
    "希望加装电梯的补贴标准能提高一些，我们老人上下楼很困难。",
    "垃圾分类搞了两年了，但是小区里的分类垃圾桶经常满溢。",
    "公交线路调整以后，老人去医院要换乘两次，希望恢复原来的线路。",
    "小区WiFi覆盖不好，ＷｉＦｉ信号弱，wifi 也经常断。",
    "支持草案第3条，2024年就应该实施。联系电话13800138000",
]


def test_top_terms_finds_what_residents_write_about():
    terms = dict(top_terms(COMMENTS, n=100))
    # 小区 appears in comments 2, 4 and 6; 停车位 in 1 and 2; 垃圾/分类 in 2 and 4; 老人 in 3 and 5.
    assert terms["小区"] == 3
    assert terms["停车位"] == 2
    assert terms["垃圾"] == terms["分类"] == 2
    assert terms["老人"] == 2
    assert {"电梯", "公交线路", "医院", "补贴"} <= set(terms)


def test_a_term_counts_once_per_comment_however_often_it_is_repeated():
    assert dict(top_terms(["停车位停车位停车位，停车位！", "停车位"]))["停车位"] == 2


def test_function_words_single_characters_numbers_and_punctuation_are_left_out():
    terms = {term for term, _ in top_terms(COMMENTS, n=1000)}
    stopwords = load_stopwords()
    assert not terms & stopwords
    assert {"的", "了", "建议", "希望", "我们", "一些", "但是", "以后"}.isdisjoint(terms)
    assert all(len(term) >= 2 for term in terms)
    assert {"2024", "13800138000", "，", "！"}.isdisjoint(terms)


def test_english_words_count_regardless_of_case_and_width():
    assert dict(top_terms(["WiFi信号弱", "wifi 经常断", "ＷＩＦＩ覆盖不好"]))["wifi"] == 3


def test_extra_stop_words_are_dropped_for_this_call():
    terms = dict(top_terms(COMMENTS, extra_stopwords=["小区", "ＷｉＦｉ"]))
    assert "小区" not in terms
    assert "wifi" not in terms
    assert "停车位" in terms


def test_ties_are_ordered_by_term_and_n_limits_the_list():
    result = top_terms(["电梯 补贴", "补贴 电梯", "医院"], n=2)
    assert result == [("电梯", 2), ("补贴", 2)]  # equal counts: code-point order, 电 U+7535 before 补 U+8865
    assert top_terms([], n=5) == []


def test_display_width_counts_chinese_and_full_width_characters_double():
    assert display_width("意见ab") == 6
    assert display_width("ＡＢ") == 4
    assert display_width("") == 0
