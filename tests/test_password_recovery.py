"""Lupa kata sandi: a code to the account's own contact, the code rules, the password policy, sessions ended."""
import re
import threading

import pytest

from formserver.accounts.passwords import verify_password

from .conftest import PASSWORD, PASSWORD_HASH, code_from
from .test_permohonan import PROFILE

NEW = "Baru#Sandi2026"


@pytest.fixture
def store(app):
    return app.extensions["formserver"].store


@pytest.fixture
def account(store):
    return store.insert_account({"id": "acc1", "username": "budi0001", "email": "budi@example.test",
                                 "status": "active", "password_hash": PASSWORD_HASH, "profile": PROFILE})


def csrf(client, url):
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def login(client, password=PASSWORD):
    return client.post("/api/v1/auth/login", json={"username": "budi0001", "password": password})


def ask(client, smtp, username="budi0001", channel="email", expect_message=True):
    before = len(smtp.messages)
    r = client.post("/api/v1/auth/recovery", json={"username": username, "channel": channel})
    assert r.status_code == 202, r.get_json()
    client.application.extensions["formserver"].messenger.sent_later(10)  # the code leaves after the answer
    if expect_message:
        smtp.wait_for(before + 1)
        message = smtp.messages[before]
        return code_from(message), message
    return None, None


def reset(client, code, password=NEW, confirmation=None):
    return client.post("/api/v1/auth/recovery/reset", json={
        "code": code, "password": password, "password_confirmation": password if confirmation is None else confirmation})


def test_recovery_by_email_through_the_api_ends_every_session(app, account, store, smtp):
    other_device, third_device = app.test_client(), app.test_client()
    assert login(other_device).status_code == 200 and login(third_device).status_code == 200
    client = app.test_client()
    code, message = ask(client, smtp, "budi@example.test")
    assert message["To"] == "budi@example.test" and "pemulihan" in message["Subject"].lower()
    r = reset(client, code)
    assert r.status_code == 200 and r.get_json() == {"reset": True}
    assert verify_password(store.get_account("acc1")["password_hash"], NEW)
    # every other session of the account has ended
    assert other_device.get("/dasbor").status_code == 302 and third_device.get("/dasbor").status_code == 302
    assert login(app.test_client()).status_code == 401
    assert login(app.test_client(), NEW).status_code == 200
    types = [e["type"] for e in store.events("account:acc1")]
    assert {"recovery.requested", "recovery.code_sent", "account.password_reset"} <= set(types)
    reset_event = next(e for e in store.events("account:acc1") if e["type"] == "account.password_reset")
    assert reset_event["sessions_ended"] == 2
    # the account is told by e-mail
    smtp.wait_for(len(smtp.messages))
    assert any("diubah" in m["Subject"] for m in smtp.messages if m["To"] == "budi@example.test")


def test_a_code_is_good_once(app, account, smtp):
    client = app.test_client()
    code, _ = ask(client, smtp)
    assert reset(client, code).status_code == 200
    assert reset(client, code, "Lain#Sandi2027").status_code == 409  # the ticket is spent with the code


def test_recovery_by_whatsapp_goes_to_the_accounts_own_number(app, account, smtp, whatsapp):
    client = app.test_client()
    before = len(whatsapp.calls)
    ask(client, smtp, channel="whatsapp", expect_message=False)
    call = whatsapp.calls[before]
    assert call.body["to"] == "6281276460487"
    assert reset(client, code_from(call.body["text"]["body"])).status_code == 200


def test_an_unknown_account_gets_the_same_answers(app, account, smtp):
    known, unknown = app.test_client(), app.test_client()
    before = len(smtp.messages)
    r_known = known.post("/api/v1/auth/recovery", json={"username": "budi0001"})
    r_unknown = unknown.post("/api/v1/auth/recovery", json={"username": "nobody@example.test"})
    assert r_known.status_code == r_unknown.status_code == 202
    assert r_known.get_json() == r_unknown.get_json()
    smtp.wait_for(before + 1)
    assert [m["To"] for m in smtp.messages[before:]] == ["budi@example.test"]  # nothing to the typed address
    wrong_known, wrong_unknown = reset(known, "000000"), reset(unknown, "000000")
    if wrong_known.get_json() != wrong_unknown.get_json():  # the right code is 000000 once in a million
        assert code_from(smtp.messages[before]) == "000000"
    assert wrong_unknown.status_code == 422 and "Sisa percobaan: 4" in wrong_unknown.get_json()["errors"]["code"][0]


