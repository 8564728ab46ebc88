"""Client input is never a hash: the chosen password is hashed on arrival and the hash lives in the account only."""
import json

from formserver.accounts.passwords import verify_password

from .conftest import PASSWORD, PERSON, code_from

# looks like a stored Argon2id hash with a cost of 256 MiB and 12 passes, and meets the password policy
HASH_LOOKING = "$argon2id$v=19$m=262144,t=12,p=1$c29tZXNhbHRzYWx0$ZWVlZWVlZWVlZWVlZWVlZWVlZWVlZWVlZWVlZWVlZWU"


def _to_password_step(api, smtp, email="budi@example.test") -> str:
    sid = api.post("/api/v1/forms/registrasi/submissions").get_json()["id"]
    assert api.put_step(sid, "skala", {"skala_usaha": "UMK"}).status_code == 200
    assert api.put_step(sid, "jenis_pelaku", {"jenis_pelaku_usaha": "ORANG_PERSEORANGAN",
                                              "kewarganegaraan": "WNI"}).status_code == 200
    before = len(smtp.messages)
    r = api.put_step(sid, "kontak", {"nomor_telepon": "0812-7646-0487", "email": email, "kirim_kode_via": "EMAIL",
                                     "setuju_pernyataan": True})
    assert r.status_code == 200, r.get_json()
    smtp.wait_for(before + 1)
    assert api.put_step(sid, "verifikasi", {"kode_verifikasi": code_from(smtp.messages[before])}).status_code == 200
    return sid


def _finish(api, sid):
    assert api.put_step(sid, "data_pelaku", PERSON).status_code == 200
    return api.put_step(sid, "selesai", {})


def _everything_stored_about(store, sid) -> str:
    """The draft and every audit event about it, as text."""
    return json.dumps([store.get_submission(sid), store.events(f"submission:{sid}")], ensure_ascii=False)


def test_a_hash_looking_password_is_hashed_like_any_other(api, smtp, app):
    store = app.extensions["formserver"].store
    sid = _to_password_step(api, smtp)
    r = api.put_step(sid, "akun", {"nama_lengkap": "Budi Santoso", "password": HASH_LOOKING,
                                   "password_konfirmasi": HASH_LOOKING})
    assert r.status_code == 200, r.get_json()
    r = _finish(api, sid)
    assert r.status_code == 200, r.get_json()
    account = store.find_account(username=r.get_json()["account"]["username"])
    assert account["password_hash"] != HASH_LOOKING
    assert account["password_hash"].startswith("$argon2id$v=19$m=65536,t=3,p=1$")  # the server's cost, not the post's
    assert verify_password(account["password_hash"], HASH_LOOKING)


def test_a_hash_looking_password_must_meet_the_policy(api, smtp, app):
    sid = _to_password_step(api, smtp)
    weak = "$argon2id$v=19$m=262144,t=12,p=1$c29tzxnhbhq$zwvlzwvl"  # no upper-case letter
    r = api.put_step(sid, "akun", {"nama_lengkap": "Budi Santoso", "password": weak, "password_konfirmasi": weak})
    assert r.status_code == 422 and "huruf besar" in r.get_json()["errors"]["password"][0]


def test_the_draft_never_holds_the_password_or_its_hash(api, smtp, app):
    store = app.extensions["formserver"].store
    sid = _to_password_step(api, smtp)
    assert api.put_step(sid, "akun", {"nama_lengkap": "Budi Santoso", "password": PASSWORD,
                                      "password_konfirmasi": PASSWORD}).status_code == 200
    for moment in ("after the password step", "after the account is made"):
        stored = _everything_stored_about(store, sid)
        assert PASSWORD not in stored and "$argon2" not in stored, moment
        assert "password" not in store.get_submission(sid)["data"], moment
        detail = api.get(f"/api/v1/submissions/{sid}").get_json()
        assert "password" not in detail["data"] and "$argon2" not in json.dumps(detail), moment
        if moment == "after the password step":
            r = _finish(api, sid)
            assert r.status_code == 200, r.get_json()
    account = store.find_account(username=r.get_json()["account"]["username"])
    assert verify_password(account["password_hash"], PASSWORD)
    assert store.get_secret(f"registrasi:{sid}:password", 0) is None  # given to the account, kept nowhere else


def test_the_account_gets_the_password_chosen_last(api, smtp, app):
    store = app.extensions["formserver"].store
    sid = _to_password_step(api, smtp)
    api.put_step(sid, "akun", {"nama_lengkap": "Budi Santoso", "password": "Pertama#2025",
                               "password_konfirmasi": "Pertama#2025"})
    api.put_step(sid, "akun", {"nama_lengkap": "Budi Santoso", "password": PASSWORD, "password_konfirmasi": PASSWORD})
    account = store.find_account(username=_finish(api, sid).get_json()["account"]["username"])
    assert verify_password(account["password_hash"], PASSWORD)
    assert not verify_password(account["password_hash"], "Pertama#2025")


def test_a_draft_that_kept_a_hash_before_asks_for_the_password_again(api, smtp, app):
    """A draft saved before passwords were kept apart holds a hash it chose itself: never trusted."""
    store = app.extensions["formserver"].store
    sid = _to_password_step(api, smtp)
    assert api.put_step(sid, "akun", {"nama_lengkap": "Budi Santoso", "password": PASSWORD,
                                      "password_konfirmasi": PASSWORD}).status_code == 200
    store.delete_secret(f"registrasi:{sid}:password")
    doc = store.get_submission(sid)
    store.update_submission({**doc, "data": {**doc["data"], "password": HASH_LOOKING}})
    assert "password" not in api.get(f"/api/v1/submissions/{sid}").get_json()["data"]
    r = _finish(api, sid)
    assert r.status_code == 422 and "Buat kata sandi" in r.get_json()["errors"]["info_selesai"][0]
    assert api.put_step(sid, "akun", {"nama_lengkap": "Budi Santoso", "password": PASSWORD,
                                      "password_konfirmasi": PASSWORD}).status_code == 200
    r = api.put_step(sid, "selesai", {})
    assert r.status_code == 200, r.get_json()
    account = store.find_account(username=r.get_json()["account"]["username"])
    assert account["password_hash"] != HASH_LOOKING and verify_password(account["password_hash"], PASSWORD)


def test_a_password_that_cannot_be_encoded_is_a_422(api, smtp):
    sid = _to_password_step(api, smtp)
    odd = "Rahasia#2025\ud800"
    r = api.put_step(sid, "akun", {"nama_lengkap": "Budi Santoso", "password": odd, "password_konfirmasi": odd})
    assert r.status_code == 422 and "password" in r.get_json()["errors"]
