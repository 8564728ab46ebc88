"""The condition builder: builder model ⇄ JsonLogic, and any rule as a sentence."""
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from formserver.admin.rules import (
    OPERATORS,
    UNARY,
    BuilderError,
    Condition,
    Group,
    coerce,
    conditions,
    fields_of,
    from_dict,
    from_jsonlogic,
    sentence,
    to_jsonlogic,
)
from formserver.logic import Logic

from .conftest import ROOT

PERMOHONAN = json.loads((ROOT / "forms" / "permohonan.json").read_text(encoding="utf-8"))
FIELDS = fields_of(PERMOHONAN)
IZIN_YA = {"==": [{"var": "punya_izin_sebelumnya"}, "YA"]}
ENGINE = Logic()


def test_one_row_is_a_bare_comparison_as_the_shipped_forms_write_it():
    model = Group("all", (Condition("punya_izin_sebelumnya", "eq", "YA"),))
    assert to_jsonlogic(model) == IZIN_YA
    assert from_jsonlogic(IZIN_YA) == model


@pytest.mark.parametrize(("op", "logic"), [
    ("eq", {"==": [{"var": "x"}, 5]}),
    ("ne", {"!=": [{"var": "x"}, 5]}),
    ("gt", {">": [{"var": "x"}, 5]}),
    ("lt", {"<": [{"var": "x"}, 5]}),
    ("in", {"in": [{"var": "x"}, [1, 2]]}),
    ("filled", {"!!": [{"var": "x"}]}),
    ("empty", {"!": [{"var": "x"}]}),
])
def test_every_operator_writes_its_jsonlogic(op, logic):
    value = (1, 2) if op == "in" else None if op in UNARY else 5
    assert to_jsonlogic(Group("all", (Condition("x", op, value),))) == logic


def test_groups_nest_one_level_and_combine_with_all_or_any():
    model = Group("any", (Condition("a", "eq", "YA"), Group("all", (Condition("b", "gt", 3), Condition("c", "filled")))))
    logic = to_jsonlogic(model)
    assert logic == {"or": [{"==": [{"var": "a"}, "YA"]}, {"and": [{">": [{"var": "b"}, 3]}, {"!!": [{"var": "c"}]}]}]}
    assert from_jsonlogic(logic) == model


def test_the_builder_refuses_what_it_cannot_write():
    with pytest.raises(BuilderError):
        to_jsonlogic(Group("all", (Group("all", (Group("all", (Condition("a", "eq", 1),)),)),)))
    with pytest.raises(BuilderError):
        to_jsonlogic(Group("all", (Condition("a", "like", 1),)))
    with pytest.raises(BuilderError):
        to_jsonlogic(Group("all", (Condition("", "eq", 1),)))
    with pytest.raises(BuilderError):
        to_jsonlogic(Group("all", (Condition("a", "in", "not a list"),)))
    with pytest.raises(BuilderError):
        to_jsonlogic(Group("nor", (Condition("a", "eq", 1), Condition("b", "eq", 1))))
    assert to_jsonlogic(Group("all", ())) is None
    assert to_jsonlogic(None) is None


@pytest.mark.parametrize("rule", [
    {"some": [{"var": "kegiatan_usaha"}, {"var": "dipilih"}]},     # a rule over items
    {"==": ["YA", {"var": "a"}]},                                  # reversed operands
    {"==": [{"var": ["a", "default"]}, 1]},                        # var with a default
    {"and": [{"or": [{"and": [{"==": [{"var": "a"}, 1]}]}]}]},     # nested two levels
    {"==": [{"var": "a"}, {"var": "b"}]},                          # compares two fields
    {"!": [{"==": [{"var": "a"}, 1]}]},                            # negation of a comparison
    {"and": []},
    {"==": [{"var": "a"}, 1], "!=": [{"var": "b"}, 2]},
    {">=": [{"var": "a"}, 1]},
    {"in": [{"var": "a"}, [{"var": "b"}]]},
    "YA", 1, True, [],
])
def test_rules_the_builder_did_not_write_stay_raw(rule):
    assert from_jsonlogic(rule) is None


