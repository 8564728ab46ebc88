"""Schemathesis against the real server on loopback: every operation, anonymous and logged in.

The server (werkzeug, threaded) runs in this process on a free port with the rate limits raised
1000× (RATELIMIT_SCALE), so the run measures the API rather than the limiter. Schemathesis (the CLI,
pinned in pyproject.toml) generates requests from /api/v1/openapi.json and checks every answer:
no 5xx, status codes, content types, headers and bodies as documented, TRACE refused with Allow.
Bounded by a fixed number of examples per operation and a fixed seed, so a run is reproducible.
"""
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests
from werkzeug.serving import make_server

from formserver.officers import create_form_admin

from .conftest import PASSWORD, PASSWORD_HASH, Api, make_app
from .test_permohonan import PROFILE, _issue_now, _to_pernyataan, start

CHECKS = ",".join((
    "not_a_server_error", "status_code_conformance", "content_type_conformance", "response_headers_conformance",
    "response_schema_conformance", "unsupported_method", "allow_header_conformance", "missing_required_header",
    "positive_data_acceptance",  # what the document allows is accepted (422 aside: see CONFIG)
    "negative_data_rejection",   # and what it forbids is refused
))
# A step's answers are checked by the form definition's rules, which the OpenAPI document does not
# restate (`values` is any object), so a schema-valid body may still get 422 with messages.
CONFIG = """
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]
"""
MAX_EXAMPLES = 8
SEED = 20261129


@pytest.fixture(scope="module")
def server(tmp_path_factory, smtp, whatsapp):
    app = make_app(tmp_path_factory.mktemp("conformance"), smtp, whatsapp, RATELIMIT_ENABLED=True, RATELIMIT_SCALE=1000)
    app.extensions["formserver"].store.insert_account({
        "id": "acc1", "username": "budi0001", "email": "budi@example.test", "status": "active",
        "password_hash": PASSWORD_HASH, "profile": PROFILE})
    create_form_admin(app.extensions["formserver"].store, "admin1", "admin@example.test", "Admin", PASSWORD)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{httpd.server_port}", issued_document(app)  # one issuance: the runs only read it
    httpd.shutdown()
    thread.join()


def issued_document(app) -> dict:
    """A document issued to the applicant, so the download and verification reach a real one."""
    applicant = Api(app.test_client())
    assert applicant.post("/api/v1/auth/login", {"username": "budi0001", "password": PASSWORD}).status_code == 200
    sid = start(applicant)
    _to_pernyataan(applicant, sid)
    return _issue_now(applicant, sid)["documents"][0]


def session_for(base: str, logged_in: bool | str) -> tuple[str, str, str]:
    """(cookie header, a draft of the caller, a step of it) for a fresh anonymous, applicant's or form
    administrator's (``logged_in="admin1"``) session."""
    http = requests.Session()
    form, step = "registrasi", "skala"
    if logged_in == "admin1":  # the admin API for real, and a registration draft for the applicants' operations
        assert http.post(f"{base}/api/v1/auth/login", json={"username": "admin1", "password": PASSWORD}).status_code == 200
    elif logged_in:
        assert http.post(f"{base}/api/v1/auth/login", json={"username": "budi0001", "password": PASSWORD}).status_code == 200
        form, step = "permohonan", "data_pelaku_usaha"
    created = http.post(f"{base}/api/v1/forms/{form}/submissions")
    assert created.status_code == 201, created.text
    cookie = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
    return cookie, created.json()["id"], step


def run_schemathesis(base: str, document: dict, tmp_path: Path, logged_in: bool) -> subprocess.CompletedProcess:
    cookie, submission_id, step = session_for(base, logged_in)
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        "[parameters]\n"
        f'submission_id = "{submission_id}"\n'
        f'step_key = "{step}"\n'
        'form_id = "registrasi"\n'
        'name = "kampar"\n'
        'version = 1\n'
        'kode = "47111"\n'
        f'document_id = "{document["id"]}"\n'
        f'code = "{document["verify_url"].rsplit("/verifikasi/", 1)[-1]}"\n' + CONFIG)
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "--no-color",
               "run", f"{base}/api/v1/openapi.json", "--checks", CHECKS, "--max-examples", str(MAX_EXAMPLES),
               "--seed", str(SEED), "--phases", "examples,coverage,fuzzing", "--workers", "1",
               "--generation-database", "none", "--no-shrink", "--request-timeout", "30",
               "--header", f"Cookie: {cookie}",
               "--report", "json", "--report-json-path", str(tmp_path / "report.json")]
    # one worker: with two, both threads describe Hypothesis lambdas with ast.parse at once, and CPython 3.11 keeps the
    # AST converter's recursion depth per interpreter, not per thread ("SystemError: AST constructor recursion depth
    # mismatch" in the coverage phase, more often the more operations there are)
    if logged_in:  # logging out would end the session the run is about
        command += ["--exclude-path", "/api/v1/auth/logout"]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=tmp_path)


@pytest.mark.parametrize("logged_in", [False, True, "admin1"], ids=["anonymous", "logged_in", "form_admin"])
def test_every_operation_conforms(server, tmp_path, logged_in):
    _, base, document = server
    result = run_schemathesis(base, document, tmp_path, logged_in)
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
    report = json.loads((tmp_path / "report.json").read_text())
    operations = report["operations"]
    assert operations["tested"] == operations["selected"] == operations["total"] - bool(logged_in)  # all but logout
    assert report["complete"] and not report["failures"] and not report["errors"]
    assert report["test_cases"]["generated"] > 100 * operations["tested"] // 10
