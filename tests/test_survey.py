"""The satisfaction survey (forms/skm.json) and its index: the arithmetic against a worked example computed by
hand, one survey per issued application, the dashboard's reminder, and who may read the report."""
import datetime as dt
import re
from decimal import Decimal
from fractions import Fraction

import pytest

from formserver import survey
from formserver.logic import today

from .conftest import PASSWORD, PASSWORD_HASH, Api
from .test_permohonan import PROFILE, applicant, issued  # noqa: F401  (fixtures)

# The worked example, by hand. Four respondents answered the nine elements:
#
#   element               answers      sum   NRR = sum / 4
#   persyaratan           4, 4, 3, 3   14    3.50
#   prosedur              3, 3, 3, 3   12    3.00
#   waktu                 4, 3, 3, 2   12    3.00
#   biaya                 4, 4, 4, 4   16    4.00
#   produk                3, 3, 4, 4   14    3.50
#   kompetensi            3, 4, 3, 4   14    3.50
#   perilaku              4, 4, 4, 3   15    3.75
#   penanganan_pengaduan  2, 3, 3, 2   10    2.50
#   sarana                3, 3, 3, 4   13    3.25
#                                            -----
#   sum of the nine NRR                      30.00
#   IKM = 30.00 / 9 × 25 = 83.333… → 83.33, which lies in 76.61–88.30: mutu B (Baik).
#
# (The regulation's "NRR tertimbang" multiplies each NRR by 0.111 ≈ 1/9; with 1/9 exactly it is the same sum.)
ANSWERS = {
    "persyaratan": (4, 4, 3, 3), "prosedur": (3, 3, 3, 3), "waktu": (4, 3, 3, 2), "biaya": (4, 4, 4, 4),
    "produk": (3, 3, 4, 4), "kompetensi": (3, 4, 3, 4), "perilaku": (4, 4, 4, 3), "penanganan_pengaduan": (2, 3, 3, 2),
    "sarana": (3, 3, 3, 4),
}
EXPECTED_NRR = {"persyaratan": 3.5, "prosedur": 3.0, "waktu": 3.0, "biaya": 4.0, "produk": 3.5, "kompetensi": 3.5,
                "perilaku": 3.75, "penanganan_pengaduan": 2.5, "sarana": 3.25}
PROFILES = [("L", "S1", "WIRAUSAHA", 30), ("P", "SMA", "WIRAUSAHA", 41), ("P", "S1", "SWASTA", 23), ("L", "SMP", "LAINNYA", 67)]


def respondent(i: int) -> dict:
    sex, school, work, age = PROFILES[i]
    return {**{key: str(scores[i]) for key, scores in ANSWERS.items()}, "jenis_kelamin_responden": sex,
            "pendidikan": school, "pekerjaan": work, "kelompok_umur": survey.age_group(age)}


def put_survey(store, sid, on, values):
    store.insert_submission({"id": sid, "owner": "account:x", "form_id": "skm", "form_version": 1, "status": "completed",
                             "created_at": f"{on}T01:00:00+00:00", "updated_at": f"{on}T01:00:00+00:00", "data": {},
                             "meta": {}, "tally": {"on": on, "values": values}})


def ok(response, status=200):
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_json()


def test_the_arithmetic_of_the_worked_example():
    nrrs = [survey.nrr({str(s): list(scores).count(s) for s in set(scores)}) for scores in ANSWERS.values()]
    assert [float(n) for n in nrrs] == list(EXPECTED_NRR.values())
    index = survey.ikm(nrrs)
    assert index == Fraction(250, 3)  # 30 / 9 × 25, exactly
    assert survey.rounded(index) == Decimal("83.33") and survey.grade(survey.rounded(index))[0] == "B"


@pytest.mark.parametrize("index, letter", [("100.00", "A"), ("88.31", "A"), ("88.30", "B"), ("76.61", "B"),
                                           ("76.60", "C"), ("65.00", "C"), ("64.99", "D"), ("25.00", "D")])
def test_the_grade_table_at_its_edges(index, letter):
    assert survey.grade(Decimal(index))[0] == letter


def test_rounding_is_half_up_as_published():
    assert survey.rounded(Fraction(88305, 1000)) == Decimal("88.31")  # a float would give 88.30
    assert survey.nrr({}) is None


def test_semesters():
    assert survey.semester_of(dt.date(2026, 6, 30)).name == "2026-1"
    assert survey.semester_of(dt.date(2026, 7, 1)) == survey.Period(dt.date(2026, 7, 1), dt.date(2027, 1, 1), "2026-2")
    assert [p.name for p in survey.semesters_until(dt.date(2026, 2, 1), 3)] == ["2025-1", "2025-2", "2026-1"]
    assert survey.parse_semester("2026-3") is None and survey.parse_semester("26-1") is None