def test_every_builder_rule_in_the_shipped_forms_reads_back_to_itself():
    seen = 0

    def walk(node):
        nonlocal seen
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("visible_if", "required_if", "item_visible_if"):
                    model = from_jsonlogic(value)
                    if model is not None:
                        seen += 1
                        assert to_jsonlogic(model) == value
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for path in (ROOT / "forms").glob("*.json"):
        walk(json.loads(path.read_text(encoding="utf-8")))
    assert seen >= 5


# ---------------------------------------------------------------- property: builder → JsonLogic → builder

_names = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True) | st.sampled_from(["akun.kewarganegaraan", "kbli"])
_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**9, 10**9), st.text(max_size=20),
                     st.floats(allow_nan=False, allow_infinity=False))


@st.composite
def _conditions(draw):
    op = draw(st.sampled_from(sorted(OPERATORS)))
    if op in UNARY:
        return Condition(draw(_names), op)
    if op == "in":
        return Condition(draw(_names), op, tuple(draw(st.lists(_scalars, max_size=4))))
    return Condition(draw(_names), op, draw(_scalars))


_combine = st.sampled_from(["all", "any"])
_inner = st.builds(Group, _combine, st.lists(_conditions(), min_size=1, max_size=4).map(tuple))
_models = st.builds(Group, _combine, st.lists(_conditions() | _inner, min_size=1, max_size=5).map(tuple))


@settings(deadline=None)  # a loaded CI machine: correctness here, never speed
@given(_models)
def test_builder_to_jsonlogic_to_builder_round_trips(model):
    logic = to_jsonlogic(model)
    assert from_jsonlogic(logic) == model.normalized()
    # and what it writes survives JSON and is a rule the engine compiles
    assert from_jsonlogic(json.loads(json.dumps(logic))) == model.normalized()
    ENGINE.compile(logic)


@settings(deadline=None)  # a loaded CI machine: correctness here, never speed
@given(_models)
def test_the_page_form_of_a_model_reads_back(model):
    assert from_dict(json.loads(json.dumps(model.to_dict()))) == model


def test_a_builder_error_is_said_in_the_current_locale(in_english):
    """The editor's page shows a builder error as it is: Indonesian by default, English from the catalog."""
    from formserver.i18n import current_locale
    with pytest.raises(BuilderError, match="^a condition needs a field$"):
        to_jsonlogic(Group("all", (Condition("", "eq", 1),)))
    token = current_locale.set("id")
    try:
        with pytest.raises(BuilderError, match="^Syarat memerlukan isian$"):
            to_jsonlogic(Group("all", (Condition("", "eq", 1),)))
        with pytest.raises(BuilderError, match="^Operator 'like' tidak dikenal$"):
            to_jsonlogic(Group("all", (Condition("a", "like", 1),)))
    finally:
        current_locale.reset(token)


def test_a_malformed_page_model_is_a_builder_error():
    with pytest.raises(BuilderError):
        from_dict("x")
    with pytest.raises(BuilderError):
        from_dict({"items": ["x"]})
    with pytest.raises(BuilderError):
        to_jsonlogic(from_dict({"combine": "all", "items": [{"field": "", "op": "eq", "value": 1}]}))


def test_builder_rules_mean_what_they_say():
    logic = Logic()
    rule = logic.compile(to_jsonlogic(Group("all", (
        Condition("skala", "in", ("MIKRO", "KECIL")), Condition("modal", "gt", 100),
        Group("any", (Condition("nama", "filled"), Condition("izin", "ne", "YA")))))))
    assert rule({"skala": "MIKRO", "modal": 101, "nama": "x", "izin": "YA"})
    assert not rule({"skala": "BESAR", "modal": 101, "nama": "x"})
    assert not rule({"skala": "KECIL", "modal": 100, "nama": "x"})
    assert rule({"skala": "KECIL", "modal": 500, "nama": "", "izin": "TIDAK"})
    assert not rule({"skala": "KECIL", "modal": 500, "nama": "", "izin": "YA"})
    empty = logic.compile(to_jsonlogic(Group("all", (Condition("nama", "empty"),))))
    assert empty({}) and empty({"nama": ""}) and not empty({"nama": "Budi"})


