"""The editor's HTML forms read into definition changes, and rules described for the page."""
import json

from werkzeug.datastructures import MultiDict

from formserver.admin import rules
from formserver.admin.forms import Posted, read_field, read_rule, rule_view, value_of

from .conftest import ROOT

PERMOHONAN = json.loads((ROOT / "forms" / "permohonan.json").read_text(encoding="utf-8"))
FIELDS = rules.fields_of(PERMOHONAN)
IZIN_YA = {"==": [{"var": "punya_izin_sebelumnya"}, "YA"]}


def _posted(pairs):
    return Posted(MultiDict(pairs))


def test_a_choice_is_typed_by_its_value_or_its_label():
    info = FIELDS["punya_izin_sebelumnya"]
    assert value_of("Ya", info) == "YA" and value_of(" yes ", info) == "YA" and value_of("TIDAK", info) == "TIDAK"
    assert value_of("12", {"type": "integer"}) == 12
    assert value_of("x", None) == "x"


def test_the_builder_rows_become_jsonlogic():
    posted = _posted([("visible_if.mode", "builder"), ("visible_if.combine", "all"),
                      ("visible_if.0.field", "punya_izin_sebelumnya"), ("visible_if.0.op", "eq"), ("visible_if.0.value", "Ya"),
                      ("visible_if.1.field", ""), ("visible_if.1.op", "eq"), ("visible_if.1.value", "")])
    assert read_rule(posted, "visible_if", FIELDS) == (IZIN_YA, None)


def test_a_nested_group_and_a_list_of_values():
    posted = _posted([("r.combine", "any"),
                      ("r.0.field", "skala_usaha_hasil"), ("r.0.op", "in"), ("r.0.value", "Mikro, KECIL"),
                      ("r.1.combine", "all"), ("r.1.0.field", "npwp"), ("r.1.0.op", "filled"), ("r.1.0.value", "ignored"),
                      ("r.1.1.field", "modal_usaha"), ("r.1.1.op", "gt"), ("r.1.1.value", "1000"),
                      ("r.2.combine", "all"), ("r.2.0.field", "")])
    rule, error = read_rule(posted, "r", FIELDS)
    assert error is None
    assert rule == {"or": [{"in": [{"var": "skala_usaha_hasil"}, ["MIKRO", "KECIL"]]},
                           {"and": [{"!!": [{"var": "npwp"}]}, {">": [{"var": "modal_usaha"}, 1000]}]}]}


def test_bad_rules_say_what_is_wrong():
    assert read_rule(_posted([("r.mode", "raw"), ("r.raw", "{oops")]), "r", FIELDS)[1] == (
        "Aturan: isinya bukan JSON yang sah di baris 1, kolom 2: nama di dalam { } harus di antara tanda kutip ganda, "
        "dan tidak boleh ada koma sebelum }")
    assert "tidak ada" in read_rule(_posted([("r.0.field", "tidak_ada"), ("r.0.op", "eq"), ("r.0.value", "1")]), "r", FIELDS)[1]
    assert "Isi nilai" in read_rule(_posted([("r.0.field", "npwp"), ("r.0.op", "eq"), ("r.0.value", "")]), "r", FIELDS)[1]
    assert read_rule(_posted([("r.0.field", "npwp"), ("r.0.op", "like"), ("r.0.value", "1")]), "r",
                     FIELDS)[1] == "Operator 'like' tidak dikenal"
    assert read_rule(_posted([("r.mode", "none"), ("r.0.field", "npwp")]), "r", FIELDS) == (None, None)
    assert read_rule(_posted([("r.mode", "raw"), ("r.raw", ' {"var": "npwp"} ')]), "r", FIELDS) == ({"var": "npwp"}, None)


