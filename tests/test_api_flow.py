"""The registration through the JSON API, with real SMTP and a recording WhatsApp peer."""
import time

from formserver.accounts import codes as codes_module

from .conftest import PASSWORD, PASSWORD_HASH, PERSON, code_from, register_via_api


def test_registration_end_to_end(api, smtp, app):
    sid, body = register_via_api(api, smtp)
    assert body["status"] == "completed" and body["next_step"] is None
    username = body["account"]["username"]
    smtp.wait_for(len(smtp.messages))
    welcome = smtp.messages[-1]
    text = welcome.get_body(("plain",)).get_content()
    assert welcome["To"] == "budi@example.test"
    assert username in text and "http://oss.example.test/masuk" in text
    assert PASSWORD not in text
    account = app.extensions["formserver"].store.find_account(username=username)
    # the date in words and in WIB, in both languages, as on the pages
    from formserver.dates import format_date
    assert f"dibuat pada {format_date(account['created_at'], True, 'id')}." in text
    assert f"created on {format_date(account['created_at'], True, 'en')}." in text and " WIB." in text
    assert account["password_hash"].startswith("$argon2id$")
    assert account["profile"]["nomor_telepon"] == "+6281276460487"
    assert "password" not in account["profile"]
    # the stored draft never holds the clear password, the confirmation or the code
    stored = app.extensions["formserver"].store.get_submission(sid)
    assert "password" not in stored["data"]  # nor its hash: that lives in the account only
    assert "password_konfirmasi" not in stored["data"] and "kode_verifikasi" not in stored["data"]
    detail = api.get(f"/api/v1/submissions/{sid}").get_json()
    assert "password" not in detail["data"] and detail["status"] == "completed"


def test_login_and_logout(api, smtp):
    _, body = register_via_api(api, smtp)
    username = body["account"]["username"]
    assert api.post("/api/v1/auth/login", {"username": username, "password": "Salah#1234"}).status_code == 401
    r = api.post("/api/v1/auth/login", {"username": username, "password": PASSWORD})
    assert r.status_code == 200 and r.get_json() == {"username": username}
    assert api.post("/api/v1/auth/login", {"username": "budi@example.test", "password": PASSWORD}).status_code == 200
    assert api.post("/api/v1/auth/logout").status_code == 200


def test_repeated_failed_logins_lock_the_account(api, smtp):
    _, body = register_via_api(api, smtp)
    username = body["account"]["username"]
    for _ in range(5):
        assert api.post("/api/v1/auth/login", {"username": username, "password": "Salah#1234"}).status_code == 401
    r = api.post("/api/v1/auth/login", {"username": username, "password": PASSWORD})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0


def test_create_submission_shape(api):
    r = api.post("/api/v1/forms/registrasi/submissions")
    assert r.status_code == 201
    body = r.get_json()
    assert set(body) >= {"id", "form_id", "form_version", "status", "current_step", "steps"}
    assert body["current_step"] == "skala" and body["status"] == "draft"
    assert [s["key"] for s in body["steps"]][:2] == ["skala", "jenis_pelaku"]


def test_forms_are_listed_and_served(api):
    forms = api.get("/api/v1/forms").get_json()["forms"]
    assert {"id": "registrasi", "version": 1, "title": "Pendaftaran Hak Akses OSS"} in forms
    assert api.get("/api/v1/forms/registrasi").get_json()["definition"]["key"] == "registrasi"
    assert api.get("/api/v1/forms/nope").status_code == 404


def test_someone_elses_submission_is_404(app, api):
    sid = api.post("/api/v1/forms/registrasi/submissions").get_json()["id"]
    other = app.test_client()
    assert other.get(f"/api/v1/submissions/{sid}").status_code == 404
    assert other.put(f"/api/v1/submissions/{sid}/steps/skala", json={"values": {"skala_usaha": "UMK"}}).status_code == 404
    assert api.get(f"/api/v1/submissions/{sid}").status_code == 200


def test_stale_version_is_409(api):
    sid = api.post("/api/v1/forms/registrasi/submissions").get_json()["id"]
    version = api.get(f"/api/v1/submissions/{sid}").get_json()["version"]
    assert api.put_step(sid, "skala", {"skala_usaha": "UMK"}, version=version).status_code == 200
    assert api.put_step(sid, "skala", {"skala_usaha": "NON_UMK"}, version=version).status_code == 409
    assert api.get(f"/api/v1/submissions/{sid}").get_json()["data"]["skala_usaha"] == "UMK"


