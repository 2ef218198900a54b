"""Automatic screening of resident-written text before a moderator sees it.

Comments and survey free text are marked, never rejected, here: sensitive words by category (gambling
and advertising spam are the common case), links and QQ/WeChat contact phrases, and personal data inside
the text, which is also masked for public display. Pure Python; the word lists come from the shipped
starter file or from the database as a plain {category: [words]} dict.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import ahocorasick

from core.text_patterns import (
    ADDRESS,
    AREA_CODE,
    BANK_CARD,
    EMAIL,
    FULL_WIDTH_TO_ASCII,
    HOUSE_FIRST_PART,
    ID_NUMBER,
    LANDLINE,
    LINK_PATTERNS,
    MAY_HOLD_PERSONAL_DATA,
    MOBILE,
)

DEFAULT_WORD_LIST = Path(__file__).parent / "data" / "sensitive_words.txt"

FLAG_PERSONAL_DATA = "personal_data"
FLAG_LINK = "link"
FLAG_CONTACT = "contact"
SENSITIVE_FLAG_PREFIX = "sensitive:"

# Unicode major categories left out when matching: punctuation, symbols, separators, control/format characters
# (zero-width spaces and joiners are Cf) and combining marks, which spammers use to deface words ("b̶e̶t̶").
_IGNORED_CATEGORIES = frozenset("PSZCM")


class _FoldTable(dict[int, str]):
    """A str.translate table filled on first use: code point -> its matching form ("" drops it)."""

    def __missing__(self, code_point: int) -> str:
        normalized = unicodedata.normalize("NFKC", chr(code_point)).lower()
        folded = "".join(ch for ch in normalized if unicodedata.category(ch)[0] not in _IGNORED_CATEGORIES)
        self[code_point] = folded
        return folded


_FOLD = _FoldTable()


def normalize_text(text: str) -> str:
    """Return the matching form of `text`: NFKC, lower case, no whitespace, punctuation or symbols."""
    return text.translate(_FOLD)


def normalize_for_matching(text: str) -> tuple[str, list[int]]:
    """Return the matching form of `text` and, for each of its characters, its index in `text`."""
    parts: list[str] = []
    origin: list[int] = []
    for position, ch in enumerate(text):
        folded = _FOLD[ord(ch)]
        if folded:
            parts.append(folded)
            # NFKC can expand one character ("㎏" -> "kg"); every piece points back to it.
            origin.extend([position] * len(folded))
    return "".join(parts), origin


# ------------------------------------------------------------------------------------- sensitive words


@dataclass(frozen=True)
class WordHit:
    """A sensitive word found in a text; start/end index the original text."""

    category: str
    word: str
    start: int
    end: int


def load_word_list(path: str | Path) -> dict[str, list[str]]:
    """Read a word list file: `[category]` headers, then one word per line; `#` starts a comment."""
    word_lists: dict[str, list[str]] = {}
    category: str | None = None
    for line_number, raw_line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        line = raw_line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            category = line[1:-1].strip()
            word_lists.setdefault(category, [])
        elif category is None:
            raise ValueError(f"{path}:{line_number}: word {line!r} comes before any [category] header")
        else:
            word_lists[category].append(line)
    return word_lists


class SensitiveWordMatcher:
    """Finds words of many categories at once (Aho-Corasick over the matching form of text and words)."""

    def __init__(self, word_lists: Mapping[str, Iterable[str]]) -> None:
        owners_by_key: dict[str, dict[str, str]] = {}
        for category, words in word_lists.items():
            for word in words:
                key = normalize_text(word)
                if key:
                    # One entry per (spelling, category): "BET365" and "bet365" in one list are one word.
                    owners_by_key.setdefault(key, {}).setdefault(category, word)
        self.word_count = len(owners_by_key)
        self._automaton: Any = None
        if owners_by_key:
            automaton = ahocorasick.Automaton()
            for key, owners in owners_by_key.items():
                automaton.add_word(key, (len(key), tuple(owners.items())))
            automaton.make_automaton()
            self._automaton = automaton

    def find(self, text: str) -> list[WordHit]:
        """Return every sensitive word in `text`, located in the original text."""
        if self._automaton is None:
            return []
        normalized, origin = normalize_for_matching(text)
        hits = []
        for last, (length, owners) in self._automaton.iter(normalized):
            start, end = origin[last - length + 1], origin[last] + 1
            hits.extend(WordHit(category, word, start, end) for category, word in owners)
        return hits


@cache
def default_matcher() -> SensitiveWordMatcher:
    """The matcher for the shipped starter list, built once per process."""
    return SensitiveWordMatcher(load_word_list(DEFAULT_WORD_LIST))


# ----------------------------------------------------------------------- personal data, links, contact


@dataclass(frozen=True)
class Hit:
    """A span of `kind` in a text; start/end index the original text."""

    kind: str
    start: int
    end: int


class PIIHit(Hit):
    """A span of personal data: kind is mobile, landline, id_number, email, bank_card or address."""


def passes_luhn(number: str) -> bool:
    """True when the digits of `number` pass the Luhn check that bank card numbers carry."""
    total = 0
    for position, digit in enumerate(int(ch) for ch in reversed(number) if ch.isdigit()):
        doubled = digit * 2 if position % 2 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return total % 10 == 0


# In priority order: where two kinds overlap (a mobile number inside an e-mail address), the first kind wins.
_PII_PATTERNS: tuple[tuple[str, re.Pattern[str], Callable[[str], bool] | None], ...] = (
    ("id_number", ID_NUMBER, None),
    ("bank_card", BANK_CARD, passes_luhn),
    ("email", EMAIL, None),
    ("mobile", MOBILE, None),
    ("landline", LANDLINE, None),
    ("address", ADDRESS, None),
)


def find_personal_data(text: str) -> list[PIIHit]:
    """Return the personal data in `text` (phone, ID and bank card numbers, e-mail, house numbers), no overlaps."""
    folded = text.translate(FULL_WIDTH_TO_ASCII)
    hits: list[PIIHit] = []  # kept in text order, so each overlap check looks at two neighbours only
    for kind, pattern, is_valid in _PII_PATTERNS:
        for match in pattern.finditer(folded):
            if is_valid is not None and not is_valid(match.group()):
                continue
            start, end = match.span()
            at = bisect.bisect_left(hits, start, key=lambda hit: hit.start)
            if (at == 0 or hits[at - 1].end <= start) and (at == len(hits) or hits[at].start >= end):
                hits.insert(at, PIIHit(kind, start, end))
    return hits


def find_links(text: str) -> list[Hit]:
    """Return the links ("url") and QQ/WeChat contact phrases ("qq", "wechat") in `text`."""
    folded = text.translate(FULL_WIDTH_TO_ASCII)
    hits = [Hit(kind, m.start(), m.end()) for kind, pattern in LINK_PATTERNS for m in pattern.finditer(folded)]
    return sorted(set(hits), key=lambda hit: (hit.start, hit.end))


def _mask_digits(value: str, keep_head: int, keep_tail: int) -> str:
    """Star the digits of `value` (and an ID's X) but the first and last few; keep the separators."""
    positions = [i for i, ch in enumerate(value) if ch.isdigit() or ch in "Xx"]
    hidden = set(positions[keep_head : len(positions) - keep_tail])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(value))


