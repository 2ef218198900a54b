"""The small, safe expression language of survey show-if conditions and validation rules.

Close to XLSForm's `relevant`/`constraint` syntax so imports translate one to one::

    ${q3} = 'other' and not is-empty(${q3_other})
    selected(${q5}, 'bus') or count-selected(${q5}) >= 2
    ${m.r1} = 'agree'            (matrix row r1 of question m)
    . >= 18 and . <= 120         ('.' is the answer being validated)
    regex(., '^1[3-9][0-9]{9}$')

A hand-written tokenizer and recursive-descent parser build a tree of four node kinds; nothing is ever
passed to eval/compile. The same tree travels to the browser as JSON (`to_json`), where
static/js/conditions.js evaluates it with the same semantics; the server stays the authority.

Regular expressions are the one risky part: Python's `re` backtracks, so `(a+)+$` on a long answer would
hang a worker. Patterns are therefore compiled and run with RE2 (google-re2), whose matching time is linear
in the input, and are limited to 200 characters and inputs to 2,000 characters. Browsers still backtrack,
so patterns that repeat a repeating group (the classic exponential form) are refused outright; polynomial
patterns such as `.*.*.*x` remain possible and can only slow the respondent's own tab (which the server
does not depend on).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

MAX_SOURCE_LENGTH = 1000
MAX_NESTING = 50
MAX_PATTERN_LENGTH = 200
MAX_REGEX_INPUT = 2000  # characters of an answer that regex() looks at; longer answers never match

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
    """An earlier answer: `${code}`, `${code.row}` for a matrix row, or `.` (code None) for this answer."""

    code: str | None
    row: str | None = None


@dataclass(frozen=True, slots=True)
class Lit:
    value: Value


@dataclass(frozen=True, slots=True)
class Op:
    """`and`/`or` (two or more args), `not` (one), or a comparison (two)."""

    op: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Node, ...]


Node = Ref | Lit | Op | Call

COMPARISONS = ("=", "!=", "<", "<=", ">", ">=")
FUNCTION_ARITY = {"selected": 2, "count-selected": 1, "is-empty": 1, "string-length": 1, "regex": 2}
_SPELLINGS = {"==": "=", "&&": "and", "||": "or", "!": "not"}
_KEYWORDS = ("and", "or", "not", "true", "false")
# Editors typing with a Chinese input method often produce these; say which ASCII character was meant.
_FULL_WIDTH = dict(zip("（）＝，‘’“”！＜＞＄｛｝", "()=,''\"\"!<>${}", strict=True))

_TOKEN = re.compile(
    r"""(?P<space>\s+)
    |(?P<ref>\$\{[^}]*\}?)
    |(?P<num>-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)
    |(?P<dot>\.)
    |(?P<str>'[^']*'|"[^"]*")
    |(?P<word>[A-Za-z_][A-Za-z0-9_-]*)
    |(?P<sym>==|!=|<=|>=|&&|\|\||[=<>!(),])""",
    re.VERBOSE,
)
_REF_BODY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z0-9_]+))?")
_NUMERIC_TEXT = re.compile(r"-?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)")


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # space-free group name above, or "end"
    text: str
    pos: int


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if match is None:
            char = source[pos]
            if char in "'\"":
                raise ConditionSyntaxError("This quoted text is never closed.", pos)
            if char in _FULL_WIDTH:
                raise ConditionSyntaxError(
                    "Full-width character '%(char)s' is not allowed; use '%(ascii)s'.",
                    pos,
                    char=char,
                    ascii=_FULL_WIDTH[char],
                )
            raise ConditionSyntaxError("Unexpected character '%(char)s'.", pos, char=char)
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(_Token(kind, match.group(), pos))
        pos = match.end()
    tokens.append(_Token("end", "", len(source)))
    return tokens


class _Parser:
    """Recursive descent, from loosest to tightest: or, and, comparison, not, operand."""

    def __init__(self, source: str, known_codes: Collection[str] | None) -> None:
        self.tokens = _tokenize(source)
        self.index = 0
        self.depth = 0
        self.known_codes = known_codes

    @property
    def token(self) -> _Token:
        return self.tokens[self.index]

    def _word(self, token: _Token) -> str:
        """The token's meaning: `&&` → and, `==` → =, `AND` → and; anything else as written."""
        text = token.text.lower() if token.kind == "word" and token.text.lower() in _KEYWORDS else token.text
        return _SPELLINGS.get(text, text)

    def _at(self, *words: str) -> bool:
        return self.token.kind in ("word", "sym") and self._word(self.token) in words

    def _advance(self) -> _Token:
        token = self.token
        self.index += 1
        return token

    def _close(self, opening: _Token) -> None:
        """Consume the ')' matching `opening`, or say which '(' is left open."""
        if self.token.kind == "end":
            raise ConditionSyntaxError("This '(' is never closed.", opening.pos)
        if not self._at(")"):
            raise ConditionSyntaxError("Expected ')' but found '%(found)s'.", self.token.pos, found=self.token.text)
        self._advance()
        self.depth -= 1

    def _nest(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise ConditionSyntaxError("Too deeply nested (more than %(n)d levels).", token.pos, n=MAX_NESTING)

    def parse(self) -> Node:
        if self.token.kind == "end":
            raise ConditionSyntaxError("The condition is empty.", 0)
        node = self._logical("or")
        if self.token.kind != "end":
            raise ConditionSyntaxError(
                "Unexpected '%(found)s' after a complete condition.", self.token.pos, found=self.token.text
            )
        return node

    def _logical(self, op: str) -> Node:
        """`a or b or c` → Op("or", (a, b, c)); nested same-op groups are flattened."""
        parse_part = self._comparison if op == "and" else lambda: self._logical("and")
        parts: list[Node] = []
        while True:
            part = parse_part()
            parts.extend(part.args if isinstance(part, Op) and part.op == op else (part,))
            if not self._at(op):
                break
            self._advance()
        return parts[0] if len(parts) == 1 else Op(op, tuple(parts))

    def _comparison(self) -> Node:
        start = self.token
        left = self._unary()
        if not self._at(*COMPARISONS):
            return left
        if start.kind in ("word", "sym") and self._word(start) == "not":
            # `not a = b` reads as not (a = b) to people but binds as (not a) = b: make them say which.
            raise ConditionSyntaxError("Put parentheses after 'not' around the comparison: not (...).", start.pos)
        op = self._word(self._advance())
        node = Op(op, (left, self._operand()))
        if self._at(*COMPARISONS):
            raise ConditionSyntaxError(
                "Comparisons cannot be chained; join them with 'and' before '%(found)s'.",
                self.token.pos,
                found=self.token.text,
            )
        return node

    def _unary(self) -> Node:
        if self._at("not"):
            self._nest(self._advance())
            node = Op("not", (self._unary(),))
            self.depth -= 1
            return node
        return self._operand()

    def _operand(self) -> Node:
        token = self.token
        if token.kind == "ref":
            return self._ref(self._advance())
        if token.kind == "dot":
            self._advance()
            return Ref(None)
        if token.kind == "num":
            self._advance()
            number = float(token.text) if any(c in token.text for c in ".eE") else int(token.text)
            if not math.isfinite(number):  # 1e999: JSON, and so the browser, could not carry it
                raise ConditionSyntaxError("The number '%(number)s' is too large.", token.pos, number=token.text)
            return Lit(number)
        if token.kind == "str":
            self._advance()
            return Lit(token.text[1:-1])
        if self._at("true", "false"):
            self._advance()
            if self._at("(") and self.tokens[self.index + 1].text == ")":  # XPath writes true()
                self.index += 2
            return Lit(self._word(token) == "true")
        if token.kind == "word" and token.text.lower() not in _KEYWORDS:
            return self._call(self._advance())
        if self._at("("):
            self._nest(self._advance())
            node = self._logical("or")
            self._close(token)
            return node
        if token.kind == "end":
            raise ConditionSyntaxError("Expected a value but the condition ended.", token.pos)
        raise ConditionSyntaxError("Expected a value but found '%(found)s'.", token.pos, found=token.text)

    def _ref(self, token: _Token) -> Ref:
        if not token.text.endswith("}"):
            raise ConditionSyntaxError("This question reference is never closed with '}'.", token.pos)
        body = token.text[2:-1]
        if not body:
            raise ConditionSyntaxError("Empty question reference '${}'.", token.pos)
        match = _REF_BODY.fullmatch(body)
        if match is None:
            raise ConditionSyntaxError("Invalid question code '%(code)s'.", token.pos, code=body)
        code, row = match.groups()
        if self.known_codes is not None and code not in self.known_codes:
            raise ConditionSyntaxError("Unknown question '%(code)s'.", token.pos, code=code)
        return Ref(code, row)

    def _call(self, name: _Token) -> Call:
        if name.text not in FUNCTION_ARITY:
            raise ConditionSyntaxError("Unknown function '%(name)s'.", name.pos, name=name.text)
        if not self._at("("):
            raise ConditionSyntaxError("Write '(' after the function name '%(name)s'.", self.token.pos, name=name.text)
        opening = self._advance()
        self._nest(name)
        args: list[Node] = []
        arg_tokens: list[_Token] = []
        while not args or self._at(","):
            if args:
                self._advance()
            elif self._at(")"):
                break  # no arguments at all; the arity check below says so
            arg_tokens.append(self.token)
            args.append(self._logical("or"))
        self._close(opening)
        arity = FUNCTION_ARITY[name.text]
        if len(args) != arity:
            raise ConditionSyntaxError(
                "Function '%(name)s' takes %(arity)d argument(s), not %(count)d.",
                name.pos,
                name=name.text,
                arity=arity,
                count=len(args),
            )
        if name.text == "regex":
            _check_pattern(args[1], arg_tokens[1].pos)
        return Call(name.text, tuple(args))


def _check_pattern(node: Node, pos: int) -> None:
    """Refuse at parse time any pattern that could not be run safely, so evaluation never has to."""
    import re2  # re2 is imported on use: create_app() must not load it

    if not (isinstance(node, Lit) and isinstance(node.value, str)):
        raise ConditionSyntaxError("The pattern of regex() must be quoted text.", pos)
    pattern = node.value
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise ConditionSyntaxError("The pattern is longer than %(n)d characters.", pos, n=MAX_PATTERN_LENGTH)
    try:
        _compiled(pattern)
    except re2.error as error:
        detail = error.args[0].decode() if error.args and isinstance(error.args[0], bytes) else str(error)
        raise ConditionSyntaxError("Invalid pattern: %(detail)s.", pos, detail=detail) from None
    nested_at = _nested_repetition_at(pattern)
    if nested_at is not None:
        raise ConditionSyntaxError(
            "The pattern repeats a group that itself repeats ('%(part)s'); simplify it.",
            pos,
            part=pattern[: nested_at + 1],
        )


@functools.lru_cache(maxsize=512)
def _compiled(pattern: str) -> Any:
    import re2  # re2 is imported on use: create_app() must not load it

    options = re2.Options()
    options.log_errors = False  # RE2 would otherwise print every refused pattern to stderr
    # Browsers and Python write a code point as \uXXXX (common in Chinese patterns like [\u4e00-\u9fa5]);
    # RE2 spells it \x{XXXX}. The stored pattern keeps the \u form, which conditions.js runs as is.
    return re2.compile(re.sub(r"(?<!\\)((?:\\\\)*)\\u([0-9A-Fa-f]{4})", r"\1\\x{\2}", pattern), options)


def _nested_repetition_at(pattern: str) -> int | None:
    """Offset of a `*`, `+` or `{n}` applied to a group that contains repetition, as in (a+)+ or (\\w+\\s?)*.

    Backtracking engines (every browser's) take exponential time on those; RE2 on the server does not.
    """
    open_groups: list[bool] = []  # per open group: does it contain repetition?
    risky_group_just_closed = False
    i = 0
    while i < len(pattern):
        char, risky = pattern[i], False
        quantifier = re.match(r"[*+?]|\{[0-9]+(?:,[0-9]*)?\}", pattern[i:])
        if char == "\\":
            i += 1
        elif char == "[":
            closing = re.match(r"\[\^?\]?(?:\\.|[^\]\\])*\]", pattern[i:])
            i += len(closing.group()) - 1 if closing else 0
        elif char == "(":
            open_groups.append(False)
            i += pattern.startswith("?", i + 1)  # (?:  (?i) and the like: not a repetition
        elif char == ")" and open_groups:
            risky = open_groups.pop()
            if risky and open_groups:
                open_groups[-1] = True
        elif quantifier:
            if risky_group_just_closed and char != "?":
                return i
            if open_groups:
                open_groups[-1] = True
            i += len(quantifier.group()) - 1
        risky_group_just_closed = risky
        i += 1
    return None


def parse(source: str, known_codes: Collection[str] | None = None) -> Node:
    """Parse a condition; `known_codes`, when given, are the question codes it may refer to."""
    if len(source) > MAX_SOURCE_LENGTH:
        raise ConditionSyntaxError("The condition is longer than %(n)d characters.", 0, n=MAX_SOURCE_LENGTH)
    return _Parser(source, known_codes).parse()


# --- Evaluation. Never raises on odd answers: a mismatch of types is simply False. ---


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _as_number(value: Any) -> float | None:
    if _is_number(value):
        return float(value)
    if isinstance(value, str) and _NUMERIC_TEXT.fullmatch(value):
        return float(value)
    return None


def _to_text(value: Any) -> str:
    """The text an answer reads as, written the way JavaScript's String() writes it."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    if _is_number(value):
        return str(value)
    if isinstance(value, list):
        return " ".join(_to_text(item) for item in value)
    return ""


def _truthy(value: Any) -> bool:
    if _is_number(value):
        return value != 0 and not math.isnan(value)
    return not _is_empty(value) and value is not False


def _equal(left: Any, right: Any) -> bool:
    if _is_empty(left) or _is_empty(right):
        return _is_empty(left) and _is_empty(right)  # an unanswered question equals '' and nothing else
    if _is_number(left) or _is_number(right):
        left_number, right_number = _as_number(left), _as_number(right)
        return left_number is not None and left_number == right_number
    if {type(left), type(right)} == {list, str}:
        return _to_text(left) == _to_text(right)  # XLSForm writes a multiple choice answer as 'a b c'
    return type(left) is type(right) and left == right


def _ordered(op: str, left: Any, right: Any) -> bool:
    if _is_number(left) or _is_number(right):
        left, right = _as_number(left), _as_number(right)
    elif not (isinstance(left, str) and isinstance(right, str)) or "" in (left, right):
        return False  # texts compare as texts, which orders ISO dates correctly
    if left is None or right is None:
        return False
    return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]


def _selected(answer: Any, code: Any) -> bool:
    items = [_to_text(item) for item in answer] if isinstance(answer, list) else _to_text(answer).split()
    return _to_text(code) in items and _to_text(code) != ""


def _count_selected(answer: Any) -> int:
    return len(answer) if isinstance(answer, list) else len(answer.split()) if isinstance(answer, str) else 0


def _regex(answer: Any, pattern: Any) -> bool:
    text = _to_text(answer)
    if answer is None or len(text) > MAX_REGEX_INPUT:
        return False
    return _compiled(pattern).search(text) is not None


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "selected": _selected,
    "count-selected": _count_selected,
    "is-empty": _is_empty,
    "string-length": lambda answer: len(_to_text(answer)),
    "regex": _regex,
}


def evaluate(node: Node, answers: Mapping[str, Any], current: Any = None) -> Any:
    """The value of `node` given stored answers (code → value) and `current`, the answer that `.` means.

    Answers are as stored: str (single choice, text, ISO date), int/float (number, rating), list[str]
    (multiple choice, ranking), dict[str, str] (matrix row → column), None when unanswered.
    """
    if isinstance(node, Lit):
        return node.value
    if isinstance(node, Ref):
        value = current if node.code is None else answers.get(node.code)
        if node.row is not None:
            return value.get(node.row) if isinstance(value, Mapping) else None
        return value
    if isinstance(node, Call):
        return _FUNCTIONS[node.name](*(evaluate(arg, answers, current) for arg in node.args))
    values = (evaluate(arg, answers, current) for arg in node.args)
    if node.op == "and":
        return all(_truthy(value) for value in values)
    if node.op == "or":
        return any(_truthy(value) for value in values)
    if node.op == "not":
        return not _truthy(next(values))
    left, right = values
    if node.op in ("=", "!="):
        return _equal(left, right) == (node.op == "=")
    return _ordered(node.op, left, right)


def holds(node: Node, answers: Mapping[str, Any], current: Any = None) -> bool:
    """Whether the condition is true: what a show-if or a validation rule needs."""
    return _truthy(evaluate(node, answers, current))


def referenced_codes(node: Node) -> set[str]:
    """Question codes the condition reads (not `.`), so the builder can insist they come earlier."""
    if isinstance(node, Ref):
        return {node.code} if node.code is not None else set()
    if isinstance(node, Op | Call):
        return set().union(*(referenced_codes(arg) for arg in node.args))
    return set()


# --- JSON for the browser, and canonical text. ---


def to_json(node: Node) -> dict[str, Any]:
    """The tree as JSON: {"op": "=", "args": [{"ref": "q3"}, {"lit": 5}]}, {"call": "regex", "args": []}."""
    if isinstance(node, Ref):
        return {"ref": "." if node.code is None else node.code + (f".{node.row}" if node.row else "")}
    if isinstance(node, Lit):
        return {"lit": node.value}
    key = "op" if isinstance(node, Op) else "call"
    name = node.op if isinstance(node, Op) else node.name
    return {key: name, "args": [to_json(arg) for arg in node.args]}


def from_json(data: Any) -> Node:
    """Rebuild a tree from `to_json` output, accepting only what `parse` itself could have produced."""
    node = _from_json(data, 0)
    try:
        reparsed = parse(to_source(node))
    except ValueError as error:
        raise ConditionSyntaxError("Invalid condition tree: %(error)s", 0, error=str(error)) from None
    if reparsed != node:  # e.g. a comparison with one argument, or an unflattened `and`
        raise ConditionSyntaxError("Invalid condition tree.", 0)
    return node


def _from_json(data: Any, depth: int) -> Node:
    if not isinstance(data, dict) or depth > 3 * MAX_NESTING:
        raise ConditionSyntaxError("Invalid condition tree.", 0)
    if set(data) == {"ref"} and isinstance(data["ref"], str):
        if data["ref"] == ".":
            return Ref(None)
        code, _, row = data["ref"].partition(".")
        return Ref(code, row or None)
    if set(data) == {"lit"} and isinstance(data["lit"], Value):
        return Lit(data["lit"])
    for key, node_type in (("op", Op), ("call", Call)):
        if set(data) == {key, "args"} and isinstance(data[key], str) and isinstance(data["args"], list):
            return node_type(data[key], tuple(_from_json(arg, depth + 1) for arg in data["args"]))
    raise ConditionSyntaxError("Invalid condition tree.", 0)


_BINDING = {"or": 1, "and": 2, **dict.fromkeys(COMPARISONS, 3), "not": 4}


def to_source(node: Node) -> str:
    """Canonical text with no more parentheses than needed; parse(to_source(n)) == n."""
    if isinstance(node, Ref):
        return "." if node.code is None else "${" + to_json(node)["ref"] + "}"
    if isinstance(node, Lit):
        return _literal_source(node.value)
    if isinstance(node, Call):
        return f"{node.name}({', '.join(to_source(arg) for arg in node.args)})"
    if node.op == "not":
        return "not " + _operand_source(node.args[0], _BINDING["not"])
    if node.op in COMPARISONS:
        return f" {node.op} ".join(_operand_source(arg, 5) for arg in node.args)
    return f" {node.op} ".join(_operand_source(arg, _BINDING[node.op] + 1) for arg in node.args)


def _operand_source(node: Node, binding_needed: int) -> str:
    binding = _BINDING.get(node.op, 5) if isinstance(node, Op) else 5
    return to_source(node) if binding >= binding_needed else f"({to_source(node)})"


def _literal_source(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if "'" not in value:
        return f"'{value}'"
    if '"' not in value:
        return f'"{value}"'
    raise ConditionSyntaxError("Text cannot contain both ' and \" quotes.", 0)
