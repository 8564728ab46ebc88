"""The JSON API described as OpenAPI 3, served at /api/v1/openapi.json.

Built from the app's url_map: every route under /api/ is described by the :func:`contract.operation`
its view declares (summary, responses, and the marshmallow schemas that also load its body, query
string and headers). A route without a declaration is missing from the document, and
tests/test_openapi.py fails until it has one.
"""
import re
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, current_app

from .contract import API_PREFIX, SAFE_METHODS, operation, operation_of
from .jsonlimits import MAX_DEPTH
from .schemas import Error

bp = Blueprint("openapi", __name__)

SESSION_COOKIE = "formserver_session"

# Reusable error responses: (status, name, description).
ERRORS = {
    400: ("BadRequest", f"The body is not a JSON object or is nested deeper than {MAX_DEPTH} levels, "
                        "or a parameter is malformed."),
    401: ("Unauthorized", "Wrong username or password."),
    403: ("CrossSite", "A write from another site (Origin or Sec-Fetch-Site) is refused."),
    404: ("NotFound", "No such form, step or region level, or not the caller's submission."),
    409: ("Conflict", "The submission changed since the client read it."),
    413: ("TooLarge", "The body is larger than the configured limit (FORMSERVER_MAX_BODY_BYTES)."),
    415: ("NotJson", "A body was sent in a media type the operation does not accept (JSON unless it says otherwise)."),
    429: ("TooManyRequests", "Rate limit reached, or the account is locked for a while."),
}
WRITE_ERRORS = (403, 413, 415)  # every write under /api/ passes contract.guard_api_write
# The session cookie owns drafts, but a request without it is not refused as such: it owns nothing, so
# owner-only resources answer 404 (as they do to anyone who is not the owner), never 401.
SESSION = [{}, {"session": []}]

# Path parameters by name; an operation may describe its own in operation(path={name: description}).
PATH_PARAMETERS = {
    "form_id": "The form key, e.g. `registrasi`.",
    "submission_id": "The submission id (only the owner's session or account sees it).",
    "step_key": "A step key of the submission's form.",
    "document_id": "The document id.",
    "code": "The code of the verification URL.",
    "kode": "A five-digit KBLI 2020 code, e.g. `47111`.",
}


def json_content(schema) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def ok(description: str, schema) -> dict:
    """A documented response with a JSON body."""
    return {"description": description, **json_content(schema)}


def openapi_path(rule: str) -> str:
    """Flask's /a/<b>/<path:c> as OpenAPI's /a/{b}/{c}."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def _path_parameter(name: str, op) -> dict:
    described = op.path.get(name, PATH_PARAMETERS.get(name))
    if isinstance(described, dict):
        return {"in": "path", "name": name, "required": True, **described}
    return {"in": "path", "name": name, "required": True, "description": described or name,
            "schema": {"type": "string"}}


def _document(op, method: str, rule) -> dict:
    """The OpenAPI operation object of a declaration."""
    out = {"summary": op.summary, "tags": [op.tag], "responses": dict(op.responses)}
    if op.description:
        out["description"] = op.description
    for status in {*op.errors, *(WRITE_ERRORS if method not in SAFE_METHODS else ())}:
        out["responses"].setdefault(str(status), ERRORS[status][0])
    out["responses"] = dict(sorted(out["responses"].items()))
    parameters = [_path_parameter(name, op) for name in re.findall(r"<(?:[^:<>]+:)?([^<>]+)>", rule.rule)]
    if op.query is not None:
        parameters.append({"in": "query", "schema": op.query})
    if op.headers is not None:
        parameters.append({"in": "header", "schema": op.headers})
    if parameters:
        out["parameters"] = parameters
    if op.body is not None:
        out["requestBody"] = {"required": op.body_required,
                              "content": {media: {"schema": op.body} for media in op.body_media_types}}
    if op.security is not None:
        out["security"] = op.security
    return out


def _paths(app) -> dict:
    """Path → operations for every declared route under /api/, in the order routes were added."""
    paths: dict = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIX):
            continue
        op = operation_of(app.view_functions.get(rule.endpoint))
        if op is None:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(openapi_path(rule.rule), {})[method.lower()] = _document(op, method, rule)
    return paths


def _version() -> str:
    try:
        return package_version("formserver")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0.0.0"


def build_spec(app=None) -> dict:
    """The OpenAPI 3.0.3 document of the app's JSON API (built once per app; do not mutate the result)."""
    app = app or current_app
    if "formserver_openapi" not in app.extensions:
        app.extensions["formserver_openapi"] = _build(app)
    return app.extensions["formserver_openapi"]


def _build(app) -> dict:
    spec = APISpec(
        title="formserver API", version=_version(), openapi_version="3.0.3", plugins=[MarshmallowPlugin()],
        info={"description": "The JSON API of the form server, /api/v1. Bodies are JSON only; writes from other "
                             "sites are refused (no CSRF token, no CORS). A draft belongs to the session cookie that "
                             "created it, or to the logged-in account. Messages follow ?lang=id|en, then the session, "
                             "then Accept-Language (Bahasa Indonesia by default)."},
    )
    spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE})
    spec.components.schema("Error", schema=Error)
    for name, description in ERRORS.values():
        spec.components.response(name, {"description": description, **json_content(Error)})
    for path, operations in _paths(app).items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


@bp.get("/api/v1/openapi.json")
@operation("This document", {"200": {"description": "The OpenAPI document.",
                                     "content": {"application/json": {"schema": {"type": "object"}}}}}, tag="meta")
def openapi_json():
    response = current_app.json.response(build_spec())
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response