class _Recording:
    """The store, noting which of its methods the request's own thread calls (the messenger's thread aside)."""

    def __init__(self, store):
        self._store, self._thread, self.calls = store, threading.get_ident(), []

    def __getattr__(self, name):
        value = getattr(self._store, name)
        if not callable(value):
            return value

        def noted(*args, **kwargs):
            if threading.get_ident() == self._thread:
                self.calls.append(name)
            return value(*args, **kwargs)
        return noted


def test_an_unknown_account_costs_the_request_the_same_work(app, account, smtp, monkeypatch):
    """No timing: the same store calls, the same answer, and the message to an account sent after the answer,
    on the messenger's thread, never on the request's."""
    svc, test_thread = app.extensions["formserver"], threading.get_ident()
    sent_on = []
    send = svc.messenger.channel("email").send
    monkeypatch.setattr(svc.messenger.channel("email"), "send",
                        lambda message: (sent_on.append(threading.get_ident()), send(message)))
    work, answers = {}, {}
    for name in ("budi0001", "nobody@example.test"):
        store, svc.store = svc.store, _Recording(svc.store)
        before = len(smtp.messages)
        try:
            answers[name] = app.test_client().post("/api/v1/auth/recovery", json={"username": name}).get_json()
        finally:
            work[name], svc.store = svc.store.calls, store
        svc.messenger.sent_later(10)
        assert len(smtp.messages) == before + (name == "budi0001")  # really sent over SMTP, to the account only
    assert answers["budi0001"] == answers["nobody@example.test"]
    assert work["budi0001"] == work["nobody@example.test"] and "record_attempt" in work["budi0001"]
    assert sent_on and test_thread not in sent_on
    assert "recovery.code_sent" in [e["type"] for e in svc.store.events("account:acc1")]


def test_a_code_not_delivered_is_told_in_the_audit(app, account, store, monkeypatch):
    from formserver.accounts.messages import DeliveryError
    messenger = app.extensions["formserver"].messenger

    def refuse(message):
        raise DeliveryError("the SMTP server refused it")
    monkeypatch.setattr(messenger.channel("email"), "send", refuse)
    assert app.test_client().post("/api/v1/auth/recovery", json={"username": "budi0001"}).status_code == 202
    messenger.sent_later(10)
    types = [e["type"] for e in store.events("account:acc1")]
    assert "recovery.code_not_delivered" in types and "recovery.code_sent" not in types


def test_log_in_verifies_a_password_for_an_unknown_name_too(app, account, monkeypatch):
    """An unknown name and a wrong password cost the same: one Argon2 verification each, the same answer."""
    from formserver.accounts import passwords
    verified = []
    real = passwords._hasher

    class Counting:
        def __getattr__(self, name):
            return getattr(real, name)

        def verify(self, stored, password):
            verified.append(stored)
            return real.verify(stored, password)
    monkeypatch.setattr(passwords, "_hasher", Counting())
    unknown = app.test_client().post("/api/v1/auth/login", json={"username": "nobody0001", "password": "Salah#12345"})
    wrong = app.test_client().post("/api/v1/auth/login", json={"username": "budi0001", "password": "Salah#12345"})
    assert unknown.status_code == wrong.status_code == 401 and unknown.get_json() == wrong.get_json()
    assert len(verified) == 2 and verified[0] == passwords._DUMMY and verified[1] == account["password_hash"]


def test_five_wrong_codes_spend_the_code(app, account, smtp, store):
    client = app.test_client()
    code, _ = ask(client, smtp)
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        r = reset(client, wrong)
        assert r.status_code == 422 and f"Sisa percobaan: {left}" in r.get_json()["errors"]["code"][0]
    assert reset(client, wrong).status_code == 422
    r = reset(client, code)
    assert r.status_code == 422 and "kode baru" in r.get_json()["errors"]["code"][0]
    assert verify_password(store.get_account("acc1")["password_hash"], PASSWORD)
    assert "recovery.code_rejected" in [e["type"] for e in store.events("account:acc1")]


