"""The OpenAPI document: a valid OpenAPI 3.0 document that covers every /api/v1 route."""
import re

import pytest
from openapi_spec_validator import validate

from formserver import create_app
from formserver.web import openapi

IGNORED_METHODS = {"HEAD", "OPTIONS"}


@pytest.fixture
def app(tmp_path):
    return create_app({"DATA_DIR": str(tmp_path), "CAPTCHA": False, "SESSION_COOKIE_SECURE": False, "TESTING": True})


_openapi_path = openapi.openapi_path


def test_document_is_valid_openapi(app):
    spec = openapi.build_spec(app)
    validate(spec)
    assert spec["openapi"] == "3.0.3"
    assert spec["info"]["title"] == "formserver API"


def test_every_api_route_is_described(app):
    paths = openapi.build_spec(app)["paths"]
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")]
    assert rules
    missing = []
    for rule in rules:
        path = _openapi_path(rule.rule)
        for method in sorted(rule.methods - IGNORED_METHODS):
            if method.lower() not in paths.get(path, {}):
                missing.append(f"{method} {path}")
    assert not missing, f"routes missing from the OpenAPI document: {missing}"


def test_described_paths_exist(app):
    """No stale path: everything the document describes is a route of the app."""
    routes = {_openapi_path(rule.rule) for rule in app.url_map.iter_rules()}
    assert set(openapi.build_spec(app)["paths"]) <= routes


def test_path_parameters_match_rules(app):
    for path, operations in openapi.build_spec(app)["paths"].items():
        names = set(re.findall(r"{([^}]+)}", path))
        for method, operation in operations.items():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == names, f"{method.upper()} {path}"


def test_served_document(app):
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == openapi.build_spec(app)


def test_schemas_match_real_responses(app):
    """The documented response bodies hold for what the API really answers."""
    from openapi_schema_validator import OAS30Validator  # installed with openapi-spec-validator

    spec = openapi.build_spec(app)

    def check(body, schema_name):
        """Validate against a component schema; its $refs resolve inside this wrapper document."""
        schema = {"$ref": f"#/components/schemas/{schema_name}", "components": spec["components"]}
        OAS30Validator(schema).validate(body)

    client = app.test_client()
    check(client.get("/api/v1/forms").get_json(), "FormList")
    check(client.get("/api/v1/forms/registrasi").get_json(), "Form")
    check(client.get("/api/v1/forms/nope").get_json(), "Error")
    created = client.post("/api/v1/forms/registrasi/submissions")
    assert created.status_code == 201
    check(created.get_json(), "Submission")
    sid = created.get_json()["id"]
    check(client.get(f"/api/v1/submissions/{sid}").get_json(), "SubmissionDetail")
    saved = client.put(f"/api/v1/submissions/{sid}/steps/skala", json={"values": {"skala_usaha": "UMK"}})
    assert saved.status_code == 200
    check(saved.get_json(), "StepSaved")
    invalid = client.put(f"/api/v1/submissions/{sid}/steps/jenis_pelaku", json={"values": {}})
    assert invalid.status_code == 422
    check(invalid.get_json(), "ValidationErrors")
    stale = client.put(f"/api/v1/submissions/{sid}/steps/skala", json={"values": {"skala_usaha": "UMK"}, "version": 0})
    assert stale.status_code == 409
    check(stale.get_json(), "StepConflict")
    preview = client.post(f"/api/v1/submissions/{sid}/steps/jenis_pelaku/preview", json={"values": {}})
    assert preview.status_code == 200
    check(preview.get_json(), "Preview")
    check(client.get("/api/v1/reference/wilayah/provinsi").get_json(), "WilayahList")
    check(client.get("/api/v1/reference/wilayah/kabupaten?parent=14").get_json(), "WilayahList")
    check(client.post("/api/v1/auth/logout").get_json(), "LoggedOut")
