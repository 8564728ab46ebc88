"""What goes over the wire: compressed answers when the client accepts it, content-hashed static URLs cached for a year."""
import gzip
import re

import brotli

from .conftest import ROOT, make_app


def static_links(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_pages_are_compressed_when_the_client_accepts_it(client):
    plain = client.get("/")
    assert "Content-Encoding" not in plain.headers
    br = client.get("/", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert br.headers["Content-Encoding"] == "br"
    assert brotli.decompress(br.data) == plain.data
    assert len(br.data) < len(plain.data)
    assert "Accept-Encoding" in br.headers["Vary"]
    gz = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip" and gzip.decompress(gz.data) == plain.data


def test_json_answers_are_compressed_too(client):
    response = client.get("/api/v1/reference/wilayah/provinsi", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.data).startswith((b"[", b"{"))


def test_already_compressed_formats_are_sent_as_they_are(tmp_path, smtp, whatsapp):
    """A PNG (the captcha) is compressed already: compressing it again costs CPU for nothing."""
    client = make_app(tmp_path, smtp, whatsapp, CAPTCHA=True).test_client()
    client.get("/masuk")
    response = client.get("/captcha.png", headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert "Content-Encoding" not in response.headers


def test_static_urls_carry_a_content_hash_and_a_long_lifetime(client):
    links = static_links(client.get("/").get_data(as_text=True))
    assert any(link.endswith(".css") for link in links) and any(link.endswith(".js") for link in links)
    for link in links:
        name = re.fullmatch(r"/static/(.+)\.([0-9a-f]{12})(\.\w+)", link)
        assert name, link
        response = client.get(link)
        assert response.status_code == 200
        cache = response.headers["Cache-Control"]
        assert "immutable" in cache and "max-age=31536000" in cache and "public" in cache, cache
        plain = ROOT / "static" / f"{name[1]}{name[3]}"
        assert response.get_data() == plain.read_bytes()


def test_the_hash_follows_the_content(app, tmp_path):
    from formserver.web.assets import Assets
    (tmp_path / "a.css").write_text("a{}")
    assets = Assets(str(tmp_path))
    first = assets.hashed_name("a.css")
    (tmp_path / "a.css").write_text("a{color:red}")
    second = assets.hashed_name("a.css")
    assert first != second and first.startswith("a.") and first.endswith(".css")
    assert assets.hashed_name("missing.css") == "missing.css"


def test_plain_static_urls_still_work_and_old_hashes_redirect(client):
    plain = client.get("/static/css/app.css")
    assert plain.status_code == 200 and "immutable" not in plain.headers["Cache-Control"]
    assert "no-cache" in plain.headers["Cache-Control"] and plain.headers.get("ETag")
    old = client.get("/static/css/app.0123456789ab.css")
    assert old.status_code == 302
    assert re.fullmatch(r"/static/css/app\.[0-9a-f]{12}\.css", old.headers["Location"].removeprefix("http://localhost"))
    assert client.get("/static/css/nothing.0123456789ab.css").status_code == 404
    assert client.get("/static/../pyproject.toml").status_code == 404


def test_static_files_are_compressed_for_clients_that_accept_it(client):
    link = next(link for link in static_links(client.get("/").get_data(as_text=True)) if link.endswith(".css"))
    response = client.get(link, headers={"Accept-Encoding": "br"})
    assert response.headers["Content-Encoding"] == "br"
    assert brotli.decompress(response.get_data()) == (ROOT / "static" / "css" / "app.css").read_bytes()


# -- what every request pays -------------------------------------------------------------------------

def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_a_sessions_csrf_token_is_signed_once_and_still_checked(client, app, monkeypatch):
    """The signed token is reused for every page of a session (no HMAC per page); it is still refused elsewhere."""
    import itertools

    from itsdangerous import TimestampSigner
    seconds = itertools.count(1_800_000_000, 7)  # every signature a later second: a fresh signing would differ
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: next(seconds))
    first = csrf_of(client.get("/masuk").get_data(as_text=True))
    assert csrf_of(client.get("/masuk").get_data(as_text=True)) == first
    assert client.post("/masuk", data={"csrf_token": first, "username": "x", "password": "y"}).status_code != 400
    other = app.test_client()
    theirs = csrf_of(other.get("/masuk").get_data(as_text=True))
    assert theirs != first
    assert other.post("/masuk", data={"csrf_token": first, "username": "x", "password": "y"}).status_code == 400


def test_no_limiter_pass_before_every_request_but_route_limits_hold(tmp_path, smtp, whatsapp):
    from flask_limiter import Limiter
    app = make_app(tmp_path, smtp, whatsapp, RATELIMIT_ENABLED=True)
    assert not any(getattr(f, "__func__", None) is Limiter._check_request_limit for f in app.before_request_funcs[None])
    client = app.test_client()
    statuses = [client.post("/api/v1/auth/login", json={"username": "x", "password": "y"}).status_code for _ in range(12)]
    assert 429 in statuses


def test_the_accepted_language_is_chosen_per_request(client):
    assert client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).headers["Content-Language"] == "en"
    assert client.get("/", headers={"Accept-Language": "id,en;q=0.5"}).headers["Content-Language"] == "id"
    assert client.get("/").headers["Content-Language"] == "id"


def test_security_headers_once_each_and_a_views_own_value_wins(app, client):
    response = client.get("/")
    for name in ("X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Content-Security-Policy"):
        assert len(response.headers.getlist(name)) == 1, name
    assert set(v.strip() for v in response.headers["Vary"].split(",")) >= {"Accept-Language", "Cookie"}
    assert response.headers["Cache-Control"] == "no-store"
