"""The readable diff between two versions of a definition: matched by keys, rules in words."""
import copy
import json

from formserver.admin.diff import as_json, diff, lines

from .conftest import ROOT

PERMOHONAN = json.loads((ROOT / "forms" / "permohonan.json").read_text(encoding="utf-8"))


def _t(id_text, en_text=None):
    return {"id": id_text, "en": en_text or id_text}


def _form():
    return {
        "key": "contoh", "version": 1, "title": _t("Contoh", "Example"),
        "steps": [
            {"key": "satu", "title": _t("Satu", "One"), "fields": [
                {"key": "nama", "type": "text", "label": _t("Nama", "Name"), "required": True},
                {"key": "punya", "type": "choice", "label": _t("Punya izin?", "Hold a permit?"),
                 "options": [{"value": "YA", "label": _t("Ya", "Yes")}, {"value": "TIDAK", "label": _t("Tidak", "No")}]},
            ]},
            {"key": "dua", "title": _t("Dua", "Two"), "fields": [
                {"key": "umur", "type": "integer", "label": _t("Umur", "Age"), "validators": ["digits"]},
            ]},
        ],
    }


def _find(changes, kind, key):
    found = [c for c in changes if c.kind == kind and c.key == key]
    assert len(found) == 1, changes
    return found[0]


def test_the_same_definition_has_no_changes():
    assert diff(PERMOHONAN, copy.deepcopy(PERMOHONAN)) == []


def test_a_field_added_with_a_rule_is_said_in_words():
    new = copy.deepcopy(PERMOHONAN)
    group = next(f for s in new["steps"] for f in s["fields"] if f["key"] == "detail_kegiatan")
    at = next(i for i, f in enumerate(group["fields"]) if f["key"] == "punya_izin_sebelumnya")
    group["fields"].insert(at + 1, {"key": "nomor_nib_lama", "type": "text", "label": _t("Nomor NIB lama", "Old NIB number"),
                                    "required": True, "visible_if": {"==": [{"var": "punya_izin_sebelumnya"}, "YA"]}})
    changes = diff(PERMOHONAN, new)
    added = _find(changes, "field", "nomor_nib_lama")
    assert (added.action, added.step, added.parent) == ("added", "detail_usaha", "detail_kegiatan")
    assert added.words() == "Isian “Nomor NIB lama” (nomor_nib_lama) ditambahkan"
    assert added.words("en") == "Field “Old NIB number” (nomor_nib_lama) added"
    # nothing else is reported: the fields after it moved by position, not by order among themselves
    assert [c.key for c in changes] == ["nomor_nib_lama"]

    rule_change = copy.deepcopy(new)
    nib = next(f for f in rule_change["steps"][2]["fields"][0]["fields"] if f["key"] == "nomor_nib_lama")
    nib["visible_if"] = {"!=": [{"var": "punya_izin_sebelumnya"}, "YA"]}
    changed = _find(diff(new, rule_change), "field", "nomor_nib_lama")
    assert changed.details[0].words["id"] == (
        "Tampil bila: «Apakah sudah punya izin usaha sebelumnya?» sama dengan “Ya” → "
        "«Apakah sudah punya izin usaha sebelumnya?» tidak sama dengan “Ya”")
    assert changed.details[0].words["en"].startswith("Shown when: «Do you already hold an earlier business permit?» is “Yes”")


def test_removed_and_changed_fields_and_steps():
    old, new = _form(), _form()
    new["steps"][0]["fields"][0]["label"] = _t("Nama lengkap", "Full name")
    new["steps"][0]["fields"][0]["required"] = False
    new["steps"][0]["fields"][0]["hint"] = _t("Seperti di KTP", "As on the ID card")
    new["steps"][0]["fields"][0]["type"] = "textarea"
    del new["steps"][1]
    new["steps"].append({"key": "tiga", "title": _t("Tiga", "Three"), "fields": []})
    changes = diff(old, new)
    nama = _find(changes, "field", "nama")
    words = [d.words["id"] for d in nama.details]
    assert "Label: “Nama” → “Nama lengkap”" in words
    assert "Wajib: ya → tidak" in words
    assert "Bantuan: — → “Seperti di KTP”" in words
    assert 'Jenis isian: "text" → "textarea"' in words
    assert _find(changes, "step", "dua").action == "removed"
    assert _find(changes, "field", "umur").action == "removed"
    assert _find(changes, "step", "tiga").action == "added"


