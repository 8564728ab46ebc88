"""Verification codes are limited per recipient and per client address across drafts and purposes, in the store."""
import pytest

from formserver.accounts import codes as codes_module
from formserver.accounts.codes import CodeLimited, Codes, normalise_recipient
from formserver.store.sqlite import SQLiteStore

from .conftest import code_from

EMAIL = "korban@example.test"


@pytest.fixture
def codes(tmp_path):
    return Codes(SQLiteStore(tmp_path / "codes.sqlite3"), "secret")


# -- the rules, on the Codes service ---------------------------------------------------------


def test_three_codes_per_recipient_in_ten_minutes_whatever_the_subject_or_purpose(codes):
    codes.issue("registrasi", "draft-1", recipient=EMAIL, now=1000.0)
    codes.issue("registrasi", "draft-2", recipient=EMAIL.upper(), now=1001.0)
    codes.issue("pemulihan", "account-1", recipient=f" {EMAIL} ", now=1002.0)  # a recovery code counts too
    with pytest.raises(CodeLimited) as limited:
        codes.issue("registrasi", "draft-3", recipient=EMAIL, now=1003.0)
    assert limited.value.scope == "recipient" and limited.value.retry_after == 597  # the first leaves at 1600
    assert "Coba lagi dalam 10 menit" in limited.value.message
    assert codes.store.get_code("registrasi:draft-3") is None  # nothing issued
    codes.issue("registrasi", "draft-3", recipient="other@example.test", now=1003.0)
    codes.issue("registrasi", "draft-3", recipient=EMAIL, now=1600.0)


def test_ten_codes_per_recipient_in_a_day(codes):
    sent = 0
    for burst in range(4):
        for i in range(3):
            try:
                codes.issue("registrasi", f"d{burst}-{i}", recipient="+62 812-7646-0487", now=burst * 601.0 + i)
                sent += 1
            except CodeLimited as limited:
                assert limited.scope == "recipient"
    assert sent == 10
    with pytest.raises(CodeLimited) as limited:
        codes.issue("registrasi", "later", recipient="081276460487", now=5 * 3600.0)
    assert limited.value.retry_after == 24 * 3600 - 5 * 3600  # until the day's first code is a day old
    assert "dalam 19 jam" in limited.value.message


def test_recipients_are_normalised():
    assert normalise_recipient(" Budi@Example.TEST ") == "budi@example.test"
    assert {normalise_recipient(p) for p in ("081276460487", "+62 812-7646-0487", "6281276460487",
                                             "+6281276460487")} == {"6281276460487"}


def test_recipients_are_counted_without_their_address(codes):
    codes.issue("registrasi", "d1", recipient=EMAIL, client="198.51.100.7", now=1.0)
    dump = str(list(codes.store._db.execute("SELECT * FROM quota"))) + str(codes.store.get_code("registrasi:d1"))
    assert "korban" not in dump


def test_codes_per_client_address(codes):
    for i in range(codes_module.CLIENT_LIMITS[0][1]):
        codes.issue("registrasi", f"d{i}", recipient=f"r{i}@example.test", client="198.51.100.7", now=100.0 + i)
    with pytest.raises(CodeLimited) as limited:
        codes.issue("registrasi", "one-more", recipient="new@example.test", client="198.51.100.7", now=200.0)
    assert limited.value.scope == "client" and "jaringan" in limited.value.message
    codes.issue("registrasi", "one-more", recipient="new@example.test", client="203.0.113.9", now=200.0)


def test_a_refused_recipient_does_not_use_the_clients_share(codes):
    for i in range(3):
        codes.issue("registrasi", f"d{i}", recipient=EMAIL, client="198.51.100.7", now=1.0 + i)
    for i in range(30):
        with pytest.raises(CodeLimited):
            codes.issue("registrasi", f"x{i}", recipient=EMAIL, client="198.51.100.7", now=10.0 + i)
    for i in range(codes_module.CLIENT_LIMITS[0][1] - 3):
        codes.issue("registrasi", f"y{i}", recipient=f"y{i}@example.test", client="198.51.100.7", now=50.0 + i)


def _code_for(codes, subject, now):
    """A code sent to EMAIL for ``subject`` (issue returns it; the message would carry it)."""
    return codes.issue("registrasi", subject, recipient=EMAIL, now=now)


def test_five_wrong_guesses_per_recipient_in_an_hour_whatever_the_draft(codes):
    right = {s: _code_for(codes, s, 0.0) for s in ("a", "b", "c")}

    def wrong(s):
        return "000000" if right[s] != "000000" else "111111"
    results = [codes.check("registrasi", s, wrong(s), now=10.0 + n) for n, s in enumerate("aabbc")]
    assert [r.reason for r in results] == ["wrong"] * 4 + ["locked"]  # the fifth says so at once
    locked = codes.check("registrasi", "c", right["c"], now=20.0)  # even the right code: the guesses are used up
    assert not locked.ok and locked.reason == "locked" and locked.retry_after == 3600 - 10
    assert "Coba lagi dalam 1 jam" in locked.message
    assert codes.check("registrasi", "c", right["c"], now=3611.0).reason == "expired"  # the code did not wait


def test_tries_left_are_the_recipients_when_fewer_than_the_codes(codes):
    first = codes.issue("registrasi", "a", recipient=EMAIL, now=0.0)
    for n in range(3):
        codes.check("registrasi", "a", "x" if first != "x" else "y", now=1.0 + n)
    codes.issue("registrasi", "b", recipient=EMAIL, now=100.0)
    result = codes.check("registrasi", "b", "x", now=101.0)
    assert (result.reason, result.tries_left) == ("wrong", 1)  # 5 for this code, but 1 for the recipient
    last = codes.check("registrasi", "b", "x", now=102.0)
    assert last.reason == "locked" and last.retry_after == 1 + 3600 - 102  # said at once: when the first leaves


