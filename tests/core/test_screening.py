"""Automatic screening: sensitive words, personal data, links and contact phrases, masking, results."""

import json

import pytest

from core.screening import (
    ScreeningResult,
    SensitiveWordMatcher,
    default_matcher,
    find_links,
    find_personal_data,
    load_word_list,
    mask_name,
    mask_personal_data,
    normalize_for_matching,
    screen,
)

DEFACEMENT = "360足球直播_365体育投注-平台官网"
# GB 11643-1999's own examples of valid resident ID numbers.
VALID_ID = "11010519491231002X"
VALID_ID_WITH_DIGIT_CHECK = "440524188001010014"
# Published test card numbers (16 and 19 digits) that pass the Luhn check.
VALID_CARD_16 = "6200000000000005"
VALID_CARD_19 = "6205500000000000004"


def categories_found(text, matcher=None):
    return {hit.category for hit in (matcher or default_matcher()).find(text)}


def kinds(hits):
    return [hit.kind for hit in hits]


def test_defaced_notice_is_caught_as_gambling():
    hits = default_matcher().find(DEFACEMENT)
    assert {hit.category for hit in hits} == {"gambling"}
    assert {DEFACEMENT[hit.start : hit.end] for hit in hits} >= {"足球直播", "365体育", "体育投注"}


@pytest.mark.parametrize(
    "disguised",
    [
        "体 育 投 注",
        "体-育.投*注",
        "体\u200b育\u200d投\ufeff注",
        "体育。投注",
        "ｂｅｔ３６５",
        "BET 365",
        "Ｂｅｔ-365",
    ],
)
def test_spacing_punctuation_width_and_zero_width_characters_do_not_hide_a_word(disguised):
    assert categories_found(f"欢迎来玩{disguised}，注册就送") == {"gambling"}


def test_hit_points_at_the_word_as_written_in_the_original_text():
    text = "大家好！体 育-投 注平台开业"
    [hit] = [hit for hit in default_matcher().find(text) if hit.word == "体育投注"]
    assert text[hit.start : hit.end] == "体 育-投 注"


def test_normalization_maps_every_kept_character_back_to_its_origin():
    text = "Ａ, b　体-育"
    normalized, origin = normalize_for_matching(text)
    assert normalized == "ab体育"
    assert [text[i] for i in origin] == ["Ａ", "b", "体", "育"]


def test_ordinary_comments_on_licensing_and_drug_policy_are_not_flagged():
    assert screen("建议延长社区办证窗口的服务时间，周末也能办理居住证。").flags == set()
    assert screen("加强禁毒宣传，严厉打击毒品犯罪，保护青少年。").flags == set()
    assert screen("希望在区政府平台官网上公布停车场的收费标准。").flags == set()


def test_starter_list_covers_advertising_and_illegal_trade():
    assert categories_found("兼职日结，加微信详聊") == {"advertising"}
    assert categories_found("专业代开发票") == {"advertising"}
    assert categories_found("枪支出售，货到付款") == {"illegal"}


def test_word_list_file_is_read_by_category(tmp_path):
    path = tmp_path / "words.txt"
    path.write_text("# comment\n[gambling]\n百家乐\n  老虎机  # inline\n\n[advertising]\n刷单\n", encoding="utf-8")
    assert load_word_list(path) == {"gambling": ["百家乐", "老虎机"], "advertising": ["刷单"]}


