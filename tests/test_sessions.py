"""Server-side sessions: log-out ends them everywhere, idle and absolute expiry, the cookie is only an id."""
import re

import pytest

from formserver.web.sessions import ABSOLUTE, IDLE

from .conftest import PASSWORD, PASSWORD_HASH, make_app
from .test_permohonan import PROFILE

COOKIE = "formserver_session"


class Clock:
    def __init__(self, now=1_800_000_000.0):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock(app):
    clock = Clock()
    app.session_interface.clock = clock
    return clock


@pytest.fixture
def account(app):
    return app.extensions["formserver"].store.insert_account({
        "id": "acc1", "username": "budi0001", "email": "budi@example.test", "status": "active",
        "password_hash": PASSWORD_HASH, "profile": PROFILE})


def api_login(client):
    r = client.post("/api/v1/auth/login", json={"username": "budi0001", "password": PASSWORD})
    assert r.status_code == 200, r.get_json()
    return client.get_cookie(COOKIE).value


def replay(app, token):
    """A new client that only has the cookie value."""
    client = app.test_client()
    client.set_cookie(COOKIE, token)
    return client


def logged_in(client) -> bool:
    r = client.get("/dasbor")
    return r.status_code == 200


def can_create_application(client) -> bool:
    return client.post("/api/v1/forms/permohonan/submissions", json={}).status_code == 201


def test_a_cookie_replayed_after_api_logout_opens_nothing(app, account, clock):
    client = app.test_client()
    token = api_login(client)
    assert logged_in(replay(app, token)) and can_create_application(replay(app, token))
    assert client.post("/api/v1/auth/logout", json={}).status_code == 200
    stolen = replay(app, token)
    assert not logged_in(stolen)
    assert stolen.get("/dasbor").location.startswith("/masuk")
    assert not can_create_application(replay(app, token))


def test_a_cookie_replayed_after_html_logout_opens_nothing(app, account, clock):
    client = app.test_client()
    page = client.get("/masuk").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post("/masuk", data={"csrf_token": csrf, "username": "budi0001", "password": PASSWORD})
    assert r.status_code == 302 and r.location == "/dasbor"
    token = client.get_cookie(COOKIE).value
    page = client.get("/dasbor").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/keluar", data={"csrf_token": csrf}).status_code == 302
    assert client.get_cookie(COOKIE) is None or client.get_cookie(COOKIE).value != token
    assert not logged_in(replay(app, token)) and not can_create_application(replay(app, token))
    assert not logged_in(client)


def test_log_in_gives_a_new_id_and_the_cookie_carries_only_an_unguessable_id(app, account, clock):
    client = app.test_client()
    client.get("/masuk")  # an anonymous session (CSRF token) before logging in
    before = client.get_cookie(COOKIE).value
    token = api_login(client)
    assert token != before and not logged_in(replay(app, before))  # no session fixation
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)  # 32 random bytes, nothing else
    store = app.extensions["formserver"].store
    assert store.get_session(token) is None  # the store keeps a digest, not the id itself
    assert "acc1" not in token and "." not in token


def test_idle_sessions_end_after_30_minutes(app, account, clock):
    client = app.test_client()
    api_login(client)
    for _ in range(4):  # active every 29 minutes: still logged in after almost two hours
        clock.now += IDLE - 60
        assert logged_in(client)
    clock.now += IDLE
    assert not logged_in(client)
    assert not can_create_application(client)


def test_sessions_end_8_hours_after_log_in_whatever_the_activity(app, account, clock):
    client = app.test_client()
    start = clock.now
    api_login(client)
    while clock.now + 20 * 60 < start + ABSOLUTE:
        clock.now += 20 * 60
        assert logged_in(client)
    clock.now = start + ABSOLUTE
    assert not logged_in(client)


def test_every_app_server_sees_the_same_sessions(tmp_path, smtp, whatsapp, account, app, clock):
    """Two apps (two workers, or two servers) on one store: a log-out on one ends the session on the other."""
    other = make_app(tmp_path, smtp, whatsapp)
    other.session_interface.clock = clock
    client = app.test_client()
    token = api_login(client)
    assert logged_in(replay(other, token))
    assert replay(other, token).post("/api/v1/auth/logout", json={}).status_code == 200
    assert not logged_in(client)


def test_ending_all_sessions_of_an_account(app, account, clock):
    from formserver.web.sessions import end_account_sessions
    first, second, third = app.test_client(), app.test_client(), app.test_client()
    api_login(first)
    keep = api_login(second)
    api_login(third)
    assert end_account_sessions(app.extensions["formserver"].store, "acc1", keep_token=keep) == 2
    assert not logged_in(first) and logged_in(second) and not logged_in(third)


def test_expired_records_are_removed_from_the_store(app, account, clock):
    store = app.extensions["formserver"].store
    api_login(app.test_client())
    clock.now += ABSOLUTE + 1
    api_login(app.test_client())  # a new session sweeps the expired ones
    assert sum(1 for _ in store._db.execute("SELECT 1 FROM sessions")) == 1


