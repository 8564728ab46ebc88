"""Bad input gets a clear 4xx and changes nothing; the server never answers 500 to a client."""
import pytest

from .conftest import PASSWORD


@pytest.fixture
def sid(api):
    sid = api.post("/api/v1/forms/registrasi/submissions").get_json()["id"]
    api.put_step(sid, "skala", {"skala_usaha": "UMK"})
    api.put_step(sid, "jenis_pelaku", {"jenis_pelaku_usaha": "ORANG_PERSEORANGAN", "kewarganegaraan": "WNI"})
    return sid


def test_malformed_json(client, sid):
    r = client.put(f"/api/v1/submissions/{sid}/steps/kontak", data="{not json", content_type="application/json")
    assert r.status_code == 400 and "JSON" in r.get_json()["error"]


def test_not_json_content_type(client, sid):
    r = client.put(f"/api/v1/submissions/{sid}/steps/kontak", data="values=1", content_type="application/x-www-form-urlencoded")
    assert r.status_code == 415


@pytest.mark.parametrize("body", [[], "x", 3, {"values": []}, {"values": {}, "extra": 1}])
def test_wrong_body_shapes(client, sid, body):
    r = client.put(f"/api/v1/submissions/{sid}/steps/kontak", json=body)
    assert r.status_code in (400, 422)


def test_oversize_body(client, sid):
    r = client.put(f"/api/v1/submissions/{sid}/steps/kontak", json={"values": {"email": "a" * 400_000}})
    assert r.status_code == 413 and r.is_json