def _mask_value(kind: str, value: str) -> str:
    """Return the public form of one piece of personal data."""
    digit_count = sum(ch.isdigit() for ch in value)
    if kind == "mobile":
        return _mask_digits(value, 5 if digit_count == 13 else 3, 4)  # 13 digits: the number carries 86 ahead
    if kind == "id_number":
        return _mask_digits(value, 6, 4 if digit_count >= 17 else 3)  # the birth date goes, in either length
    if kind == "bank_card":
        return _mask_digits(value, 0, 4)
    if kind == "landline":
        area_code = re.match(AREA_CODE, value.translate(FULL_WIDTH_TO_ASCII).lstrip("("))
        return _mask_digits(value, len(area_code.group()) if area_code else 0, 2)
    if kind == "address":
        # 5号3单元201 → **号**: the kind of place stays readable, no number and not how many parts it had.
        folded = value.translate(FULL_WIDTH_TO_ASCII)
        first = HOUSE_FIRST_PART.match(folded)
        marker = (first.group("marker") or "") if first else ""
        rest = folded[first.end() :].strip() if first else folded
        return "**" + marker + ("**" if rest else "")
    local_part, _, domain = value.partition("@")
    return f"{local_part[0]}***@{_mask_once(domain)}"  # a domain can be a phone number: 13800138000.com