def test_an_expired_code_is_refused(app, account, smtp, store, monkeypatch):
    import time as time_module
    client = app.test_client()
    code, _ = ask(client, smtp)
    start = time_module.time()
    from formserver.accounts import recovery
    monkeypatch.setattr(recovery.time, "time", lambda: start + 10 * 60 + 1)
    r = client.post("/api/v1/auth/recovery/reset", json={"code": code, "password": NEW, "password_confirmation": NEW})
    assert r.status_code in (409, 422)
    assert verify_password(store.get_account("acc1")["password_hash"], PASSWORD)


def test_the_new_password_follows_the_policy_and_a_refused_one_does_not_spend_a_try(app, account, smtp, store):
    client = app.test_client()
    code, _ = ask(client, smtp)
    r = reset(client, code, "lemah")
    assert r.status_code == 422 and "password" in r.get_json()["errors"]
    r = reset(client, code, NEW, "Lain#Sandi2027")
    assert r.status_code == 422 and "password_confirmation" in r.get_json()["errors"]
    assert reset(client, code).status_code == 200


def test_the_reset_needs_a_request_first(app, account):
    assert reset(app.test_client(), "123456").status_code == 409


def test_bad_bodies_are_422_not_500(app, account):
    client = app.test_client()
    assert client.post("/api/v1/auth/recovery", json={"username": 5}).status_code == 422
    assert client.post("/api/v1/auth/recovery", json={"username": "x", "channel": "pos"}).status_code == 422
    assert client.post("/api/v1/auth/recovery", data="x", content_type="text/plain").status_code == 415
    client.post("/api/v1/auth/recovery", json={"username": "nobody"})
    assert client.post("/api/v1/auth/recovery/reset", json={"code": 123456}).status_code == 422


def test_recovery_without_javascript(app, account, smtp, store):
    other = app.test_client()
    assert login(other).status_code == 200
    client = app.test_client()
    page = client.get("/masuk").get_data(as_text=True)
    assert 'href="/lupa-sandi"' in page and "Lupa kata sandi" in page
    token = csrf(client, "/lupa-sandi")
    r = client.post("/lupa-sandi", data={"csrf_token": token, "username": ""})
    assert r.status_code == 422 and 'href="#field-username"' in r.get_data(as_text=True)
    assert client.post("/lupa-sandi", data={"username": "budi0001"}).status_code == 400  # CSRF
    before = len(smtp.messages)
    r = client.post("/lupa-sandi", data={"csrf_token": token, "username": "budi0001", "channel": "email"})
    assert r.status_code == 302 and r.location == "/lupa-sandi/kode"
    smtp.wait_for(before + 1)
    code = code_from(smtp.messages[before])
    page = client.get("/lupa-sandi/kode").get_data(as_text=True)
    assert "Jika nama pengguna atau e-mail itu terdaftar" in page
    r = client.post("/lupa-sandi/kode", data={"csrf_token": token, "kode": code, "password": "pendek",
                                              "password_konfirmasi": "pendek"})
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and 'class="error-summary"' in body and 'href="#field-password"' in body
    r = client.post("/lupa-sandi/kode", data={"csrf_token": token, "kode": code, "password": NEW,
                                              "password_konfirmasi": NEW})
    assert r.status_code == 302 and r.location == "/masuk"
    assert other.get("/dasbor").status_code == 302
    assert verify_password(store.get_account("acc1")["password_hash"], NEW)


def test_the_code_page_without_a_request_sends_you_back(app):
    r = app.test_client().get("/lupa-sandi/kode")
    assert r.status_code == 302 and r.location == "/lupa-sandi"


def test_a_reset_unlocks_the_account(app, account, smtp):
    client = app.test_client()
    for _ in range(5):
        login(client, "Salah#12345")
    assert login(client, PASSWORD).status_code == 429
    code, _ = ask(client, smtp)
    assert reset(client, code).status_code == 200
    assert login(app.test_client(), NEW).status_code == 200


def test_codes_for_one_account_are_limited_whoever_asks(app, account, smtp, store):
    before = len(smtp.messages)
    for _ in range(5):
        assert app.test_client().post("/api/v1/auth/recovery", json={"username": "budi0001"}).status_code == 202
    smtp.wait_for(before + 3)
    assert len([m for m in smtp.messages[before:] if m["To"] == "budi@example.test"]) == 3
    assert "recovery.code_limited" in [e["type"] for e in store.events("account:acc1")]