def add_account(app, username, role=None, profile=None):
    app.extensions["formserver"].store.insert_account({
        "id": f"id-{username}", "username": username, "email": f"{username}@example.test", "status": "active",
        "password_hash": PASSWORD_HASH, "profile": profile or {"nama_lengkap": username},
        **({"role": role} if role else {})})
    client = app.test_client()
    ok(client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD}))
    return client


@pytest.fixture
def worked_example(app):
    store = app.extensions["formserver"].store
    for i in range(4):
        put_survey(store, f"s{i}", "2026-03-0" + str(i + 1), respondent(i))
    put_survey(store, "later", "2026-07-01", {**respondent(0), "persyaratan": "1"})  # the next semester
    return store


def test_the_ikm_api_gives_the_worked_example(app, worked_example):
    supervisor = add_account(app, "kepala", "supervisor")
    body = ok(supervisor.get("/api/v1/skm/ikm?from=2026-01-01&to=2026-06-30"))
    assert body["ikm"] == 83.33 and body["mutu"] == "B" and body["respondents"] == 4
    assert {e["key"]: e["nrr"] for e in body["elements"]} == EXPECTED_NRR
    assert body["elements"][0]["label"] == "Persyaratan"
    assert ok(supervisor.get("/api/v1/skm/ikm?from=2026-03-02&to=2026-03-02"))["respondents"] == 1  # one day, included
    empty = ok(supervisor.get("/api/v1/skm/ikm?from=2020-01-01&to=2020-12-31"))
    assert empty["ikm"] is None and empty["mutu"] is None and empty["respondents"] == 0
    assert supervisor.get("/api/v1/skm/ikm?from=2026-06-30&to=2026-01-01").status_code == 400  # reversed
    assert supervisor.get("/api/v1/skm/ikm?from=2026-02-30&to=2026-03-01").status_code == 400  # no such day
    assert supervisor.get("/api/v1/skm/ikm?from=2026-01-01").status_code == 400               # half a range
    for far in ("from=0001-01-01&to=2026-01-01", "from=2026-01-01&to=9999-12-31"):            # outside the years reported
        assert supervisor.get(f"/api/v1/skm/ikm?{far}").status_code == 400
        assert supervisor.get(f"/petugas/skm?{far}").status_code == 400
    assert supervisor.get("/petugas/skm?semester=0001-1").status_code == 400
    assert app.test_client().get("/ikm?semester=0001-2").status_code == 400


def test_only_supervisors_read_the_report(app, worked_example):
    for client in (app.test_client(), add_account(app, "budi"), add_account(app, "petugas1", "petugas")):
        assert client.get("/api/v1/skm/ikm?from=2026-01-01&to=2026-06-30").status_code == 403
        assert client.get("/petugas/skm").status_code == 403
        assert client.get("/petugas/skm/ikm.csv").status_code == 403
    assert add_account(app, "kepala", "supervisor").get("/petugas/skm?from=2026-01-01&to=2026-06-30").status_code == 200


def test_report_page_csv_and_public_summary(app, worked_example):
    supervisor = add_account(app, "kepala", "supervisor")
    page = supervisor.get("/petugas/skm?from=2026-01-01&to=2026-06-30").get_data(as_text=True)
    assert "83.33" in page and "3.750" in page and "Baik" in page
    csv_text = supervisor.get("/petugas/skm/ikm.csv?from=2026-01-01&to=2026-06-30").get_data(as_text=True)
    assert "ikm,83.33" in csv_text and "mutu,B" in csv_text and "persyaratan,Persyaratan,0,0,2,2,3.500" in csv_text
    assert "kelompok_umur,25-34,1" in csv_text and "pendidikan,S1,2" in csv_text
    public = app.test_client().get("/ikm?semester=2026-1")
    text = public.get_data(as_text=True)
    assert public.status_code == 200 and "83.33" in text and "2026-1" in text
    assert "2026-2" in app.test_client().get("/ikm?semester=2026-2").get_data(as_text=True)
    assert app.test_client().get("/ikm?semester=2026-9").status_code == 400


def fake_issued_application(store, owner="account:id-budi", sid="app1"):
    """A completed application with its NIB (the survey reads only that it was issued)."""
    store.insert_submission({"id": sid, "owner": owner, "form_id": "permohonan", "form_version": 1,
                             "status": "completed", "created_at": "2026-01-01T00:00:00+00:00",
                             "updated_at": "2026-01-01T00:00:00+00:00",
                             "data": {"kegiatan_usaha": [{"kbli": "47191"}]}, "meta": {"nib": "9100000000018"}})


SURVEY = {"profil_responden": {"umur": 35, "jenis_kelamin_responden": "L", "pendidikan": "S1", "pekerjaan": "WIRAUSAHA"},
          "penilaian": {key: "4" for key in survey.ELEMENTS},
          "saran_responden": {"saran": "<script>alert(1)</script> Pertahankan"}}


