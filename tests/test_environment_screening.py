"""The environmental step from reference data, and what the SPPL covers (issue 13 items 2 and 3).

Item 2: the applicant chooses the kind of business from the list for the KBLI, then the parameter
conditions of that kind; the server computes SPPL / UKL-UPL / AMDAL from ``lingkungan.json``.
Item 3: Rendah activities and activities whose obligation (or held document) is SPPL are covered by
the SPPL statement (PP 22/2021 art. 4 and 7(1), docs/DECISIONS.md); the form, the pernyataan mandiri
and the SPPL document list the same activities.
"""
import copy
import io
import json
import re

import pytest
from pypdf import PdfReader

from formserver.logic import Logic
from formserver.reference import lingkungan
from formserver.reference.kbli import Kbli

from .test_permohonan import (  # noqa: F401  (fixture)
    ONE_PRODUCT,
    activities,
    applicant,
    details,
    ok,
    products,
    start,
)

KBLI = Kbli()
SHIPPED = json.loads(lingkungan.DEFAULT_PATH.read_text(encoding="utf-8"))


# -- the reference data ------------------------------------------------------------------------

def test_the_shipped_lists_are_checked_and_say_where_they_come_from():
    table = lingkungan.shipped()
    assert table.status == "DEFAULT" and "PermenLHK 4/2021" in SHIPPED["dasar_hukum"]
    assert "PP 22/2021 Pasal 4" in SHIPPED["dasar_hukum"] and "BUKAN kutipan" in SHIPPED["dasar_hukum"]
    # nothing here was found in a regulation's annex, so every kind says it is the project's default
    assert all("DEFAULT proyek" in kind["sumber"] for kind in SHIPPED["jenis_usaha"])
    assert lingkungan.check(SHIPPED, KBLI) == []


def test_every_kbli_code_is_offered_at_least_one_kind_of_business():
    table = lingkungan.shipped()
    assert all(table.kinds_for(code) for code in KBLI.codes())
    assert [k["kode"] for k in table.kinds_for("10298")] == ["INDUSTRI_PENGOLAHAN"]
    assert [k["kode"] for k in table.kinds_for("03241")] == ["USAHA_DI_BANGUNAN"]


def _broken():
    data = copy.deepcopy(SHIPPED)
    industri = data["jenis_usaha"][1]
    industri["parameter"][0]["pilihan"][2]["kewajiban"] = "SEDANG"
    industri["parameter"][1]["pilihan"][1]["kode"] = industri["parameter"][0]["pilihan"][0]["kode"]
    industri["parameter"].append({"key": "daya_listrik", "pilihan": []})
    industri["kbli_awalan"].append("999")
    data["jenis_usaha"][0]["sumber"] = ""
    return data


def test_each_problem_of_an_edited_file_is_named_by_its_entry(tmp_path):
    problems = lingkungan.check(_broken(), KBLI)
    joined = "\n".join(problems)
    assert "jenis_usaha[1] (INDUSTRI_PENGOLAHAN).parameter[0] (luas_bangunan_m2).pilihan[2]: kewajiban 'SEDANG'" in joined
    assert "kode kondisi berulang: BANGUNAN_KURANG_2500" in joined
    assert "parameter[2]: parameter 'daya_listrik' tidak ada" in joined
    assert "awalan '999' tidak cocok" in joined
    assert "jenis_usaha[0] (USAHA_DI_BANGUNAN): sumber wajib diisi" in joined
    path = tmp_path / "lingkungan.json"
    path.write_text(json.dumps(_broken()), encoding="utf-8")
    with pytest.raises(lingkungan.LingkunganError) as raised:
        lingkungan.load(path, KBLI)
    assert raised.value.problems == problems  # the start stops and lists all of them
    assert str(raised.value).startswith(f"{path}: 5 masalah\n  jenis_usaha[0] (USAHA_DI_BANGUNAN): sumber wajib diisi")


