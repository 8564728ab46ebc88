"""The forms say what the service standard (the seed) says: labels, choices, checks (issue 13)."""
import html

import pytest

from .test_permohonan import activities, applicant, start  # noqa: F401  (fixture)


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