def test_right_guesses_do_not_count_against_the_recipient(codes):
    for n in range(3):
        code = codes.issue("registrasi", f"d{n}", recipient=EMAIL, now=700.0 * n)
        for _ in range(2 if n < 2 else 0):
            assert codes.check("registrasi", f"d{n}", "x", now=700.0 * n + 1).reason == "wrong"
        assert codes.check("registrasi", f"d{n}", code, now=700.0 * n + 2).ok
    # four wrong guesses and three right ones in the hour: one wrong guess left, and it is the last
    code = codes.issue("registrasi", "last", recipient=EMAIL, now=1500.0)
    assert codes.check("registrasi", "last", "x", now=1501.0).reason == "locked"
    assert codes.check("registrasi", "last", code, now=1502.0).reason == "locked"


# -- through the API and the pages -----------------------------------------------------------


def _draft_to_contact(api):
    sid = api.post("/api/v1/forms/registrasi/submissions").get_json()["id"]
    assert api.put_step(sid, "skala", {"skala_usaha": "UMK"}).status_code == 200
    assert api.put_step(sid, "jenis_pelaku", {"jenis_pelaku_usaha": "ORANG_PERSEORANGAN",
                                              "kewarganegaraan": "WNI"}).status_code == 200
    return sid


def _contact(api, sid, email=EMAIL):
    return api.put_step(sid, "kontak", {"nomor_telepon": "081276460487", "email": email, "kirim_kode_via": "EMAIL",
                                        "setuju_pernyataan": True})


def test_twelve_drafts_naming_one_address_send_three_codes(api, smtp):
    before = len(smtp.messages)
    answers = [_contact(api, _draft_to_contact(api), EMAIL if n % 2 else EMAIL.replace("korban", "Korban"))
               for n in range(12)]
    assert [r.status_code for r in answers] == [200] * 3 + [429] * 9
    refused = answers[3]
    assert 590 <= int(refused.headers["Retry-After"]) <= 600
    assert "Coba lagi dalam 10 menit" in refused.get_json()["errors"]["kirim_kode_via"][0]
    assert refused.get_json()["error"] == refused.get_json()["errors"]["kirim_kode_via"][0]  # the documented shape
    smtp.wait_for(before + 3)
    assert len([m for m in smtp.messages[before:] if m["To"].lower() == EMAIL]) == 3


def test_guesses_across_drafts_are_limited_in_the_api(api, smtp):
    drafts = []
    for _ in range(2):
        sid = _draft_to_contact(api)
        before = len(smtp.messages)
        assert _contact(api, sid, "tebak@example.test").status_code == 200
        smtp.wait_for(before + 1)
        drafts.append((sid, code_from(smtp.messages[before])))
    (first, _), (second, code) = drafts
    wrong = "000000" if code != "000000" else "111111"
    answers = [api.put_step(sid, "verifikasi", {"kode_verifikasi": wrong}) for sid in (first, first, first, second)]
    assert [r.status_code for r in answers] == [422] * 4
    assert "Sisa percobaan: 1" in answers[-1].get_json()["errors"]["kode_verifikasi"][0]  # the recipient's, not the code's
    assert api.put_step(second, "verifikasi", {"kode_verifikasi": wrong}).status_code == 429
    r = api.put_step(second, "verifikasi", {"kode_verifikasi": code})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 3500
    assert "Terlalu banyak kode salah" in r.get_json()["errors"]["kode_verifikasi"][0]


def test_codes_per_client_address_in_the_api(app, smtp):
    from .conftest import Api
    here, elsewhere = Api(app.test_client()), Api(app.test_client())
    here.client.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    elsewhere.client.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    most = codes_module.CLIENT_LIMITS[0][1]
    for n in range(most):
        assert _contact(here, _draft_to_contact(here), f"orang{n}@example.test").status_code == 200
    r = _contact(here, _draft_to_contact(here), "satu.lagi@example.test")
    assert r.status_code == 429 and "jaringan" in r.get_json()["errors"]["kirim_kode_via"][0]
    assert _contact(elsewhere, _draft_to_contact(elsewhere), "satu.lagi@example.test").status_code == 200


def test_the_resend_button_is_limited_per_recipient(api, smtp, monkeypatch):
    import time
    drafts = [_draft_to_contact(api) for _ in range(3)]
    for sid in drafts:
        assert _contact(api, sid, "ulang@example.test").status_code == 200
    real_time = time.time
    monkeypatch.setattr(codes_module.time, "time", lambda: real_time() + 61)  # past the per-draft minute
    r = api.post(f"/api/v1/submissions/{drafts[0]}/resend-code")
    assert r.status_code == 429 and "Coba lagi" in r.get_json()["error"] and int(r.headers["Retry-After"]) > 0


def test_the_page_says_when_to_try_again(client, api, smtp):
    for _ in range(3):
        assert _contact(api, _draft_to_contact(api), "halaman@example.test").status_code == 200
    sid = _draft_to_contact(api)
    page = client.get(f"/isian/{sid}/kontak")
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    r = client.post(f"/isian/{sid}/kontak", data={"csrf_token": token, "nomor_telepon": "081276460487",
                                                  "email": "halaman@example.test", "kirim_kode_via": "EMAIL",
                                                  "setuju_pernyataan": "on"})
    assert r.status_code == 429 and r.headers["Retry-After"]
    assert "Sudah terlalu banyak kode dikirim ke alamat atau nomor ini" in r.get_data(as_text=True)