def test_the_problems_of_the_file_read_in_english_from_the_catalog(tmp_path, in_english):
    """The same sentences from the English catalog, with no Indonesian words around them (the keys of the file
    and its entries aside); a file that is not JSON is said with its line and column."""
    joined = "\n".join(map(str, lingkungan.check(_broken(), KBLI)))
    assert ("jenis_usaha[1] (INDUSTRI_PENGOLAHAN).parameter[0] (luas_bangunan_m2).pilihan[2]: unknown kewajiban 'SEDANG'; "
            "use SPPL, UKL_UPL, AMDAL") in joined
    assert "condition codes must be unique; repeated: BANGUNAN_KURANG_2500" in joined
    assert "parameter[2]: the parameter 'daya_listrik' is not declared in \"parameter\"" in joined
    assert "the prefix '999' matches no KBLI 2020 code" in joined
    assert "jenis_usaha[0] (USAHA_DI_BANGUNAN): sumber is required" in joined
    assert not re.search(r"\b(harus|wajib|tidak|berulang)\b", joined)
    path = tmp_path / "lingkungan.json"
    path.write_text('{"status": "DEFAULT",\n "parameter": {}\n "jenis_usaha": []}', encoding="utf-8")
    with pytest.raises(lingkungan.LingkunganError) as raised:
        lingkungan.load(path, KBLI)
    assert str(raised.value) == (f"{path}: 1 problem\n  the content is not valid JSON at line 3, column 2: "
                                 "a comma is missing between two parts")


def test_a_kbli_left_without_any_kind_stops_the_start():
    data = copy.deepcopy(SHIPPED)
    data["jenis_usaha"][0]["kbli_awalan"].remove("47")
    assert any("kode KBLI tanpa jenis usaha, mis. 47111" in p for p in lingkungan.check(data, KBLI))


@pytest.mark.parametrize("kbli, kind, land, chosen, expected", [
    ("03241", "USAHA_DI_BANGUNAN", 60, ["BANGUNAN_KURANG_5000"], "SPPL"),
    ("03241", "USAHA_DI_BANGUNAN", 60, ["BANGUNAN_5000_10000"], "UKL_UPL"),
    ("03241", "USAHA_DI_BANGUNAN", 60, ["BANGUNAN_10000_ATAU_LEBIH"], "AMDAL"),
    ("03241", "USAHA_DI_BANGUNAN", 5000, ["BANGUNAN_KURANG_5000"], "UKL_UPL"),  # the land area's threshold
    ("03241", "USAHA_DI_BANGUNAN", 50000, ["BANGUNAN_5000_10000"], "AMDAL"),
    ("03241", "USAHA_DI_BANGUNAN", None, ["BANGUNAN_KURANG_5000"], "SPPL"),
    ("10298", "INDUSTRI_PENGOLAHAN", 60, ["BANGUNAN_KURANG_2500", "KAPASITAS_KURANG_1000"], "SPPL"),
    ("10298", "INDUSTRI_PENGOLAHAN", 60, ["BANGUNAN_KURANG_2500", "KAPASITAS_1000_50000"], "UKL_UPL"),
    ("10298", "INDUSTRI_PENGOLAHAN", 60, ["BANGUNAN_10000_ATAU_LEBIH", "KAPASITAS_KURANG_1000"], "AMDAL"),
    # not computed until every parameter has a condition, nor for a kind that is not the KBLI's
    ("10298", "INDUSTRI_PENGOLAHAN", 60, ["BANGUNAN_KURANG_2500"], None),
    ("10298", "USAHA_DI_BANGUNAN", 60, ["BANGUNAN_KURANG_5000"], None),
    ("10298", None, 60, [], None),
    ("03241", "USAHA_DI_BANGUNAN", 60, ["KAPASITAS_KURANG_1000"], None),  # a condition of another kind
])
def test_the_obligation_is_the_most_demanding_condition(kbli, kind, land, chosen, expected):
    assert lingkungan.shipped().obligation(kbli, kind, land, chosen) == expected
    logic = Logic(lingkungan=lingkungan.shipped())
    rule = logic.compile({"kewajiban_lingkungan": [kbli, kind, land, *chosen]})
    assert rule({}) == expected


# -- the environmental step --------------------------------------------------------------------