def test_code_by_whatsapp(api, whatsapp):
    sid = api.post("/api/v1/forms/registrasi/submissions").get_json()["id"]
    api.put_step(sid, "skala", {"skala_usaha": "UMK"})
    api.put_step(sid, "jenis_pelaku", {"jenis_pelaku_usaha": "ORANG_PERSEORANGAN", "kewarganegaraan": "WNI"})
    before = len(whatsapp.calls)
    r = api.put_step(sid, "kontak", {"nomor_telepon": "+62 812 7646 0487", "email": "wa@example.test",
                                     "kirim_kode_via": "WHATSAPP", "setuju_pernyataan": True})
    assert r.status_code == 200
    call = whatsapp.calls[before]
    assert call.path == "/1234/messages" and call.body["to"] == "6281276460487"
    code = code_from(call.body["text"]["body"])
    assert api.put_step(sid, "verifikasi", {"kode_verifikasi": code}).get_json()["next_step"] == "akun"


def _to_verification(api, smtp, email="kode@example.test"):
    sid = api.post("/api/v1/forms/registrasi/submissions").get_json()["id"]
    api.put_step(sid, "skala", {"skala_usaha": "UMK"})
    api.put_step(sid, "jenis_pelaku", {"jenis_pelaku_usaha": "ORANG_PERSEORANGAN", "kewarganegaraan": "WNI"})
    before = len(smtp.messages)
    api.put_step(sid, "kontak", {"nomor_telepon": "081276460487", "email": email, "kirim_kode_via": "EMAIL",
                                 "setuju_pernyataan": True})
    smtp.wait_for(before + 1)
    return sid, code_from(smtp.messages[before])


def test_wrong_code_then_too_many_tries(api, smtp):
    sid, code = _to_verification(api, smtp)
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        r = api.put_step(sid, "verifikasi", {"kode_verifikasi": wrong})
        assert r.status_code == 422 and str(left) in r.get_json()["errors"]["kode_verifikasi"][0]
    api.put_step(sid, "verifikasi", {"kode_verifikasi": wrong})
    r = api.put_step(sid, "verifikasi", {"kode_verifikasi": code})
    assert r.status_code == 422 and "Perbarui Kode" in r.get_json()["errors"]["kode_verifikasi"][0]


def test_expired_code_and_resend(api, smtp, monkeypatch):
    sid, code = _to_verification(api, smtp)
    real_time = time.time
    monkeypatch.setattr(codes_module.time, "time", lambda: real_time() + 11 * 60)
    r = api.put_step(sid, "verifikasi", {"kode_verifikasi": code})
    assert "kedaluwarsa" in r.get_json()["errors"]["kode_verifikasi"][0]
    before = len(smtp.messages)
    assert api.post(f"/api/v1/submissions/{sid}/resend-code").status_code == 200
    smtp.wait_for(before + 1)
    new_code = code_from(smtp.messages[before])
    assert api.put_step(sid, "verifikasi", {"kode_verifikasi": new_code}).status_code == 200


def test_resend_is_rate_limited(api, smtp):
    sid, _ = _to_verification(api, smtp)
    r = api.post(f"/api/v1/submissions/{sid}/resend-code")
    assert r.status_code == 429 and "detik" in r.get_json()["error"]


def test_steps_cannot_be_skipped(api):
    sid = api.post("/api/v1/forms/registrasi/submissions").get_json()["id"]
    r = api.put_step(sid, "akun", {"nama_lengkap": "X", "password": PASSWORD, "password_konfirmasi": PASSWORD})
    assert r.status_code == 409 and r.get_json()["current_step"] == "skala"
    assert api.put_step(sid, "tidak_ada", {}).status_code == 404


def test_hidden_field_posted_is_not_stored(api):
    sid = api.post("/api/v1/forms/registrasi/submissions").get_json()["id"]
    api.put_step(sid, "skala", {"skala_usaha": "UMK"})
    r = api.put_step(sid, "jenis_pelaku", {"jenis_pelaku_usaha": "ORANG_PERSEORANGAN", "kewarganegaraan": "WNI",
                                           "bentuk_badan_usaha": "PT"})
    assert r.status_code == 200
    assert "bentuk_badan_usaha" not in api.get(f"/api/v1/submissions/{sid}").get_json()["data"]


def test_non_umk_only_choices_are_refused_for_umk(api):
    sid = api.post("/api/v1/forms/registrasi/submissions").get_json()["id"]
    api.put_step(sid, "skala", {"skala_usaha": "UMK"})
    r = api.put_step(sid, "jenis_pelaku", {"jenis_pelaku_usaha": "KANTOR_PERWAKILAN"})
    assert r.status_code == 422 and "jenis_pelaku_usaha" in r.get_json()["errors"]


def test_english_messages(api):
    sid = api.post("/api/v1/forms/registrasi/submissions").get_json()["id"]
    r = api.client.put(f"/api/v1/submissions/{sid}/steps/skala?lang=en", json={"values": {}})
    assert r.get_json()["errors"] == {"skala_usaha": ["Select the business scale"]}
    # the choice sticks for the session
    r = api.client.put(f"/api/v1/submissions/{sid}/steps/skala", json={"values": {}})
    assert r.headers["Content-Language"] == "en"
    r = api.client.put(f"/api/v1/submissions/{sid}/steps/skala?lang=id", json={"values": {}})
    assert r.get_json()["errors"] == {"skala_usaha": ["Pilih skala usaha"]}


