"""Properties of the condition language over generated sources and answers: parsing any string gives a condition or
a ConditionSyntaxError (never another exception), and a condition never raises while evaluated, whatever the
answers hold."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.taking.conditions import ConditionSyntaxError, evaluate, holds, parse, to_source

FEW = settings(max_examples=150, deadline=None)
OPERANDS = st.sampled_from(
    ["${q1}", "${q2}", "${m.r1}", ".", "1", "-2.5", "1e3", "''", "'a'", "'a b'", '"x"', "true()", "false()"]
)
PATTERNS = st.sampled_from(["^a+$", "[0-9]{3}", "(a|b)*c", "^1[3-9][0-9]{9}$", ".*", "(", "(a+)+$", "\\d"])


def _call(name: str, operand: str, extra: str = "") -> str:
    return f"{name}({operand}{extra})"


ATOMS = st.one_of(
    st.builds(lambda a, op, b: f"{a} {op} {b}", OPERANDS, st.sampled_from(["=", "!=", "<", "<=", ">", ">="]), OPERANDS),
    st.builds(_call, st.sampled_from(["is-empty", "count-selected", "string-length", "not"]), OPERANDS),
    st.builds(lambda a, b: f"selected({a}, {b})", OPERANDS, OPERANDS),
    st.builds(lambda a, p: f"regex({a}, '{p}')", OPERANDS, PATTERNS),
    OPERANDS,
)
CONDITIONS = st.recursive(
    ATOMS,
    lambda inner: st.one_of(
        st.builds(lambda a, op, b: f"({a}) {op} ({b})", inner, st.sampled_from(["and", "or", "="]), inner),
        st.builds(lambda a: f"not({a})", inner),
    ),
    max_leaves=8,
)
# Valid conditions, pieces of them, and any text at all.
SOURCES = st.one_of(
    CONDITIONS,
    st.builds(lambda source, cut: source[:cut], CONDITIONS, st.integers(0, 60)),
    st.text(alphabet="${}()., '\"=!<>-+*/andortselcu0123456789q.", max_size=60),
    st.text(max_size=60),
)
ANSWER = st.one_of(
    st.none(),
    st.text(max_size=20),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.lists(st.one_of(st.text(max_size=5), st.integers(), st.none()), max_size=4),
    st.dictionaries(st.sampled_from(["r1", "r2"]), st.one_of(st.text(max_size=5), st.integers(), st.none())),
)
ANSWERS = st.dictionaries(st.sampled_from(["q1", "q2", "m", "m.r1"]), ANSWER)


@FEW
@given(SOURCES)
def test_parsing_any_text_gives_a_condition_or_a_clear_error(source):
    try:
        parse(source)
    except ConditionSyntaxError as error:
        assert error.message and 0 <= error.position <= len(source)


@FEW
@given(CONDITIONS, ANSWERS, ANSWER)
def test_a_condition_never_raises_whatever_the_answers_hold(source, answers, current):
    try:
        node = parse(source)
    except ConditionSyntaxError:
        return
    assert isinstance(holds(node, answers, current), bool)
    value = evaluate(node, answers, current)
    assert value is None or isinstance(value, str | int | float | bool | list | dict)
    # What the builder stores and shows (to_source) reads back as the same condition.
    again = parse(to_source(node))
    assert to_source(again) == to_source(node)
    if not (isinstance(value, float) and math.isnan(value)):
        assert evaluate(again, answers, current) == value
