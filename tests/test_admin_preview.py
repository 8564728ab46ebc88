"""Preview and test run of a definition: visibility, requiredness and computed values for sample answers."""
import json

import pytest

from formserver.admin import edit
from formserver.admin.preview import dry_run, sample_answers, try_step
from formserver.compile import compile_form
from formserver.logic import Logic
from formserver.reference.options import References
from formserver.reference.wilayah import Wilayah
from formserver.state import Evaluator
from formserver.validate import StepValidator

from .conftest import ROOT

PERMOHONAN = json.loads((ROOT / "forms" / "permohonan.json").read_text(encoding="utf-8"))
NIB = {"key": "nomor_nib_lama", "type": "text", "label": {"id": "Nomor NIB lama", "en": "Old NIB number"},
       "required": True, "visible_if": {"==": [{"var": "punya_izin_sebelumnya"}, "YA"]}}


@pytest.fixture(scope="module")
def engine():
    wilayah = Wilayah()
    evaluator = Evaluator(References(wilayah))
    draft = edit.add_field(PERMOHONAN, "detail_usaha", NIB, parent="detail_kegiatan", after="punya_izin_sebelumnya")
    return compile_form(draft, Logic(wilayah=wilayah)), evaluator, StepValidator(evaluator, wilayah)


def test_sample_answers_give_each_repeating_group_its_items(engine):
    form, _, _ = engine
    answers = sample_answers(form)
    assert list(answers) == ["kegiatan_usaha"]
    assert len(answers["kegiatan_usaha"]) == 1 and answers["kegiatan_usaha"][0]["_id"]


def test_a_test_run_shows_the_new_field_only_under_its_answer(engine):
    form, evaluator, validator = engine
    answers = sample_answers(form)
    item = answers["kegiatan_usaha"][0]["_id"]
    for answer, shown in (("YA", True), ("TIDAK", False)):
        merged, result = try_step(form, validator, "detail_usaha",
                                  {"kegiatan_usaha": [{"_id": item, "punya_izin_sebelumnya": answer}]}, answers)
        run = dry_run(form, evaluator, merged)
        field = run["steps"]["detail_usaha"]["fields"]["kegiatan_usaha.0.nomor_nib_lama"]
        assert field == {"visible": shown, "required": shown}
        # only its own step lists it, not every step continuing the same activities
        assert [k for k, step in run["steps"].items() if "kegiatan_usaha.0.nomor_nib_lama" in step["fields"]] == ["detail_usaha"]
        assert ("kegiatan_usaha.0.nomor_nib_lama" in result.errors) is shown
        assert merged["kegiatan_usaha"][0]["punya_izin_sebelumnya"] == answer
        assert merged["kegiatan_usaha"][0]["_id"] == item
    assert run["path"][0] == "data_pelaku_usaha" and "detail_usaha" in run["path"]
    assert run["steps"]["data_pelaku_usaha"]["visible"] is True


def test_computed_values_follow_the_answers(engine):
    form, evaluator, _ = engine
    run = dry_run(form, evaluator, {"kegiatan_usaha": [{"_id": "a1", "kbli": "47191", "modal_usaha": 50_000_000}]})
    computed = {path: value for path, value in run["computed"].items() if path.startswith("kegiatan_usaha.0.")}
    assert computed, run["computed"]
    assert dry_run(form, evaluator, "not answers")["path"]