def test_word_before_any_category_is_refused(tmp_path):
    path = tmp_path / "words.txt"
    path.write_text("百家乐\n[gambling]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="before any"):
        load_word_list(path)


def test_matcher_from_database_lists_reports_every_category_of_a_word():
    matcher = SensitiveWordMatcher({"custom": ["团购群", "BET365"], "gambling": ["bet365"], "empty": []})
    assert categories_found("进团购群", matcher) == {"custom"}
    assert categories_found("bet365", matcher) == {"custom", "gambling"}
    assert SensitiveWordMatcher({}).find(DEFACEMENT) == []


def test_large_list_still_finds_the_one_word_in_the_text():
    words = [f"词{i:05d}号" for i in range(10_000)]
    matcher = SensitiveWordMatcher({"generated": words})
    [hit] = matcher.find("前文 词 07 777 号 后文")
    assert hit.word == "词07777号"


@pytest.mark.parametrize(
    "text, number",
    [
        ("电话13800138000谢谢", "13800138000"),
        ("电话 138-0013-8000", "138-0013-8000"),
        ("电话 138 0013 8000", "138 0013 8000"),
        ("+86 13900139000", "+86 13900139000"),
        ("手机１３８００１３８０００", "１３８００１３８０００"),
    ],
)
def test_mobile_numbers_are_found_in_their_usual_forms(text, number):
    [hit] = find_personal_data(text)
    assert (hit.kind, text[hit.start : hit.end]) == ("mobile", number)


def test_digits_inside_a_longer_number_are_not_a_mobile_number():
    assert find_personal_data("订单号 2024113800138000123") == []
    assert find_personal_data("12800138000") == []


@pytest.mark.parametrize("number", ["010-62345678", "0755-88889999", "(021)56781234", "010-62345678转123"])
def test_landline_numbers_with_area_code_are_found(number):
    assert [(hit.kind, hit.end - hit.start) for hit in find_personal_data(f"座机{number}。")] == [
        ("landline", len(number))
    ]


def test_id_numbers_count_whatever_their_check_digit_and_in_the_old_15_digit_form():
    assert kinds(find_personal_data(f"身份证{VALID_ID}")) == ["id_number"]
    assert kinds(find_personal_data(f"身份证{VALID_ID.lower()}")) == ["id_number"]
    assert kinds(find_personal_data(f"身份证{VALID_ID_WITH_DIGIT_CHECK}")) == ["id_number"]
    # A mistyped ID number (wrong check digit) is still someone's ID number.
    assert kinds(find_personal_data("身份证110105194912310021")) == ["id_number"]
    assert kinds(find_personal_data("老身份证210403800101123，")) == ["id_number"]
    assert kinds(find_personal_data("身份证 210403 19800101 1234")) == ["id_number"]


def test_bank_cards_count_only_when_they_pass_luhn():
    assert kinds(find_personal_data(f"卡号{VALID_CARD_16}")) == ["bank_card"]
    assert kinds(find_personal_data(f"卡号{VALID_CARD_19}")) == ["bank_card"]
    assert kinds(find_personal_data("卡号 6200 0000 0000 0005")) == ["bank_card"]
    assert find_personal_data("卡号6200000000000006") == []


def test_email_containing_a_mobile_number_is_one_email():
    text = "邮箱13800138000@163.com"
    assert [(hit.kind, text[hit.start : hit.end]) for hit in find_personal_data(text)] == [
        ("email", "13800138000@163.com")
    ]


def test_masking_keeps_only_the_parts_meant_for_display():
    assert mask_personal_data("电话13800138000") == "电话138****8000"
    assert mask_personal_data("电话138-0013-8000") == "电话138-****-8000"
    assert mask_personal_data("+8613900139000") == "+86139****9000"
    assert mask_personal_data(f"证件{VALID_ID}") == "证件110105********002X"
    assert mask_personal_data("邮件zhang.san@example.com") == "邮件z***@example.com"
    assert mask_personal_data(f"卡{VALID_CARD_16}") == "卡************0005"
    assert mask_personal_data("座机010-62345678") == "座机010-******78"


def test_letter_with_an_address_and_a_mistyped_id_number_is_masked_for_the_public():
    letter = "来信：本人住东洲区新太街5号3单元201，身份证210403198001011234，建议增设公交站。"
    assert mask_personal_data(letter) == "来信：本人住东洲区新太街**号**，身份证210403********1234，建议增设公交站。"


@pytest.mark.parametrize(
    "text, masked",
    [
        ("幸福小区3栋2单元501室楼上漏水", "幸福小区**栋**楼上漏水"),
        ("家住和平村3组15号", "家住和平村**组**"),
        ("光明花园12-3-501的住户", "光明花园**的住户"),
        ("长宁路１２３弄４号501室", "长宁路**弄**"),
        ("东风路12号院3号楼2门301", "东风路**号院**"),
        ("我住5号楼3单元201，楼道很暗", "我住**号楼**，楼道很暗"),
        ("东洲区新太街12号", "东洲区新太街**号"),
    ],
)
def test_house_numbers_of_an_address_are_masked_and_the_place_name_kept(text, masked):
    assert mask_personal_data(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "根据第5号文件，建议3单元楼道改造。",
        "东政发〔2023〕5号文件第3条",
        "新太街5号文件的精神",
        "中央一号文件要求农村1号文件落实",
        "我是新太街道居民，共3栋楼12个单元",
        "2023年5月3号开会，第3层2户",
        "共12户3单元楼道改造",
    ],
)
def test_ordinary_policy_text_with_numbers_is_not_taken_for_an_address(text):
    assert find_personal_data(text) == []
    assert mask_personal_data(text) == text