def _to_environment(api, kbli, land=60):
    sid = start(api)
    activities(api, sid, kbli)
    ok(details(api, sid, {"modal_usaha": 200_000_000, "luas_lahan_m2": land}))
    ok(products(api, sid, ONE_PRODUCT))
    ok(api.put_step(sid, "ringkasan_usaha", {}))
    ok(api.put_step(sid, "daftar_kegiatan", {"kegiatan_usaha": [{"dipilih": True}]}))
    assert api.get(f"/api/v1/submissions/{sid}").get_json()["current_step"] == "persetujuan_lingkungan"
    return sid


def _preview(api, sid, item):
    r = api.post(f"/api/v1/submissions/{sid}/steps/persetujuan_lingkungan/preview", {"values": {"kegiatan_usaha": [item]}})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_the_kinds_are_the_kbli_list_and_the_conditions_those_of_the_chosen_kind(applicant):  # noqa: F811
    sid = _to_environment(applicant, "03241")
    fields = _preview(applicant, sid, {"punya_dokumen_lingkungan": "BELUM"})["fields"]
    kind = fields["kegiatan_usaha.0.jenis_usaha_lingkungan"]
    assert kind["visible"] and kind["required"]
    assert kind["options"] == [{"value": "USAHA_DI_BANGUNAN",
                                "label": "Usaha perdagangan, jasa, pertanian dan lainnya dengan bangunan tempat usaha"}]
    assert not fields["kegiatan_usaha.0.luas_bangunan_m2"]["visible"]  # until a kind is chosen
    body = _preview(applicant, sid, {"punya_dokumen_lingkungan": "BELUM", "jenis_usaha_lingkungan": "USAHA_DI_BANGUNAN"})
    size = body["fields"]["kegiatan_usaha.0.luas_bangunan_m2"]
    assert [o["label"] for o in size["options"]] == [
        "Luas bangunan kurang dari 5.000 m²", "Luas bangunan 5.000 m² sampai kurang dari 10.000 m²",
        "Luas bangunan 10.000 m² atau lebih"]
    # this kind has no capacity parameter: the question is not asked at all
    assert body["fields"]["kegiatan_usaha.0.kapasitas_produksi"] == {"visible": False, "required": False, "options": None}
    body = _preview(applicant, sid, {"punya_dokumen_lingkungan": "BELUM", "jenis_usaha_lingkungan": "USAHA_DI_BANGUNAN",
                                     "luas_bangunan_m2": "BANGUNAN_5000_10000"})
    assert body["computed"]["kegiatan_usaha.0.kewajiban_lingkungan"] == "UKL_UPL"  # shown before saving


def test_the_server_refuses_a_kind_of_another_kbli_and_computes_the_obligation_itself(applicant, app):  # noqa: F811
    sid = _to_environment(applicant, "10298")
    r = applicant.put_step(sid, "persetujuan_lingkungan", {"kegiatan_usaha": [{
        "punya_dokumen_lingkungan": "BELUM", "jenis_usaha_lingkungan": "USAHA_DI_BANGUNAN",
        "luas_bangunan_m2": "BANGUNAN_KURANG_5000", "uraian_usaha_lingkungan": "Olah rumput laut"}]})
    assert r.status_code == 422
    assert r.get_json()["errors"]["kegiatan_usaha.0.jenis_usaha_lingkungan"] == ["Pilih salah satu pilihan yang tersedia"]
    body = ok(applicant.put_step(sid, "persetujuan_lingkungan", {"kegiatan_usaha": [{
        "punya_dokumen_lingkungan": "BELUM", "jenis_usaha_lingkungan": "INDUSTRI_PENGOLAHAN",
        "luas_bangunan_m2": "BANGUNAN_KURANG_2500", "kapasitas_produksi": "KAPASITAS_50000_ATAU_LEBIH",
        "kewajiban_lingkungan": "SPPL", "uraian_usaha_lingkungan": "Olah rumput laut"}]}))
    # a posted obligation is not an answer: the server's computation stands
    assert body["computed"]["kegiatan_usaha.0.kewajiban_lingkungan"] == "AMDAL"
    item = app.extensions["formserver"].store.get_submission(sid)["data"]["kegiatan_usaha"][0]
    assert item["kewajiban_lingkungan"] == "AMDAL" and item["kapasitas_produksi"] == "KAPASITAS_50000_ATAU_LEBIH"