def test_cross_origin_write_is_refused(client, sid):
    r = client.put(f"/api/v1/submissions/{sid}/steps/skala", json={"values": {"skala_usaha": "UMK"}},
                   headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    assert "Access-Control-Allow-Origin" not in r.headers


@pytest.mark.parametrize("values,field", [
    ({"nomor_telepon": "021-5551234"}, "nomor_telepon"),
    ({"nomor_telepon": "08123"}, "nomor_telepon"),
    ({"email": "bukan-email"}, "email"),
    ({"setuju_pernyataan": False}, "setuju_pernyataan"),
    ({"kirim_kode_via": "FAX"}, "kirim_kode_via"),
    ({"nomor_telepon": 81234567890}, None),
    ({"email": ["a@b.c"]}, "email"),
])
def test_invalid_contact(api, sid, values, field):
    good = {"nomor_telepon": "081276460487", "email": "ok@example.test", "kirim_kode_via": "EMAIL", "setuju_pernyataan": True}
    r = api.put_step(sid, "kontak", {**good, **values})
    if field is None:
        assert r.status_code in (200, 422)
    else:
        assert r.status_code == 422 and field in r.get_json()["errors"]


def _to_data_pelaku(api, smtp, sid):
    from .conftest import code_from
    before = len(smtp.messages)
    api.put_step(sid, "kontak", {"nomor_telepon": "081276460487", "email": "nik@example.test",
                                 "kirim_kode_via": "EMAIL", "setuju_pernyataan": True})
    smtp.wait_for(before + 1)
    api.put_step(sid, "verifikasi", {"kode_verifikasi": code_from(smtp.messages[before])})
    r = api.put_step(sid, "akun", {"nama_lengkap": "Siti", "password": "lemah", "password_konfirmasi": "lemah"})
    assert r.status_code == 422 and "password" in r.get_json()["errors"]
    r = api.put_step(sid, "akun", {"nama_lengkap": "Siti", "password": PASSWORD, "password_konfirmasi": PASSWORD + "x"})
    assert r.get_json()["errors"] == {"password_konfirmasi": ["Kata sandi dan ulangan kata sandi harus sama"]}
    assert api.put_step(sid, "akun", {"nama_lengkap": "Siti", "password": PASSWORD, "password_konfirmasi": PASSWORD}).status_code == 200


@pytest.mark.parametrize("change,field", [
    ({"nik": "123"}, "nik"),
    ({"nik": "9999991708900001"}, "nik"),             # no such kecamatan
    ({"nik": "1401011708900000"}, "nik"),             # serial 0000
    ({"jenis_kelamin": "P"}, "nik"),                  # a woman's NIK has day + 40
    ({"tanggal_lahir": "1991-08-17"}, "nik"),         # disagrees with the NIK
    ({"tanggal_lahir": "31-02-1990"}, "tanggal_lahir"),
    ({"tanggal_lahir": "2015-01-01", "nik": "1401010101150001"}, "tanggal_lahir"),  # younger than 17
    ({"kabupaten": "13.01"}, "kabupaten"),            # not in the chosen province
    ({"kelurahan": "99.99.99.9999"}, "kelurahan"),
])
def test_invalid_person(api, smtp, sid, change, field):
    from .conftest import PERSON
    _to_data_pelaku(api, smtp, sid)
    r = api.put_step(sid, "data_pelaku", {**PERSON, **change})
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["errors"]
    assert "nik" not in api.get(f"/api/v1/submissions/{sid}").get_json()["data"]


def test_html_post_without_csrf_token(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    r = client.post("/formulir/registrasi", data={})
    assert r.status_code == 400 and "kedaluwarsa" in r.get_data(as_text=True)


def test_unknown_pages_are_404_html(client):
    r = client.get("/isian/tidak-ada/skala")
    assert r.status_code == 404 and "text/html" in r.content_type


def test_wilayah_reference(client):
    r = client.get("/api/v1/reference/wilayah/kabupaten?parent=14")
    names = [i["nama"] for i in r.get_json()["items"]]
    assert r.status_code == 200 and "Kabupaten Kampar" in names and len(names) == 12
    assert client.get("/api/v1/reference/wilayah/provinsi").get_json()["items"][0]["kode"]
    assert client.get("/api/v1/reference/wilayah/negara").status_code == 404
    assert client.get("/api/v1/reference/wilayah/kecamatan").status_code == 400
    assert client.get("/api/v1/reference/wilayah/kecamatan?parent=99.99").get_json()["items"] == []


def test_schema_is_served(client):
    r = client.get("/schema/form.json")
    assert r.status_code == 200 and r.get_json()["$schema"].endswith("2020-12/schema")


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12)
STEP_KEYS = st.sampled_from(["jenis_pelaku_usaha", "bentuk_badan_usaha", "kewarganegaraan", "lain"])
CHOICES = st.sampled_from(["ORANG_PERSEORANGAN", "BADAN_USAHA", "WNI", "PT", "KANTOR_PERWAKILAN"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.dictionaries(STEP_KEYS, CHOICES | JSON_VALUES, max_size=4), extra=JSON_VALUES)
def test_any_json_gets_a_4xx_or_a_save_never_a_500(app, values, extra):
    client = app.test_client()
    sid = client.post("/api/v1/forms/registrasi/submissions", json={}).get_json()["id"]
    client.put(f"/api/v1/submissions/{sid}/steps/skala", json={"values": {"skala_usaha": "UMK"}})
    r = client.put(f"/api/v1/submissions/{sid}/steps/skala", json={"values": {"skala_usaha": extra}})
    assert r.status_code in (200, 422)
    r = client.put(f"/api/v1/submissions/{sid}/steps/jenis_pelaku", json={"values": values})
    assert r.status_code in (200, 409, 422), r.get_data(as_text=True)
    r = client.post(f"/api/v1/submissions/{sid}/steps/jenis_pelaku/preview", json={"values": values})
    assert r.status_code == 200


@pytest.mark.parametrize("step,values,field", [
    ("kontak", {"nomor_telepon": "081276460487", "email": "si\ud800ti@example.test", "kirim_kode_via": "EMAIL",
                "setuju_pernyataan": True}, "email"),
    ("data_pelaku", {"alamat": "Jl. Melati \ud800 No. 1"}, "alamat"),
])
def test_a_lone_surrogate_in_an_answer_is_a_422(api, smtp, sid, step, values, field):
    """JSON can carry a lone surrogate (\\ud800), which no store can encode: refused as the answer it is in."""
    from .conftest import PERSON
    if step == "data_pelaku":
        _to_data_pelaku(api, smtp, sid)
        values = {**PERSON, **values}
    r = api.put_step(sid, step, values)
    assert r.status_code == 422, r.get_data(as_text=True)
    assert field in r.get_json()["errors"]