def test_values_typed_into_the_builder_take_the_fields_type():
    assert coerce("15.000.000", "rupiah") == 15_000_000
    assert coerce(" 12 ", "integer") == 12
    assert coerce("dua", "integer") == "dua"
    assert coerce("ya", "consent") is True and coerce("false", "consent") is False
    assert coerce(" YA ", "choice") == "YA"


def test_conditions_lists_nested_rows():
    model = Group("any", (Condition("a", "eq", 1), Group("all", (Condition("b", "filled"),))))
    assert [c.field for c in conditions(model)] == ["a", "b"]


# ---------------------------------------------------------------- sentences


def test_a_builder_rule_in_indonesian_and_english_with_labels_and_option_labels():
    assert sentence(IZIN_YA, FIELDS) == "«Apakah sudah punya izin usaha sebelumnya?» sama dengan “Ya”"
    assert sentence(IZIN_YA, FIELDS, "en") == "«Do you already hold an earlier business permit?» is “Yes”"


def test_every_builder_operator_has_words():
    rule = to_jsonlogic(Group("any", (
        Condition("skala_usaha_hasil", "in", ("MIKRO", "KECIL")), Condition("modal_usaha", "gt", 5),
        Condition("modal_usaha", "lt", 9), Condition("npwp", "filled"), Condition("npwp", "empty"),
        Condition("punya_izin_sebelumnya", "ne", "YA"))))
    text = sentence(rule, FIELDS)
    for words in ("salah satu dari “Mikro”, “Kecil”", "lebih dari 5", "kurang dari 9", "«NPWP» terisi",
                  "«NPWP» kosong", "tidak sama dengan “Ya”", " atau "):
        assert words in text
    english = sentence(rule, FIELDS, "en")
    for words in ("is one of “Micro”, “Small”", "is more than 5", "is less than 9", "is filled in", "is empty", " or "):
        assert words in english


def test_rules_the_builder_cannot_edit_are_said_too():
    rule = {"some": [{"var": "kegiatan_usaha"}, {"and": [{"var": "dipilih"},
                                                         {"==": [{"var": "tingkat_risiko"}, "MENENGAH_RENDAH"]}]}]}
    assert sentence(rule, FIELDS) == ("ada «Kegiatan usaha» yang: «Proses kegiatan ini» dan "
                                      "«Tingkat risiko» sama dengan “Menengah Rendah”")
    assert sentence({"!": [{"in": [{"var": "a"}, [1]]}]}) == "bukan («a» salah satu dari 1)"
    assert sentence({"==": [{"var": "akun.kewarganegaraan"}, "WNA"]}) == "akun: kewarganegaraan sama dengan “WNA”"
    assert sentence({"!=": [{"var": "a"}, None]}) == "«a» terisi"
    assert sentence({"kbli_judul": [{"var": "kbli"}]}, FIELDS) == "kbli_judul(«Kode KBLI 2020»)"
    assert sentence(None) == "selalu" and sentence(None, lang="en") == "always"
    assert sentence(True) == "ya"


def test_any_json_at_all_gets_a_sentence_never_an_error():
    odd = [{"a": 1, "b": 2}, {"var": {}}, {"if": [1]}, {"==": [1]}, {"in": "x"}, [[[]]], {"var": ""}, 3.5,
           {"!!": [{"==": [1, 1]}]}, {"or": []}]
    for rule in odd:
        assert isinstance(sentence(rule), str) and sentence(rule)
    deep = {"var": "x"}
    for _ in range(3000):
        deep = {"!": [deep]}
    assert "aturan" in sentence(deep)


@settings(deadline=None)  # a loaded CI machine: correctness here, never speed
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=2),
                    max_leaves=12))
def test_sentence_never_fails(rule):
    assert isinstance(sentence(rule, FIELDS), str)
    assert isinstance(sentence(rule, FIELDS, "en"), str)
    model = from_jsonlogic(rule)
    if model is not None:
        assert to_jsonlogic(model) == rule
