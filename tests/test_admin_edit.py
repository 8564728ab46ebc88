"""Edits of a draft definition: steps and fields added, moved, removed, changed; problems placed by pointer."""
import copy
import json

import pytest

from formserver.admin import edit
from formserver.definition.check import Problem, check
from formserver.definition.load import registries
from formserver.logic import Logic

from .conftest import ROOT

PERMOHONAN = json.loads((ROOT / "forms" / "permohonan.json").read_text(encoding="utf-8"))
NIB = {"key": "nomor_nib_lama", "type": "text", "label": {"id": "Nomor NIB lama", "en": "Old NIB number"}, "required": True}


def _problems(definition):
    return check(definition, registries(), Logic().engine)


def test_a_field_added_to_a_group_after_another_keeps_the_definition_valid_and_the_original_untouched():
    before = copy.deepcopy(PERMOHONAN)
    new = edit.add_field(PERMOHONAN, "detail_usaha", NIB, parent="detail_kegiatan", after="punya_izin_sebelumnya")
    assert PERMOHONAN == before
    field, place = edit.locate(new, "nomor_nib_lama")
    siblings = [f["key"] for f in place.container]
    assert siblings[siblings.index("punya_izin_sebelumnya") + 1] == "nomor_nib_lama"
    assert (place.step_key, place.parent) == ("detail_usaha", "detail_kegiatan")
    assert place.pointer.startswith("/steps/2/fields/0/fields/")
    assert _problems(new) == []


def test_keys_must_be_new_and_well_formed():
    with pytest.raises(edit.EditError, match="sudah dipakai"):
        edit.add_field(PERMOHONAN, "detail_usaha", {**NIB, "key": "nik"})
    with pytest.raises(edit.EditError, match="huruf kecil"):
        edit.add_field(PERMOHONAN, "detail_usaha", {**NIB, "key": "Nomor NIB"})
    with pytest.raises(edit.EditError, match="sudah dipakai"):
        edit.add_step(PERMOHONAN, "produk", {"id": "x", "en": "x"})
    with pytest.raises(edit.EditError, match="tidak ada"):
        edit.add_field(PERMOHONAN, "tidak_ada", NIB)
    with pytest.raises(edit.EditError, match="bukan kelompok"):
        edit.add_field(PERMOHONAN, "produk", NIB, parent="detail_kegiatan")
    with pytest.raises(edit.EditError, match="^'key' tidak dapat diubah di sini$"):  # keys change through their own form
        edit.update_step(PERMOHONAN, "produk", {"key": "lain"})


def test_steps_added_moved_and_removed():
    new = edit.add_step(PERMOHONAN, "tambahan", {"id": "Tambahan", "en": "More"}, after="produk")
    keys = [s["key"] for s in new["steps"]]
    assert keys[keys.index("produk") + 1] == "tambahan"
    moved = edit.move_step(new, "tambahan", -1)
    keys = [s["key"] for s in moved["steps"]]
    assert keys.index("tambahan") == keys.index("produk") - 1
    assert [s["key"] for s in edit.remove_step(moved, "tambahan")["steps"]] == [s["key"] for s in PERMOHONAN["steps"]]
    with pytest.raises(edit.EditError):
        edit.move_step(PERMOHONAN, PERMOHONAN["steps"][0]["key"], -1)
    with pytest.raises(edit.EditError):
        edit.remove_step({"steps": [{"key": "a", "fields": []}]}, "a")


def test_fields_moved_within_their_place_removed_and_changed():
    first = PERMOHONAN["steps"][0]["fields"]
    moved = edit.move_field(PERMOHONAN, first[1]["key"], -1)
    assert [f["key"] for f in moved["steps"][0]["fields"][:2]] == [first[1]["key"], first[0]["key"]]
    with pytest.raises(edit.EditError):
        edit.move_field(PERMOHONAN, first[-1]["key"], 1)
    removed = edit.remove_field(PERMOHONAN, "bpjs_kesehatan")
    assert "bpjs_kesehatan" not in edit.keys_in_use(removed)
    changed = edit.update_field(PERMOHONAN, "npwp", {"label": {"id": "NPWP usaha", "en": "Business NPWP"}, "hint": None})
    npwp, _ = edit.locate(changed, "npwp")
    assert npwp["label"]["id"] == "NPWP usaha" and "hint" not in npwp
    with pytest.raises(edit.EditError):
        edit.update_field(PERMOHONAN, "npwp", {"key": "lain"})
    titled = edit.update_step(PERMOHONAN, "produk", {"description": {"id": "x", "en": "y"}})
    assert edit.find_step(titled, "produk")["description"] == {"id": "x", "en": "y"}


def test_new_fields_from_the_palette_pass_the_checks_where_they_can():
    base = {"key": "contoh", "version": 1, "title": {"id": "C", "en": "C"},
            "steps": [{"key": "satu", "title": {"id": "Satu", "en": "One"}, "fields": []}]}
    for field_type in ("text", "textarea", "integer", "rupiah", "date", "email", "phone", "choice", "multichoice",
                       "consent", "statement"):
        field = edit.new_field(field_type, f"f_{field_type}", {"id": "Pertanyaan", "en": "Question"})
        assert _problems(edit.add_field(base, "satu", field)) == [], field_type


def test_text_from_two_inputs():
    assert edit.text(" Ya ", "Yes") == {"id": "Ya", "en": "Yes"}
    assert edit.text("", " ") is None


def test_problems_are_placed_on_the_field_or_step_they_concern():
    new = edit.add_field(PERMOHONAN, "detail_usaha", {**NIB, "visible_if": {"==": [{"var": "tidak_ada"}, 1]}},
                         parent="detail_kegiatan")
    problems = _problems(new)
    assert problems
    placed = edit.problems_by_place(new, problems)
    assert list(placed) == ["field:nomor_nib_lama"]
    odd = edit.problems_by_place(new, [Problem("/steps/1/title", "x"), Problem("/title", "y"), Problem("", "z")])
    assert [p.message for p in odd["step:bidang_usaha"]] == ["x"]
    assert [p.message for p in odd["form"]] == ["y", "z"]
