"""One account per NIK for an orang perseorangan; e-mail addresses unique in any case (issue 7 item 5)."""
import re

from .conftest import PASSWORD, PERSON, code_from, register_via_api


def _to_person_step(api, smtp, email, person_type="ORANG_PERSEORANGAN"):
    """A new draft with its contact verified and its password chosen, at the NIK step."""
    sid = api.post("/api/v1/forms/registrasi/submissions").get_json()["id"]
    assert api.put_step(sid, "skala", {"skala_usaha": "UMK"}).status_code == 200
    kind = {"jenis_pelaku_usaha": person_type}
    kind.update({"kewarganegaraan": "WNI"} if person_type == "ORANG_PERSEORANGAN" else {"bentuk_badan_usaha": "PT"})
    assert api.put_step(sid, "jenis_pelaku", kind).status_code == 200, api.get(f"/api/v1/submissions/{sid}").get_json()
    before = len(smtp.messages)
    r = api.put_step(sid, "kontak", {"nomor_telepon": "0812-7646-0487", "email": email, "kirim_kode_via": "EMAIL",
                                     "setuju_pernyataan": True})
    assert r.status_code == 200, r.get_json()
    smtp.wait_for(before + 1)
    assert api.put_step(sid, "verifikasi", {"kode_verifikasi": code_from(smtp.messages[before])}).status_code == 200
    assert api.put_step(sid, "akun", {"nama_lengkap": "Budi Santoso", "password": PASSWORD,
                                      "password_konfirmasi": PASSWORD}).status_code == 200
    return sid


def test_a_nik_with_an_account_stops_at_the_nik_step(api, smtp, app):
    _, first = register_via_api(api, smtp, email="budi.pertama@example.test")
    sid = _to_person_step(api, smtp, "budi.kedua@example.test")
    r = api.put_step(sid, "data_pelaku", PERSON)
    assert r.status_code == 422
    message = r.get_json()["errors"]["nik"][0]
    assert "sudah memiliki akun" in message and "/masuk" in message and "/lupa-sandi" in message
    assert "pertama" not in message and first["account"]["username"] not in message  # nothing of the other account
    store = app.extensions["formserver"].store
    assert store.get_submission(sid)["current_step"] == "data_pelaku"
    assert store.find_account(email="budi.kedua@example.test") is None


def test_the_nik_page_links_to_log_in_and_password_recovery(api, client, smtp):
    register_via_api(api, smtp, email="budi.pertama@example.test")
    sid = _to_person_step(api, smtp, "budi.kedua@example.test")
    page = client.get(f"/isian/{sid}/data_pelaku").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = {**PERSON, "setuju_disclaimer": "true", "csrf_token": token}
    r = client.post(f"/isian/{sid}/data_pelaku", data=form)
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert '<a href="/lupa-sandi">Lupa kata sandi</a>' in html and '<a href="/masuk">Masuk</a>' in html
    assert "budi.pertama" not in html


def test_two_drafts_with_one_nik_make_one_account(api, smtp, app):
    """Both pass the NIK step before either account exists: the store's unique index decides."""
    first = _to_person_step(api, smtp, "satu@example.test")
    second = _to_person_step(api, smtp, "dua@example.test")
    for sid in (first, second):
        assert api.put_step(sid, "data_pelaku", PERSON).status_code == 200
    assert api.put_step(first, "selesai", {}).status_code == 200
    r = api.put_step(second, "selesai", {})
    assert r.status_code == 422 and "/lupa-sandi" in r.get_json()["errors"]["info_selesai"][0]
    store = app.extensions["formserver"].store
    assert store.find_account(email="dua@example.test") is None
    assert store.find_account(identity=f"nik:{PERSON['nik']}")["email"] == "satu@example.test"


def test_other_niks_and_business_entities_are_not_bound(api, smtp):
    register_via_api(api, smtp, email="budi.pertama@example.test")
    other = {**PERSON, "nik": "1401011708900002"}
    register_via_api(api, smtp, email="budi.lain@example.test", person=other)
    for email in ("pt.satu@example.test", "pt.dua@example.test"):
        sid = _to_person_step(api, smtp, email, person_type="BADAN_USAHA")
        company = {"nomor_akta_pendirian": "AHU-0001", "npwp_badan": "01.234.567.8-901.000",
                   **{k: PERSON[k] for k in ("alamat", "provinsi", "kabupaten", "kecamatan", "kelurahan",
                                              "setuju_disclaimer")}}
        r = api.put_step(sid, "data_pelaku", company)
        assert r.status_code == 200, r.get_json()
        assert api.put_step(sid, "selesai", {}).status_code == 200


def test_an_email_address_in_other_case_is_taken_at_the_contact_step(api, smtp, app):
    register_via_api(api, smtp, email="alice@example.test")
    sid = api.post("/api/v1/forms/registrasi/submissions").get_json()["id"]
    api.put_step(sid, "skala", {"skala_usaha": "UMK"})
    api.put_step(sid, "jenis_pelaku", {"jenis_pelaku_usaha": "ORANG_PERSEORANGAN", "kewarganegaraan": "WNI"})
    before = len(smtp.messages)
    r = api.put_step(sid, "kontak", {"nomor_telepon": "0812-7646-0487", "email": "ALICE@Example.TEST",
                                     "kirim_kode_via": "EMAIL", "setuju_pernyataan": True})
    assert r.status_code == 422
    message = r.get_json()["errors"]["email"][0]
    assert "sudah terdaftar" in message and "/lupa-sandi" in message
    assert len(smtp.messages) == before  # no code sent
    # and the address logs in in any case
    assert api.post("/api/v1/auth/login", {"username": "Alice@EXAMPLE.test", "password": PASSWORD}).status_code == 200


def test_two_drafts_with_one_address_in_two_cases_make_one_account(api, smtp, app):
    first = _to_person_step(api, smtp, "carol@example.test")
    second = _to_person_step(api, smtp, "Carol@Example.test")
    assert api.put_step(first, "data_pelaku", PERSON).status_code == 200
    assert api.put_step(second, "data_pelaku", {**PERSON, "nik": "1401011708900002"}).status_code == 200
    assert api.put_step(first, "selesai", {}).status_code == 200
    r = api.put_step(second, "selesai", {})
    assert r.status_code == 422 and "sudah terdaftar" in r.get_json()["errors"]["info_selesai"][0]
