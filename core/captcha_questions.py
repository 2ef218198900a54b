"""Everyday questions for the captcha's accessible alternative: read aloud by a screen reader, answered by anyone
who lives here without seeing a picture or doing sums (适老化: no arithmetic, no puzzle).

Each question has the answers accepted in either language (a Chinese visitor may answer 十二 or 12, an English one
"twelve"); answers are compared after trimming spaces and punctuation and folding case and full-width forms.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Question:
    text: object  # a lazy string: shown in the visitor's language
    answers: frozenset[str]


def _q(text: object, *answers: str) -> Question:
    return Question(text, frozenset(answers))


BANK: tuple[Question, ...] = (
    _q(_l("How many days are there in a week? Answer with a number."), "7", "七", "seven"),
    _q(_l("How many months are there in a year? Answer with a number."), "12", "十二", "twelve"),
    _q(_l("What colour is the national flag of China?"), "红", "红色", "red", "红的"),
    _q(_l("Which direction does the sun rise in?"), "东", "东方", "东边", "east", "the east"),
    _q(_l("What season comes after spring?"), "夏", "夏天", "夏季", "summer"),
    _q(_l("What season comes after autumn?"), "冬", "冬天", "冬季", "winter"),
    _q(_l("How many legs does a cat have? Answer with a number."), "4", "四", "four", "四条"),
    _q(
        _l("Where do fish live?"),
        "水",
        "水里",
        "水中",
        "河里",
        "海里",
        "water",
        "inwater",
        "thewater",
        "inthewater",
        "sea",
        "river",
    ),
    _q(_l("What is the first day of the week after Sunday?"), "星期一", "周一", "礼拜一", "monday"),
    _q(_l("Is snow hot or cold?"), "冷", "凉", "cold", "冷的"),
    _q(_l("What colour is the sky on a clear day?"), "蓝", "蓝色", "blue", "蓝的", "天蓝色"),
    _q(_l("How many hours are there in a day? Answer with a number."), "24", "二十四", "twenty-four", "twentyfour"),
)
