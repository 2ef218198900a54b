"""What personal data and contact links look like in Chinese text: the patterns core/screening.py finds and masks.

Every pattern runs on text folded to ASCII digits and letters (FULL_WIDTH_TO_ASCII) and is linear in the text's
length: a comment of 180,000 characters is searched in well under a second (tests/core/test_screening.py).
"""

from __future__ import annotations

import re

# Full-width ASCII (what Chinese input methods type for "１３８" or "＠") to ASCII, and the ideographic
# space to a space. One character for one, so a match in the folded text has the same indexes as the original.
FULL_WIDTH_TO_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

AREA_CODE = r"0(?:10|2[0-9]|[3-9][0-9]{2})"
MOBILE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9][0-9](?:[- ]?[0-9]{4}){2}(?![0-9])")
# The local number may be written in two groups as well: 024-5662 0023.
LANDLINE = re.compile(
    rf"(?<![0-9])(?:\({AREA_CODE}\) ?|{AREA_CODE}[- ]?)[2-9][0-9]{{2,3}}[- ]?[0-9]{{4}}"
    r"(?:(?:转|-|ext\.?|x) ?[0-9]{1,6})?(?![0-9])",
    re.IGNORECASE,
)
# Any number of ID length, whatever its date and check digit: a mistyped ID number is still someone's. 18
# characters (17 digits and a digit or X) or the old 15 digits, alone or grouped 6-8-4 / 6-6-3.
ID_NUMBER = re.compile(
    r"(?<![0-9])(?:[0-9]{6}[- ]?[0-9]{8}[- ]?[0-9]{3}[0-9Xx]|[0-9]{6}[- ]?[0-9]{6}[- ]?[0-9]{3})(?![0-9])"
)
BANK_CARD = re.compile(r"(?<![0-9])[0-9](?:[- ]?[0-9]){15,18}(?![0-9])")
# The local part takes every character RFC 5322 allows unquoted. The look-behind starts a match only where a
# run of such characters starts, which keeps a long run without "@" linear.
_EMAIL_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]"
EMAIL = re.compile(
    rf"(?<!{_EMAIL_LOCAL}){_EMAIL_LOCAL}+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]"
)

# Addresses: the house-number tail is personal, the street or estate name before it is not. A tail is a chain of
# numbered parts (5号 3单元 201, 3栋2单元501室, 12-3-501); a 号 followed by 文/令/函 numbers a document (5号文件).
_BUILDING_MARKER = r"(?:号楼|号院|号(?![文令函])|[栋幢座])"
HOUSE_MARKER = rf"(?:{_BUILDING_MARKER}|单元|[楼层室户门组弄])"
_MARKED_PART = rf"(?:[0-9]{{1,6}}(?:-[0-9]{{1,6}}){{0,3}}|[一二三四五六七八九十两〇零]{{1,3}}){HOUSE_MARKER}"
_DASHED_PART = r"[0-9]{1,6}(?:-[0-9]{1,6}){1,3}"
# A bare room number ends a chain (…3单元201), unless a unit word shows it is a count, an amount or a time.
_ROOM_PART = r"[0-9]{1,6}(?![0-9年月日时点分秒元角万亿千百个人名位岁次天周条款项倍%.])"
_NEXT_PART = rf" ?(?:{_MARKED_PART}|{_DASHED_PART}|{_ROOM_PART})"
# A street, lane, village or estate name (新太街, 幸福小区, 和平村) before a house number's first digit. Each
# look-behind has a fixed width and takes in that digit: a pattern that starts by matching a digit lets the
# regex engine skip straight to the digits of a text instead of trying every position.
_PLACE_NAME_ENDINGS = ("大道", "胡同", "小区", "花园", "家园", "公寓", "大厦", "广场", "[路街巷弄村屯苑]")
_AFTER_PLACE_NAME = "|".join(rf"(?<=[\u4e00-\u9fff]{ending}[0-9])" for ending in _PLACE_NAME_ENDINGS)
ADDRESS = re.compile(
    r"[0-9](?:"
    # after a place name: 新太街5号, 幸福小区3栋, 和平村3组15号, 光明花园12-3-501
    rf"(?:{_AFTER_PLACE_NAME})[0-9]{{0,5}}(?:(?:-[0-9]{{1,6}}){{0,3}}{HOUSE_MARKER}|(?:-[0-9]{{1,6}}){{1,3}})"
    rf"(?:{_NEXT_PART})*"
    # or, without a name, a building and a part of it: 5号楼3单元201, 3栋2单元501室 (not 第5号, not 3单元楼道 alone,
    # not 12户3单元)
    rf"|(?<![0-9第][0-9])[0-9]{{0,5}}{_BUILDING_MARKER} ?{_MARKED_PART}(?:{_NEXT_PART})*"
    ")"
)
HOUSE_FIRST_PART = re.compile(rf"[0-9-]+(?P<marker>{HOUSE_MARKER})?")

_URL_TAIL = r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]"
_TOP_LEVEL_DOMAINS = (
    "com|cn|net|org|top|xyz|vip|cc|info|io|me|shop|site|club|app|tv|hk|tw|biz|ws|la|co|live|win|bet|asia|"
    "online|store|fun|ink|pw|wang|ren|xin|mobi|link|icu|gov|edu"
)
# Spam writes the dot as "。", "点" or "dot", with spaces, to get past link filters: "abc点com", "abc . top".
_DOT = r" ?(?:\.|。|点|dot) ?"
LINK_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("url", re.compile(rf"https?://{_URL_TAIL}+", re.IGNORECASE)),
    ("url", re.compile(rf"www\.[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?:/{_URL_TAIL}*)?", re.IGNORECASE)),
    (
        "url",
        re.compile(
            rf"(?<![A-Za-z0-9@./-])[A-Za-z0-9][A-Za-z0-9-]*(?:{_DOT}[A-Za-z0-9-]+)*{_DOT}(?:{_TOP_LEVEL_DOMAINS})"
            rf"(?![A-Za-z0-9-])(?:/{_URL_TAIL}*)?",
            re.IGNORECASE,
        ),
    ),
    (
        "wechat",
        re.compile(
            r"(?<![A-Za-z])(?:微信|威信|薇信|徽信|v信|vx|wx|weixin|wechat)(?:号码|号|id)? ?"
            r"(?:是|为)? ?[:：]? ?(?:同号 ?)?[A-Za-z0-9][A-Za-z0-9_-]{4,19}(?![A-Za-z0-9_-])",
            re.IGNORECASE,
        ),
    ),
    (
        "qq",
        re.compile(
            r"(?<![A-Za-z])(?:qq|扣扣|企鹅号)(?:号码|号|群)? ?(?:是|为)? ?[:：]? ?[1-9][0-9]{4,11}(?![0-9])",
            re.IGNORECASE,
        ),
    ),
)


# Every kind of personal data found here holds an @, at least seven digits in a row (single spaces or hyphens
# between them allowed), a digit after a place name's last character or a numbered house part followed by another
# number, full-width forms included. A text with none skips the pattern searches: in a table of a million comments
# that is most of the masking time.
MAY_HOLD_PERSONAL_DATA = re.compile(
    "[0-9０-９](?:[-－ 　]?[0-9０-９]){6,}|[@＠]|[路街巷弄村屯苑区园寓厦场同道][0-9０-９]"
    f"|[0-9０-９]{HOUSE_MARKER}[ 　]?[0-9０-９一二三四五六七八九十两〇零]"
)
