"""The JsonLogic stage: the official conformance suite, custom operators, the sandbox's bounds."""
import json
from pathlib import Path

import pytest

from formserver.logic import Logic, RuleError

SUITE = Path(__file__).resolve().parents[2] / "shared" / "conformance" / "jsonlogic-tests.json"
LOCAL_COPY = Path(__file__).resolve().parent / "data" / "jsonlogic-tests.json"


def _cases():
    path = SUITE if SUITE.exists() else LOCAL_COPY
    return [c for c in json.loads(path.read_text()) if not isinstance(c, str)]


CASES = _cases()


@pytest.fixture(scope="module")
def logic():
    return Logic()


def test_the_suite_has_all_278_cases():
    assert len(CASES) == 278


@pytest.mark.parametrize("rule,data,expected", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_conformance(logic, rule, data, expected):
    assert logic.compile(rule)(data) == expected


def test_custom_operators_read_reference_data():
    from formserver.reference.wilayah import Wilayah
    logic = Logic(wilayah=Wilayah())
    assert logic.compile({"wilayah_nama": ["kabupaten", {"var": "k"}]})({"k": "14.01"}) == "Kabupaten Kampar"
    assert logic.compile({"age": [{"var": "lahir"}]})({"lahir": "1900-01-01"}) >= 125
    assert logic.compile({"age": ["not a date"]})({}) is None


def test_unknown_operator_is_refused_at_compile_time(logic):
    with pytest.raises(RuleError):
        logic.compile({"eval": ["__import__('os')"]})


def test_nesting_is_bounded(logic):
    rule = {"var": "x"}
    for _ in range(300):
        rule = {"!": [rule]}
    with pytest.raises(RuleError):
        logic.compile(rule)


def test_runaway_evaluation_stops_and_reads_as_false(logic):
    rule = logic.compile({"reduce": [{"var": "xs"}, {"+": [{"var": "current"}, {"var": "accumulator"}]}, 0]})
    assert rule({"xs": list(range(10))}) == 45
    assert rule({"xs": list(range(100_000))}) is None  # over the operation budget


def test_oversized_rule_is_refused(logic):
    with pytest.raises(ValueError):
        logic.compile({"in": [{"var": "x"}, ["a" * 100] * 1000]})


# -- whole numbers held as floats: the browser's JSON has no 100.0, so the server's rules must not see one either ---

def test_whole_floats_inside_data_become_integers_and_the_rest_is_left_as_it_is():
    from formserver.logic import plain_numbers
    data = {"a": [1.0, {"b": 2.5, "c": -0.0, "d": "100.0"}], "e": 1e19, "f": True, "g": None}
    plain = plain_numbers(data)
    assert plain == {"a": [1, {"b": 2.5, "c": 0, "d": "100.0"}], "e": 1e19, "f": True, "g": None}
    assert type(plain["a"][0]) is int and type(plain["a"][1]["c"]) is int and type(plain["e"]) is float
    assert data["a"][0] == 1.0 and type(data["a"][0]) is float  # the caller's answers are not changed
    untouched = {"a": [1, {"b": 2.5}], "s": "x"}
    assert plain_numbers(untouched) is untouched  # nothing to change: no copy


def test_a_whole_float_written_in_a_rule_or_given_by_an_operator_reads_as_the_browser_reads_it(logic):
    assert logic.compile({"cat": [100.0, "|", {"max": [5.0]}]})({}) == "100|5"
    from formserver import logic as module
    module.OPERATORS["_float_for_test"] = lambda context: 250.0
    try:
        with_op = Logic()
        assert with_op.compile({"cat": [{"_float_for_test": []}]})({}) == "250"
    finally:
        del module.OPERATORS["_float_for_test"]


def test_the_state_evaluation_hands_rules_whole_floats_as_integers():
    from formserver.compile import compile_form
    from formserver.reference.options import References
    from formserver.reference.wilayah import Wilayah
    from formserver.state import Evaluator
    wilayah = Wilayah()
    label = {"id": "Isian", "en": "Field"}
    spec = {"key": "uji", "version": 1, "title": label, "steps": [{"key": "satu", "title": label, "fields": [
        {"key": "luas", "type": "integer", "label": label},
        {"key": "kata", "type": "computed", "label": label, "compute": {"cat": [{"var": "luas"}, " m2"]}},
        {"key": "daftar", "type": "computed", "label": label, "compute": {"cat": [{"var": "akun.angka"}]}}]}]}
    form = compile_form(spec, Logic(wilayah=wilayah))
    answers = {"luas": 100.0, "akun": {"angka": [2.0, 0.5]}}
    state = Evaluator(References(wilayah)).evaluate(form, answers)
    assert state.computed == {"kata": "100 m2", "daftar": "20.5"}
    assert type(answers["luas"]) is float  # the stored answers are the caller's, unchanged