def test_a_rule_the_builder_cannot_show_stays_raw_and_is_still_said_in_words():
    rule = {"some": [{"var": "kegiatan_usaha"}, {"var": "dipilih"}]}
    view = rule_view(rule, FIELDS, "visible_if")
    assert view["mode"] == "raw" and json.loads(view["raw"]) == rule
    assert view["sentence"]["id"] == "ada «Kegiatan usaha» yang: «Proses kegiatan ini»"
    shown = rule_view(IZIN_YA, FIELDS, "visible_if")
    assert shown["mode"] == "builder"
    assert shown["rows"][0] == {"group": False, "field": "punya_izin_sebelumnya", "op": "eq", "value": "YA"}
    assert shown["rows"][1]["field"] == "" and shown["rows"][2]["group"]  # blank row and blank group to add
    assert rule_view(None, FIELDS, "visible_if")["mode"] == "none"


def test_what_the_page_shows_reads_back_to_the_same_rule():
    rule = {"or": [{"==": [{"var": "punya_izin_sebelumnya"}, "YA"]},
                   {"and": [{"in": [{"var": "skala_usaha_hasil"}, ["MIKRO"]]}, {"!": [{"var": "npwp"}]}]}]}
    view = rule_view(rule, FIELDS, "v")
    pairs = [("v.mode", view["mode"]), ("v.combine", view["combine"])]
    for i, row in enumerate(view["rows"]):
        if row["group"]:
            pairs.append((f"v.{i}.combine", row["combine"]))
            for j, inner in enumerate(row["rows"]):
                pairs += [(f"v.{i}.{j}.{k}", inner[k]) for k in ("field", "op", "value")]
        else:
            pairs += [(f"v.{i}.{k}", row[k]) for k in ("field", "op", "value")]
    assert read_rule(_posted(pairs), "v", FIELDS) == (rule, None)


def test_a_field_form_reads_labels_help_choices_validators_and_rules():
    field = next(f for s in PERMOHONAN["steps"] for g in s["fields"] for f in g.get("fields", [])
                 if f["key"] == "punya_izin_sebelumnya")
    posted = _posted([
        ("label.id", "Sudah punya izin?"), ("label.en", "Hold a permit?"), ("hint.id", ""), ("hint.en", ""),
        ("required", "on"),
        ("options.0.value", "YA"), ("options.0.label.id", "Ya, sudah"), ("options.0.label.en", "Yes"),
        ("options.1.value", "TIDAK"), ("options.1.label.id", "Tidak"), ("options.1.label.en", "No"), ("options.1.remove", "on"),
        ("options.2.value", "RAGU"), ("options.2.label.id", "Ragu"), ("options.2.label.en", "Unsure"),
        ("options.3.value", ""), ("options.3.label.id", ""), ("options.3.label.en", ""),
        ("validators", "npwp"), ("validators", "not_registered"),
        ("visible_if.mode", "none"), ("required_if.mode", "none"),
    ])
    changes, errors = read_field(posted, field, {"required", "options", "validators", "required_if"}, FIELDS, {"npwp": {}, "nik": {}})
    assert errors == {}
    assert changes["label"] == {"id": "Sudah punya izin?", "en": "Hold a permit?"}
    assert changes["hint"] is None and changes["required"] is True
    assert [o["value"] for o in changes["options"]] == ["YA", "RAGU"]
    assert changes["options"][0]["label"]["id"] == "Ya, sudah"
    assert changes["validators"] == ["npwp"]
    assert changes["visible_if"] is None and changes["required_if"] is None


def test_a_field_form_with_mistakes_names_each_input():
    field = {"key": "x", "type": "choice", "label": {"id": "X", "en": "X"}, "options": []}
    posted = _posted([("label.id", "Hanya Indonesia"), ("label.en", ""),
                      ("options.0.value", ""), ("options.0.label.id", "Tanpa nilai"), ("options.0.label.en", "No value"),
                      ("options.1.value", "A"), ("options.1.label.id", "A"), ("options.1.label.en", "A"),
                      ("options.2.value", "A"), ("options.2.label.id", "B"), ("options.2.label.en", "B"),
                      ("visible_if.mode", "raw"), ("visible_if.raw", "[")])
    _, errors = read_field(posted, field, {"options"}, FIELDS, set())
    assert set(errors) == {"label.en", "options.0.value", "options.2.value", "visible_if"}


