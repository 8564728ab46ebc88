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
