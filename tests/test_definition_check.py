"""Tests of formserver.definition.check: the schema and the semantic checks of docs/FORMAT.md."""

import copy
import json
from pathlib import Path

import datalogic_py
import pytest
from jsonschema import Draft202012Validator

from formserver.definition.check import SCHEMA, Problem, Registries, check, schema_problems, semantic_problems

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.usefixtures("in_english")  # the messages below are pinned in English
REGISTRASI = json.loads((ROOT / "forms" / "registrasi.json").read_text(encoding="utf-8"))

REGISTRIES = Registries(
    field_types=frozenset({"text", "textarea", "integer", "rupiah", "date", "email", "phone", "password", "choice",
                           "multichoice", "consent", "computed", "statement", "group"}),
    validators=frozenset({"nik", "npwp", "phone_id", "password_policy", "min_age", "past_date", "digits"}),
    actions=frozenset({"registration.send_code", "registration.check_code", "registration.keep_password",
                       "registration.check_identity", "registration.create_account"}),
    references={"wilayah": ("provinsi", "kabupaten", "kecamatan", "kelurahan")},
)

# Step indices of registrasi.json, so the mutations below read as what they mean.
SKALA, JENIS, KONTAK, VERIFIKASI, AKUN, DATA, SELESAI = range(7)
PROVINSI, KABUPATEN, KECAMATAN, KELURAHAN = 8, 9, 10, 11  # field indices in step DATA


@pytest.fixture(scope="module")
def engine():
    """An engine with the custom operators registered (trivial bodies: only names matter here)."""
    return datalogic_py.Engine(custom_operators={
        "today": lambda args: json.dumps("2024-01-01"),
        "age": lambda args: json.dumps(30),
        "wilayah_nama": lambda args: json.dumps("ACEH"),
    })


@pytest.fixture
def doc():
    """A fresh copy of registrasi.json to mutate."""
    return copy.deepcopy(REGISTRASI)


def pointers(problems):
    """The pointers of the problems, in order."""
    return [p.pointer for p in problems]


def only(problems, pointer, fragment):
    """Assert there is exactly one problem, at pointer, whose message contains fragment."""
    assert pointers(problems) == [pointer], problems
    assert fragment in problems[0].message, problems[0].message


def deep_not(depth):
    """A rule nested deeper than the engine accepts."""
    rule = True
    for _ in range(depth):
        rule = {"!": [rule]}
    return rule


class PermissiveCheck:
    """An engine whose check() sees nothing, so compile() is the one to meet a bad rule."""

    def __init__(self, engine):
        self._engine = engine

    def check(self, rule, mode=None):
        return []

    def compile(self, rule):
        return self._engine.compile(rule)


class RaisingCheck(PermissiveCheck):
    """An engine whose check() itself raises."""

    def check(self, rule, mode=None):
        raise datalogic_py.DataLogicError("internal failure")


# ---------------------------------------------------------------- the schema


def test_schema_is_a_valid_2020_12_schema():
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["$id"] == "/schema/form.json"


def test_schema_accepts_registrasi():
    assert schema_problems(REGISTRASI) == []


def test_every_property_has_help_for_editors():
    def walk(node, path):
        if isinstance(node, dict):
            for name, prop in node.get("properties", {}).items():
                target = SCHEMA["$defs"][prop["$ref"].rsplit("/", 1)[1]] if set(prop) == {"$ref"} else prop
                assert "title" in target and "description" in target, f"{path}/{name}"
            for key, value in node.items():
                if key not in ("allOf", "if", "then", "else"):  # conditions repeat keys only to test them
                    walk(value, f"{path}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}/{i}")
    walk(SCHEMA, "")


