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