@pytest.mark.parametrize(
    "text, masked",
    [
        ("座机0413-5123456", "座机0413-*****56"),
        ("座机024 5662 0023", "座机024 **** **23"),
        ("（024）56620023", "（024）******23"),
        ("手机 +86 138 0013 8000", "手机 +86 138 **** 8000"),
    ],
)
def test_landlines_and_mobiles_written_with_spaces_or_brackets_are_masked(text, masked):
    assert mask_personal_data(text) == masked


def test_an_email_whose_domain_is_a_phone_number_keeps_no_phone_number():
    assert mask_personal_data("邮箱a@13800138000.com") == "邮箱a***@138****8000.com"


def test_masked_text_never_contains_a_full_value():
    values = ["13800138000", VALID_ID, "zhang.san@example.com", VALID_CARD_19, "0755-88889999"]
    text = "我的信息：" + "，".join(values) + "。请联系。"
    masked = mask_personal_data(text)
    assert masked.startswith("我的信息：") and masked.endswith("。请联系。")
    assert not any(value in masked for value in values)
    assert masked.count("*") >= 4 * len(values)  # masked in place, not dropped


@pytest.mark.parametrize(
    "text, kind, found",
    [
        ("详情见 https://example.com/a?b=1 谢谢", "url", "https://example.com/a?b=1"),
        ("上www.365bet.top看看", "url", "www.365bet.top"),
        ("官网abc123.vip注册", "url", "abc123.vip"),
        ("网址：abc点com", "url", "abc点com"),
        ("加微信：abc123领取", "wechat", "微信：abc123"),
        ("vx abc_1234", "wechat", "vx abc_1234"),
        ("联系QQ 12345678", "qq", "QQ 12345678"),
        ("扣扣号：98765432", "qq", "扣扣号：98765432"),
    ],
)
def test_links_and_contact_phrases_are_found(text, kind, found):
    assert [(hit.kind, text[hit.start : hit.end]) for hit in find_links(text)] == [(kind, found)]


def test_everyday_mentions_are_not_links_or_contacts():
    assert find_links("请关注区政府微信公众号，或用微信扫码参与。文件见附件report.docx") == []
    assert find_links("zhang.san@example.com") == []


@pytest.mark.parametrize(
    "name, masked",
    [("张三", "张*"), ("张三丰", "张*丰"), ("欧阳锋锋", "欧**锋"), ("李", "*"), ("John Smith", "J*** S****")],
)
def test_personal_names_are_masked(name, masked):
    assert mask_name(name) == masked


def test_organisations_are_shown_in_full():
    assert mask_name("幸福路社区居委会", is_organisation=True) == "幸福路社区居委会"


def test_spam_comment_gets_every_flag_and_survives_json_storage():
    result = screen(f"{DEFACEMENT} 加微信abc123 电话13800138000 www.365bet.top")
    assert result.flags == {"sensitive:gambling", "sensitive:advertising", "personal_data", "contact", "link"}
    assert result.needs_attention
    assert ScreeningResult.from_dict(json.loads(json.dumps(result.as_dict()))) == result


def test_clean_comment_needs_no_attention():
    result = screen("建议在幸福路增设公交站台，方便老人出行。")
    assert not result.needs_attention
    assert result.as_dict() == {"words": [], "personal_data": [], "links": [], "flags": []}
