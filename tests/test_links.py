"""Links in QR codes, e-mails and documents are absolute; production refuses to start without a base URL."""
import pytest

from formserver import create_app
from formserver.config import ConfigError, base_url
from formserver.issue.qr import qr_png_data_uri

from .conftest import PASSWORD_HASH, Api, make_app, register_via_api
from .test_permohonan import _issue_now, _to_pernyataan, applicant, start  # noqa: F401  (fixture)


def test_production_refuses_to_start_without_a_base_url(tmp_path):
    with pytest.raises(ConfigError, match="FORMSERVER_BASE_URL"):
        create_app({"DATA_DIR": str(tmp_path), "TESTING": True, "SESSION_COOKIE_SECURE": True, "BASE_URL": ""})
    # with one it starts
    create_app({"DATA_DIR": str(tmp_path), "TESTING": True, "SESSION_COOKIE_SECURE": True,
                "BASE_URL": "https://oss.example.test/"})


@pytest.mark.parametrize("bad", ["oss.example.test", "/oss", "ftp://oss.example.test", "https://"])
def test_a_base_url_that_is_not_absolute_is_refused(tmp_path, bad):
    with pytest.raises(ConfigError, match="FORMSERVER_BASE_URL harus alamat http\\(s\\) yang lengkap"):
        create_app({"DATA_DIR": str(tmp_path), "TESTING": True, "SESSION_COOKIE_SECURE": False, "BASE_URL": bad})


def test_a_refused_base_url_is_said_in_english_when_asked(tmp_path, in_english):
    with pytest.raises(ConfigError, match="FORMSERVER_BASE_URL must be an absolute http\\(s\\) address"):
        create_app({"DATA_DIR": str(tmp_path), "TESTING": True, "SESSION_COOKIE_SECURE": False, "BASE_URL": "/oss"})


def test_outside_a_request_links_use_the_served_address():
    assert base_url({"BASE_URL": "https://oss.example.test/"}) == "https://oss.example.test"
    assert base_url({"BASE_URL": "", "SERVE_URL": "http://127.0.0.1:8123"}) == "http://127.0.0.1:8123"
    assert base_url({"BASE_URL": ""}).startswith("http://")


@pytest.fixture
def dev_app(tmp_path, smtp, whatsapp):
    """A development app (plain http) without FORMSERVER_BASE_URL."""
    return make_app(tmp_path, smtp, whatsapp, BASE_URL="")


def test_without_base_url_the_welcome_mail_links_to_the_served_host(dev_app, smtp):
    api = Api(dev_app.test_client())
    register_via_api(api, smtp)
    text = smtp.messages[-1].get_body(("plain",)).get_content()
    assert "Masuk di: http://localhost/masuk" in text
    assert "Masuk di: /masuk" not in text


def test_without_base_url_qr_codes_and_printed_links_are_absolute(dev_app):
    from .conftest import PASSWORD
    from .test_permohonan import PROFILE
    dev_app.extensions["formserver"].store.insert_account({
        "id": "acc1", "username": "budi0001", "email": "budi@example.test", "status": "active",
        "password_hash": PASSWORD_HASH, "profile": PROFILE})
    api = Api(dev_app.test_client())
    assert api.post("/api/v1/auth/login", {"username": "budi0001", "password": PASSWORD}).status_code == 200
    sid = start(api)
    _to_pernyataan(api, sid)
    result = _issue_now(api, sid)
    for d in result["documents"]:
        assert d["verify_url"].startswith("http://localhost/verifikasi/")
    issuer = dev_app.extensions["formserver"].issuer
    doc = dev_app.extensions["formserver"].store.get_document(result["documents"][0]["id"])
    with dev_app.test_request_context("/", base_url="http://192.0.2.7:8000"):
        context = issuer.render_context(doc)
    assert context["verify_url"].startswith("http://192.0.2.7:8000/verifikasi/")
    assert context["qr_png_data_uri"] == qr_png_data_uri(context["verify_url"])


def test_serve_says_what_to_set_when_the_base_url_is_missing(tmp_path):
    import os
    import subprocess
    import sys

    from .conftest import ROOT
    env = {k: v for k, v in os.environ.items() if not k.startswith("FORMSERVER_")}
    env["FORMSERVER_DATA_DIR"] = str(tmp_path)
    env["FORMSERVER_LOCALE"] = "id"  # whatever the machine's language
    result = subprocess.run([sys.executable, "-m", "formserver.cli", "serve", "--port", "1"],
                            capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert result.returncode == 1
    assert "tidak ada yang dijalankan" in result.stderr and "FORMSERVER_BASE_URL" in result.stderr
