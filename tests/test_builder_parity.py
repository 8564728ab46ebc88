"""Parity of the browser's rules with the server's for rules the office staff write, not only the shipped ones.

Rules come from the form editor's own functions: the condition builder's rows as its page posts them
(formserver/admin/forms.py ``read_rule``, values typed as text and read by the field's type), over one
field of every type the editor's palette offers, and raw JsonLogic as an expert types it. Answers are
generated with the mismatches a stored submission may hold (numbers as text, empty strings, missing
keys, lists where one value is expected). Each case runs in the built browser bundle (in Node) and in
the server's engine, compared result by result. A definition created through the admin API, not a
shipped file, reaches the browser through the rules endpoint and gives the server's step states.
"""
import json
import subprocess

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from formserver.admin import rules
from formserver.admin.edit import new_field
from formserver.admin.forms import Posted, read_rule
from formserver.compile.fields import palette
from formserver.officers import create_form_admin

from .conftest import Api, make_app
from .test_rules_parity import ROOT, _same, _server_state, bundle, differences, reference, svc  # noqa: F401  (bundle, reference and svc are fixtures)

# every type the palette offers whose answers a rule can read (a statement, summary or group holds none)
ANSWERED = [t["type"] for t in palette() if t["type"] not in ("statement", "summary", "group")]
LABELS = {"id": "Isian", "en": "Field"}
FIELDS = [new_field(kind, f"isian_{kind}", LABELS) for kind in ANSWERED]
INFO = rules.fields_of({"steps": [{"key": "satu", "fields": FIELDS}]})
NAMES = [f["key"] for f in FIELDS] + ["akun.kewarganegaraan", "tidak_ada"]

# what staff type into a condition's value box: option values and labels, numbers as Indonesians write them, dates…
TYPED = st.one_of(
    st.sampled_from(["YA", "Tidak", "ya", "", " ", "0", "1", "-1", "12", "1.000", "1,5", "2.5", "5000000", "1e3",
                     "true", "false", "on", "2024-01-31", "abc", "null", "[]", "WNI", " 7 "]),
    st.integers(-10**6, 10**10).map(str),
    st.text(max_size=5))


@st.composite
def _row(draw):
    op = draw(st.sampled_from(sorted(rules.OPERATORS)))
    value = ",".join(draw(st.lists(TYPED, min_size=1, max_size=3))) if op == "in" else draw(TYPED)
    return [("field", draw(st.sampled_from(NAMES))), ("op", op), ("value", value)]


@st.composite
def builder_rules(draw):
    """A rule as the builder's page posts it: rows and (one level deep) groups of rows, read by read_rule."""
    pairs = [("r.mode", "builder"), ("r.combine", draw(st.sampled_from(["all", "any"])))]
    for i in range(draw(st.integers(1, 4))):
        if draw(st.booleans()) and i:
            pairs.append((f"r.{i}.combine", draw(st.sampled_from(["all", "any"]))))
            for j in range(draw(st.integers(1, 3))):
                pairs += [(f"r.{i}.{j}.{k}", v) for k, v in draw(_row())]
        else:
            pairs += [(f"r.{i}.{k}", v) for k, v in draw(_row())]
    rule, error = read_rule(Posted(MultiDict(pairs)), "r", {**INFO, "tidak_ada": {"type": "text"}})
    return rule if error is None else {"==": [{"var": NAMES[0]}, None]}


# an expert's raw JsonLogic over the same fields: what the builder cannot write
_var = st.sampled_from(NAMES + ["isian_text.0", "isian_text.0.a", "isian_integer.b"]).map(lambda name: {"var": name})
# numbers of every kind: whole ones written as floats (100.0), fractions, a few millionths from zero, beyond 2**63
_NUMBER = st.one_of(st.integers(-10**6, 10**6).map(float), st.integers(-10**8, 10**8).map(lambda i: i / 100),
                    st.floats(allow_nan=False, allow_infinity=False))
_literal = st.one_of(st.none(), st.booleans(), st.integers(-10, 10**7), _NUMBER, st.sampled_from(["", "YA", "5", "1.5", "x", "1e400", "-1e-400"]),
                     st.lists(st.one_of(st.sampled_from(["YA", "TIDAK", 1, "1"]), _NUMBER), max_size=2))
