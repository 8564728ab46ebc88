"""What every API request passes before a view: same origin, accepted media types, bounded JSON depth, methods."""
import re

import pytest

from formserver.web import contract, jsonlimits

from .conftest import PASSWORD, register_via_api
from .test_permohonan import applicant, start

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def api_writes(app):
    """(method, url, accepted media types) of every write route under /api/, path arguments filled in."""
    out = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(contract.API_PREFIX):
            continue
        url = re.sub(r"<[^>]+>", "x", re.sub(r"<int:[^>]+>", "1", rule.rule))  # a number where a route wants one
        op = contract.operation_of(app.view_functions[rule.endpoint])
        accepted = op.body_media_types if op is not None and op.body is not None else (contract.JSON,)
        out.extend((method, url, accepted) for method in sorted(rule.methods & WRITE_METHODS))
    return out


def test_the_enumeration_sees_the_api_writes(app):
    writes = {(method, url) for method, url, _ in api_writes(app)}
    assert ("POST", "/api/v1/submissions/x/submit") in writes  # in the documents blueprint, not the api one
    assert ("PUT", "/api/v1/submissions/x/steps/x") in writes
    assert ("POST", "/api/v1/auth/login") in writes


@pytest.mark.parametrize("headers", [{"Origin": "https://evil.example"}, {"Origin": "null"},
                                     {"Sec-Fetch-Site": "cross-site"}])
def test_every_api_write_refuses_other_sites(app, client, headers):
    for method, url, _ in api_writes(app):
        response = client.open(url, method=method, json={}, headers=headers)
        assert response.status_code == 403, f"{method} {url}: {response.status_code}"
        assert "situs lain" in response.get_json()["error"]


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data"])
def test_every_api_write_refuses_bodies_it_does_not_accept(app, client, content_type):
    """A cross-site HTML form can send only these three; the API accepts JSON (or what an operation declares)."""
    for method, url, accepted in api_writes(app):
        if content_type in accepted:
            continue
        body = "setuju_terbitkan=1" if content_type != "multipart/form-data" else "--b\r\n\r\n--b--\r\n"
        response = client.open(url, method=method, data=body,
                               headers={"Content-Type": content_type + ("; boundary=b" if "multipart" in content_type else "")})
        assert response.status_code == 415, f"{method} {url}: {response.status_code}"
        # even an empty body: an HTML form always names its media type
        response = client.open(url, method=method, data=b"", headers={"Content-Type": content_type})
        assert response.status_code == 415, f"{method} {url} (empty): {response.status_code}"