VALIDATORS = {"npwp": {}, "digits": {"length": "integer"}, "kode_pos": {"kelurahan": "field"}}
KODE_POS = {"key": "kode_pos", "type": "text", "label": {"id": "Kode pos", "en": "Postcode"}}


def test_a_validator_with_arguments_is_read_from_its_inputs():
    posted = _posted([("label.id", "Kode pos"), ("label.en", "Postcode"), ("validators", "npwp"),
                      ("validators", "kode_pos"), ("validators.kode_pos.kelurahan", "kelurahan_usaha"),
                      ("validators.digits.length", "7")])  # digits is not ticked: its input is ignored
    changes, errors = read_field(posted, KODE_POS, {"validators"}, FIELDS, VALIDATORS)
    assert errors == {}
    assert changes["validators"] == ["npwp", {"name": "kode_pos", "args": {"kelurahan": "kelurahan_usaha"}}]


def test_a_ticked_validator_without_its_argument_is_an_error_next_to_it():
    for chosen in ("", "not_a_field"):
        posted = _posted([("label.id", "Kode pos"), ("label.en", "Postcode"),
                          ("validators", "kode_pos"), ("validators.kode_pos.kelurahan", chosen)])
        _, errors = read_field(posted, KODE_POS, {"validators"}, FIELDS, VALIDATORS)
        assert set(errors) == {"validators.kode_pos.kelurahan"}, chosen


def test_an_integer_argument_that_is_not_a_number_is_an_error():
    for length in ("lima", "5.5", "-5", "0", ""):
        posted = _posted([("label.id", "Kode pos"), ("label.en", "Postcode"),
                          ("validators", "digits"), ("validators.digits.length", length)])
        _, errors = read_field(posted, KODE_POS, {"validators"}, FIELDS, VALIDATORS)
        assert set(errors) == {"validators.digits.length"}, length
    posted = _posted([("label.id", "Kode pos"), ("label.en", "Postcode"),
                      ("validators", "digits"), ("validators.digits.length", " 5 ")])
    changes, errors = read_field(posted, KODE_POS, {"validators"}, FIELDS, VALIDATORS)
    assert errors == {} and changes["validators"] == [{"name": "digits", "args": {"length": 5}}]


def test_validators_the_page_does_not_offer_are_kept_and_unticked_ones_dropped():
    field = {**KODE_POS, "validators": ["old_one", {"name": "kode_pos", "args": {"kelurahan": "kelurahan_usaha"}}]}
    posted = _posted([("label.id", "Kode pos"), ("label.en", "Postcode")])
    changes, errors = read_field(posted, field, {"validators"}, FIELDS, VALIDATORS)
    assert errors == {} and changes["validators"] == ["old_one"]


def test_every_registered_validator_and_argument_has_a_plain_label_in_both_languages():
    from formserver.validators import VALIDATOR_ARG_LABELS, VALIDATOR_ARGS, VALIDATOR_LABELS
    for name, args in VALIDATOR_ARGS.items():
        label = VALIDATOR_LABELS[name]
        assert label.id and label.en and label.id != name and label.en != name, name
        for arg in args:
            assert VALIDATOR_ARG_LABELS[name][arg].id != arg, (name, arg)


def test_a_rule_that_is_not_json_is_said_in_english_when_asked(in_english):
    said = read_rule(_posted([("r.mode", "raw"), ("r.raw", '{"==": [1 1]}')]), "r", FIELDS)[1]
    assert said == "Rule: the content is not valid JSON at line 1, column 11: a comma is missing between two parts"
