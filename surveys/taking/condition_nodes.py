"""The tree of a survey condition or calculation (surveys/taking/conditions.py parses it, condition_eval.py
evaluates it): four node kinds, the functions the language knows with their number of arguments, and the error
the parser raises."""

from __future__ import annotations

from dataclasses import dataclass

Value = str | int | float | bool


class ConditionSyntaxError(ValueError):
    """A condition the parser refuses. `msgid` is an English sentence for gettext whose %(name)s placeholders
    `params` fill; `message` is that sentence filled in, in English."""

    def __init__(self, msgid: str, position: int, **params: str | int) -> None:
        super().__init__(msgid, position)
        self.msgid = msgid
        self.params = params
        self.message = msgid % params if params else msgid
        self.position = position  # 0-based character offset in the source

    def __str__(self) -> str:
        return f"{self.message} (at character {self.position + 1})"


@dataclass(frozen=True, slots=True)
class Ref:
    """An earlier answer: `${code}`, `${code.row}` for a matrix row, or `.` (code None) for this answer. In a
    choice filter, `${@column}` is a column of the choice being filtered (code "@column")."""

    code: str | None
    row: str | None = None


@dataclass(frozen=True, slots=True)
class Lit:
    value: Value


@dataclass(frozen=True, slots=True)
class Op:
    """`and`/`or` (two or more args), `not` (one), a comparison (two) or arithmetic: + - * div mod (two)."""

    op: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Node, ...]


Node = Ref | Lit | Op | Call

COMPARISONS = ("=", "!=", "<", "<=", ">", ">=")
ADDITIVE = ("+", "-")
MULTIPLICATIVE = ("*", "div", "mod")
# name → (fewest, most) arguments. The last group is what XLSForm calculations use (if, concat, round ...).
FUNCTION_ARITY: dict[str, tuple[int, int]] = {
    "selected": (2, 2),
    "count-selected": (1, 1),
    "is-empty": (1, 1),
    "string-length": (1, 1),
    "regex": (2, 2),
    "if": (3, 3),
    "concat": (1, 50),
    "coalesce": (2, 2),
    "number": (1, 1),
    "int": (1, 1),
    "round": (1, 2),
    "string": (1, 1),
    "contains": (2, 2),
    "starts-with": (2, 2),
    "ends-with": (2, 2),
    "substr": (2, 3),
    "today": (0, 0),
}