def test_a_same_site_write_still_works(client):
    response = client.post("/api/v1/forms/registrasi/submissions", headers={"Origin": "http://localhost",
                                                                            "Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 201


def test_a_cross_site_form_cannot_issue(applicant):
    """The submit route used to read any body: a form post from another site issued the documents."""
    sid = start(applicant)
    response = applicant.client.post(f"/api/v1/submissions/{sid}/submit", data={"setuju_terbitkan": "1"})
    assert response.status_code == 415
    assert applicant.get(f"/api/v1/submissions/{sid}").get_json()["status"] == "draft"


# -- JSON depth -----------------------------------------------------------------------------------

def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_depth_counts_brackets_outside_strings():
    assert not jsonlimits.too_deep(nested(jsonlimits.MAX_DEPTH))
    assert jsonlimits.too_deep(nested(jsonlimits.MAX_DEPTH + 1))
    assert not jsonlimits.too_deep('["' + "[" * 5000 + '"]')
    assert not jsonlimits.too_deep('["\\"' + "{" * 5000 + '"]')  # an escaped quote does not end the string
    assert not jsonlimits.too_deep("[]" * 5000)  # many, but side by side
    assert jsonlimits.too_deep('{"a": ' + nested(100) + "}")


def test_every_json_write_refuses_deep_nesting_with_a_400(app, client):
    """Depth 1,000+ was a RecursionError, a 500, on every JSON endpoint."""
    body = '{"values": {"a": ' + nested(5000) + "}}"
    from formserver.officers import create_form_admin  # so the admin API reads its bodies too (others get 403)
    create_form_admin(app.extensions["formserver"].store, "admin1", "a1@example.test", "Admin", PASSWORD)
    assert client.post("/api/v1/auth/login", json={"username": "admin1", "password": PASSWORD}).status_code == 200
    for method, url, accepted in api_writes(app):
        op = contract.operation_of(app.view_functions[app.url_map.bind("localhost").match(url, method)[0]])
        if op is None or op.body is None or contract.JSON not in accepted:
            continue  # a write without a body never parses one
        response = client.open(url, method=method, data=body, content_type="application/json")
        assert response.status_code == 400, f"{method} {url}: {response.status_code}"
        assert "64" in response.get_json()["error"]
    english = client.post("/api/v1/auth/login?lang=en", data=body, content_type="application/json").get_json()
    assert english == {"error": "The JSON data is nested too deeply (at most 64 levels)."}


def test_depth_within_the_limit_reaches_the_view(client):
    inner = nested(jsonlimits.MAX_DEPTH - 2)
    response = client.post("/api/v1/auth/login", data='{"username": ' + inner + ', "password": "x"}',
                           content_type="application/json")
    assert response.status_code == 422 and "username" in response.get_json()["errors"]


# -- methods, versions, parameters ------------------------------------------------------------------

def test_trace_is_405_with_allow(client):
    for url in ("/api/v1/forms", "/api/v1/auth/login", "/api/v1/submissions/x/steps/y"):
        response = client.open(url, method="TRACE")
        assert response.status_code == 405
        assert response.headers["Allow"] and "TRACE" not in response.headers["Allow"]
        assert set(response.get_json()) == {"error"}


def test_if_match_star_saves_whatever_the_version(api, client):
    sid = api.post("/api/v1/forms/registrasi/submissions").get_json()["id"]
    url = f"/api/v1/submissions/{sid}/steps/skala"
    assert client.put(url, json={"values": {"skala_usaha": "UMK"}}, headers={"If-Match": "*"}).status_code == 200
    assert client.put(url, json={"values": {"skala_usaha": "UMK"}}, headers={"If-Match": '"0"'}).status_code == 409
    assert client.put(url, json={"values": {"skala_usaha": "UMK"}}, headers={"If-Match": "W/abc"}).status_code == 400
    version = client.get(f"/api/v1/submissions/{sid}").get_json()["version"]
    assert client.put(url, json={"values": {"skala_usaha": "UMK"}},
                      headers={"If-Match": f'"{version}"'}).status_code == 200


def test_documented_parameter_ranges_are_accepted(client):
    assert len(client.get("/api/v1/reference/kbli?q=industri&limit=9999999").get_json()["items"]) == 50
    assert client.get("/api/v1/reference/kbli?limit=0").status_code == 400
    assert client.get("/api/v1/reference/wilayah/provinsi").status_code == 200
    assert client.get("/api/v1/reference/wilayah/kecamatan?parent=14.01").get_json()["items"]
    missing = client.get("/api/v1/reference/wilayah/kecamatan?lang=en")
    assert missing.status_code == 400 and "parent" in missing.get_json()["error"]


def test_body_errors_are_bilingual(client):
    body = client.post("/api/v1/auth/login?lang=en", json={"username": "budi", "extra": 1}).get_json()
    assert body == {"errors": {"password": ["Required."], "extra": ["Unknown field."]}}
    body = client.post("/api/v1/auth/login?lang=id", json={"username": "budi", "password": ""}).get_json()
    assert body == {"errors": {"password": ["Wajib diisi."]}}


def test_login_still_works(api, smtp):
    _, final = register_via_api(api, smtp)
    response = api.post("/api/v1/auth/login", {"username": final["account"]["username"], "password": PASSWORD})
    assert response.status_code == 200


def test_rate_limits_scale_with_the_setting(tmp_path, smtp, whatsapp):
    """RATELIMIT_SCALE raises every fixed limit (the conformance run uses it); 1 keeps the limits as written."""
    from .conftest import make_app
    client = make_app(tmp_path, smtp, whatsapp, RATELIMIT_ENABLED=True, RATELIMIT_SCALE=2).test_client()
    statuses = [client.post("/api/v1/auth/login", json={"username": f"u{i}", "password": "x"}).status_code
                for i in range(21)]
    assert statuses[:20] == [401] * 20 and statuses[20] == 429


def test_an_html_field_name_nested_too_deep_is_ignored_not_a_500(client):
    """Dotted names become nested answers; thousands of segments were a RecursionError."""
    sid = client.post("/api/v1/forms/registrasi/submissions").get_json()["id"]
    page = client.get(f"/isian/{sid}/skala").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    for name in ("skala_usaha" + ".0" * 5000, "x" + ".a" * 5000):
        response = client.post(f"/isian/{sid}/skala", data={name: "x", "csrf_token": token})
        assert response.status_code < 500
        assert response.status_code in (200, 302, 303, 400, 422)


def test_a_bad_query_parameter_is_named_once(client):
    assert client.get("/api/v1/reference/kbli?limit=0&lang=en").get_json() == {"error": "limit must be a positive whole number."}
    assert client.get("/api/v1/reference/wilayah/kecamatan?lang=en").get_json() == {"error": "parent: Required."}