def test_schema_requires_type_specific_keys(doc):
    fields = doc["steps"][SELESAI]["fields"]
    fields.append({"key": "umur", "type": "computed", "label": {"id": "Umur", "en": "Age"}})
    fields.append({"key": "usaha", "type": "group", "label": {"id": "Usaha", "en": "Business"}})
    fields.append({"key": "catatan", "type": "statement"})
    fields.append({"key": "nama", "type": "text"})
    problems = schema_problems(doc)
    assert pointers(problems) == [f"/steps/{SELESAI}/fields/{i}" for i in (1, 2, 3, 4)]
    for problem, missing in zip(problems, ("compute", "fields", "text", "label")):
        assert f"'{missing}' is missing" in problem.message


# ---------------------------------------------------------------- registrasi passes


def test_registrasi_passes(engine):
    assert check(REGISTRASI, REGISTRIES, engine) == []


def test_groups_custom_operators_and_jumps_pass(doc, engine):
    step = doc["steps"][DATA]
    step["fields"].append({
        "key": "kegiatan_usaha", "type": "group", "repeat": True,
        "label": {"id": "Kegiatan usaha", "en": "Business activities"},
        "fields": [
            {"key": "kbli", "type": "text", "label": {"id": "KBLI", "en": "KBLI"}},
            {"key": "uraian", "type": "text", "label": {"id": "Uraian", "en": "Description"},
             "visible_if": {"!!": {"var": "kbli"}}},
        ],
    })
    step["fields"].append({"key": "umur", "type": "computed", "label": {"id": "Umur", "en": "Age"},
                           "compute": {"age": [{"var": "tanggal_lahir"}]}})
    step["fields"].append({"key": "nama_provinsi", "type": "computed", "label": {"id": "Provinsi", "en": "Province"},
                           "compute": {"wilayah_nama": ["provinsi", {"var": "provinsi"}]}})
    step["checks"] = [{"rule": {"<=": [{"var": "tanggal_lahir"}, {"today": []}]}, "field": "tanggal_lahir",
                       "message": {"id": "Tanggal salah", "en": "Wrong date"}},
                      {"rule": {"some": [{"var": "kegiatan_usaha"}, {"var": "kbli"}]}, "field": "kbli",
                       "message": {"id": "Isi KBLI", "en": "Fill in a KBLI"}},
                      {"rule": {"!!": {"var": "kegiatan_usaha.0.kbli"}}, "field": "umur",
                       "message": {"id": "Isi KBLI", "en": "Fill in a KBLI"}}]
    doc["steps"][JENIS]["next"] = [{"if": {"==": [{"var": "skala_usaha"}, "NON_UMK"]}, "step": "selesai"}]
    assert check(doc, REGISTRIES, engine) == []


# ---------------------------------------------------------------- one test per problem kind


def test_a_pattern_that_is_no_regular_expression(doc, engine):
    doc["steps"][3]["fields"][0]["pattern"] = "^([0-9]{6}$"  # the form could not be served: refused where it is
    only(check(doc, REGISTRIES, engine), "/steps/3/fields/0/pattern", "is not a valid regular expression")
    doc["steps"][3]["fields"][0]["pattern"] = "^[0-9]{6}$"
    assert check(doc, REGISTRIES, engine) == []


def test_duplicate_step_key(doc, engine):
    doc["steps"][KONTAK]["key"] = "skala"
    only(check(doc, REGISTRIES, engine), f"/steps/{KONTAK}/key", "step key 'skala' is already used")


def test_duplicate_field_key_across_steps(doc, engine):
    doc["steps"][KONTAK]["fields"][1]["key"] = "skala_usaha"
    only(check(doc, REGISTRIES, engine), f"/steps/{KONTAK}/fields/1/key", "field key 'skala_usaha' is already used")


def test_duplicate_field_key_inside_a_group(doc, engine):
    doc["steps"][SELESAI]["fields"].append({"key": "usaha", "type": "group", "label": {"id": "Usaha", "en": "Business"},
                                            "fields": [{"key": "email", "type": "email",
                                                        "label": {"id": "E-mail", "en": "E-mail"}}]})
    only(check(doc, REGISTRIES, engine), f"/steps/{SELESAI}/fields/1/fields/0/key", "field key 'email' is already used")


