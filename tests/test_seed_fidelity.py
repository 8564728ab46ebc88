"""The forms say what the service standard (the seed) says: labels, choices, checks (issue 13)."""
import html
import json
import re

import pytest
from marshmallow import ValidationError

from formserver import validators
from formserver.reference.wilayah import Wilayah

from .conftest import PASSWORD, PASSWORD_HASH, PERSON, Api, code_from
from .test_permohonan import activities, applicant, details, start  # noqa: F401  (fixture)


def page_text(api, sid, step):
    response = api.get(f"/isian/{sid}/{step}")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def shown(page, path):
    """Whether the page shows the question at ``path`` (a hidden one is in the page for the script, marked hidden)."""
    found = re.search(rf'data-field="{re.escape(path)}"( hidden)?>', page)
    return bool(found) and not found.group(1)


@pytest.mark.parametrize("label, hint", [
    ("Utama", "Kegiatan pokok yang menjadi sumber utama usaha Anda"),
    ("Pendukung", "Kegiatan yang menunjang kegiatan utama di lokasi usaha"),
    ("Kantor Cabang Administrasi", "Kantor yang hanya mengurus administrasi"),
    ("Pendukung UMKU", "Perizinan Berusaha untuk Menunjang Kegiatan Usaha (PB UMKU)"),
])
def test_each_kind_of_activity_has_the_seed_label_and_a_help_line(applicant, label, hint):  # noqa: F811
    text = page_text(applicant, start(applicant), "bidang_usaha")
    assert label in text
    assert hint in text


def test_workers_are_asked_as_indonesian_workers(applicant):  # noqa: F811
    sid = start(applicant)
    activities(applicant, sid, "47191")
    text = page_text(applicant, sid, "detail_usaha")
    assert "Jumlah Tenaga Kerja Indonesia" in text


# -- item 7: the postcode belongs to the chosen kelurahan ------------------------------------

def test_a_postcode_of_another_kelurahan_is_an_error_naming_the_expected_code(applicant):  # noqa: F811
    sid = start(applicant)
    activities(applicant, sid, "47191")
    response = details(applicant, sid, {"kode_pos": "28999", "modal_usaha": 50_000_000})
    assert response.status_code in (400, 422), response.get_json()
    errors = response.get_json()["errors"]
    message = " ".join(errors["kegiatan_usaha.0.kode_pos"])
    assert "28411" in message and "28999" in message


def test_the_kelurahan_postcode_is_accepted(applicant):  # noqa: F811
    sid = start(applicant)
    activities(applicant, sid, "47191")
    response = details(applicant, sid, {"kode_pos": "28411", "modal_usaha": 50_000_000})
    assert "kegiatan_usaha.0.kode_pos" not in (response.get_json().get("errors") or {})


def test_a_kelurahan_without_postcode_data_accepts_any_five_digits():
    context = validators.Context(answers={"kelurahan_usaha": "99.99.99.9999"}, wilayah=Wilayah())
    assert validators.run("kode_pos", "12345", {"kelurahan": "kelurahan_usaha"}, context) == "12345"
    with pytest.raises(ValidationError):
        validators.run("kode_pos", "1234", {"kelurahan": "kelurahan_usaha"}, context)


# -- item 8: a foreign (WNA) applicant ---------------------------------------------------------

def _foreign_applicant_at_identity_step(api, smtp):
    sid = api.post("/api/v1/forms/registrasi/submissions").get_json()["id"]
    assert api.put_step(sid, "skala", {"skala_usaha": "UMK"}).status_code == 200
    assert api.put_step(sid, "jenis_pelaku", {"jenis_pelaku_usaha": "ORANG_PERSEORANGAN",
                                              "kewarganegaraan": "WNA"}).status_code == 200
    before = len(smtp.messages)
    assert api.put_step(sid, "kontak", {"nomor_telepon": "0812-7646-0488", "email": "john@example.test",
                                        "kirim_kode_via": "EMAIL", "setuju_pernyataan": True}).status_code == 200
    smtp.wait_for(before + 1)
    assert api.put_step(sid, "verifikasi", {"kode_verifikasi": code_from(smtp.messages[before])}).status_code == 200
    assert api.put_step(sid, "akun", {"nama_lengkap": "John Smith", "password": PASSWORD,
                                      "password_konfirmasi": PASSWORD}).status_code == 200
    return sid