# conditions and arithmetic as an expert writes them, with every number of arguments the server's engine accepts
# (it refuses the others when the rule is saved): comparison chains, "if" with odd branches, "in" and "!" with
# arguments past the ones they read, "-" of one list
_ARITY = {"==": (2, 4), "!=": (2, 2), "===": (2, 4), "!==": (2, 2), "in": (0, 3), "if": (0, 5),
          "!": (0, 2), "!!": (0, 2), ">": (2, 4), ">=": (2, 4), "<": (2, 4), "<=": (2, 4),
          "and": (0, 3), "or": (0, 3), "+": (0, 3), "*": (0, 3), "-": (1, 3), "max": (1, 3), "min": (1, 3),
          "cat": (0, 3)}


# the operators the engine lets take one argument bare, not in a list
_BARE = {"in", "!", "!!", "+", "*", "-", "max", "min", "cat"}


def _written(op, args, bare):
    """``{op: args}``, or one argument written bare (``{"!": {"var": "x"}}``) where the engine allows it."""
    return {op: args[0]} if bare and op in _BARE and len(args) == 1 and not isinstance(args[0], list) else {op: args}


def _raw_node(inner):
    return st.sampled_from(sorted(_ARITY)).flatmap(
        lambda op: st.builds(_written, st.just(op), st.lists(inner, min_size=_ARITY[op][0], max_size=_ARITY[op][1]),
                             st.booleans()))


raw_rules = st.recursive(st.one_of(_var, _literal), _raw_node, max_leaves=6)

# answers as a stored submission may hold them, the types mismatched on purpose: numbers of every kind (the
# server hands rules a whole float as an integer, logic.plain_numbers), items of a group as objects
_SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-10, 10**10), _NUMBER,
                    st.sampled_from(["", " ", "YA", "TIDAK", "ya", "0", "1", "12", "1000", "1.000", "2.5", "abc", "WNI",
                                     "2024-01-31", "true", "false", "1e400", "1e3"]),
                    st.text(max_size=4))
_ITEM = st.dictionaries(st.sampled_from(["_id", "nama", "b", "a", "é", "\U0001f600"]),
                        st.one_of(st.none(), st.integers(-3, 3), _NUMBER, st.text(max_size=2),
                                  st.lists(st.integers(-2, 2), max_size=2)), max_size=3)
ANSWER = st.one_of(
    _SCALAR,
    st.lists(st.one_of(st.sampled_from(["YA", "TIDAK", "", "1"]), st.integers(-2, 2), _NUMBER), max_size=3),
    st.lists(_ITEM, max_size=2), _ITEM)
ANSWERS = st.fixed_dictionaries({}, optional={
    **{name: ANSWER for name in NAMES if "." not in name},
    "akun": st.fixed_dictionaries({}, optional={"kewarganegaraan": ANSWER})})


def test_the_generated_rules_are_the_builders_over_every_field_type_it_offers():
    assert {"text", "integer", "rupiah", "date", "choice", "multichoice", "consent", "email", "phone"} <= set(ANSWERED)


@settings(max_examples=50, deadline=None)
@given(builder_rules())
def test_the_generated_rules_read_back_as_the_builders_own(rule):
    assert rules.from_jsonlogic(rule) is not None


@settings(max_examples=8, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(builder_rules(), min_size=30, max_size=30), st.lists(ANSWERS, min_size=20, max_size=20))
def test_builder_rules_give_the_same_result_in_the_browser(bundle, svc, reference, written, answer_sets):  # noqa: F811
    cases = [[rule, data] for rule in written for data in answer_sets]
    assert differences(bundle, svc, reference, cases) == []


@settings(max_examples=8, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(raw_rules, min_size=30, max_size=30), st.lists(ANSWERS, min_size=10, max_size=10))
def test_raw_rules_give_the_same_result_in_the_browser(bundle, svc, reference, written, answer_sets):  # noqa: F811
    cases = [[rule, data] for rule in written for data in answer_sets]
    found = differences(bundle, svc, reference, cases)
    assert found == [], json.dumps(found[:3])


# -- a definition stored through the admin API --------------------------------------------------

PASSWORD = "Admin#2025rahasia"