def test_the_land_area_of_the_details_counts_without_being_asked_again(applicant):  # noqa: F811
    sid = _to_environment(applicant, "03241", land=6000)
    body = ok(applicant.put_step(sid, "persetujuan_lingkungan", {"kegiatan_usaha": [{
        "punya_dokumen_lingkungan": "BELUM", "jenis_usaha_lingkungan": "USAHA_DI_BANGUNAN",
        "luas_bangunan_m2": "BANGUNAN_KURANG_5000", "uraian_usaha_lingkungan": "Pembesaran ikan"}]}))
    assert body["computed"]["kegiatan_usaha.0.kewajiban_lingkungan"] == "UKL_UPL"


def test_the_description_is_asked_only_under_belum(applicant, app):  # noqa: F811
    sid = _to_environment(applicant, "10298")
    fields = _preview(applicant, sid, {"punya_dokumen_lingkungan": "SUDAH"})["fields"]
    assert not fields["kegiatan_usaha.0.uraian_usaha_lingkungan"]["visible"]
    assert not fields["kegiatan_usaha.0.jenis_usaha_lingkungan"]["visible"]
    fields = _preview(applicant, sid, {"punya_dokumen_lingkungan": "BELUM"})["fields"]
    assert fields["kegiatan_usaha.0.uraian_usaha_lingkungan"] == {"visible": True, "required": True, "options": None}
    ok(applicant.put_step(sid, "persetujuan_lingkungan", {"kegiatan_usaha": [{
        "punya_dokumen_lingkungan": "SUDAH", "jenis_dokumen_lingkungan": "PKPLH", "nomor_dokumen_lingkungan": "PK/1",
        "tanggal_dokumen_lingkungan": "2024-03-01", "uraian_usaha_lingkungan": "Tidak ditanyakan"}]}))
    item = app.extensions["formserver"].store.get_submission(sid)["data"]["kegiatan_usaha"][0]
    assert "uraian_usaha_lingkungan" not in item and "kewajiban_lingkungan" not in item


def test_the_page_lists_the_kinds_with_their_labels_without_javascript(applicant):  # noqa: F811
    sid = _to_environment(applicant, "10298")
    ok(applicant.put_step(sid, "persetujuan_lingkungan", {"kegiatan_usaha": [{
        "punya_dokumen_lingkungan": "BELUM", "jenis_usaha_lingkungan": "INDUSTRI_PENGOLAHAN",
        "luas_bangunan_m2": "BANGUNAN_KURANG_2500", "kapasitas_produksi": "KAPASITAS_KURANG_1000",
        "uraian_usaha_lingkungan": "Olah rumput laut"}]}))
    page = applicant.client.get(f"/isian/{sid}/persetujuan_lingkungan").get_data(as_text=True)
    assert '<option value="INDUSTRI_PENGOLAHAN" selected>Industri pengolahan (KBLI 10–33)</option>' in page
    assert '<option value="KAPASITAS_KURANG_1000" selected>Kapasitas produksi kurang dari 1.000 ton per tahun</option>' in page


# -- item 3: what the SPPL covers --------------------------------------------------------------

R, MR, MRU = "47191", "13923", "10298"
ENVIRONMENT = {
    MR: {"punya_dokumen_lingkungan": "BELUM", "jenis_usaha_lingkungan": "INDUSTRI_PENGOLAHAN",
         "luas_bangunan_m2": "BANGUNAN_KURANG_2500", "kapasitas_produksi": "KAPASITAS_KURANG_1000",
         "uraian_usaha_lingkungan": "Jahit bantal"},
    MRU: {"punya_dokumen_lingkungan": "BELUM", "jenis_usaha_lingkungan": "INDUSTRI_PENGOLAHAN",
          "luas_bangunan_m2": "BANGUNAN_KURANG_2500", "kapasitas_produksi": "KAPASITAS_1000_50000",
          "uraian_usaha_lingkungan": "Olah rumput laut"},
}
SPPL_TEXT = "SPPL, untuk kegiatan yang dicakup SPPL: saya sanggup mengelola dan memantau dampak lingkungan hidup"