def test_a_foreign_applicant_is_not_asked_the_ktp_region(api, smtp):
    sid = _foreign_applicant_at_identity_step(api, smtp)
    page = html.unescape(api.get(f"/isian/{sid}/data_pelaku").get_data(as_text=True))
    assert shown(page, "nomor_paspor")
    assert not any(shown(page, key) for key in ("provinsi", "kabupaten", "kecamatan", "kelurahan"))
    r = api.put_step(sid, "data_pelaku", {"nomor_paspor": "X1234567", "jenis_kelamin": "L", "tempat_lahir": "London",
                                          "tanggal_lahir": "1985-03-02", "alamat": "Jl. Sudirman 1, Jakarta",
                                          "provinsi": "14", "setuju_disclaimer": True})
    assert r.status_code == 200, r.get_json()
    stored = api.get(f"/api/v1/submissions/{sid}").get_json()
    assert "provinsi" not in json.dumps(stored.get("data", stored))  # a hidden answer is not stored


def test_a_citizen_is_still_asked_the_ktp_region(api, smtp):
    sid = _foreign_applicant_at_identity_step(api, smtp)
    assert api.put_step(sid, "jenis_pelaku", {"jenis_pelaku_usaha": "ORANG_PERSEORANGAN",
                                              "kewarganegaraan": "WNI"}).status_code == 200
    r = api.put_step(sid, "data_pelaku", {k: v for k, v in PERSON.items() if k not in ("provinsi", "kabupaten",
                                                                                        "kecamatan", "kelurahan")})
    assert r.status_code == 422
    assert "provinsi" in r.get_json()["errors"]


def test_the_permit_shows_a_foreign_applicants_passport_where_the_nik_would_be(app):
    app.extensions["formserver"].store.insert_account({
        "id": "acc2", "username": "john0001", "email": "john@example.test", "status": "active",
        "password_hash": PASSWORD_HASH, "profile": {
            "skala_usaha": "UMK", "jenis_pelaku_usaha": "ORANG_PERSEORANGAN", "kewarganegaraan": "WNA",
            "nomor_paspor": "X1234567", "nama_lengkap": "John Smith", "jenis_kelamin": "L", "tempat_lahir": "London",
            "tanggal_lahir": "1985-03-02", "alamat": "Jl. Sudirman 1, Jakarta", "nomor_telepon": "+6281276460488",
            "email": "john@example.test"}})
    api = Api(app.test_client())
    assert api.post("/api/v1/auth/login", {"username": "john0001", "password": PASSWORD}).status_code == 200
    sid = api.post("/api/v1/forms/permohonan/submissions").get_json()["id"]
    page = page_text(api, sid, "data_pelaku_usaha")
    assert shown(page, "nomor_paspor") and "X1234567" in page
    assert not shown(page, "nik")


# -- item 5: non-UMK and foreign choices end at a page that says where to go --------------------

SEED_CHOICES = ("KPPA", "KP3A", "BUJKA", "KP3A – PMSE", "Pemberi Waralaba dari Luar Negeri", "PSE Asing",
                "Bentuk Usaha Tetap")


def _non_umk_draft(api):
    sid = api.post("/api/v1/forms/registrasi/submissions").get_json()["id"]
    assert api.put_step(sid, "skala", {"skala_usaha": "NON_UMK"}).status_code == 200
    return sid


def test_the_seed_non_umk_and_foreign_choices_are_offered(api):
    page = html.unescape(api.get(f"/isian/{_non_umk_draft(api)}/jenis_pelaku").get_data(as_text=True))
    for choice in SEED_CHOICES:
        assert choice in page, choice


