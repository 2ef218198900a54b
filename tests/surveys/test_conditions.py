"""The show-if / validation expression language: parsing, errors, evaluation, limits, round trips."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from surveys.taking.conditions import (
    ConditionSyntaxError,
    evaluate,
    from_json,
    holds,
    parse,
    referenced_codes,
    to_json,
    to_source,
)

CONDITIONS_JS = Path(__file__).resolve().parents[2] / "static" / "js" / "conditions.js"


def ref(code: str) -> dict[str, Any]:
    return {"ref": code}


def lit(value: Any) -> dict[str, Any]:
    return {"lit": value}


def op(name: str, *args: dict[str, Any]) -> dict[str, Any]:
    return {"op": name, "args": list(args)}


def call(name: str, *args: dict[str, Any]) -> dict[str, Any]:
    return {"call": name, "args": list(args)}


@pytest.mark.parametrize(
    ("source", "tree"),
    [
        ("${q3} = 'other'", op("=", ref("q3"), lit("other"))),
        ('${city} != "北京"', op("!=", ref("city"), lit("北京"))),
        ("${age} >= 18", op(">=", ref("age"), lit(18))),
        ("${score} < -2.5", op("<", ref("score"), lit(-2.5))),
        ("${a} <= 0.5 or ${a} > 10", op("or", op("<=", ref("a"), lit(0.5)), op(">", ref("a"), lit(10)))),
        (". >= 1", op(">=", ref("."), lit(1))),
        ("${m.r1} = 'agree'", op("=", ref("m.r1"), lit("agree"))),
        ("${agree} = true", op("=", ref("agree"), lit(True))),
        ("not ${agree}", op("not", ref("agree"))),
        ("selected(${q5}, 'bus')", call("selected", ref("q5"), lit("bus"))),
        ("count-selected(${q5}) > 2", op(">", call("count-selected", ref("q5")), lit(2))),
        ("is-empty(${q6})", call("is-empty", ref("q6"))),
        ("string-length(.) <= 200", op("<=", call("string-length", ref(".")), lit(200))),
        ("regex(., '^[0-9]+$')", call("regex", ref("."), lit("^[0-9]+$"))),
        ("(${a} = 1)", op("=", ref("a"), lit(1))),
    ],
)
def test_each_construct_parses_to_its_tree(source: str, tree: dict[str, Any]) -> None:
    assert to_json(parse(source)) == tree


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("${a} == 1 && ${b} || !${c}", "${a} = 1 and ${b} or not ${c}"),
        ("${a} AND ${b} Or NOT ${c}", "${a} and ${b} or not ${c}"),
        ("true() and false()", "true and false"),
        ("(${a} and ${b}) and ${c}", "${a} and ${b} and ${c}"),
    ],
)
def test_alternative_spellings_read_the_same_as_the_canonical_form(spelling: str, canonical: str) -> None:
    assert parse(spelling) == parse(canonical)
    assert to_source(parse(spelling)) == canonical


def test_and_binds_tighter_than_or() -> None:
    tree = to_json(parse("${a} = 1 or ${b} = 2 and ${c} = 3"))
    b_and_c = op("and", op("=", ref("b"), lit(2)), op("=", ref("c"), lit(3)))
    assert tree == op("or", op("=", ref("a"), lit(1)), b_and_c)


def test_comparison_binds_tighter_than_and() -> None:
    assert to_json(parse("${a} > 1 and ${b}")) == op("and", op(">", ref("a"), lit(1)), ref("b"))


def test_not_binds_tighter_than_and_and_comparison() -> None:
    assert to_json(parse("not ${a} and ${b}")) == op("and", op("not", ref("a")), ref("b"))
    assert to_json(parse("(not ${a}) = false")) == op("=", op("not", ref("a")), lit(False))
    assert to_json(parse("not (${a} = 1)")) == op("not", op("=", ref("a"), lit(1)))


def test_bare_not_before_a_comparison_is_refused_rather_than_misread() -> None:
    # People read `not ${a} = 1` as not (${a} = 1); the grammar would bind it as (not ${a}) = 1.
    with pytest.raises(ConditionSyntaxError, match="parentheses") as caught:
        parse("${b} or not ${a} = 1")
    assert caught.value.position == 8


@pytest.mark.parametrize(
    ("source", "position", "words"),
    [
        ("${a} = = 1", 7, "'='"),
        ("${a} = 1 ${b}", 9, "'${b}'"),
        ("${a} = 1)", 8, "')'"),
        ("(${a} = 1 and (${b} = 2)", 0, "never closed"),
        ("selected(${a}, 'x'", 8, "never closed"),
        ("${a} = 1 and ${}", 13, "Empty question reference"),
        ("${a} = 1 and ${2b} = 1", 13, "'2b'"),
        ("${a} and ${zz} = 1", 9, "Unknown question 'zz'"),
        ("pulldata(${a}, 'x')", 0, "Unknown function 'pulldata'"),
        ("selected(${a})", 0, "takes 2 argument(s), not 1"),
        ("${a} = 'abc", 7, "never closed"),
        ("${a} ＝ 1", 5, "use '='"),
        ("${a} = 1 # note", 9, "'#'"),
        ("1 < ${a} < 3", 9, "chained"),
        ("${a} = and", 7, "'and'"),
        ("regex(., ${b})", 9, "quoted text"),
        ("regex(., '[0-9')", 9, "Invalid pattern"),
        ("${a} < 1e999", 7, "'1e999' is too large"),
        ("", 0, "empty"),
    ],
)
def test_errors_point_at_the_offending_token(source: str, position: int, words: str) -> None:
    with pytest.raises(ConditionSyntaxError) as caught:
        parse(source, known_codes={"a", "b"})
    assert caught.value.position == position
    assert words in caught.value.message


def test_known_codes_are_checked_only_when_given() -> None:
    assert referenced_codes(parse("${zz} = 1")) == {"zz"}
    with pytest.raises(ConditionSyntaxError, match="Unknown question 'zz'"):
        parse("${zz} = 1", known_codes=["a"])


def test_referenced_codes_lists_questions_but_not_this_answer_or_matrix_rows() -> None:
    node = parse("selected(${q5}, 'bus') and ${m.r2} = 'x' or . > ${q1} or is-empty(${q5})")
    assert referenced_codes(node) == {"q5", "m", "q1"}


# --- Evaluation on realistic answers ---


def test_other_specify_shows_and_is_required_only_when_other_is_chosen() -> None:
    show_other_box = parse("${q3} = 'other'")
    needs_text = parse("not (${q3} = 'other') or not is-empty(${q3_other})")
    assert holds(show_other_box, {"q3": "other", "q3_other": None})
    assert not holds(show_other_box, {"q3": "bus"})
    assert not holds(show_other_box, {})
    assert not holds(needs_text, {"q3": "other", "q3_other": None})
    assert not holds(needs_text, {"q3": "other", "q3_other": ""})
    assert holds(needs_text, {"q3": "other", "q3_other": "骑电动车"})
    assert holds(needs_text, {"q3": "bus", "q3_other": None})


def test_multiple_choice_selection_and_its_limits() -> None:
    transport = {"q5": ["bus", "metro"]}
    assert holds(parse("selected(${q5}, 'metro')"), transport)
    assert not holds(parse("selected(${q5}, 'car')"), transport)
    assert holds(parse("${q5} = 'bus metro'"), transport)  # XLSForm's space-separated form
    within_limits = parse("count-selected(.) >= 1 and count-selected(.) <= 2")
    assert holds(within_limits, {}, current=["bus", "metro"])
    assert not holds(within_limits, {}, current=["bus", "metro", "car"])
    assert not holds(within_limits, {}, current=[])
    assert not holds(within_limits, {}, current=None)


def test_single_choice_answer_counts_as_selected() -> None:
    assert holds(parse("selected(${q2}, 'yes')"), {"q2": "yes"})
    assert not holds(parse("selected(${q2}, 'yes')"), {"q2": "no"})


def test_matrix_rows_are_read_by_row_code() -> None:
    satisfaction = {"m": {"r1": "agree", "r2": "disagree"}}
    assert holds(parse("${m.r1} = 'agree' and ${m.r2} != 'agree'"), satisfaction)
    assert not holds(parse("${m.r3} = 'agree'"), satisfaction)
    assert holds(parse("is-empty(${m.r3})"), satisfaction)
    assert not holds(parse("${m} = 'agree'"), satisfaction)
    assert not holds(parse("${m.r1} = 'agree'"), {"m": "agree"})  # not a matrix answer: no rows


@pytest.mark.parametrize(
    ("age", "accepted"),
    [
        (18, True), (120, True), (17, False), (121, False), (35.5, True),
        ("40", True), ("forty", False), (None, False), ("", False),
    ],
)  # fmt: skip
def test_number_range_validation(age: Any, accepted: bool) -> None:
    assert holds(parse(". >= 18 and . <= 120"), {}, current=age) is accepted


def test_unanswered_equals_only_blank_and_differs_from_everything_else() -> None:
    for answer in (None, "", []):
        assert holds(parse("${q} = ''"), {"q": answer})
        assert holds(parse("is-empty(${q})"), {"q": answer})
        assert not holds(parse("${q} = 0"), {"q": answer})
        assert holds(parse("${q} != 0"), {"q": answer})
        assert not holds(parse("${q} < 5"), {"q": answer})
        assert not holds(parse("${q} >= 5"), {"q": answer})


def test_dates_compare_in_iso_order() -> None:
    assert holds(parse("${visit} >= '2024-01-01'"), {"visit": "2024-03-15"})
    assert not holds(parse("${visit} >= '2024-01-01'"), {"visit": "2023-12-31"})


def test_regex_checks_a_phone_number_and_chinese_text() -> None:
    phone = parse("regex(., '^1[3-9][0-9]{9}$')")
    assert holds(phone, {}, current="13812345678")
    assert not holds(phone, {}, current="1381234567")
    assert not holds(phone, {}, current=None)
    chinese_only = parse(r"regex(., '^[\u4e00-\u9fa5]+$')")
    assert holds(chinese_only, {}, current="社区卫生")
    assert not holds(chinese_only, {}, current="社区 health")


def test_string_length_counts_characters_not_bytes() -> None:
    assert evaluate(parse("string-length(.)"), {}, current="意见征集") == 4
    assert evaluate(parse("string-length(.)"), {}, current=None) == 0


ODD_ANSWERS = [None, "", "x", "12", 0, 3.5, True, ["a"], [], {"r": "c"}, {}, [["nested"]]]


@pytest.mark.parametrize("answer", ODD_ANSWERS)
@pytest.mark.parametrize(
    "source",
    ["${q} = 1", "${q} != 'x'", "${q} < 2", "${q} >= 'b'", "${q.r} = 'c'", "selected(${q}, 'a')", "not ${q}",
     "count-selected(${q}) = 1", "string-length(${q}) > 0", "regex(${q}, 'a')", "${q} = ${q}"],
)  # fmt: skip
def test_odd_answers_never_raise(source: str, answer: Any) -> None:
    assert isinstance(holds(parse(source), {"q": answer}), bool)


# --- Hostile input ---


def test_overlong_condition_is_refused() -> None:
    clause = "${q1} = 1 or "
    just_fits = clause * (1000 // len(clause)) + "true"
    assert len(just_fits) <= 1000
    assert parse(just_fits)
    with pytest.raises(ConditionSyntaxError, match="longer than 1000"):
        parse(just_fits + " or ${q2} = 2" * 10)


@pytest.mark.parametrize("opening", ["(", "not ", "!", "is-empty("])
def test_deep_nesting_is_refused_at_the_51st_level(opening: str) -> None:
    closing = ")" if "(" in opening else ""
    assert parse(opening * 50 + "${a}" + closing * 50)
    with pytest.raises(ConditionSyntaxError, match="nested") as caught:
        parse(opening * 60 + "${a}" + closing * 60)
    assert caught.value.position == 50 * len(opening)


@pytest.mark.parametrize(
    "pattern", ["(a+)+$", "^(a*)*b", r"(\w+\s?)*$", r"^(([a-z0-9\-])+\.)+[a-z]{2,4}$", "((a+)){3}"]
)
def test_patterns_with_nested_repetition_are_refused(pattern: str) -> None:
    # Browsers backtrack: (a+)+$ on 30 'a's and a '!' would freeze a respondent's phone.
    with pytest.raises(ConditionSyntaxError, match="repeats a group"):
        parse(f"regex(., '{pattern}')")


@pytest.mark.parametrize("pattern", ["^(a|aa)+$", "^.*.*.*.*.*x$", r"^(\d{3}-)?\d{4}$", "^(?:ab)+c$", "^[(+]+$"])
def test_accepted_patterns_still_run_in_linear_time_on_the_server(pattern: str) -> None:
    condition = parse(f"regex(., '{pattern}')")
    hostile_answer = "a" * 1999 + "!"
    started = time.perf_counter()
    holds(condition, {}, current=hostile_answer)
    assert time.perf_counter() - started < 0.5


def test_overlong_patterns_and_answers_are_refused() -> None:
    with pytest.raises(ConditionSyntaxError, match="longer than 200"):
        parse(f"regex(., '{'a' * 201}')")
    assert not holds(parse("regex(., 'a')"), {}, current="a" * 2001)


@pytest.mark.parametrize(
    "data",
    [
        "${a} = 1",
        {"ref": "a", "lit": 1},
        {"op": "=", "args": [{"ref": "a"}]},
        {"call": "eval", "args": [{"lit": "1"}]},
        {"call": "regex", "args": [{"ref": "."}, {"lit": "(a+)+"}]},
        {"lit": float("inf")},
        {"lit": None},
        {"ref": "bad code"},
        {"lit": 'it\'s "quoted"'},
        json.loads('{"op": "not", "args": [' * 400 + '{"lit": true}' + "]}" * 400),
    ],
)
def test_from_json_refuses_trees_the_parser_would_not_produce(data: Any) -> None:
    with pytest.raises(ConditionSyntaxError):
        from_json(data)


# --- Round trips ---

EXAMPLES = [
    "${q3} = 'other' and not is-empty(${q3_other})",
    "selected(${q5}, 'bus') or count-selected(${q5}) >= 2",
    "not (${a} = 1 or ${b} = 2) and (${c} or ${d}) and ${m.r1} != 'x'",
    ". >= -0.25 and . <= 1e3",
    "(not ${a}) = false",
    "regex(., '^[0-9]+$') and string-length(.) < 12",
    "${name} = \"O'Brien\" or ${city} = '北京'",
]


@pytest.mark.parametrize("source", EXAMPLES)
def test_json_round_trip_keeps_the_tree(source: str) -> None:
    node = parse(source)
    assert from_json(json.loads(json.dumps(to_json(node)))) == node


@pytest.mark.parametrize("source", EXAMPLES)
def test_canonical_source_parses_back_to_the_same_tree(source: str) -> None:
    node = parse(source)
    assert parse(to_source(node)) == node
    assert to_source(parse(to_source(node))) == to_source(node)


# --- The browser's evaluator agrees with the server's ---

AGREEMENT_CASES: list[tuple[str, dict[str, Any], Any, bool]] = [
    ("${q3} = 'other'", {"q3": "other"}, None, True),
    ("${q3} = 'other'", {}, None, False),
    ("${q3} != 'other'", {}, None, True),
    ("${q} = ''", {"q": None}, None, True),
    ("${age} >= 18", {"age": "18"}, None, True),
    ("${age} >= 18", {"age": 17.5}, None, False),
    ("${age} = '18'", {"age": 18}, None, True),
    ("${age} > 'x'", {"age": 18}, None, False),
    ("${d} < '2024-06-01'", {"d": "2024-05-31"}, None, True),
    ("selected(${q5}, 'bus')", {"q5": ["metro", "bus"]}, None, True),
    ("selected(${q5}, 'bus')", {"q5": "bus"}, None, True),
    ("selected(${q5}, '')", {"q5": ["", "bus"]}, None, False),
    ("${q5} = 'metro bus'", {"q5": ["metro", "bus"]}, None, True),
    ("count-selected(${q5}) = 2", {"q5": ["metro", "bus"]}, None, True),
    ("count-selected(${q5}) = 0", {"q5": None}, None, True),
    ("${m.r1} = 'agree' and is-empty(${m.r2})", {"m": {"r1": "agree"}}, None, True),
    ("${m.r1} = 'agree'", {"m": ["agree"]}, None, False),
    ("${flag} = true", {"flag": True}, None, True),
    ("${flag} = 1", {"flag": True}, None, False),
    ("not ${n}", {"n": 0}, None, True),
    ("${n} and ${t}", {"n": 2, "t": "x"}, None, True),
    ("string-length(.) = 5", {}, "一二三😀五", True),
    ("string-length(.) = 1", {}, 5.0, True),
    ("regex(., '^[0-9]{6}$')", {}, "100101", True),
    (r"regex(., '^[\u4e00-\u9fa5]{2,}$')", {}, "北京", True),
    ("regex(., '^$')", {}, None, False),
    ("regex(., 'a')", {}, "a" * 2001, False),
    ("${constructor} = ''", {}, None, True),
    # Calculations (XLSForm calculate): arithmetic and the functions, the same in the browser.
    ("${a} * 12 = 360", {"a": 30}, None, True),
    ("${a} + '2' = 5 and 7 mod 4 = 3 and 7 div 2 = 3.5 and 10 - ${a} - 2 = 5", {"a": 3}, None, True),
    ("is-empty(${a} div 0) and is-empty(${a} + ${b})", {"a": 3}, None, True),
    ("if(${a} >= 18, 'adult', 'minor') = 'minor'", {"a": 12}, None, True),
    ("concat(${a}, '-', ${b}) = '3-x'", {"a": 3, "b": "x"}, None, True),
    ("coalesce(${b}, 'none') = 'none' and number('4.5') = 4.5 and int(-4.7) = -4", {}, None, True),
    ("round(2.5) = 3 and round(-2.5) = -2 and round(3.14159, 2) = 3.14", {}, None, True),
    ("contains(${b}, '北') and starts-with(${b}, '东北') and ends-with(${b}, '区')", {"b": "东北区"}, None, True),
    ("substr(${b}, 1, 3) = '北区' and substr(${b}, 2) = '区a' and string(5) = '5'", {"b": "东北区a"}, None, True),
    ("string-length(today()) = 10", {}, None, True),
]


@pytest.mark.parametrize(("source", "answers", "current", "expected"), AGREEMENT_CASES)
def test_python_evaluator_gives_the_expected_answer(
    source: str, answers: dict[str, Any], current: Any, expected: bool
) -> None:
    assert holds(parse(source), answers, current) is expected


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed: cannot run conditions.js")
def test_browser_evaluator_agrees_with_the_server() -> None:
    cases = [
        {"tree": to_json(parse(source)), "answers": answers, "current": current}
        for source, answers, current, _ in AGREEMENT_CASES
    ]
    runner = (
        "const { holds } = require(process.argv[1]); let input = '';"
        "process.stdin.on('data', (chunk) => { input += chunk; }).on('end', () => {"
        "  const cases = JSON.parse(input);"
        "  process.stdout.write(JSON.stringify(cases.map((c) => holds(c.tree, c.answers, c.current))));"
        "});"
    )
    result = subprocess.run(
        ["node", "-e", runner, str(CONDITIONS_JS)],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    browser = json.loads(result.stdout)
    server = [holds(parse(source), answers, current) for source, answers, current, _ in AGREEMENT_CASES]
    disagreements = [case[0] for case, b, s in zip(AGREEMENT_CASES, browser, server, strict=True) if b != s]
    assert disagreements == []
