"""One document's paragraphs into units: each heading its style uses opens a unit under the nearest open unit of a
higher level; text goes to the unit opened last. Keys come from the numbering, never from position, so a comment
keeps its anchor when text around it is edited; a number used twice gets "-2", "-3"… appended."""

from __future__ import annotations

from dataclasses import dataclass, field

from consultation.drafting.split import headings as h
from consultation.drafting.split.headings import Heading
from consultation.drafting.split.titles import Titled, article_title, lead_title
from consultation.drafting.split.units import DraftUnit

# Level of each kind per style: a unit's parent is the nearest open unit of a lower number.
RANKS = {
    "statute": {"book": 1, "supplementary": 1, "subbook": 2, "chapter": 3, "part": 3, "section": 4, "article": 5},
    "policy": {"supplementary": 1, "part": 1, "item": 2, "point": 3, "subpoint": 4},
}
_LETTER = {"book": "b", "subbook": "d", "chapter": "c", "section": "s", "part": "p", "item": "i", "point": "n"}
_LETTER["subpoint"] = "s"


class Keys:
    """Unique keys across the whole draft; per key, the suffix to try next, so "-2", "-3"… are never rescanned."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.next_suffix: dict[str, int] = {}

    def unique(self, key: str) -> str:
        candidate, n = key, self.next_suffix.get(key, 1)
        while candidate in self.used:
            n += 1
            candidate = f"{key}-{n}"
        self.next_suffix[key] = n
        self.used.add(candidate)
        return candidate


@dataclass
class _Open:
    """A unit being filled while the paragraphs are read."""

    key: str
    kind: str
    number: str
    title: str
    parent: str | None
    lines: list[str]
    fixed: int  # leading lines that belong to the heading paragraph and cannot be a closing
    fallback: str | None = None
    lead: bool | None = None
    rank: int = 0
    children: int = 0

    @property
    def one_sentence(self) -> bool:
        return self.fallback is not None and self.lines == [self.fallback] and not self.children

    def unit(self, lead_titles: bool = True) -> DraftUnit:
        title = "" if self.one_sentence or (self.lead and not lead_titles) else self.title
        return DraftUnit(self.key, self.kind, self.number, title, "\n".join(self.lines), self.parent)


def choose_style(found: list[Heading | None]) -> str | None:
    """Statute or policy style, by which kind of numbered heading the document uses most."""
    kinds = [heading.kind for heading in found if heading is not None]
    statute = sum(kind in h.STATUTE_KINDS for kind in kinds)
    parts = kinds.count("part")
    if statute and statute >= parts:
        return "statute"
    if parts or any(kind in h.POLICY_KINDS for kind in kinds):
        return "policy"
    return None


def statute_group_headings(found: list[Heading | None]) -> list[Heading | None]:
    """In a statute, 一、 二、 … lines each right before an article head groups of articles, as chapters would
    (judicial interpretations are written so); a lone 一、 line or one inside an article is text of its article."""
    groups: list[tuple[int, int]] = []  # (index, value)
    for i, heading in enumerate(found[:-1]):
        heads_group = heading is not None and heading.kind == "part" and heading.rest and "。" not in heading.rest
        if heads_group and _article_follows(found, i + 1):
            groups.append((i, heading.value))  # type: ignore[union-attr]
    in_order = [value for _, value in groups] == list(range(1, len(groups) + 1))
    keep = {i for i, _ in groups} if len(groups) >= 2 and in_order else set()
    return [None if g and g.kind == "part" and i not in keep else g for i, g in enumerate(found)]


def _article_follows(found: list[Heading | None], i: int) -> bool:
    """An article at `i`, or after one （一） subgroup heading there ("（一）要约与承诺" above 第三条)."""
    following = found[i] if i < len(found) else None
    if following is not None and following.kind == "item" and i + 1 < len(found):
        following = found[i + 1]
    return following is not None and following.kind == "article"


@dataclass
class Document:
    """The units of one document: the draft itself (prefix "", root None) or an attached one ("annex2-")."""

    style: str | None
    keys: Keys
    prefix: str = ""
    root: str | None = None
    preamble: list[str] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)
    units: list[_Open] = field(default_factory=list)
    stack: list[_Open] = field(default_factory=list)
    book: str | None = None
    chapter: str | None = None

    def feed(self, line: str, heading: Heading | None) -> None:
        if self.closing or (self.units and h.ATTACHMENT_LIST.match(line)):
            self.closing.append(line)
        elif heading is None or self.style is None or heading.kind not in RANKS[self.style]:
            (self.units[-1].lines if self.units else self.preamble).append(line)
        else:
            self._open(heading)

    def _open(self, heading: Heading) -> None:
        rank = RANKS[self.style or "policy"][heading.kind]
        while self.stack and self.stack[-1].rank >= rank:
            self.stack.pop()
        parent = self.stack[-1] if self.stack else None
        key = self.keys.unique(self._key(heading, parent.key if parent else None))
        titled = _titled(heading)
        unit = _Open(
            key,
            heading.kind,
            heading.label,
            titled.title,
            parent.key if parent else self.root,
            list(titled.lines),
            len(titled.lines),
            titled.fallback,
            titled.lead,
            rank,
        )
        if parent:
            parent.children += 1
        if heading.kind == "book":
            self.book, self.chapter = key, None
        elif heading.kind in ("chapter", "supplementary"):
            self.chapter = key if heading.kind == "chapter" else None
        self.stack.append(unit)
        self.units.append(unit)

    def _key(self, heading: Heading, parent: str | None) -> str:
        kind, n = heading.kind, heading.value
        if kind == "article":  # numbered across the whole draft
            return f"{self.prefix}a{n}" + (f"-z{heading.sub}" if heading.sub else "")
        if kind == "supplementary":
            return f"{self.prefix}supplementary"
        if kind in ("book", "part"):
            return f"{self.prefix}{_LETTER[kind]}{n}"
        if kind in ("subbook", "chapter"):  # chapters start again at 第一章 in each 编
            within = self.book
        elif kind == "section":
            within = self.chapter
        else:
            within = parent
        return f"{within}-{_LETTER[kind]}{n}" if within else f"{self.prefix}{_LETTER[kind]}{n}"

    def take_trailing_closing(self) -> None:
        """Move a signature block (issuer, date, 此件公开发布) ending the document into its closing."""
        if self.closing:
            return
        lines, fixed = (self.units[-1].lines, self.units[-1].fixed) if self.units else (self.preamble, 0)
        start = len(lines)
        while start > fixed and h.closing_like(lines[start - 1]):
            start -= 1
        tail = lines[start:]
        if any(h.is_signature(line) for line in tail):
            self.closing = tail
            del lines[start:]

    def result(self, closing_key: str = "closing") -> list[DraftUnit]:
        # Units of one level under one parent either open with lead phrases or are provisions of whole sentences:
        # "起草单位对实施情况进行评估。评估报告报…" among one-sentence provisions has no lead phrase.
        votes: dict[tuple[str | None, str], int] = {}
        for unit in self.units:
            if unit.lead is not None:
                vote = 1 if unit.lead and not unit.one_sentence else -1
                votes[unit.parent, unit.kind] = votes.get((unit.parent, unit.kind), 0) + vote
        units = [unit.unit(votes.get((unit.parent, unit.kind), 0) >= 0) for unit in self.units]
        if self.closing:
            units.append(DraftUnit(closing_key, "closing", "", "", "\n".join(self.closing), self.root))
        return units


def _titled(heading: Heading) -> Titled:
    if heading.kind == "article":
        return article_title(heading.rest)
    if heading.kind in h.POLICY_KINDS:
        return lead_title(heading.rest)
    return Titled(heading.rest, [])