def test_duplicate_option_value(doc, engine):
    doc["steps"][SKALA]["fields"][0]["options"][1]["value"] = "UMK"
    only(check(doc, REGISTRIES, engine), f"/steps/{SKALA}/fields/0/options/1/value", "is used twice")


def test_unknown_variable_in_visible_if(doc, engine):
    doc["steps"][JENIS]["fields"][1]["visible_if"] = {"==": [{"var": "jenis_pelaku"}, "BADAN_USAHA"]}
    problems = check(doc, REGISTRIES, engine)
    only(problems, f"/steps/{JENIS}/fields/1/visible_if", "unknown variable 'jenis_pelaku'")
    assert "did you mean 'jenis_pelaku_usaha'?" in problems[0].message


def test_unknown_variable_in_option_visible_if(doc, engine):
    doc["steps"][JENIS]["fields"][0]["options"][2]["visible_if"] = {"==": [{"var": "skala.kode"}, "NON_UMK"]}
    only(check(doc, REGISTRIES, engine), f"/steps/{JENIS}/fields/0/options/2/visible_if", "unknown variable 'skala'")


def test_unknown_operator(doc, engine):
    doc["steps"][JENIS]["fields"][1]["visible_if"] = {"and": [True, {"equals": [{"var": "jenis_pelaku_usaha"}, "PT"]}]}
    only(check(doc, REGISTRIES, engine), f"/steps/{JENIS}/fields/1/visible_if/and/1",
         "'equals', which is not a known operator")


def test_wrong_argument_count(doc, engine):
    doc["steps"][AKUN]["checks"][0]["rule"] = {"==": [{"var": "password"}]}
    only(check(doc, REGISTRIES, engine), f"/steps/{AKUN}/checks/0/rule", "takes at least 2 arguments")


def test_next_to_a_missing_step(doc, engine):
    doc["steps"][AKUN]["next"] = [{"if": {"var": "nama_lengkap"}, "step": "selesai2"}]
    problems = check(doc, REGISTRIES, engine)
    only(problems, f"/steps/{AKUN}/next/0/step", "Step 'akun' jumps to 'selesai2', which does not exist")
    assert "Use one of: data_pelaku, selesai, di_luar_layanan." in problems[0].message


@pytest.mark.parametrize("target", ["kontak", "akun"])
def test_next_backwards_is_a_loop(doc, engine, target):
    doc["steps"][AKUN]["next"] = [{"if": {"var": "nama_lengkap"}, "step": target}]
    only(check(doc, REGISTRIES, engine), f"/steps/{AKUN}/next/0/step", f"jumps back to '{target}'")


@pytest.mark.parametrize("jump", [{"step": "akun"}, {"if": True, "step": "akun"}])
def test_unreachable_step(doc, engine, jump):
    doc["steps"][KONTAK]["next"] = [{"if": {"var": "email"}, "step": "selesai"}, jump]
    only(check(doc, REGISTRIES, engine), f"/steps/{VERIFIKASI}", "Step 'verifikasi': this step can never be reached")


def test_conditional_jump_falls_through(doc, engine):
    doc["steps"][KONTAK]["next"] = [{"if": {"var": "email"}, "step": "akun"}]
    assert check(doc, REGISTRIES, engine) == []


def test_unknown_validator(doc, engine):
    doc["steps"][KONTAK]["fields"][0]["validators"] = ["phone"]
    doc["steps"][DATA]["fields"][6]["validators"][0]["name"] = "minimum_age"
    problems = check(doc, REGISTRIES, engine)
    assert pointers(problems) == [f"/steps/{KONTAK}/fields/0/validators/0", f"/steps/{DATA}/fields/6/validators/0/name"]
    assert "the validator 'phone' does not exist" in problems[0].message
    assert "did you mean 'min_age'?" in problems[1].message