def _stored_definition() -> dict:
    """Two steps over every palette type, with rules the builder wrote, as an editor would publish them."""
    def written(*rows, combine="all"):
        pairs = [("r.combine", combine)] + [(f"r.{i}.{k}", v) for i, row in enumerate(rows)
                                            for k, v in zip(("field", "op", "value"), row)]
        rule, error = read_rule(Posted(MultiDict(pairs)), "r", INFO)
        assert error is None, error
        return rule

    first = [dict(f) for f in FIELDS if f["type"] not in ("computed", "attachment", "password")]
    second = [
        {**new_field("text", "alasan", {"id": "Alasan", "en": "Reason"}),
         "visible_if": written(("isian_choice", "eq", "Ya"), ("isian_integer", "gt", "10"), combine="any"),
         "required_if": written(("isian_consent", "filled", ""))},
        {**new_field("rupiah", "nilai", {"id": "Nilai", "en": "Value"}),
         "visible_if": written(("isian_multichoice", "in", "YA, Tidak"), ("isian_text", "ne", "batal")),
         "required_if": written(("isian_date", "empty", ""))},
        {**new_field("computed", "hasil", {"id": "Hasil", "en": "Result"}),
         "compute": {"if": [written(("isian_rupiah", "lt", "1.000.000")), "KECIL", "BESAR"]}},
    ]
    return {"key": "buatan_staf", "version": 1, "title": {"id": "Formulir buatan staf", "en": "Staff-made form"},
            "steps": [{"key": "satu", "title": {"id": "Satu", "en": "One"}, "fields": first},
                      {"key": "dua", "title": {"id": "Dua", "en": "Two"}, "fields": second,
                       "visible_if": written(("isian_choice", "ne", "Tidak"))},
                      {"key": "tiga", "title": {"id": "Tiga", "en": "Three"},
                       "fields": [new_field("statement", "selesai", {"id": "Selesai", "en": "Done"})]}]}


@pytest.fixture(scope="module")
def staff_app(tmp_path_factory, smtp, whatsapp):
    return make_app(tmp_path_factory.mktemp("builder"), smtp, whatsapp)


@pytest.fixture(scope="module")
def stored(staff_app):
    """The staff-made form created and published through the admin API: its rules as the endpoint sends them."""
    app = staff_app
    create_form_admin(app.extensions["formserver"].store, "admin1", "a1@kampar.go.id", "Adi", PASSWORD)
    api = Api(app.test_client())
    assert api.post("/api/v1/auth/login", {"username": "admin1", "password": PASSWORD}).status_code == 200
    created = api.post("/api/v1/admin/forms", {"definition": _stored_definition()})
    assert created.status_code == 201, created.get_json()
    published = api.post("/api/v1/admin/forms/buatan_staf/versions/1/publish", {})
    assert published.status_code == 200, published.get_json()
    body = app.test_client().get("/api/v1/forms/buatan_staf/rules").get_json()
    assert body["id"] == "buatan_staf" and body["version"] == 1
    return body


STATE_VALUE = st.one_of(st.sampled_from(["", "YA", "TIDAK", "Ya", "1.000", "15", "5", "abc", "2024-01-31", "on"]),
                        st.integers(-5, 10**7).map(str))


@settings(max_examples=6, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_stored_definitions_rules_from_the_endpoint_give_the_servers_states(bundle, staff_app, reference,  # noqa: F811
                                                                             stored, data):
    svc = staff_app.extensions["formserver"]
    form = svc.forms.get("buatan_staf")
    assert stored["definition"] == form.spec  # the stored version, as the server runs it
    steps = [s["key"] for s in stored["definition"]["steps"]]
    cases = []
    for _ in range(25):
        key = data.draw(st.sampled_from(steps))
        posted = data.draw(st.fixed_dictionaries({}, optional={
            f["key"]: (st.lists(st.sampled_from(["YA", "TIDAK", "x"]), max_size=2) if f["type"] == "multichoice"
                       else STATE_VALUE)
            for step in stored["definition"]["steps"] if step["key"] == key for f in step["fields"]}))
        cases.append([key, posted, data.draw(ANSWERS)])
    # the reference data the endpoint sends, with the codes and regions the browser would have fetched
    ref = {**stored["reference"], "kbli": reference["kbli"], "wilayah": reference["wilayah"]}
    done = subprocess.run(["node", str(ROOT / "scripts" / "rules-eval.mjs"), str(bundle)],
                          input=json.dumps({"ref": ref,
                                            "form": stored["definition"], "steps": cases}),
                          capture_output=True, text=True, check=True, timeout=300)
    for (key, posted, answers), got in zip(cases, json.loads(done.stdout)):
        expected = _server_state(svc, form, key, posted, answers)
        assert got["pending"] == {}
        assert got["path"] == expected["path"], (key, posted, answers)
        assert got["fields"] == expected["fields"], (key, posted, answers)
        assert _same(got["computed"], expected["computed"]), (key, posted, answers)
