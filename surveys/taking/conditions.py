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

Calculations (XLSForm `calculate`) use the same language with arithmetic (+ - * div mod) and a few functions
(if, concat, coalesce, number, int, round, string, contains, starts-with, ends-with, substr, today). The nodes
live in condition_nodes.py, evaluation in condition_eval.py, the safety of regex() in condition_patterns.py.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from surveys.taking.condition_eval import evaluate, holds, referenced_codes
from surveys.taking.condition_nodes import (
    ADDITIVE,
    COMPARISONS,
    FUNCTION_ARITY,
    MULTIPLICATIVE,
    Call,
    ConditionSyntaxError,
    Lit,
    Node,
    Op,
    Ref,
    Value,
)
from surveys.taking.condition_patterns import MAX_PATTERN_LENGTH, MAX_REGEX_INPUT, check_pattern

__all__ = ["MAX_PATTERN_LENGTH", "MAX_REGEX_INPUT", "Call", "ConditionSyntaxError", "Lit", "Node", "Op", "Ref", "Value",
           "evaluate", "from_json", "holds", "parse", "referenced_codes", "to_json", "to_source"]  # fmt: skip

MAX_SOURCE_LENGTH = 1000
MAX_NESTING = 50
_SPELLINGS = {"==": "=", "&&": "and", "||": "or", "!": "not"}
_KEYWORDS = ("and", "or", "not", "true", "false", "div", "mod")
# Editors typing with a Chinese input method often produce these; say which ASCII character was meant.
_FULL_WIDTH = dict(zip("（）＝，‘’“”！＜＞＄｛｝", "()=,''\"\"!<>${}", strict=True))

_TOKEN = re.compile(
    r"""(?P<space>\s+)
    |(?P<ref>\$\{[^}]*\}?)
    |(?P<num>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)
    |(?P<dot>\.)
    |(?P<str>'[^']*'|"[^"]*")
    |(?P<word>[A-Za-z_][A-Za-z0-9_-]*)
    |(?P<sym>==|!=|<=|>=|&&|\|\||[=<>!(),+*-])""",
    re.VERBOSE,
)
# A question's code is an XLSForm name (an XML name: letters of any script, digits, _ - .); `@` starts a choice
# column in a choice filter. `${a.b}` is row b of matrix a, unless a question is named "a.b".
_REF_BODY = re.compile(r"@?[^\W\d][\w.-]*")


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
    """Recursive descent, from loosest to tightest: or, and, comparison, + -, * div mod, not and -, operand."""

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
        left = self._additive()
        if not self._at(*COMPARISONS):
            return left
        if start.kind in ("word", "sym") and self._word(start) == "not":
            # `not a = b` reads as not (a = b) to people but binds as (not a) = b: make them say which.
            raise ConditionSyntaxError("Put parentheses after 'not' around the comparison: not (...).", start.pos)
        op = self._word(self._advance())
        node = Op(op, (left, self._additive()))
        if self._at(*COMPARISONS):
            raise ConditionSyntaxError(
                "Comparisons cannot be chained; join them with 'and' before '%(found)s'.",
                self.token.pos,
                found=self.token.text,
            )
        return node

    def _additive(self) -> Node:
        node = self._multiplicative()
        while self._at(*ADDITIVE):
            op = self._word(self._advance())
            node = Op(op, (node, self._multiplicative()))
        return node

    def _multiplicative(self) -> Node:
        node = self._unary()
        while self._at(*MULTIPLICATIVE):
            op = self._word(self._advance())
            node = Op(op, (node, self._unary()))
        return node

    def _unary(self) -> Node:
        if self._at("not", "-"):
            token = self._advance()
            self._nest(token)
            operand = self._unary()
            self.depth -= 1
            if token.text != "-":
                return Op("not", (operand,))
            value = operand.value if isinstance(operand, Lit) else None
            if isinstance(value, int | float) and not isinstance(value, bool):
                return Lit(-value)
            return Op("-", (Lit(0), operand))
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
        if _REF_BODY.fullmatch(body) is None:
            raise ConditionSyntaxError("Invalid question code '%(code)s'.", token.pos, code=body)
        known = self.known_codes
        code, row = (body, None) if "." not in body or (known and body in known) else body.split(".", 1)
        if known is not None and code not in known and not code.startswith("@"):
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
        low, high = FUNCTION_ARITY[name.text]
        if low == high and len(args) != low:
            raise ConditionSyntaxError(
                "Function '%(name)s' takes %(arity)d argument(s), not %(count)d.",
                name.pos,
                name=name.text,
                arity=low,
                count=len(args),
            )
        if not low <= len(args) <= high:
            raise ConditionSyntaxError(
                "Function '%(name)s' takes %(low)d to %(high)d arguments, not %(count)d.",
                name.pos,
                name=name.text,
                low=low,
                high=high,
                count=len(args),
            )
        if name.text == "regex":
            check_pattern(args[1], arg_tokens[1].pos)
        return Call(name.text, tuple(args))


def parse(source: str, known_codes: Collection[str] | None = None) -> Node:
    """Parse a condition; `known_codes`, when given, are the question codes it may refer to."""
    if len(source) > MAX_SOURCE_LENGTH:
        raise ConditionSyntaxError("The condition is longer than %(n)d characters.", 0, n=MAX_SOURCE_LENGTH)
    return _Parser(source, known_codes).parse()


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


_BINDING = {
    "or": 1,
    "and": 2,
    **dict.fromkeys(COMPARISONS, 3),
    **dict.fromkeys(ADDITIVE, 4),
    **dict.fromkeys(MULTIPLICATIVE, 5),
    "not": 6,
}


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
        # `not a = b` is refused by the parser (it reads as (not a) = b): a `not` there is always parenthesised.
        return f" {node.op} ".join(
            f"({to_source(arg)})" if isinstance(arg, Op) and arg.op == "not" else _operand_source(arg, 4)
            for arg in node.args
        )
    if node.op in ("and", "or"):
        return f" {node.op} ".join(_operand_source(arg, _BINDING[node.op] + 1) for arg in node.args)
    left, right = node.args  # arithmetic binds to the left: a - (b - c) keeps its parentheses
    binding = _BINDING[node.op]
    return f"{_operand_source(left, binding)} {node.op} {_operand_source(right, binding + 1)}"


def _operand_source(node: Node, binding_needed: int) -> str:
    binding = _BINDING.get(node.op, 7) if isinstance(node, Op) else 7
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
