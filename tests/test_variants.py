"""Regional variants (issue 10 §1): the variant.json format, overlay operations by stable keys, what no longer
fits a changed base, bad input refused with its place, and the shipped variants."""
import copy
import io
import json
import subprocess
import sys

import pytest
from PIL import Image

from formserver.i18n import current_locale
from formserver.variants import MAX_IMAGE_BYTES, VariantError, apply_overlay, effective, image_problems, office_of, read_variant, validate_overlay

from .conftest import ROOT


def base(form_id: str) -> dict:
    return json.loads((ROOT / "forms" / f"{form_id}.json").read_text(encoding="utf-8"))


BASES = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in (ROOT / "forms").glob("*.json")}
IDENTITY = {"name": "Kantor Uji", "address": "Jl. Uji 1", "city": "Kota Uji", "province": "Riau",
            "signatory": {"name": "Nama Pejabat", "title": "Kepala Kantor"}}


def variant(*ops, form="permohonan", **identity) -> dict:
    return {"name": "uji", "identity": {**IDENTITY, **identity}, "forms": {form: list(ops)}}


def pointers(problems) -> list[str]:
    return [p.pointer for p in problems]


def find(definition: dict, key: str) -> dict:
    def walk(fields):
        for f in fields:
            if f["key"] == key:
                return f
            found = walk(f.get("fields") or [])
            if found:
                return found
    return next(f for s in definition["steps"] if (f := walk(s.get("fields") or [])))


# -- the shipped variants ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["kampar", "contoh"])
def test_the_shipped_variants_are_clean(name):
    loaded = read_variant(name)
    assert validate_overlay(loaded.doc, BASES) == []


def test_kampar_keeps_every_key_office_json_had():
    office = office_of(read_variant("kampar").identity)
    for key in ("name", "address", "city", "province", "signatory_name", "signatory_title", "motto", "email", "website"):
        assert office[key], key
    assert office["name"] == "DPMPTSP Kabupaten Kampar" and office["parent_line"] == "PEMERINTAH KABUPATEN KAMPAR"
    assert office["phone"] == "0812-7646-0487" and office["place_of_issue"] == "Bangkinang"
    assert {c["kind"] for c in office["complaint_channels"]} >= {"email", "website", "lapor", "online", "whatsapp"}
    assert "layanan" not in office and read_variant("kampar").identity["layanan"]["components"]
    assert not office["crest"]  # no openly licensed crest could be obtained (variants/kampar/README.md)


# -- operations ---------------------------------------------------------------------------------------------------
def test_text_overrides_keep_the_other_locales_and_address_by_keys():
    ops = [{"op": "text", "field": "detail_kegiatan.nama_usaha", "set": {"label": {"id": "Nama toko", "en": "Shop name"}}},
           {"op": "text", "step": "detail_usaha", "set": {"title": {"id": "Usaha Anda", "en": "Your business"}}},
           {"op": "text", "set": {"title": {"id": "Izin usaha di Kampar", "en": "Business licence in Kampar"}}}]
    result = apply_overlay(base("permohonan"), ops)
    assert find(result, "nama_usaha")["label"] == {"id": "Nama toko", "en": "Shop name"}
    assert next(s for s in result["steps"] if s["key"] == "detail_usaha")["title"]["en"] == "Your business"
    assert result["title"]["id"] == "Izin usaha di Kampar"
    assert find(base("permohonan"), "nama_usaha")["label"]["id"] != "Nama toko"  # the base is not changed


def test_restrict_default_add_and_hide():
    ops = [{"op": "restrict", "field": "detail_kegiatan.provinsi_usaha", "values": ["14"]},
           {"op": "restrict", "field": "detail_kegiatan.kabupaten_usaha", "values": ["14.01"]},
           {"op": "default", "field": "npwp", "value": "01.234.567.8-901.000"},
           {"op": "restrict", "field": "kegiatan_usaha.jenis_kegiatan", "values": ["UTAMA"]},
           {"op": "add", "after": "email", "field": {"key": "nomor_whatsapp", "type": "phone",
                                                    "label": {"id": "Nomor WhatsApp", "en": "WhatsApp number"}}},
           {"op": "hide", "field": "bpjs_kesehatan"}]
    definition, problems = effective(base("permohonan"), ops)
    assert problems == []
    assert find(definition, "provinsi_usaha")["source"]["only"] == ["14"]
    assert [o["value"] for o in find(definition, "jenis_kegiatan")["options"]] == ["UTAMA"]
    assert find(definition, "npwp")["prefill"] == "01.234.567.8-901.000"
    step = next(s for s in definition["steps"] if s["key"] == "data_pelaku_usaha")
    keys = [f["key"] for f in step["fields"]]
    assert keys[keys.index("email") + 1] == "nomor_whatsapp"
    assert find(definition, "bpjs_kesehatan")["visible_if"] is False