@pytest.mark.parametrize("kind, detail, says", [
    ({"jenis_pelaku_usaha": "KANTOR_PERWAKILAN", "jenis_kantor_perwakilan": "KP3A_PMSE"}, "info_kantor_perwakilan",
     "Kantor perwakilan (KPPA, KP3A, KP3A – PMSE, BUJKA)"),
    ({"jenis_pelaku_usaha": "BADAN_USAHA_LUAR_NEGERI", "jenis_badan_usaha_luar_negeri": "BUT"},
     "info_badan_usaha_luar_negeri", "Badan usaha luar negeri"),
    ({"jenis_pelaku_usaha": "ORANG_PERSEORANGAN", "kewarganegaraan": "WNI"}, "info_non_umk", "Usaha Non UMK"),
])
def test_a_non_umk_choice_ends_at_a_page_saying_where_to_go(api, app, kind, detail, says):
    sid = _non_umk_draft(api)
    r = api.put_step(sid, "jenis_pelaku", kind)
    assert r.status_code == 200, r.get_json()
    store = app.extensions["formserver"].store
    assert store.get_submission(sid)["current_step"] == "di_luar_layanan"
    page = html.unescape(api.get(f"/isian/{sid}/di_luar_layanan").get_data(as_text=True))
    assert "UMK" in page and "orang perseorangan" in page and "https://oss.go.id" in page
    assert shown(page, detail) and says in page
    assert "data-prevent-double-click" not in page  # nothing to submit: the form ends here
    # the registration cannot go on from here, and saving the ending page completes nothing
    assert api.put_step(sid, "kontak", {"nomor_telepon": "0812-7646-0489", "email": "x@example.test",
                                        "kirim_kode_via": "EMAIL", "setuju_pernyataan": True}).status_code == 409
    assert api.put_step(sid, "di_luar_layanan", {}).status_code == 200
    assert store.get_submission(sid)["status"] == "draft"


def test_a_umk_person_never_sees_the_ending_page(api):
    sid = api.post("/api/v1/forms/registrasi/submissions").get_json()["id"]
    assert api.put_step(sid, "skala", {"skala_usaha": "UMK"}).status_code == 200
    assert api.put_step(sid, "jenis_pelaku", {"jenis_pelaku_usaha": "ORANG_PERSEORANGAN",
                                              "kewarganegaraan": "WNI"}).status_code == 200
    assert api.get(f"/isian/{sid}/di_luar_layanan").status_code == 302


# -- item 1: the KBLI title and its description ----------------------------------------------

def test_the_chosen_kbli_shows_its_title_and_its_description(applicant):  # noqa: F811
    sid = start(applicant)
    activities(applicant, sid, "47191")
    page = page_text(applicant, sid, "bidang_usaha")
    row = applicant.client.application.extensions["formserver"].kbli.get("47191")
    assert row["judul"] in page and "Uraian bidang usaha" in page
    assert row["uraian"] in page


def test_a_passport_with_an_account_stops_a_second_registration_as_a_nik_does(api, smtp, app):
    app.extensions["formserver"].store.insert_account({
        "id": "acc3", "username": "john0002", "email": "john.first@example.test", "status": "active",
        "identity": "paspor:X1234567", "password_hash": PASSWORD_HASH, "profile": {}})
    sid = _foreign_applicant_at_identity_step(api, smtp)
    r = api.put_step(sid, "data_pelaku", {"nomor_paspor": "x1234567", "jenis_kelamin": "L", "tempat_lahir": "London",
                                          "tanggal_lahir": "1985-03-02", "alamat": "Jl. Sudirman 1, Jakarta",
                                          "setuju_disclaimer": True})
    assert r.status_code == 422, r.get_json()
    message = r.get_json()["errors"]["nomor_paspor"][0]
    assert "Nomor paspor ini sudah memiliki akun" in message and "john" not in message
