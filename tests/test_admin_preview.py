"""Preview and test run of a definition: visibility, requiredness and computed values for sample answers."""
import json

import pytest

from formserver.admin import edit
from formserver.admin.preview import sample_answers, try_step
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


def test_a_step_tried_with_sample_answers_shows_the_new_field_only_under_its_answer(engine):
    form, _, validator = engine
    answers = sample_answers(form)
    item = answers["kegiatan_usaha"][0]["_id"]
    for answer, shown in (("YA", True), ("TIDAK", False)):
        merged, result = try_step(form, validator, "detail_usaha",
                                  {"kegiatan_usaha": [{"_id": item, "punya_izin_sebelumnya": answer}]}, answers)
        state = result.state.fields["kegiatan_usaha.0.nomor_nib_lama"]
        assert (state.visible, state.required) == (shown, shown)
        assert ("kegiatan_usaha.0.nomor_nib_lama" in result.errors) is shown
        assert merged["kegiatan_usaha"][0]["punya_izin_sebelumnya"] == answer
        assert merged["kegiatan_usaha"][0]["_id"] == item
    assert "detail_usaha" in result.state.path


def test_answers_of_other_steps_stay_and_computed_values_follow(engine):
    form, _, validator = engine
    answers = {"kegiatan_usaha": [{"_id": "a1", "kbli": "47191", "jenis_kegiatan": "UTAMA"}], "npwp": "012345678901000"}
    merged, result = try_step(form, validator, "detail_usaha", {"kegiatan_usaha": [{"_id": "a1", "modal_usaha": "50.000.000"}]},
                              answers)
    assert merged["npwp"] == "012345678901000" and merged["kegiatan_usaha"][0]["kbli"] == "47191"
    assert "kegiatan_usaha.0.skala_usaha_hasil" in result.state.computed  # computed for the tried answers