# -- bad input: refused with what and where ----------------------------------------------------------------------
@pytest.mark.parametrize(("op", "pointer", "words"), [
    ({"op": "text", "field": "detail_kegiatan.tidak_ada", "set": {"label": {"id": "X", "en": "X"}}},
     "/forms/permohonan/0/field", "tidak_ada"),
    ({"op": "text", "field": "nama_usaha", "set": {"label": {"id": "X", "en": "X"}}},
     "/forms/permohonan/0/field", "detail_kegiatan.nama_usaha"),  # a key path, with the hint of the right one
    ({"op": "add", "after": "email", "field": {"key": "npwp", "type": "text", "label": {"id": "X", "en": "X"}}},
     "/forms/permohonan/0/field/key", "npwp"),
    ({"op": "restrict", "field": "kegiatan_usaha.jenis_kegiatan", "values": ["UTAMA", "LAINNYA"]},
     "/forms/permohonan/0/values/1", "LAINNYA"),
    ({"op": "restrict", "field": "detail_kegiatan.provinsi_usaha", "values": ["99"]},
     "/forms/permohonan/0/values/0", "99"),
    ({"op": "text", "field": "npwp", "set": {"label": {"id": "<script>alert(1)</script>", "en": "x"}}},
     "/forms/permohonan/0/set/label/id", "markup"),
    ({"op": "text", "field": "npwp", "set": {"hint": {"id": "Lihat", "en": "See", "xx": "?"}}},
     "/forms/permohonan/0/set/hint/xx", "xx"),
    ({"op": "hide", "field": "npwp"}, "/forms/permohonan/0/field", "wajib"),
    ({"op": "bogus", "field": "npwp"}, "/forms/permohonan/0/op", "bogus"),
])
def test_bad_overlays_are_refused_with_their_pointer(op, pointer, words):
    problems = validate_overlay(variant(op), BASES)
    assert pointer in pointers(problems), problems
    assert any(words.lower() in p.message.lower() for p in problems), problems


def test_a_child_region_outside_the_restricted_parent_is_refused():
    problems = validate_overlay(variant(
        {"op": "restrict", "field": "detail_kegiatan.provinsi_usaha", "values": ["14"]},
        {"op": "restrict", "field": "detail_kegiatan.kabupaten_usaha", "values": ["14.01", "21.01"]}), BASES)
    assert pointers(problems) == ["/forms/permohonan/1/values/1"]


def test_markup_in_the_identity_and_an_unknown_form_are_refused():
    problems = validate_overlay({**variant(form="tidak_ada"), "identity": {**IDENTITY, "name": "Kantor <b>X</b>"}},
                                BASES)
    assert set(pointers(problems)) == {"/identity/name", "/forms/tidak_ada"}


def test_format_problems_name_their_place():
    doc = variant()
    doc["identity"] = {k: v for k, v in IDENTITY.items() if k != "city"}
    doc["identity"]["logo"] = "logo.gif"
    doc["identity"]["signatory"] = {**doc["identity"].get("signatory", {}), "nip": "abc"}
    problems = validate_overlay(doc, BASES)
    assert {"/identity", "/identity/logo", "/identity/signatory/nip"} <= set(pointers(problems))
    # said in plain words from the catalogs, in the locale they are read in (Indonesian by default)
    said = {p.pointer: p for p in problems}
    assert said["/identity"].message == "Format variant.json: pengaturan 'city' belum ada; tambahkan."
    assert said["/identity/signatory/nip"].message.startswith(
        'Format variant.json: "abc" tidak sesuai dengan bentuk yang diminta (pola ')
    token = current_locale.set("en")
    try:
        assert said["/identity"].message == "variant.json format: the setting 'city' is missing; add it."
        assert "is a required property" not in " ".join(p.message for p in problems)
    finally:
        current_locale.reset(token)