def _min_age(doc):
    """The registration's min_age validator (tanggal_lahir on the data step)."""
    return doc["steps"][DATA]["fields"][6]["validators"][0]


@pytest.mark.parametrize("args,pointer,fragment", [
    (None, "", "needs \"args\": {\"years\": ...} (a whole number)"),
    ({"years": "17"}, "/args/years", "'years' must be a whole number, not \"17\""),
    ({"years": 17, "yaers": 1}, "/args/yaers", "takes no argument 'yaers'; it takes: years"),
])
def test_validator_arguments_are_checked_at_load(doc, engine, args, pointer, fragment):
    """A missing, mistyped or unknown argument is a problem at load time, never a 500 when the step is saved."""
    from formserver.definition.load import registries
    if args is None:
        del _min_age(doc)["args"]
    else:
        _min_age(doc)["args"] = args
    only(check(doc, registries(), engine), f"/steps/{DATA}/fields/6/validators/0{pointer}", fragment)


def test_a_validator_argument_naming_a_field_must_name_one_of_the_form(tmp_path):
    """kode_pos reads the kelurahan the argument names: a misspelt key is reported with a suggestion."""
    from formserver.definition.load import check_file
    from formserver.logic import Logic
    text = (ROOT / "forms" / "permohonan.json").read_text(encoding="utf-8")
    misspelt = text.replace('"kelurahan": "kelurahan_usaha"', '"kelurahan": "kelurahan_usah"')
    assert misspelt != text
    path = tmp_path / "permohonan.json"
    path.write_text(misspelt, encoding="utf-8")
    problems = check_file(path, Logic())
    assert len(problems) == 1 and problems[0].pointer.endswith("/args/kelurahan"), problems
    assert "there is no field \"kelurahan_usah\"; did you mean 'kelurahan_usaha'?" in problems[0].message


def test_unknown_action(doc, engine):
    doc["steps"][KONTAK]["action"] = "registration.send"
    only(check(doc, REGISTRIES, engine), f"/steps/{KONTAK}/action", "the action 'registration.send' does not exist")


def test_unknown_field_type_is_a_schema_error(doc, engine):
    doc["steps"][SKALA]["fields"][0]["type"] = "dropdown"
    doc["steps"][KONTAK]["action"] = "registration.send"  # semantic: not reported while the schema fails
    only(check(doc, REGISTRIES, engine), f"/steps/{SKALA}/fields/0/type", "'dropdown' is not a known field type")


def test_field_type_missing_from_the_registry(doc, engine):
    registries = Registries(REGISTRIES.field_types - {"consent"}, REGISTRIES.validators, REGISTRIES.actions,
                            REGISTRIES.references)
    assert pointers(check(doc, registries, engine)) == [f"/steps/{KONTAK}/fields/3/type",
                                                        f"/steps/{DATA}/fields/12/type"]


def test_missing_en_translation(doc, engine):
    del doc["steps"][SKALA]["title"]["en"]
    problems = check(doc, REGISTRIES, engine)
    only(problems, f"/steps/{SKALA}/title", "missing translation 'en'")
    assert problems[0].message.startswith("Step 'skala': the text 'title' is missing translation 'en' (English)")


def test_empty_id_translation(doc, engine):
    doc["steps"][SKALA]["fields"][0]["options"][0]["label"]["id"] = " "
    only(check(doc, REGISTRIES, engine), f"/steps/{SKALA}/fields/0/options/0/label/id",
         "translation 'id' (Bahasa Indonesia) of the text 'label' is empty")


def test_plain_string_text_is_refused(doc, engine):
    doc["steps"][SKALA]["title"] = "Skala usaha"
    only(check(doc, REGISTRIES, engine), f"/steps/{SKALA}/title", "must be an object")


