"""XLSForm expressions (`relevant`, `constraint`, `calculation`, `choice_filter`) to and from our condition language
(surveys/taking/conditions.py).

The two are close on purpose: `${q} = 'x'`, `selected(${q}, 'x')`, `count-selected(.)`, and/or/not(...),
`string-length(.)`, `regex(., '...')` and `.` read the same. What changes on the way in: curly quotes that
Excel and WPS type ('x' written as ‘x’) become straight ones, and a matrix row `${row}` becomes `${matrix.row}`;
names stay as written. In a choice_filter a bare name (`county = ${county}`) is a column of the choices sheet,
`${@county}` in ours. Anything the parser refuses (jr:choice-name(), pulldata(), a later or refused question...)
makes the row refused, with the reason in the editor's language.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from flask_babel import gettext

from surveys.taking import conditions
from surveys.transfer.xlsform_reasons import N_

_REF = re.compile(r"\$\{\s*([^}]*?)\s*\}")
_BARE_NAME = re.compile(r"""('[^']*'|"[^"]*")|\$\{[^}]*\}|(?<![\w.$@-])([^\W\d][\w.-]*+)(?!\s*\()""")
_NOT_COLUMNS = {"and", "or", "not", "div", "mod", "true", "false"}
_CURLY = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "\u00a0": " "})


class ExpressionError(ValueError):
    """An expression that cannot be expressed in our condition language; the message says why."""


def normalise_quotes(source: str) -> tuple[str, bool]:
    """The expression with curly quotes made straight, and whether anything changed."""
    straight = source.translate(_CURLY)
    return straight, straight != source


def referenced_names(source: str) -> list[str]:
    return [match.group(1) for match in _REF.finditer(source)]


def to_condition(source: str, renamed: Mapping[str, str], known: Collection[str], refused: Collection[str]) -> str:
    """Our condition text for an XLSForm expression, or ExpressionError.

    `renamed` maps XLSForm names to our references (a code, or `matrix.row`); `known` are the codes that may be
    referred to (questions before this one); `refused` are names of rows that were not imported.
    """
    source, _changed = normalise_quotes(source.strip())
    for name in referenced_names(source):
        if name.startswith("@"):  # a column of the choices sheet, in a choice filter
            continue
        if name in refused:
            raise ExpressionError(gettext(N_("refers to '%(name)s', which was not imported"), name=name))
        if name not in renamed:
            raise ExpressionError(gettext(N_("refers to '%(name)s', which is not an earlier question"), name=name))
    translated = _REF.sub(lambda match: "${" + renamed.get(match.group(1), match.group(1)) + "}", source)
    try:
        conditions.parse(translated, known_codes=set(known))
    except conditions.ConditionSyntaxError as error:
        message = gettext(error.msgid, **error.params) if error.params else gettext(error.msgid)
        raise ExpressionError(message) from None
    return translated


def to_choice_filter(source: str, renamed: Mapping[str, str], known: Collection[str], refused: Collection[str]) -> str:
    """Our condition for a choice_filter: bare names become choice columns (`${@county}`), then as to_condition."""
    straight, _changed = normalise_quotes(source.strip())

    def column(match: re.Match[str]) -> str:
        name = match.group(2)
        if name is None or name.lower() in _NOT_COLUMNS:
            return match.group(0)
        return "${@" + name + "}"

    return to_condition(_BARE_NAME.sub(column, straight), renamed, known, refused)


def from_choice_filter(source: str) -> str:
    """The XLSForm text of our choice filter: `${@county}` back to `county`."""
    return re.sub(r"\$\{@([^}]*)\}", r"\1", source)


def conjuncts(source: str) -> list[conditions.Node]:
    """The parts of an `a and b and c` expression (one part when it is not an `and`)."""
    node = conditions.parse(source)
    return list(node.args) if isinstance(node, conditions.Op) and node.op == "and" else [node]


def join(parts: list[conditions.Node]) -> str:
    if not parts:
        return ""
    return conditions.to_source(parts[0] if len(parts) == 1 else conditions.Op("and", tuple(parts)))


def bound(node: conditions.Node, function: str | None = None) -> tuple[str, float] | None:
    """(">=" or "<=", number) when `node` is `. >= n` / `. <= n` (or count-selected(.) >= n with `function`)."""
    if not (isinstance(node, conditions.Op) and node.op in (">=", "<=") and isinstance(node.args[1], conditions.Lit)):
        return None
    left, right = node.args
    if function is None:
        matches = left == conditions.Ref(None)
    else:
        matches = left == conditions.Call(function, (conditions.Ref(None),))
    value = right.value  # type: ignore[union-attr]
    if not matches or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return node.op, value


def combine(parts: list[str]) -> str:
    """`a and b` of non-empty expressions, each parenthesised when it is itself an `or`."""
    kept = [part for part in parts if part]
    if len(kept) <= 1:
        return kept[0] if kept else ""
    nodes = [conditions.parse(part) for part in kept]
    return join(
        [
            arg
            for node in nodes
            for arg in (node.args if isinstance(node, conditions.Op) and node.op == "and" else (node,))
        ]
    )
