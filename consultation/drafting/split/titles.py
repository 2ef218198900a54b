"""A unit's title from the words after its numbering: a heading line, a run-in lead phrase, or a caption."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from consultation.drafting.split.numerals import CN_NUMERAL_CHARS

# "第三条（适用范围）…" / "第三条【适用范围】…": the caption is the article's title. "（一）" right after the
# numbering is an enumeration, not a caption.
_CAPTION = re.compile(r"^[（(【](?P<caption>[^（）()【】。；;]{1,30})[）)】]\s*(?P<text>.*)$")
_NUMERAL_ONLY = re.compile(rf"^[{CN_NUMERAL_CHARS}0-9０-９]+$")
# A lead phrase names a task ("加强组织领导", "指导思想"); a provision states a rule. These words only state rules.
_RULE_WORDS = re.compile(
    r"应当|可以|不得|必须|是指|所称|适用|施行|负责|予以|依照|依据|按照|根据|下列|以下|如下|"
    r"本(?:规定|办法|意见|决定|细则|条例|通知|方案|法|制度|规则|措施|标准|准则)"
)
_LEAD_MAX = 25
_HEADING_MAX = 40
_RUN_ON = ("：", ":", "，", ",", "；", ";", "、")


@dataclass(frozen=True)
class Titled:
    title: str
    lines: list[str]  # the text's first lines, from the heading paragraph
    # Set when the heading paragraph is one sentence: if the unit ends up with no more text and no units under it,
    # "十五、各街道要加强宣传。" was a one-sentence provision, not a heading, and has no title.
    fallback: str | None = None
    # For a heading paragraph with a 。: whether its first sentence reads as a lead phrase (True) or not (False).
    lead: bool | None = None


def article_title(rest: str) -> Titled:
    found = _CAPTION.match(rest)
    # "第一百九十九条（删去）" has no caption: the brackets are all there is.
    if found and found["text"] and not _NUMERAL_ONLY.match(found["caption"]):
        return Titled(found["caption"].strip(), [found["text"]])
    return Titled("", [rest] if rest else [])


def _lead_like(words: str) -> bool:
    return 0 < len(words) <= _LEAD_MAX and not re.search(r"[：:；;？?！!]", words) and not _RULE_WORDS.search(words)


def lead_title(rest: str) -> Titled:
    """For 一、 （一） 1. （1）: "总体要求" is a heading; "指导思想。…" or "推进政务公开。积极运用…" has a lead
    phrase, the title, kept in the text so that it still reads whole; a sentence ("本规定自…施行。") is text only,
    and so is a lead phrase with nothing after it and nothing under it."""
    if not rest:
        return Titled("", [])
    if "。" not in rest:
        if len(rest) > _HEADING_MAX or rest.endswith(_RUN_ON):
            return Titled("", [rest])
        return Titled(rest, [])
    lead, _, after = rest.partition("。")
    if not _lead_like(lead):
        return Titled("", [rest], lead=False)
    return Titled(lead, [rest], fallback=None if after.strip() else rest, lead=True)


class _Named(Protocol):
    number: str
    title: str
    text: str


def heading_line(unit: _Named) -> str:
    """A unit's numbering and title as one line, as the draft had it ("第五条之一", "（一）"), without a lead phrase
    that its text already starts with."""
    title = "" if unit.text.startswith(f"{unit.title}。") else unit.title
    if not unit.number:
        return title
    separator = "" if unit.number[-1] in "、）).．" else " "
    return f"{unit.number}{separator}{title}".strip()