def test_unknown_setting(doc, engine):
    doc["steps"][SKALA]["fields"][0]["lable"] = {"id": "x", "en": "x"}
    only(check(doc, REGISTRIES, engine), f"/steps/{SKALA}/fields/0", "unknown setting 'lable' (did you mean 'label'?)")


def test_source_parent_defined_later(doc, engine):
    doc["steps"][DATA]["fields"][KABUPATEN]["source"]["parent"] = "kecamatan"
    only(check(doc, REGISTRIES, engine), f"/steps/{DATA}/fields/{KABUPATEN}/source/parent",
         "the parent 'kecamatan' is not a field that comes before this one")


def test_source_parent_of_the_wrong_level(doc, engine):
    doc["steps"][DATA]["fields"][KECAMATAN]["source"]["parent"] = "provinsi"
    only(check(doc, REGISTRIES, engine), f"/steps/{DATA}/fields/{KECAMATAN}/source/parent",
         "the parent field 'provinsi' must list 'kabupaten'")


def test_source_parent_on_the_top_level(doc, engine):
    doc["steps"][DATA]["fields"][PROVINSI]["source"]["parent"] = "alamat"
    only(check(doc, REGISTRIES, engine), f"/steps/{DATA}/fields/{PROVINSI}/source/parent", "so it has no parent")


def test_source_parent_missing(doc, engine):
    del doc["steps"][DATA]["fields"][KELURAHAN]["source"]["parent"]
    only(check(doc, REGISTRIES, engine), f"/steps/{DATA}/fields/{KELURAHAN}/source", "add \"parent\"")


def test_unknown_reference_and_level(doc, engine):
    doc["steps"][DATA]["fields"][PROVINSI]["source"]["reference"] = "kbli"
    doc["steps"][DATA]["fields"][KELURAHAN]["source"]["level"] = "desa"
    assert pointers(check(doc, REGISTRIES, engine)) == [
        f"/steps/{DATA}/fields/{PROVINSI}/source/reference",
        f"/steps/{DATA}/fields/{KABUPATEN}/source/parent",  # its parent no longer lists provinsi of wilayah
        f"/steps/{DATA}/fields/{KELURAHAN}/source/level",
    ]


def test_checks_field_not_in_step(doc, engine):
    doc["steps"][AKUN]["checks"][0]["field"] = "email"
    only(check(doc, REGISTRIES, engine), f"/steps/{AKUN}/checks/0/field",
         "'email', which is not a field of this step")


# ---------------------------------------------------------------- rules the engine refuses


@pytest.mark.parametrize("rule, fragment", [
    (deep_not(300), "nested too deeply"),
    ({"==": [{"var": "jenis_pelaku_usaha"}, "BADAN_USAHA"], "var": "x"}, "exactly one key"),
])
def test_malformed_rule_that_makes_the_engine_raise(doc, engine, rule, fragment):
    with pytest.raises(datalogic_py.DataLogicError):
        engine.compile(json.dumps(rule))
    doc["steps"][JENIS]["fields"][1]["visible_if"] = rule
    only(check(doc, REGISTRIES, engine), f"/steps/{JENIS}/fields/1/visible_if", fragment)


def test_compile_exceptions_become_problems(doc, engine):
    doc["steps"][JENIS]["fields"][1]["visible_if"] = deep_not(300)
    only(semantic_problems(doc, REGISTRIES, PermissiveCheck(engine)), f"/steps/{JENIS}/fields/1/visible_if",
         "the rule 'visible_if' cannot be used: it is nested too deeply")


def test_check_exceptions_become_problems(engine):
    problems = semantic_problems(REGISTRASI, REGISTRIES, RaisingCheck(engine))
    assert f"/steps/{AKUN}/checks/0/rule" in pointers(problems)
    assert len(problems) == 23  # one per rule of registrasi.json
    assert all("cannot be used: internal failure" in p.message for p in problems)


