"""Shared fixtures: an app on a temporary data directory, real SMTP and WhatsApp peers on loopback."""
import os
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from formserver import create_app
from formserver.accounts.passwords import hash_password
from formserver.i18n import current_locale

from .smtp_server import running_smtp_server
from .whatsapp_server import running_whatsapp_server

# property tests check correctness, never speed: a loaded shared machine must not fail them on time
settings.register_profile("shared-machine", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("shared-machine")

ROOT = Path(__file__).resolve().parent.parent
# the commands speak the machine's locale (FORMSERVER_LOCALE, LANG, …): in the tests, Indonesian, the default, on any
# machine, unless a test asks for another (the in_english fixture, or its own environment)
os.environ["FORMSERVER_LOCALE"] = "id"

# a person born 17-08-1990, male, registered in kecamatan 14.01.01 (Bangkinang Kota, Kampar)
PERSON = {
    "nik": "1401011708900001", "jenis_kelamin": "L", "tempat_lahir": "Bangkinang", "tanggal_lahir": "1990-08-17",
    "alamat": "Jl. Prof. M. Yamin No. 1", "provinsi": "14", "kabupaten": "14.01", "kecamatan": "14.01.01",
    "kelurahan": "14.01.01.1011", "setuju_disclaimer": True,
}
PASSWORD = "Rahasia#2025"
# PASSWORD's Argon2id hash with the server's parameters, made once: an account put straight into a store needs no
# hash of its own (each costs ~0.16 s CPU here, and many tests insert one)
PASSWORD_HASH = hash_password(PASSWORD)


@pytest.fixture(scope="session")
def smtp():
    with running_smtp_server() as server:
        yield server


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per browser test module (which calls skip_without_chromium first).

    Per module, not per run: Playwright's sync API keeps an event loop running in this thread while it is
    open, and pyHanko's signing calls asyncio.run(), which refuses to run inside one.
    """
    from .browser_support import launched_chromium  # it imports this module: not at the top
    with launched_chromium() as chromium:
        yield chromium


@pytest.fixture(scope="session")
def whatsapp():
    with running_whatsapp_server() as server:
        yield server


def make_app(data_dir, smtp, whatsapp, forms_dir=None, **overrides):
    config = {
        "TESTING": True, "DATA_DIR": str(data_dir), "SMTP_URL": smtp.url, "MAIL_FROM": "OSS <oss@example.test>",
        "WHATSAPP_API_URL": whatsapp.url, "WHATSAPP_TOKEN": "test-token", "WHATSAPP_PHONE_NUMBER_ID": "1234",
        "CAPTCHA": False, "SESSION_COOKIE_SECURE": False, "RATELIMIT_ENABLED": False,
        "BASE_URL": "http://oss.example.test", "FORMS_DIR": str(forms_dir or ROOT / "forms"),
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture
def in_english(monkeypatch):
    """Texts in English where a test pins today's English wording (Indonesian is the default): the locale outside a
    request, and the commands' (FORMSERVER_LOCALE). Pages are asked for English with ?lang=en."""
    monkeypatch.setenv("FORMSERVER_LOCALE", "en")
    token = current_locale.set("en")
    yield
    current_locale.reset(token)


@pytest.fixture
def app(tmp_path, smtp, whatsapp):
    return make_app(tmp_path, smtp, whatsapp)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def test_forms(tmp_path):
    """A forms folder with the registration and the small branching test form."""
    folder = tmp_path / "forms"
    folder.mkdir()
    shutil.copy(ROOT / "forms" / "registrasi.json", folder)
    shutil.copy(ROOT / "tests" / "forms" / "cabang.json", folder)
    shutil.copy(ROOT / "tests" / "forms" / "akses.json", folder)
    return folder


@pytest.fixture
def branching_app(tmp_path, smtp, whatsapp, test_forms):
    return make_app(tmp_path / "data", smtp, whatsapp, forms_dir=test_forms)


def code_from(message) -> str:
    """The 6-digit code in a verification message."""
    body = message.get_body(("plain",)).get_content() if hasattr(message, "get_body") else message
    return re.search(r"\b(\d{6})\b", body).group(1)


class Api:
    """A JSON API client over the Flask test client."""

    def __init__(self, client):
        self.client = client

    def post(self, url, body=None):
        return self.client.post(url, json=body if body is not None else {})

    def put_step(self, submission_id, step, values, **extra):
        return self.client.put(f"/api/v1/submissions/{submission_id}/steps/{step}", json={"values": values, **extra})

    def get(self, url):
        return self.client.get(url)


@pytest.fixture
def api(client):
    return Api(client)


def register_via_api(api, smtp, email="budi@example.test", phone="0812-7646-0487", person=None):
    """Walk the registration through the JSON API; returns the final step's response body."""
    sid = api.post("/api/v1/forms/registrasi/submissions").get_json()["id"]
    assert api.put_step(sid, "skala", {"skala_usaha": "UMK"}).status_code == 200
    assert api.put_step(sid, "jenis_pelaku", {"jenis_pelaku_usaha": "ORANG_PERSEORANGAN", "kewarganegaraan": "WNI"}).status_code == 200
    before = len(smtp.messages)
    r = api.put_step(sid, "kontak", {"nomor_telepon": phone, "email": email, "kirim_kode_via": "EMAIL", "setuju_pernyataan": True})
    assert r.status_code == 200, r.get_json()
    smtp.wait_for(before + 1)
    code = code_from(smtp.messages[before])
    assert api.put_step(sid, "verifikasi", {"kode_verifikasi": code}).status_code == 200
    r = api.put_step(sid, "akun", {"nama_lengkap": "Budi Santoso", "password": PASSWORD, "password_konfirmasi": PASSWORD})
    assert r.status_code == 200, r.get_json()
    r = api.put_step(sid, "data_pelaku", person or PERSON)
    assert r.status_code == 200, r.get_json()
    r = api.put_step(sid, "selesai", {})
    assert r.status_code == 200, r.get_json()
    return sid, r.get_json()