def test_choices_added_removed_relabelled_and_reordered():
    old, new = _form(), _form()
    options = new["steps"][0]["fields"][1]["options"]
    options[0]["label"] = _t("Ya, sudah", "Yes, I do")
    options.append({"value": "RAGU", "label": _t("Ragu-ragu", "Unsure")})
    changes = diff(old, new)
    detail = _find(changes, "field", "punya").details[0]
    assert detail.attribute == "options"
    assert detail.words["id"] == "Pilihan: ditambah “Ragu-ragu”; “Ya” → “Ya, sudah”"
    assert detail.words["en"] == "Choices: added “Unsure”; “Yes” → “Yes, I do”"
    reordered = _form()
    reordered["steps"][0]["fields"][1]["options"].reverse()
    assert _find(diff(old, reordered), "field", "punya").details[0].words["id"] == "Pilihan: urutan diubah"
    removed = _form()
    del removed["steps"][0]["fields"][1]["options"][1]
    assert _find(diff(old, removed), "field", "punya").details[0].words["id"] == "Pilihan: dihapus “Tidak”"


def test_validators_added_and_removed():
    old, new = _form(), _form()
    new["steps"][1]["fields"][0]["validators"] = [{"name": "min_age", "args": {"years": 17}}]
    words = _find(diff(old, new), "field", "umur").details[0].words
    assert words == {"id": "Validasi: ditambah min_age, dihapus digits", "en": "Validators: added min_age, removed digits"}


def test_matched_by_key_a_field_moved_to_another_step_is_one_change():
    old, new = _form(), _form()
    moved = new["steps"][0]["fields"].pop(0)
    new["steps"][1]["fields"].append(moved)
    changes = diff(old, new)
    assert len(changes) == 1
    nama = changes[0]
    assert (nama.action, nama.key, nama.step) == ("changed", "nama", "dua")
    assert nama.details[0].attribute == "step"
    assert nama.details[0].words["id"] == 'Langkah: "Satu" → "Dua"'


def test_reordered_fields_and_steps_are_an_order_change():
    old, new = _form(), _form()
    new["steps"][0]["fields"].reverse()
    new["steps"].reverse()
    changes = diff(old, new)
    form = _find(changes, "form", "contoh")
    assert form.details[0].words["id"] == 'Urutan: ["satu", "dua"] → ["dua", "satu"]'
    step = _find(changes, "step", "satu")
    assert step.details[0].before == ["nama", "punya"] and step.details[0].after == ["punya", "nama"]
    assert not [c for c in changes if c.kind == "field"]


def test_step_attributes_and_the_form_title():
    old, new = _form(), _form()
    new["title"] = _t("Contoh baru", "New example")
    new["version"] = 2
    new["steps"][1]["visible_if"] = {"in": [{"var": "punya"}, ["YA"]]}
    changes = diff(old, new)
    assert _find(changes, "form", "contoh").details[0].words["id"] == "Judul: “Contoh” → “Contoh baru”"
    assert _find(changes, "step", "dua").details[0].words["id"] == "Tampil bila: — → «Punya izin?» salah satu dari “Ya”"


def test_json_and_lines():
    old, new = _form(), _form()
    new["steps"][0]["fields"][0]["label"] = _t("Nama lengkap", "Full name")
    data = as_json(diff(old, new))
    assert json.loads(json.dumps(data)) == data
    assert data[0]["text"] == {"id": "Isian “Nama lengkap” (nama) diubah", "en": "Field “Full name” (nama) changed"}
    assert data[0]["changes"][0]["attribute"] == "label"
    assert lines(diff(old, new), "en") == ["Field “Full name” (nama) changed", "  Label: “Name” → “Full name”"]


def test_malformed_definitions_do_not_break_the_diff():
    odd = {"steps": [{"key": "a", "fields": [{"no": "key"}, "x", {"key": "b", "fields": "nope"}]}, "x", {"title": 1}]}
    assert [c.key for c in diff(odd, _form()) if c.action == "removed"] == ["a", "b"]
    assert diff({}, {}) == []


def test_sentences_summary_and_removed_fields_for_notices_and_events():
    from formserver.admin.diff import is_empty, removed_fields, sentences, summary
    old, new = _form(), _form()
    del new["steps"][1]["fields"][0]
    new["steps"][0]["fields"][0]["label"] = _t("Nama lengkap", "Full name")
    changes = diff(old, new)
    assert not is_empty(changes) and is_empty(diff(old, old))
    assert sentences(changes) == [
        {"id": "Isian “Nama lengkap” (nama) diubah", "en": "Field “Full name” (nama) changed"},
        {"id": "Label: “Nama” → “Nama lengkap”", "en": "Label: “Name” → “Full name”"},
        {"id": "Isian “Umur” (umur) dihapus", "en": "Field “Age” (umur) removed"}]
    assert summary(changes, "en")[0] == "Field “Full name” (nama) changed"
    assert [(c.key, c.step) for c in removed_fields(changes)] == [("umur", "dua")]