def _png(size=(8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, "PNG")
    return out.getvalue()


def test_images_must_be_png_or_jpeg_and_at_most_one_megabyte():
    assert image_problems(_png()) == []
    assert image_problems(b"<svg onload='alert(1)'/>")
    assert image_problems(b"GIF89a" + b"\0" * 20)
    assert "1 MB" in image_problems(_png() + b"\0" * MAX_IMAGE_BYTES)[0]


# -- a base change that removes a key an overlay uses -------------------------------------------------------------
def test_an_entry_the_base_no_longer_fits_is_reported_and_the_rest_applies():
    changed = copy.deepcopy(base("permohonan"))
    step = next(s for s in changed["steps"] if s["key"] == "data_pelaku_usaha")
    step["fields"] = [f for f in step["fields"] if f["key"] != "bpjs_kesehatan"]
    ops = [{"op": "hide", "field": "bpjs_kesehatan"},
           {"op": "text", "field": "npwp", "set": {"hint": {"id": "Lima belas angka", "en": "Fifteen digits"}}}]
    definition, problems = effective(changed, ops, "/forms/permohonan")
    assert pointers(problems) == ["/forms/permohonan/0/field"]
    assert find(definition, "npwp")["hint"]["id"] == "Lima belas angka"


def _cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "formserver.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env)


# -- the CLI -------------------------------------------------------------------------------------------------------
def test_render_prints_the_effective_definition():
    done = _cli("variant", "render", "contoh", "--form", "permohonan")
    assert done.returncode == 0, done.stderr
    definition = json.loads(done.stdout)
    assert definition["key"] == "permohonan"
    assert find(definition, "nama_usaha")["label"]["id"] == "Nama usaha atau toko"
    assert find(definition, "nomor_whatsapp_pemberitahuan")["type"] == "phone"
    every = json.loads(_cli("variant", "render", "kampar").stdout)
    assert set(every) == set(BASES)
    assert find(every["permohonan"], "kabupaten_usaha")["source"]["only"] == ["14.01"]
    assert _cli("variant", "render", "kampar", "--form", "tidak_ada").returncode == 1


def test_check_reports_an_entry_whose_key_the_base_no_longer_has(tmp_path):
    assert _cli("variant", "check", "kampar").returncode == 0
    forms = tmp_path / "forms"
    forms.mkdir()
    for path in (ROOT / "forms").glob("*.json"):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc["key"] == "permohonan":  # the national form drops the regency question
            group = find(doc, "detail_kegiatan")
            group["fields"] = [f for f in group["fields"] if f["key"] != "kabupaten_usaha"]
            find(doc, "kecamatan_usaha")["source"]["parent"] = "provinsi_usaha"
        (forms / path.name).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    done = _cli("variant", "check", "kampar", "--forms-dir", str(forms))
    assert done.returncode == 1
    assert "variant.json:/forms/permohonan/1/field:" in done.stdout
    assert "variant.json:/forms/permohonan/3/field:" in done.stdout and "kabupaten_usaha" in done.stdout


def test_formserver_check_checks_the_selected_variant(tmp_path):
    import os
    folder = tmp_path / "variants" / "rusak"
    folder.mkdir(parents=True)
    (folder / "variant.json").write_text(json.dumps(variant({"op": "hide", "field": "tidak_ada"}) | {"name": "rusak"}))
    env = {**os.environ, "FORMSERVER_VARIANT": "rusak", "FORMSERVER_VARIANTS_DIR": str(tmp_path / "variants")}
    done = _cli("check", str(ROOT / "forms" / "permohonan.json"), env=env)
    assert done.returncode == 1 and "/forms/permohonan/0/field" in done.stdout
    assert _cli("check", str(ROOT / "forms" / "permohonan.json")).returncode == 0


def test_check_against_what_the_store_publishes(tmp_path, smtp, whatsapp):
    import os

    from .conftest import make_app
    app = make_app(tmp_path, smtp, whatsapp, VARIANT="contoh")
    svc = app.extensions["formserver"]
    base = copy.deepcopy(svc.versions.record("permohonan", svc.forms.published_version("permohonan"))["definition"])
    step = next(s for s in base["steps"] if s["key"] == "data_pelaku_usaha")
    step["fields"] = [f for f in step["fields"] if f["key"] != "bpjs_kesehatan"]
    svc.versions.publish("permohonan", svc.versions.create_draft("permohonan", base, "test")["number"], "test")
    svc.store.close()
    env = {**os.environ, "FORMSERVER_DATA_DIR": str(tmp_path)}
    assert _cli("variant", "check", "contoh", env=env).returncode == 0  # the forms directory still has the field
    done = _cli("variant", "check", "contoh", "--store", env=env)
    assert done.returncode == 1 and "/forms/permohonan/1/field" in done.stdout


def test_option_texts_fields_added_at_a_steps_end_and_defaults_checked_against_the_choices():
    ops = [{"op": "text", "field": "kegiatan_usaha.jenis_kegiatan", "option": "UTAMA",
            "set": {"label": {"id": "Kegiatan utama (pokok)", "en": "Main activity"}}},
           {"op": "add", "step": "draf_perizinan", "field": {
               "key": "catatan_kantor", "type": "statement", "text": {"id": "Catatan kantor", "en": "Office note"}}},
           {"op": "default", "field": "kegiatan_usaha.jenis_kegiatan", "value": "UTAMA"}]
    definition, problems = effective(base("permohonan"), ops)
    assert problems == []
    option = next(o for o in find(definition, "jenis_kegiatan")["options"] if o["value"] == "UTAMA")
    assert option["label"]["id"] == "Kegiatan utama (pokok)"
    assert next(s for s in definition["steps"] if s["key"] == "draf_perizinan")["fields"][-1]["key"] == "catatan_kantor"
    refused = validate_overlay(variant(
        {"op": "default", "field": "kegiatan_usaha.jenis_kegiatan", "value": "LAINNYA"},
        {"op": "text", "field": "kegiatan_usaha.jenis_kegiatan", "option": "LAINNYA",
         "set": {"label": {"id": "X", "en": "X"}}},
        {"op": "default", "field": "ringkasan", "value": "x"},
        {"op": "text", "step": "tidak_ada", "set": {"title": {"id": "X", "en": "X"}}}), BASES)
    assert pointers(refused) == ["/forms/permohonan/0/value", "/forms/permohonan/1/field", "/forms/permohonan/2/field",
                                 "/forms/permohonan/3/step"]


def test_the_check_report_writes_to_the_stdout_of_the_moment(monkeypatch):
    """The report once wrote to the stdout of import time, closed by then under pytest's capture (a 500-like crash)."""
    import io

    from formserver.variants.cli import report
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    assert report("kampar", []) == 0
    assert out.getvalue().rstrip().endswith("variant.json: OK")


def test_a_variant_json_that_is_not_json_is_said_with_its_line_and_column(tmp_path):
    """In plain words of the catalog, Indonesian by default and English when asked; not Python's parser's English."""
    (tmp_path / "rusak").mkdir()
    (tmp_path / "rusak" / "variant.json").write_text('{\n  "name": "rusak",\n  "identity": {},\n}\n', encoding="utf-8")
    with pytest.raises(VariantError) as raised:
        read_variant("rusak", tmp_path)
    [problem] = raised.value.problems
    assert problem.message == ("isinya bukan JSON yang sah di baris 4, kolom 1: nama di dalam { } harus di antara tanda "
                               "kutip ganda, dan tidak boleh ada koma sebelum }")
    token = current_locale.set("en")
    try:
        assert problem.message.startswith("the content is not valid JSON at line 4, column 1: a name inside { }")
        assert "Expecting" not in str(raised.value)
    finally:
        current_locale.reset(token)


def test_a_variant_s_reference_data_problems_read_in_the_locale_they_are_shown_in(tmp_path):
    """Found once at start and kept by the running variant: not frozen in the locale they were found in."""
    from types import SimpleNamespace

    from formserver.variants.files import reference_problems
    (tmp_path / "reference").mkdir()
    (tmp_path / "reference" / "lingkungan.json").write_text('{"status": "MUNGKIN"}', encoding="utf-8")
    token = current_locale.set("en")
    try:
        first = reference_problems(SimpleNamespace(root=tmp_path))[0]
        assert (first.pointer, first.message) == ("reference/lingkungan.json", "status must be DEFAULT or SUMBER")
    finally:
        current_locale.reset(token)
    assert first.message == "status harus DEFAULT atau SUMBER"