def test_a_password_change_ends_every_other_session(app, account, clock):
    from formserver.accounts.passwords import verify_password
    here, elsewhere = app.test_client(), app.test_client()
    before = api_login(here)
    api_login(elsewhere)
    r = here.post("/api/v1/auth/password", json={"current_password": "Salah#12345", "password": "Baru#Sandi2026",
                                                 "password_confirmation": "Baru#Sandi2026"})
    assert r.status_code == 422 and "current_password" in r.get_json()["errors"]
    assert logged_in(elsewhere)
    r = here.post("/api/v1/auth/password", json={"current_password": PASSWORD, "password": "Baru#Sandi2026",
                                                 "password_confirmation": "Baru#Sandi2026"})
    assert r.status_code == 200 and r.get_json() == {"changed": True}
    assert not logged_in(elsewhere) and not logged_in(replay(app, before))
    assert logged_in(here) and here.get_cookie(COOKIE).value != before  # this client goes on with a new id
    store = app.extensions["formserver"].store
    assert verify_password(store.get_account("acc1")["password_hash"], "Baru#Sandi2026")
    assert "account.password_changed" in [e["type"] for e in store.events("account:acc1")]


def test_a_password_change_needs_a_log_in_and_follows_the_policy(app, account, clock):
    client = app.test_client()
    body = {"current_password": PASSWORD, "password": "lemah", "password_confirmation": "lemah"}
    assert client.post("/api/v1/auth/password", json=body).status_code == 401
    api_login(client)
    r = client.post("/api/v1/auth/password", json=body)
    assert r.status_code == 422 and "password" in r.get_json()["errors"]


def test_the_password_change_page_without_javascript(app, account, clock):
    client = app.test_client()
    assert client.get("/akun/kata-sandi").location.startswith("/masuk?lanjut=")
    other = app.test_client()
    api_login(other)
    api_login(client)
    page = client.get("/dasbor").get_data(as_text=True)
    assert 'href="/akun/kata-sandi"' in page
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/akun/kata-sandi").get_data(as_text=True)).group(1)
    r = client.post("/akun/kata-sandi", data={"csrf_token": csrf, "password_lama": "x", "password": "Baru#Sandi2026",
                                              "password_konfirmasi": "Baru#Sandi2026"})
    assert r.status_code == 422 and 'href="#field-password_lama"' in r.get_data(as_text=True)
    r = client.post("/akun/kata-sandi", data={"csrf_token": csrf, "password_lama": PASSWORD, "password": "Baru#Sandi2026",
                                              "password_konfirmasi": "Baru#Sandi2026"})
    assert r.status_code == 302 and r.location == "/dasbor"
    assert logged_in(client) and not logged_in(other)


def test_moving_the_idle_expiry_sets_no_cookie(app, account, clock):
    """A touch is written to the store only: a cacheable answer never carries someone's session cookie."""
    client = app.test_client()
    api_login(client)
    clock.now += 5 * 60
    r = client.get("/api/v1/forms")
    assert r.status_code == 200 and "Set-Cookie" not in r.headers
    clock.now += IDLE - 60  # 34 minutes after log-in, 29 after the touch
    assert logged_in(client)


@pytest.mark.parametrize("header", ["formserver_session=abc", ' a=1; formserver_session="q\\"x\\073y"; formserver_session=2',
                                    "x", "", "formserver_session=", "a=b;;formserver_session = v ;c", "\u00e9=1; b=\u00ff"])
def test_the_session_cookie_is_read_as_request_cookies_reads_it(app, header):
    """sessions.cookie parses the HTTP_COOKIE entry with werkzeug's own parse_cookie: the same cookies, kept
    where request.cookies keeps them (read once)."""
    from werkzeug.test import EnvironBuilder
    from werkzeug.wrappers import Request

    from formserver.web.sessions import cookie
    environ = EnvironBuilder(path="/", headers={"Cookie": header} if header else {}).get_environ()
    ours, werkzeugs = Request(environ), Request(environ)
    assert cookie(ours, COOKIE) == werkzeugs.cookies.get(COOKIE)
    kept = ours.cookies
    assert kept == werkzeugs.cookies and type(kept) is type(werkzeugs.cookies) and ours.cookies is kept


def test_a_page_with_a_session_finds_its_cookie_without_walking_the_environ(app, client, monkeypatch):
    """The Cookie header is read as HTTP_COOKIE, not found by walking every environ entry (werkzeug's
    EnvironHeaders has no index: request.cookies walked them all on each request with a session)."""
    from werkzeug.datastructures import EnvironHeaders
    sid = client.post("/api/v1/forms/registrasi/submissions", headers={"Accept": "application/json"}).get_json()["id"]
    walked = []
    real_iter = EnvironHeaders.__iter__

    def walk(self):
        walked.append(1)
        return real_iter(self)
    monkeypatch.setattr(EnvironHeaders, "__iter__", walk)
    assert client.get(f"/isian/{sid}/skala").status_code == 200
    assert walked == []
