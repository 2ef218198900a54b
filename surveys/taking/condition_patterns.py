"""Regular expressions in conditions, run safely.

Python's `re` backtracks, so `(a+)+$` on a long answer would hang a worker. Patterns are therefore compiled and
run with RE2 (google-re2), whose matching time is linear in the input, and are limited to 200 characters and
inputs to 2,000 characters. Browsers still backtrack, so patterns that repeat a repeating group (the classic
exponential form) are refused outright; polynomial patterns such as `.*.*.*x` remain possible and can only slow
the respondent's own tab (which the server does not depend on).
"""

from __future__ import annotations

import functools
import re
from typing import Any

from surveys.taking.condition_nodes import ConditionSyntaxError, Lit, Node

MAX_PATTERN_LENGTH = 200
MAX_REGEX_INPUT = 2000  # characters of an answer that regex() looks at; longer answers never match


def check_pattern(node: Node, pos: int) -> None:
    """Refuse at parse time any pattern that could not be run safely, so evaluation never has to."""
    import re2  # re2 is imported on use: create_app() must not load it

    if not (isinstance(node, Lit) and isinstance(node.value, str)):
        raise ConditionSyntaxError("The pattern of regex() must be quoted text.", pos)
    pattern = node.value
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise ConditionSyntaxError("The pattern is longer than %(n)d characters.", pos, n=MAX_PATTERN_LENGTH)
    try:
        compiled(pattern)
    except re2.error as error:
        detail = error.args[0].decode() if error.args and isinstance(error.args[0], bytes) else str(error)
        raise ConditionSyntaxError("Invalid pattern: %(detail)s.", pos, detail=detail) from None
    nested_at = nested_repetition_at(pattern)
    if nested_at is not None:
        raise ConditionSyntaxError(
            "The pattern repeats a group that itself repeats ('%(part)s'); simplify it.",
            pos,
            part=pattern[: nested_at + 1],
        )


@functools.lru_cache(maxsize=512)
def compiled(pattern: str) -> Any:
    import re2  # re2 is imported on use: create_app() must not load it

    options = re2.Options()
    options.log_errors = False  # RE2 would otherwise print every refused pattern to stderr
    # Browsers and Python write a code point as \uXXXX (common in Chinese patterns like [\u4e00-\u9fa5]);
    # RE2 spells it \x{XXXX}. The stored pattern keeps the \u form, which conditions.js runs as is.
    return re2.compile(re.sub(r"(?<!\\)((?:\\\\)*)\\u([0-9A-Fa-f]{4})", r"\1\\x{\2}", pattern), options)


def nested_repetition_at(pattern: str) -> int | None:
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
