"""What a paragraph is: a numbered heading of some level, an annex header, a signature line, a title, or text.

Statute style: 第X编 (book), 第X分编 (subbook), 第X章 (chapter), 第X节 (section), 第X条 and 第X条之一 (article),
an unnumbered 附则 (supplementary). Policy style (GB/T 9704): 一、 (part), （一） (item), 1. (point), （1） (subpoint).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from consultation.drafting.split.numerals import CN_NUMERAL_CHARS, cn_numeral_to_int

_NUM = rf"[{CN_NUMERAL_CHARS}0-9０-９]+"
_ARABIC = r"[0-9０-９]+"
# A line that merely cites a heading ("第十条规定的", "第十条第二款", "第二编、") is not one.
_NOT_CITED = r"(?![的规之中款项至、，,。和或及与第所以有对])"
_PATTERNS = (
    ("book", re.compile(rf"^第(?P<n>{_NUM})编{_NOT_CITED}\s*(?P<rest>.*)$")),
    ("subbook", re.compile(rf"^第(?P<n>{_NUM})分编{_NOT_CITED}\s*(?P<rest>.*)$")),
    ("chapter", re.compile(rf"^第(?P<n>{_NUM})章{_NOT_CITED}\s*(?P<rest>.*)$")),
    ("section", re.compile(rf"^第(?P<n>{_NUM})节{_NOT_CITED}\s*(?P<rest>.*)$")),
    ("article", re.compile(rf"^第(?P<n>{_NUM})条(?:之(?P<sub>{_NUM}))?{_NOT_CITED}\s*(?P<rest>.*)$")),
    ("part", re.compile(rf"^(?P<n>[{CN_NUMERAL_CHARS}]+)(?:、|．|\.(?![0-9]))\s*(?P<rest>.*)$")),
    ("item", re.compile(rf"^[（(](?P<n>[{CN_NUMERAL_CHARS}]+)[）)]\s*(?P<rest>.*)$")),
    # "1.5倍" and "2023.9.27" start with digits and a dot but are not points.
    ("point", re.compile(rf"^(?P<n>{_ARABIC})(?:[.．](?![0-9０-９])|、)\s*(?P<rest>.*)$")),
    ("subpoint", re.compile(rf"^[（(](?P<n>{_ARABIC})[）)]\s*(?P<rest>.*)$")),
)
STATUTE_KINDS = ("book", "subbook", "chapter", "section", "article")
POLICY_KINDS = ("part", "item", "point", "subpoint")
_SUPPLEMENTARY = re.compile(r"^附\s*则$")
_CONTENTS = re.compile(r"^目\s*录$")

# "附件", "附件2", "附件2：" alone, or "附件2：标题" / "附件2 标题": where an attached document starts.
# "附件：1. 清单" (a colon and no number) is the list of attachments at the end of a notice.
ANNEX_HEADER = re.compile(rf"^附\s*件\s*(?:(?P<n>{_NUM})(?:\s*[:：]\s*|\s+|$)(?P<title>.*)|[:：]?\s*)$")
ATTACHMENT_LIST = re.compile(rf"^附件\s*(?:{_NUM})?\s*(?:[:：]|$)")
DATE_LINE = re.compile(rf"^{_NUM}\s*年\s*{_NUM}\s*月?\s*(?:{_NUM}\s*日)?$")
ISSUER_LINE = re.compile(r"(?:政府|办公室|办公厅|委员会|局|厅|委|办|部|院|中心|[(（]盖章[)）])$")
TRAILER_LINE = re.compile(r"^[（(][^（）()]{1,20}[）)]$")  # （此件公开发布）, （本文有删减）
_DOC_NUMBER = re.compile(r"[〔\[［]\s*[0-9０-９]{4}\s*[〕\]］]\s*[0-9０-９]+\s*号")
_DOC_TITLE = re.compile(
    r"^关于|(?:通知|意见|报告|办法|规定|方案|决定|细则|规则|条例|制度|清单|计划|要点|标准|指南|规划|措施|"
    r"说明|批复|公告|通告|决议|章程|准则|名单|目录|稿)[)）]?$"
)
# Signature lines carry no sentence punctuation; "|" marks a table row read from Word, which is content.
_NOT_IN_SIGNATURE = re.compile(r"[。；;！!？?，,：:|]")
_CLOSING_LINE_MAX = 40
_COPY_LINE = re.compile(r"^(?:抄送|主送|抄报)[:：]|印发$")  # the 版记 under a signature
_NOT_IN_TITLE = re.compile(r"[。；;！!？?：:|]")
_TITLE_MAX = 60


@dataclass(frozen=True)
class Heading:
    kind: str
    value: int
    sub: int  # 1 for 第X条之一; 0 otherwise
    label: str  # the numbering as written: "第十七条之一", "（一）", "1."
    rest: str  # the words after it on the same line


def classify(line: str) -> Heading | None:
    """What numbered (or 附则) heading, if any, a paragraph starts with."""
    if _SUPPLEMENTARY.match(line):
        return Heading("supplementary", 0, 0, "", line)
    for kind, pattern in _PATTERNS:
        found = pattern.match(line)
        if found is None:
            continue
        try:
            value = cn_numeral_to_int(found["n"])
            sub = cn_numeral_to_int(found["sub"]) if kind == "article" and found["sub"] else 0
        except ValueError:  # numeral characters in a non-numeral order, e.g. "十十、": ordinary text
            return None
        return Heading(kind, value, sub, line[: found.start("rest")].strip(), found["rest"].strip())
    return None


def is_contents(line: str) -> bool:
    return bool(_CONTENTS.match(line))


def closing_like(line: str) -> bool:
    """A line a signature block may hold: the issuer, the date, 此件公开发布, and the 抄送/印发 lines below them."""
    if _COPY_LINE.search(line):
        return len(line) <= _CLOSING_LINE_MAX * 4
    return len(line) <= _CLOSING_LINE_MAX and not _NOT_IN_SIGNATURE.search(line)


def is_signature(line: str) -> bool:
    return bool(DATE_LINE.match(line) or ISSUER_LINE.search(line) or _COPY_LINE.search(line))


def title_like(line: str) -> bool:
    """A short line without sentence punctuation: a document's title (or one line of it)."""
    return 2 <= len(line) <= _TITLE_MAX and not _NOT_IN_TITLE.search(line) and not line.endswith(("，", ","))


def document_title_like(line: str) -> bool:
    """A title line that names a document: 关于…, …办法, …的通知, …（征求意见稿）."""
    return title_like(line) and bool(_DOC_TITLE.search(line))


def is_doc_number(line: str) -> bool:
    return bool(_DOC_NUMBER.search(line))