def _pdf_text(api, document) -> str:
    r = api.client.get(document["url"])
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(r.data)).pages)


@pytest.mark.parametrize("kblis, covered", [
    ((R,), (R,)),                 # Rendah only: never screened, covered by the SPPL
    ((MR,), (MR,)),               # Menengah Rendah whose screening gives SPPL
    ((R, MR), (R, MR)),
    ((MRU,), ()),                 # Menengah Rendah needing UKL-UPL: no SPPL at all
    ((R, MRU), (R,)),             # the SPPL lists the Rendah one only, never the UKL-UPL one
], ids=["R", "MR", "R+MR", "MRU", "R+MRU"])
def test_form_statements_and_documents_agree_on_what_the_sppl_covers(applicant, kblis, covered):  # noqa: F811
    sid = start(applicant)
    activities(applicant, sid, *kblis)
    modal = [50_000_000 if k == R else 200_000_000 for k in kblis]
    ok(details(applicant, sid, *[{"modal_usaha": m} for m in modal]))
    ok(products(applicant, sid, *[ONE_PRODUCT] * len(kblis)))
    ok(applicant.put_step(sid, "ringkasan_usaha", {}))
    ok(applicant.put_step(sid, "daftar_kegiatan", {"kegiatan_usaha": [{"dipilih": True}] * len(kblis)}))
    screened = [k for k in kblis if k != R]
    step = applicant.get(f"/api/v1/submissions/{sid}").get_json()["current_step"]
    assert step == ("persetujuan_lingkungan" if screened else "pernyataan_mandiri")
    if screened:
        ok(applicant.put_step(sid, "persetujuan_lingkungan", {"kegiatan_usaha": [ENVIRONMENT.get(k) for k in kblis]}))
    # the form: the SPPL declaration is asked exactly when an activity is covered, and says which ones are
    r = applicant.put_step(sid, "pernyataan_mandiri", {"pernyataan_k3l": True})
    asked = set(r.get_json().get("errors", {}))
    assert asked == ({"pernyataan_sppl"} if covered else set()) | ({"pernyataan_standar_usaha"} if screened else set())
    page = applicant.client.get(f"/isian/{sid}/pernyataan_mandiri").get_data(as_text=True)
    shown = re.findall(r'data-computed="kegiatan_usaha\.\d+\.komitmen_lingkungan"[^>]*>([^<]*)</p>', page)
    assert shown == ["SPPL: dicakup Surat Pernyataan SPPL" if k in covered
                     else "UKL-UPL: Sertifikat Standar menunggu persetujuan lingkungan (PKPLH)" for k in kblis]
    ok(applicant.put_step(sid, "pernyataan_mandiri", {"pernyataan_k3l": True, "pernyataan_sppl": True,
                                                      "pernyataan_standar_usaha": True}))
    data = applicant.get(f"/api/v1/submissions/{sid}").get_json()["data"]
    assert [item["komitmen_lingkungan"] for item in data["kegiatan_usaha"]] == [
        "SPPL" if k in covered else "UKL_UPL" for k in kblis]
    assert data.get("pernyataan_sppl") is (True if covered else None)
    ok(applicant.put_step(sid, "draf_perizinan", {"setuju_terbitkan": True}))
    result = ok(applicant.post(f"/api/v1/submissions/{sid}/submit"))
    by_type = {d["type"]: d for d in result["documents"]}
    # the documents: an SPPL exactly when something is covered, listing exactly those activities
    assert ("SPPL" in by_type) == bool(covered)
    statement = _pdf_text(applicant, by_type["PERNYATAAN_MANDIRI"])
    if covered:
        sppl = _pdf_text(applicant, by_type["SPPL"])
        assert "SURAT PERNYATAAN KESANGGUPAN PENGELOLAAN DAN PEMANTAUAN LINGKUNGAN HIDUP" in sppl
        assert [k for k in kblis if k in sppl] == list(covered)
        assert "Berlaku untuk KBLI " + ", ".join(covered) + "." in statement
    else:
        assert "SPPL" not in statement
    assert all(k in statement for k in kblis)  # the pernyataan mandiri lists every activity
