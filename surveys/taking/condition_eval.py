"""Evaluating a condition or calculation tree (surveys/taking/conditions.py parses it) against the answers so far.

Never raises on odd answers: a mismatch of types is simply False, arithmetic on an empty or non-numeric answer is
empty (None), as a division by zero is. static/js/conditions.js evaluates the same trees the same way in the
browser; the server stays the authority.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from surveys.taking.condition_nodes import Call, Lit, Node, Op, Ref
from surveys.taking.condition_patterns import MAX_REGEX_INPUT, compiled

_NUMERIC_TEXT = re.compile(r"-?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)")


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
    return compiled(pattern).search(text) is not None


def _finite(function: Callable[..., Any], number: float | None, *args: Any) -> Any:
    return None if number is None or not math.isfinite(number) else function(number, *args)


def _round(value: Any, digits: Any = 0) -> Any:
    """Halves round up (2.5 → 3, -2.5 → -2), as XPath and the browser do, not to even as Python's round()."""
    places = _as_number(digits)
    scale = 10 ** (min(max(int(places), -15), 15) if places is not None and math.isfinite(places) else 0)
    number = _finite(lambda n: math.floor(n * scale + 0.5) / scale, _as_number(value))
    return int(number) if isinstance(number, float) and number.is_integer() and abs(number) < 2**53 else number


def _substr(text: Any, start: Any, end: Any = None) -> str:
    first, last = _as_number(start), _as_number(end)
    value = _to_text(text)
    if first is None or not math.isfinite(first):
        return ""
    return value[int(first) : None if last is None or not math.isfinite(last) else int(last)]


def _arithmetic(op: str, left: Any, right: Any) -> Any:
    """XPath arithmetic: numbers (or numeric text) only; anything else, or a division by zero, is empty."""
    a, b = _as_number(left), _as_number(right)
    if a is None or b is None or (op in ("div", "mod") and b == 0):
        return None
    result = {"+": a + b, "-": a - b, "*": a * b, "div": a / b if b else 0, "mod": math.fmod(a, b) if b else 0}[op]
    if not math.isfinite(result):
        return None
    return int(result) if result.is_integer() and abs(result) < 2**53 else result


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "selected": _selected,
    "count-selected": _count_selected,
    "is-empty": _is_empty,
    "string-length": lambda answer: len(_to_text(answer)),
    "regex": _regex,
    "if": lambda condition, then, otherwise: then if _truthy(condition) else otherwise,
    "concat": lambda *parts: "".join(_to_text(part) for part in parts),
    "coalesce": lambda first, second: second if _is_empty(first) else first,
    "number": _as_number,
    "int": lambda value: _finite(math.trunc, _as_number(value)),
    "round": _round,
    "string": _to_text,
    "contains": lambda text, part: _to_text(part) in _to_text(text),
    "starts-with": lambda text, part: _to_text(text).startswith(_to_text(part)),
    "ends-with": lambda text, part: _to_text(text).endswith(_to_text(part)),
    "substr": _substr,
    "today": lambda: date.today().isoformat(),
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
        if node.row is not None and f"{node.code}.{node.row}" in answers:  # a name with a dot, not a matrix row
            return answers[f"{node.code}.{node.row}"]
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
    if node.op in ("+", "-", "*", "div", "mod"):
        return _arithmetic(node.op, left, right)
    if node.op in ("=", "!="):
        return _equal(left, right) == (node.op == "=")
    return _ordered(node.op, left, right)


def holds(node: Node, answers: Mapping[str, Any], current: Any = None) -> bool:
    """Whether the condition is true: what a show-if or a validation rule needs."""
    return _truthy(evaluate(node, answers, current))


def referenced_codes(node: Node) -> set[str]:
    """Question codes the condition reads (not `.`), so the builder can insist they come earlier."""
    if isinstance(node, Ref):
        return {node.code} if node.code is not None and not node.code.startswith("@") else set()
    if isinstance(node, Op | Call):
        return set().union(*(referenced_codes(arg) for arg in node.args))
    return set()
