"""The forms say what the service standard (the seed) says: labels, choices, checks (issue 13)."""
import html

import pytest
from marshmallow import ValidationError

from formserver import validators
from formserver.reference.wilayah import Wilayah

from .test_permohonan import activities, applicant, details, start  # noqa: F401  (fixture)


def page_text(api, sid, step):
    response = api.get(f"/isian/{sid}/{step}")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


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