def _mask_once(text: str) -> str:
    pieces, position = [], 0
    for hit in find_personal_data(text):  # in text order, without overlaps
        pieces += [text[position : hit.start], _mask_value(hit.kind, text[hit.start : hit.end])]
        position = hit.end
    pieces.append(text[position:])
    return "".join(pieces)


def mask_personal_data(text: str) -> str:
    """Return `text` with every piece of personal data masked for public display; masking it again changes nothing."""
    if not MAY_HOLD_PERSONAL_DATA.search(text):
        return text
    masked, previous = _mask_once(text), text
    # A masked piece can uncover another that it hid (an ID number's last digits before 号3单元); mask until nothing
    # changes. Each further pass masks a digit or more, so there are few, and almost always none.
    while masked != previous:
        masked, previous = _mask_once(masked), masked
    return masked


def mask_personal_data_keeping(text: str, keep: Iterable[str] = ()) -> str:
    """`text` masked for the public except the values in `keep`: a department's own published phone and e-mail,
    which staff write into answers and 解读 as the line to call, while a resident's number quoted there is masked."""
    kept: dict[str, str] = {}
    for index, value in enumerate(sorted(set(keep), key=len, reverse=True)):
        # A private-use token without digits or letters, so no pattern of personal data matches across it.
        token = f"\ue000{chr(0xE100 + index)}\ue001"
        if value in text:
            text, kept[token] = text.replace(value, token), value
    text = mask_personal_data(text)
    for token, value in kept.items():
        text = text.replace(token, value)
    return text


def _is_cjk(ch: str) -> bool:
    return "CJK" in unicodedata.name(ch, "")


def mask_name(name: str, is_organisation: bool = False) -> str:
    """Return a resident's name for public display: 张*, 张*祥, 欧**锋, J*** S****; organisations in full."""
    name = name.strip()
    if is_organisation or not name:
        return name
    if any(_is_cjk(ch) for ch in name):
        if len(name) == 1:
            return "*"
        if len(name) == 2:
            return name[0] + "*"
        # Middle dots in names such as 阿依古丽·买买提 stay, so the masked name keeps its shape.
        return name[0] + "".join(ch if ch in "·•・" else "*" for ch in name[1:-1]) + name[-1]
    return " ".join(word[0] + "*" * (len(word) - 1) for word in name.split())


# ------------------------------------------------------------------------------------------- screening


@dataclass
class ScreeningResult:
    """What automatic screening found in one submission, stored as JSON beside it."""

    words: list[WordHit] = field(default_factory=list)
    personal_data: list[PIIHit] = field(default_factory=list)
    links: list[Hit] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)

    @property
    def needs_attention(self) -> bool:
        """True when a moderator should look closely before approving."""
        return bool(self.flags)

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "words": [asdict(hit) for hit in self.words],
            "personal_data": [asdict(hit) for hit in self.personal_data],
            "links": [asdict(hit) for hit in self.links],
            "flags": sorted(self.flags),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScreeningResult:
        """Rebuild a result stored with as_dict()."""
        return cls(
            words=[WordHit(**hit) for hit in data.get("words", [])],
            personal_data=[PIIHit(**hit) for hit in data.get("personal_data", [])],
            links=[Hit(**hit) for hit in data.get("links", [])],
            flags=set(data.get("flags", [])),
        )


def screen(text: str, matcher: SensitiveWordMatcher | None = None) -> ScreeningResult:
    """Screen one submission with `matcher` (the shipped starter list when None)."""
    words = (matcher if matcher is not None else default_matcher()).find(text)
    personal_data = find_personal_data(text)
    links = find_links(text)
    flags = {SENSITIVE_FLAG_PREFIX + hit.category for hit in words}
    if personal_data:
        flags.add(FLAG_PERSONAL_DATA)
    if any(hit.kind == "url" for hit in links):
        flags.add(FLAG_LINK)
    if any(hit.kind in ("wechat", "qq") for hit in links):
        flags.add(FLAG_CONTACT)
    return ScreeningResult(words=words, personal_data=personal_data, links=links, flags=flags)
