"""What every answer carries or leaves out: caching rules, HSTS, and no file-system path on any page or error."""
import re

import pytest
from flask import abort

from formserver import config as settings

from .conftest import make_app
from .test_permohonan import applicant, issued, start

# -- caching and HSTS ------------------------------------------------------------------------------

def test_authenticated_pages_and_api_answers_are_not_stored(app, applicant, issued):
    sid, result = issued
    client = applicant.client
    for url in ("/dasbor", f"/isian/{sid}/selesai", f"/api/v1/submissions/{sid}", f"/api/v1/submissions/{sid}/timeline",
                result["documents"][0]["url"], "/api/v1/forms"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response.headers["Cache-Control"] and "public" not in response.headers["Cache-Control"], url
    assert client.post("/api/v1/forms/permohonan/submissions").headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/submissions/nope").headers["Cache-Control"] == "no-store"  # errors too


def test_anonymous_drafts_are_not_stored(client):
    created = client.post("/api/v1/forms/registrasi/submissions")
    assert created.headers["Cache-Control"] == "no-store"
    assert client.get(f"/isian/{created.get_json()['id']}/skala").headers["Cache-Control"] == "no-store"


def test_data_that_is_the_same_for_everyone_stays_cacheable(client):
    response = client.get("/api/v1/reference/kbli?q=kopi")
    assert "public" in response.headers["Cache-Control"] and "max-age=3600" in response.headers["Cache-Control"]
    assert "public" in client.get("/api/v1/reference/wilayah/provinsi").headers["Cache-Control"]
    assert "no-store" not in client.get("/static/css/app.css").headers.get("Cache-Control", "")


def test_a_cacheable_answer_that_sets_a_cookie_is_not_stored(client):
    """?lang= is remembered in the session: that answer carries a cookie and must not reach a shared cache."""
    response = client.get("/api/v1/reference/wilayah/provinsi?lang=en")
    assert "Set-Cookie" in response.headers and response.headers["Cache-Control"] == "no-store"


def test_hsts_only_with_secure_cookies(tmp_path, smtp, whatsapp):
    secure = make_app(tmp_path / "a", smtp, whatsapp, SESSION_COOKIE_SECURE=True).test_client()
    assert secure.get("/").headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert secure.get("/api/v1/forms").headers["Strict-Transport-Security"]
    plain = make_app(tmp_path / "b", smtp, whatsapp).test_client()
    assert "Strict-Transport-Security" not in plain.get("/").headers


# -- no server paths -------------------------------------------------------------------------------

def path_markers(app) -> list[str]:
    """Strings that would give away where the server keeps its files."""
    markers = {str(settings.PROJECT_ROOT), app.config["DATA_DIR"], "site-packages", ".venv", "/work/", "/tmp/",
               "/home/", "/root/", "/usr/lib/python", "Traceback"}
    return sorted(m for m in markers if m)


def leaks(app, body: bytes) -> list[str]:
    text = body.decode("utf-8", "replace")
    return [m for m in path_markers(app) if m in text]


SAMPLE_ARGUMENTS = {"form_id": "permohonan", "level": "kabupaten", "kode": "47111", "step_key": "data_pelaku_usaha"}


def get_urls(app, values: dict) -> list[str]:
    """Every GET route with its arguments filled in from values (unknown ones get a value that is not there)."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(values.get(name, "tidak-ada")), url)
        urls.append(url)
    return urls


def test_no_page_or_answer_shows_a_server_path(app, applicant, issued):
    """Crawl every GET route as the owner, as a stranger and with bad arguments; none names a server path."""
    sid, result = issued
    document = result["documents"][0]
    values = {**SAMPLE_ARGUMENTS, "submission_id": sid, "document_id": document["id"],
              "code": document["verify_url"].rsplit("/verifikasi/", 1)[-1]}
    draft = {**values, "submission_id": start(applicant)}  # the draft NIB preview, the step pages
    stranger = app.test_client()
    seen = 0
    for client in (applicant.client, stranger):
        for url in get_urls(app, values) + get_urls(app, draft) + get_urls(app, {}):
            for suffix in ("", "?lang=en"):
                response = client.get(url + suffix)
                assert response.status_code < 500, url
                assert not leaks(app, response.data), f"{url}{suffix}: {leaks(app, response.data)}"
                seen += 1
    assert seen > 40


@pytest.mark.parametrize("method, url, kwargs", [
    ("get", "/tidak/ada", {}),
    ("get", "/api/v1/tidak/ada", {}),
    ("open", "/api/v1/forms", {"method": "TRACE"}),
    ("open", "/", {"method": "DELETE"}),
    ("post", "/api/v1/auth/login", {"data": "{", "content_type": "application/json"}),
    ("post", "/api/v1/auth/login", {"data": "[" * 100 + "]" * 100, "content_type": "application/json"}),
    ("post", "/api/v1/auth/login", {"data": "x=1", "content_type": "text/plain"}),
    ("post", "/api/v1/auth/login", {"data": b"x" * (300 * 1024), "content_type": "application/json"}),
    ("post", "/masuk", {"data": {"username": "a", "password": "b"}}),  # no CSRF token
    ("get", "/verifikasi/bukan-kode", {}),
])
def test_no_error_shows_a_server_path(client, app, method, url, kwargs):
    response = getattr(client, method)(url, **kwargs)
    assert 400 <= response.status_code < 500
    assert not leaks(app, response.data)


def test_an_unexpected_error_shows_no_path_or_trace(tmp_path, smtp, whatsapp):
    app = make_app(tmp_path, smtp, whatsapp)
    data_dir = app.config["DATA_DIR"]

    def broken(*args, **kwargs):
        raise OSError(f"[Errno 13] Permission denied: '{data_dir}/formserver.sqlite3'")

    app.extensions["formserver"].store.get_submission = broken
    for url in ("/isian/abc", "/api/v1/submissions/abc"):
        response = app.test_client().get(url)
        assert response.status_code == 500
        assert not leaks(app, response.data) and b"Permission denied" not in response.data


def test_a_template_error_shows_no_path(tmp_path, smtp, whatsapp):
    app = make_app(tmp_path, smtp, whatsapp)

    @app.get("/rusak")
    def rusak():
        from flask import render_template_string
        return render_template_string("{% include 'tidak-ada.html' %}")

    response = app.test_client().get("/rusak")
    assert response.status_code == 500 and not leaks(app, response.data)


def test_the_crawl_would_see_a_path(app):
    """The check is not blind: a page naming the data directory is caught."""
    assert leaks(app, f"<p>{app.config['DATA_DIR']}/secret_key</p>".encode())
    assert leaks(app, b"File \"/usr/lib/python3/dist-packages/x.py\"") or leaks(app, b"site-packages/flask/app.py")


def test_an_abort_description_is_not_shown(tmp_path, smtp, whatsapp):
    """Error pages show their own messages, never an exception's description (which may name a file)."""
    app = make_app(tmp_path, smtp, whatsapp)

    @app.get("/hilang")
    def hilang():
        abort(404, description=f"{app.config['DATA_DIR']}/keys/signing.pem missing")

    response = app.test_client().get("/hilang")
    assert response.status_code == 404 and not leaks(app, response.data)