def test_problem_is_plain_data():
    assert Problem("/steps/0", "x") == Problem("/steps/0", "x")
    with pytest.raises(AttributeError):
        Problem("", "x").pointer = "/"  # frozen


# ---------------------------------------------------------------- tables and prefill


def _table_group(columns):
    return {"key": "kegiatan_usaha", "type": "group", "repeat": True, "label": {"id": "Kegiatan", "en": "Activities"},
            "fields": [{"key": "kbli", "type": "text", "label": {"id": "KBLI", "en": "KBLI"}}],
            "columns": columns}


def test_a_table_with_field_and_rule_columns_and_a_prefill_pass(doc, engine):
    doc["steps"][DATA]["fields"].append(_table_group([
        {"label": {"id": "KBLI", "en": "KBLI"}, "field": "kbli"},
        {"label": {"id": "Provinsi", "en": "Province"}, "value": {"wilayah_nama": ["provinsi", {"var": "provinsi"}]},
         "labels": {"14": {"id": "Riau", "en": "Riau"}}}]))
    doc["steps"][KONTAK]["fields"][1]["prefill"] = {"var": "nomor_telepon"}
    assert check(doc, REGISTRIES, engine) == []


def test_a_table_column_names_an_unknown_field(doc, engine):
    doc["steps"][DATA]["fields"].append(_table_group([{"label": {"id": "KBLI", "en": "KBLI"}, "field": "kbl"}]))
    at = len(doc["steps"][DATA]["fields"]) - 1
    only(check(doc, REGISTRIES, engine), f"/steps/{DATA}/fields/{at}/columns/0/field", "'kbl' is not a field")


def test_a_table_column_rule_reads_an_unknown_variable(doc, engine):
    doc["steps"][DATA]["fields"].append(_table_group([{"label": {"id": "X", "en": "X"}, "value": {"var": "nope"}}]))
    at = len(doc["steps"][DATA]["fields"]) - 1
    only(check(doc, REGISTRIES, engine), f"/steps/{DATA}/fields/{at}/columns/0/value", "unknown variable 'nope'")


def test_a_table_belongs_on_a_repeating_group(doc, engine):
    group = _table_group([{"label": {"id": "KBLI", "en": "KBLI"}, "field": "kbli"}])
    del group["repeat"]
    doc["steps"][DATA]["fields"].append(group)
    at = len(doc["steps"][DATA]["fields"]) - 1
    only(check(doc, REGISTRIES, engine), f"/steps/{DATA}/fields/{at}/columns", "repeating group")


def test_a_table_inside_another_group_is_refused(doc, engine):
    inner = _table_group([{"label": {"id": "KBLI", "en": "KBLI"}, "field": "kbli"}])
    doc["steps"][DATA]["fields"].append({"key": "usaha", "type": "group", "label": {"id": "Usaha", "en": "Business"},
                                         "fields": [inner]})
    at = len(doc["steps"][DATA]["fields"]) - 1
    only(check(doc, REGISTRIES, engine), f"/steps/{DATA}/fields/{at}/fields/0/columns", "not inside another group")


def test_a_table_column_needs_a_field_or_a_rule(doc):
    doc["steps"][DATA]["fields"].append(_table_group([{"label": {"id": "KBLI", "en": "KBLI"}}]))
    assert schema_problems(doc)


def test_an_unknown_variable_in_a_prefill(doc, engine):
    doc["steps"][KONTAK]["fields"][1]["prefill"] = {"var": "akun_email"}
    only(check(doc, REGISTRIES, engine), f"/steps/{KONTAK}/fields/1/prefill", "unknown variable 'akun_email'")


def test_a_setting_that_needs_another_says_which(doc, engine):
    doc["access"] = {"login": True, "allow_if": True}
    only(check(doc, REGISTRIES, engine), "/access", "The form: the setting 'message' is needed when 'allow_if' is set")