def test_accept_language_picks_english(app):
    client = app.test_client()
    sid = client.post("/api/v1/forms/registrasi/submissions", json={}, headers={"Accept-Language": "en-GB,en;q=0.9"}).get_json()["id"]
    r = client.put(f"/api/v1/submissions/{sid}/steps/skala", json={"values": {}}, headers={"Accept-Language": "en-GB"})
    assert r.get_json()["errors"]["skala_usaha"][0] == "Select the business scale"


def test_login_is_rate_limited_per_client(tmp_path, smtp, whatsapp):
    from .conftest import make_app
    client = make_app(tmp_path, smtp, whatsapp, RATELIMIT_ENABLED=True).test_client()
    statuses = [client.post("/api/v1/auth/login", json={"username": f"u{i}", "password": "x"}).status_code
                for i in range(12)]
    assert statuses[:10] == [401] * 10 and statuses[10:] == [429, 429]


def test_foreign_person_and_business_entity_paths(api, smtp, app):
    wna = {k: v for k, v in PERSON.items() if k != "nik"} | {"nomor_paspor": "X1234567"}
    sid = api.post("/api/v1/forms/registrasi/submissions").get_json()["id"]
    api.put_step(sid, "skala", {"skala_usaha": "UMK"})
    api.put_step(sid, "jenis_pelaku", {"jenis_pelaku_usaha": "ORANG_PERSEORANGAN", "kewarganegaraan": "WNA"})
    before = len(smtp.messages)
    api.put_step(sid, "kontak", {"nomor_telepon": "081276460487", "email": "wna@example.test",
                                 "kirim_kode_via": "EMAIL", "setuju_pernyataan": True})
    smtp.wait_for(before + 1)
    api.put_step(sid, "verifikasi", {"kode_verifikasi": code_from(smtp.messages[before])})
    api.put_step(sid, "akun", {"nama_lengkap": "John Smith", "password": PASSWORD, "password_konfirmasi": PASSWORD})
    r = api.put_step(sid, "data_pelaku", {**wna, "nik": "123"})
    assert r.status_code == 200  # a foreigner has no NIK question: the posted value is ignored
    data = api.get(f"/api/v1/submissions/{sid}").get_json()["data"]
    assert data["nomor_paspor"] == "X1234567" and "nik" not in data
    # a business entity answers the deed and NPWP instead of personal data
    sid = api.post("/api/v1/forms/registrasi/submissions").get_json()["id"]
    api.put_step(sid, "skala", {"skala_usaha": "UMK"})
    r = api.put_step(sid, "jenis_pelaku", {"jenis_pelaku_usaha": "BADAN_USAHA"})
    assert r.get_json()["errors"] == {"bentuk_badan_usaha": ["Pilih bentuk badan usaha"]}
    assert api.put_step(sid, "jenis_pelaku", {"jenis_pelaku_usaha": "BADAN_USAHA", "bentuk_badan_usaha": "CV"}).status_code == 200


def test_a_form_for_logged_in_applicants_only(branching_app, smtp):
    from .conftest import Api
    api = Api(branching_app.test_client())
    assert api.post("/api/v1/forms/akses/submissions").status_code == 401
    _, body = register_via_api(api, smtp, email="akses@example.test")
    api.post("/api/v1/auth/login", {"username": body["account"]["username"], "password": PASSWORD})
    r = api.post("/api/v1/forms/akses/submissions")
    assert r.status_code == 201
    sid = r.get_json()["id"]
    detail = api.get(f"/api/v1/submissions/{sid}").get_json()
    assert detail["computed"]["nik_akun"] == PERSON["nik"] and detail["data"]["akun"]["username"] == body["account"]["username"]
    # the account snapshot is the server's: a client cannot post it
    r = api.put_step(sid, "satu", {"catatan": "x", "akun": {"nik": "0"}})
    assert r.status_code == 422 and "akun" in r.get_json()["errors"]


def test_a_form_refuses_accounts_it_is_not_for(branching_app, smtp):
    from .conftest import Api
    api = Api(branching_app.test_client())
    branching_app.extensions["formserver"].store.insert_account({
        "id": "pt1", "username": "ptmaju1", "email": "pt@example.test", "status": "active",
        "password_hash": PASSWORD_HASH, "profile": {"skala_usaha": "UMK", "jenis_pelaku_usaha": "BADAN_USAHA"}})
    api.post("/api/v1/auth/login", {"username": "ptmaju1", "password": PASSWORD})
    r = api.post("/api/v1/forms/akses/submissions")
    assert r.status_code == 403 and r.get_json()["error"] == "Layanan ini hanya untuk UMK perseorangan."
    page = api.client.get("/formulir/akses")
    assert page.status_code == 403 and "hanya untuk UMK perseorangan" in page.get_data(as_text=True)