def test_one_survey_per_issued_application_with_a_reminder_until_done(app):
    store = app.extensions["formserver"].store
    applicant = add_account(app, "budi", profile=PROFILE)
    fake_issued_application(store)
    fake_issued_application(store, owner="account:someone-else", sid="app2")
    assert "/skm/app1" in applicant.get("/dasbor").get_data(as_text=True)
    assert applicant.get("/skm/app2").status_code == 404  # someone else's application
    start = applicant.get("/skm/app1")
    sid = re.search(r"/isian/([a-z0-9]+)", start.headers["Location"]).group(1)
    assert re.search(r"/isian/([a-z0-9]+)", applicant.get("/skm/app1").headers["Location"]).group(1) == sid  # resumed
    api = Api(applicant)
    # the profile is suggested from the account: age from the birth date, sex as registered
    step = applicant.get(f"/isian/{sid}/profil_responden").get_data(as_text=True)
    assert re.search(r'name="umur"[^>]*value="3\d"', step) or re.search(r'value="3\d"[^>]*name="umur"', step)
    ok(api.put_step(sid, "profil_responden", SURVEY["profil_responden"]))
    for bad in ("5", "0", 4.5, "empat"):
        errors = api.put_step(sid, "penilaian", {**SURVEY["penilaian"], "waktu": bad}).get_json()["errors"]
        assert list(errors) == ["waktu"]
    ok(api.put_step(sid, "penilaian", SURVEY["penilaian"]))
    assert ok(api.put_step(sid, "saran_responden", SURVEY["saran_responden"]))["status"] == "completed"
    assert "/skm/app1" not in applicant.get("/dasbor").get_data(as_text=True)
    assert applicant.get("/skm/app1").headers["Location"].endswith("/dasbor")  # done: not asked again
    # a second survey of the same application (started by hand) is refused at the end
    other = ok(api.post("/api/v1/forms/skm/submissions"), 201)["id"]
    store.update_submission({**store.get_submission(other), "meta": {"application_id": "app1"}})
    ok(api.put_step(other, "profil_responden", SURVEY["profil_responden"]))
    ok(api.put_step(other, "penilaian", SURVEY["penilaian"]))
    refused = api.put_step(other, "saran_responden", {"saran": ""})
    assert refused.status_code == 422 and "sudah diisi" in refused.get_json()["errors"]["saran"][0]
    # a survey about no application is refused too
    loose = ok(api.post("/api/v1/forms/skm/submissions"), 201)["id"]
    ok(api.put_step(loose, "profil_responden", SURVEY["profil_responden"]))
    ok(api.put_step(loose, "penilaian", SURVEY["penilaian"]))
    assert api.put_step(loose, "saran_responden", {}).status_code == 422
    # counted once, on today's date
    on = today().isoformat()
    counts = store.count_tally("skm", on, (today() + dt.timedelta(days=1)).isoformat())
    assert {"key": "persyaratan", "value": "4", "count": 1} in counts
    assert {"key": "kelompok_umur", "value": "35-44", "count": 1} in counts
    events = [e["type"] for e in store.events(f"submission:{sid}")]
    assert "survey.sent" in events


def test_documents_stay_available_whatever_the_survey(app, applicant, issued):
    sid, result = issued
    url = result["documents"][0]["url"]
    assert applicant.client.get(url).status_code == 200                      # the survey not filled in
    assert f"/skm/{sid}" in applicant.client.get("/dasbor").get_data(as_text=True)
    survey_id = re.search(r"/isian/([a-z0-9]+)", applicant.client.get(f"/skm/{sid}").headers["Location"]).group(1)
    ok(applicant.put_step(survey_id, "profil_responden", SURVEY["profil_responden"]))
    ok(applicant.put_step(survey_id, "penilaian", {key: "1" for key in survey.ELEMENTS}))  # the worst answers
    ok(applicant.put_step(survey_id, "saran_responden", {"saran": "Buruk"}))
    assert applicant.client.get(url).status_code == 200                      # still there
    assert f"/skm/{sid}" not in applicant.client.get("/dasbor").get_data(as_text=True)


def test_the_charts_render_with_their_numbers_beside(app, worked_example):
    import base64
    supervisor = add_account(app, "kepala", "supervisor")
    for page in (supervisor.get("/petugas/skm?from=2026-01-01&to=2026-06-30"), app.test_client().get("/ikm?semester=2026-1")):
        text = page.get_data(as_text=True)
        images = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', text)
        assert len(images) == 2  # NRR per element, IKM per semester
        elements, trend = (base64.b64decode(i).decode() for i in images)
        assert elements.startswith("<?xml") and "<svg" in elements and "Persyaratan" in elements and "<script" not in elements
        assert "2026-1" in trend
        tables = text.split('class="table chart-table"')
        assert len(tables) == 3 and "3,750" in tables[1] and "83,33" in tables[2]  # the numbers beside each chart