def test_problems_are_sentences_in_indonesian_by_default_and_in_english_from_the_catalog(doc, engine):
    """The msgid is the Indonesian sentence; where it is, the names suggested and the lists come along in each locale."""
    from formserver.i18n import current_locale
    doc["steps"][KONTAK]["next"] = [{"step": "verifikasii"}]
    [jump] = semantic_problems(doc, REGISTRIES, engine)
    doc["steps"][SKALA]["fields"][0]["type"] = "txt"
    fields = REGISTRIES.field_types
    [problem] = schema_problems(doc)
    english = (problem.message, jump.message)
    token = current_locale.set("id")
    try:
        indonesian = (problem.message, jump.message)
    finally:
        current_locale.reset(token)
    assert english[0].startswith("Step 'skala', field 'skala_usaha': 'txt' is not a known field type; use one of: ")
    assert indonesian[0].startswith("Langkah 'skala', isian 'skala_usaha': 'txt' bukan jenis isian yang dikenal; "
                                    "gunakan salah satu dari: ")
    assert all(name in indonesian[0] for name in fields) and ", " in indonesian[0]
    assert english[1].startswith("Step 'kontak' jumps to 'verifikasii', which does not exist; did you mean "
                                 "'verifikasi'? Use one of: ")
    assert indonesian[1].startswith("Langkah 'kontak' melompat ke 'verifikasii', yang tidak ada; mungkin maksud Anda "
                                    "'verifikasi'? Gunakan salah satu dari: verifikasi, ")


def test_checked_remembers_a_check_by_content_registries_and_operators(monkeypatch):
    """What every app build checks (the shipped forms) is checked once per process; other content, registries or
    operators are checked anew, and a remembered answer is the check's own."""
    from formserver.definition import check as module
    from formserver.logic import Logic
    logic = Logic()
    monkeypatch.setattr(module, "_CHECKED", type(module._CHECKED)())
    runs = []
    real = module.check
    monkeypatch.setattr(module, "check", lambda *args: runs.append(args[0]) or real(*args))
    broken = {**copy.deepcopy(REGISTRASI), "steps": []}
    assert module.checked(REGISTRASI, REGISTRIES, logic) == real(REGISTRASI, REGISTRIES, logic.engine) == []
    assert module.checked(copy.deepcopy(REGISTRASI), REGISTRIES, Logic()) == [] and len(runs) == 1  # remembered
    assert module.checked(broken, REGISTRIES, logic) == real(broken, REGISTRIES, logic.engine) != []
    fewer = Registries(**{**REGISTRIES.__dict__, "actions": frozenset()})
    assert module.checked(REGISTRASI, fewer, logic) != [] and len(runs) == 3  # the registries are part of the key
    monkeypatch.setattr(logic, "operators", logic.operators | {"new_operator"})
    module.checked(REGISTRASI, REGISTRIES, logic)
    assert len(runs) == 4


def test_a_remembered_problem_reads_in_the_locale_it_is_read_in(monkeypatch):
    """checked() keeps problems for the whole process: found while one locale was current (a page in English, the
    start in Indonesian), they read in whichever locale shows them later."""
    from formserver.definition import check as module
    from formserver.i18n import current_locale
    from formserver.logic import Logic
    monkeypatch.setattr(module, "_CHECKED", type(module._CHECKED)())
    broken = copy.deepcopy(REGISTRASI)
    broken["steps"][KONTAK]["next"] = [{"step": "tidak_ada"}]
    [english] = module.checked(broken, REGISTRIES, Logic())  # found in English (the module's fixture)
    token = current_locale.set("id")
    try:
        [indonesian] = module.checked(broken, REGISTRIES, Logic())  # remembered
        assert indonesian.message.startswith("Langkah 'kontak' melompat ke 'tidak_ada', yang tidak ada")
        assert english.message == indonesian.message
    finally:
        current_locale.reset(token)
    assert english.message.startswith("Step 'kontak' jumps to 'tidak_ada', which does not exist")
