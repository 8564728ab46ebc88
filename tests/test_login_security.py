"""Log-in hardening: lock-out per account, rehashing and costly stored hashes, redirects after log-in."""
import re

import pytest
from argon2 import PasswordHasher, extract_parameters

from formserver.accounts import passwords

from .conftest import PASSWORD, PASSWORD_HASH
from .test_permohonan import PROFILE

WRONG = "Salah#12345"


def add_account(app, password_hash=None, **extra):
    store = app.extensions["formserver"].store
    return store.insert_account({"id": "acc1", "username": "budi0001", "email": "budi@example.test",
                                 "status": "active", "password_hash": password_hash or PASSWORD_HASH,
                                 "profile": PROFILE, **extra})


def api_login(client, username, password=PASSWORD):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def test_failures_count_per_account_whichever_name_was_typed(app):
    add_account(app)
    client = app.test_client()
    for _ in range(5):
        assert api_login(client, "budi0001", WRONG).status_code == 401
    assert api_login(client, "budi@example.test").status_code == 429  # the right password, but locked


def test_failures_with_both_names_add_up(app):
    add_account(app)
    client = app.test_client()
    for name in ("budi0001", "budi@example.test", "budi0001", "budi@example.test", "Budi0001"):
        assert api_login(client, name, WRONG).status_code == 401
    assert api_login(client, "budi0001").status_code == 429


def test_a_hash_with_other_parameters_is_rehashed_on_a_good_log_in(app):
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    add_account(app, password_hash=weak)
    store = app.extensions["formserver"].store
    assert api_login(app.test_client(), "budi0001").status_code == 200
    stored = store.get_account("acc1")["password_hash"]
    assert stored != weak
    params = extract_parameters(stored)
    assert (params.time_cost, params.memory_cost, params.parallelism) == (3, 64 * 1024, 1)
    assert "account.password_rehashed" in [e["type"] for e in store.events("account:acc1")]
    assert api_login(app.test_client(), "budi0001").status_code == 200  # and the new hash works


def test_a_wrong_password_does_not_rehash(app):
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    add_account(app, password_hash=weak)
    assert api_login(app.test_client(), "budi0001", WRONG).status_code == 401
    assert app.extensions["formserver"].store.get_account("acc1")["password_hash"] == weak


# 256 MiB and 12 passes, as an attacker who chose the hash would: about 2.6 s and 256 MiB per log-in if verified
COSTLY = "$argon2id$v=19$m=262144,t=12,p=1$c29tZXNhbHRzb21lc2FsdA$" + "A" * 43


@pytest.mark.parametrize("stored", [
    COSTLY,
    "$argon2id$v=19$m=65536,t=300,p=1$c29tZXNhbHRzb21lc2FsdA$" + "A" * 43,
    "$argon2id$v=19$m=65536,t=3,p=64$c29tZXNhbHRzb21lc2FsdA$" + "A" * 43,
    "$argon2id$not-a-hash",
])
def test_a_costly_or_unreadable_stored_hash_is_never_verified(app, monkeypatch, stored):
    add_account(app, password_hash=stored)
    verified = []
    real_verify = PasswordHasher.verify
    monkeypatch.setattr(PasswordHasher, "verify", lambda self, h, p: verified.append(h) or real_verify(self, h, p))
    r = api_login(app.test_client(), "budi0001")
    assert r.status_code == 401 and "diatur ulang" in r.get_json()["error"]
    assert stored not in verified
    assert "login.hash_refused" in [e["type"] for e in app.extensions["formserver"].store.events("account:acc1")]
    assert passwords.verify(stored, PASSWORD).refused


def test_the_html_log_in_tells_to_reset_a_refused_hash(app):
    add_account(app, password_hash=COSTLY)
    client = app.test_client()
    r = client.post("/masuk", data={"csrf_token": csrf(client), "username": "budi0001", "password": PASSWORD})
    assert r.status_code == 422 and "Lupa kata sandi" in r.get_data(as_text=True)


def test_hashes_the_server_made_are_accepted_and_not_rehashed():
    verdict = passwords.verify(PASSWORD_HASH, PASSWORD)
    assert verdict.ok and not verdict.rehash and not verdict.refused


def csrf(client, url="/masuk"):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def html_login(client, query):
    return client.post("/masuk" + query, data={"csrf_token": csrf(client), "username": "budi0001",
                                               "password": PASSWORD})


@pytest.mark.parametrize("query", ["?lanjut=%2F%09%2Fevil.example", "?lanjut=%2F%0A%2Fevil.example",
                                   "?lanjut=%0A", "?lanjut=%2F%0D%0ASet-Cookie:x=1", "?lanjut=/%E2%80%AE/evil"])
def test_control_characters_in_the_target_are_a_400(app, query):
    add_account(app)
    client = app.test_client()
    r = html_login(client, query)
    assert r.status_code == 400 and "evil" not in r.headers.get("Location", "")
    assert client.get("/masuk" + query).status_code == 400


@pytest.mark.parametrize("target", ["//evil.example", "/\\evil.example", "\\\\evil.example", "https://evil.example/",
                                    "http:/evil.example", "evil.example", "javascript:alert(1)"])
def test_targets_off_the_site_go_to_the_dashboard(app, target):
    add_account(app)
    client = app.test_client()
    from urllib.parse import quote
    r = html_login(client, "?lanjut=" + quote(target, safe=""))
    assert r.status_code == 302 and r.location == "/dasbor"


def test_a_path_on_the_site_is_kept(app):
    add_account(app)
    r = html_login(app.test_client(), "?lanjut=%2Fformulir%2Fpermohonan%3Fa%3D1")
    assert r.status_code == 302 and r.location == "/formulir/permohonan?a=1"
