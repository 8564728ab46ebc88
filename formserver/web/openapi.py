"""The JSON API described as OpenAPI 3, generated from marshmallow schemas, served at /api/v1/openapi.json.

The schemas here only describe the bodies (the API itself does not load through them). Keep
them next to the views: a new route in api.py needs a path here, and tests/test_openapi.py
fails until it has one.
"""
from functools import cache
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, current_app
from marshmallow import Schema, fields, validate

from ..reference.wilayah import LEVELS

bp = Blueprint("openapi", __name__)

SESSION_COOKIE = "formserver_session"
STEP_STATUSES = ("done", "current", "todo")
SUBMISSION_STATUSES = ("draft", "completed")


def _d(text: str) -> dict:
    """Field metadata with a description."""
    return {"description": text}


def _values(description: str, required: bool = True):
    """A JSON object of answers or computed values, keyed by field key."""
    return fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), required=required,
                       metadata=_d(description))


# -- bodies -------------------------------------------------------------------------------------

class Error(Schema):
    error = fields.String(required=True, metadata=_d("A message for people, in the request's language "
                                                       "(?lang=id|en, the session, then Accept-Language)."))


class StepConflict(Error):
    current_step = fields.String(allow_none=True, metadata=_d(
        "Present when the step cannot be filled in yet: the step to continue from."))


class ValidationErrors(Schema):
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True,
                         metadata=_d("Messages by field path (`field`, `group.0.field`); one or more per path."))


class FormSummary(Schema):
    id = fields.String(required=True, metadata=_d("The form key, e.g. `registrasi`."))
    version = fields.Integer(required=True)
    title = fields.String(required=True, metadata=_d("In the request's language."))


class FormList(Schema):
    forms = fields.List(fields.Nested(FormSummary), required=True)


class Form(Schema):
    id = fields.String(required=True)
    version = fields.Integer(required=True)
    definition = fields.Dict(required=True, metadata=_d(
        "The form definition as published (docs/FORMAT.md; JSON Schema at /schema/form.json)."))


class StepInfo(Schema):
    key = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STEP_STATUSES))


class Account(Schema):
    username = fields.String(required=True)


class Submission(Schema):
    id = fields.String(required=True)
    form_id = fields.String(required=True)
    form_version = fields.Integer(required=True, metadata=_d("The definition version the draft is pinned to."))
    status = fields.String(required=True, validate=validate.OneOf(SUBMISSION_STATUSES))
    current_step = fields.String(required=True, allow_none=True, metadata=_d(
        "The first step still to fill in; null once the submission is completed."))
    steps = fields.List(fields.Nested(StepInfo), required=True, metadata=_d("The steps on this submission's path."))
    version = fields.Integer(required=True, metadata=_d(
        "Bumped on every change; send it back (body `version` or If-Match) to refuse stale writes."))


class SubmissionDetail(Submission):
    data = _values("The stored answers (never passwords).")
    computed = _values("The values of computed fields.")
    account = fields.Nested(Account, allow_none=True, metadata=_d(
        "Only when the submission belongs to an account (null if that account is gone)."))


class StepPut(Schema):
    values = _values("The step's answers by field key; hidden fields are ignored.")
    version = fields.Integer(metadata=_d("The submission version the client read; a newer one gives 409."))


class StepSaved(Schema):
    next_step = fields.String(required=True, allow_none=True, metadata=_d("null once the submission is completed."))
    computed = _values("The values of computed fields.")
    status = fields.String(required=True, validate=validate.OneOf(SUBMISSION_STATUSES))
    version = fields.Integer(required=True)
    account = fields.Nested(Account, metadata=_d("Present when the submission belongs to an account "
                                                 "(e.g. right after the registration created it)."))


class PreviewRequest(Schema):
    values = _values("The step's answers not yet saved.")


class Option(Schema):
    value = fields.Raw(required=True)
    label = fields.String(required=True)


class FieldPreview(Schema):
    visible = fields.Boolean(required=True)
    required = fields.Boolean(required=True)
    options = fields.List(fields.Nested(Option), required=True, allow_none=True,
                          metadata=_d("The choices available now; null for fields without choices."))


class Preview(Schema):
    fields_ = fields.Dict(keys=fields.String(), values=fields.Nested(FieldPreview), required=True, data_key="fields",
                          metadata=_d("The state of the step's fields by field path."))
    computed = _values("The values of computed fields for these answers.")


class Sent(Schema):
    sent = fields.Boolean(required=True)


class Login(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1), metadata=_d("Username or e-mail."))
    password = fields.String(required=True, validate=validate.Length(min=1))


class LoginOk(Schema):
    username = fields.String(required=True)


class LoggedOut(Schema):
    logged_out = fields.Boolean(required=True)


class WilayahItem(Schema):
    kode = fields.String(required=True, metadata=_d("Kemendagri code, e.g. `14.01`."))
    nama = fields.String(required=True)


class WilayahList(Schema):
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    parent = fields.String(required=True, allow_none=True)
    items = fields.List(fields.Nested(WilayahItem), required=True, metadata=_d("Sorted by name."))


class KbliItem(Schema):
    kode = fields.String(required=True, metadata=_d("Five-digit KBLI 2020 code, e.g. `47111`."))
    judul = fields.String(required=True)
    kategori = fields.String(required=True, metadata=_d("KBLI kategori letter, A–U."))
    score = fields.Integer(required=True, metadata=_d("Higher is a better match; ties are in code order."))


class KbliList(Schema):
    q = fields.String(required=True)
    items = fields.List(fields.Nested(KbliItem), required=True, metadata=_d("Best match first."))


class KbliRisk(Schema):
    tingkat_risiko = fields.String(required=True, allow_none=True, metadata=_d(
        "RENDAH, MENENGAH_RENDAH, MENENGAH_TINGGI or TINGGI; null when no table row states it."))
    known = fields.Boolean(required=True, metadata=_d("False: the risk is not known and must not be issued."))
    regulation = fields.String(required=True, allow_none=True)
    table_id = fields.String(required=True, allow_none=True)
    sumber_url = fields.String(required=True, allow_none=True, metadata=_d("Where the row's value comes from."))
    perizinan_berusaha = fields.String(required=True, allow_none=True)
    kewajiban_sni = fields.String(required=True, allow_none=True, metadata=_d("yes, no or unknown."))


class KbliRiskByScale(Schema):
    MIKRO = fields.Nested(KbliRisk, required=True)
    KECIL = fields.Nested(KbliRisk, required=True)
    MENENGAH = fields.Nested(KbliRisk, required=True)
    BESAR = fields.Nested(KbliRisk, required=True)


class RiskTableRef(Schema):
    id = fields.String(required=True)
    regulation = fields.String(required=True)
    effective = fields.String(required=True, metadata=_d("ISO date the table applies from."))


class KbliDetail(Schema):
    kode = fields.String(required=True)
    judul = fields.String(required=True)
    uraian = fields.String(required=True)
    kategori = fields.String(required=True)
    perizinan_tunggal = fields.Boolean(required=True, metadata=_d("SNI/Halal questions apply (office default)."))
    perizinan_tunggal_sumber = fields.String(required=True)
    risiko = fields.Nested(KbliRiskByScale, required=True, metadata=_d("Under the table in force today."))
    table = fields.Nested(RiskTableRef, required=True, allow_none=True, metadata=_d("The table in force today."))


class IssuedDocument(Schema):
    id = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf(("NIB", "SERTIFIKAT_STANDAR", "PERNYATAAN_MANDIRI", "SPPL")))
    number = fields.String(required=True)
    status = fields.String(required=True, metadata=_d("VALID, REVOKED or MENUNGGU_PERSETUJUAN_LINGKUNGAN."))
    url = fields.String(required=True, metadata=_d("The signed PDF (owner and officers only)."))
    verify_url = fields.String(required=True, metadata=_d("The public verification page the QR code opens."))


class Issuance(Schema):
    status = fields.String(required=True, metadata=_d("TERBIT, MENUNGGU_PERSETUJUAN_LINGKUNGAN, ..."))
    nib = fields.String(required=True, metadata=_d("13 digits, the last a check digit."))
    documents = fields.List(fields.Nested(IssuedDocument), required=True)


class SubmitRequest(Schema):
    values = fields.Dict(metadata=_d("The last step's answers; default {\"setuju_terbitkan\": true}."))


class VerificationResult(Schema):
    valid = fields.Boolean(required=True)
    status = fields.String(required=True, metadata=_d("VALID, REVOKED, MENUNGGU_PERSETUJUAN_LINGKUNGAN, ALTERED or UNKNOWN."))
    type = fields.String()
    number = fields.String()
    issued_at = fields.String()
    holder = fields.String(metadata=_d("The holder's name, masked."))
    kbli = fields.List(fields.String())


class TimelineEvent(Schema):
    at = fields.String(required=True)
    type = fields.String(required=True, metadata=_d("submission.created, submission.step_saved or application.status."))
    actor = fields.String(required=True)
    from_ = fields.String(data_key="from", metadata=_d("The old status (application.status)."))
    to = fields.String(metadata=_d("The new status (application.status)."))
    step = fields.String()


class Timeline(Schema):
    id = fields.String(required=True)
    events = fields.List(fields.Nested(TimelineEvent), required=True)


SCHEMAS = (Error, StepConflict, ValidationErrors, FormSummary, FormList, Form, StepInfo, Account, Submission,
           SubmissionDetail, StepPut, StepSaved, PreviewRequest, Option, FieldPreview, Preview, Sent, Login,
           LoginOk, LoggedOut, WilayahItem, WilayahList, KbliItem, KbliList, KbliRisk, KbliRiskByScale,
           RiskTableRef, KbliDetail, IssuedDocument, Issuance, SubmitRequest, VerificationResult, TimelineEvent,
           Timeline)


# -- operations ---------------------------------------------------------------------------------

# Reusable error responses: (status, name, description).
ERRORS = {
    400: ("BadRequest", "The body is not a JSON object, or a parameter is malformed."),
    401: ("Unauthorized", "Wrong username or password."),
    403: ("CrossSite", "A write from another site (Origin or Sec-Fetch-Site) is refused."),
    404: ("NotFound", "No such form, step or region level, or not the caller's submission."),
    409: ("Conflict", "The submission changed since the client read it."),
    413: ("TooLarge", "The body is larger than the configured limit (FORMSERVER_MAX_BODY_BYTES)."),
    415: ("NotJson", "A body was sent that is not application/json."),
    429: ("TooManyRequests", "Rate limit reached, or the account is locked for a while."),
}
WRITE_ERRORS = (403, 413, 415)  # every POST/PUT goes through the blueprint's same-origin / JSON check


def _json(schema) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _ok(description: str, schema) -> dict:
    return {"description": description, **_json(schema)}


def _path_param(name: str, description: str, **schema) -> dict:
    return {"in": "path", "name": name, "required": True, "description": description,
            "schema": {"type": "string", **schema}}


FORM_ID = _path_param("form_id", "The form key, e.g. `registrasi`.")
SUBMISSION_ID = _path_param("submission_id", "The submission id (only the owner's session or account sees it).")
STEP_KEY = _path_param("step_key", "A step key of the submission's form.")
SESSION = [{"session": []}]


def _operation(summary: str, responses: dict, *, errors=(), write=False, body=None, body_required=True,
               parameters=(), security=None, tag="submissions", description=None) -> dict:
    op = {"summary": summary, "tags": [tag], "responses": dict(responses)}
    if description:
        op["description"] = description
    for status in {*errors, *(WRITE_ERRORS if write else ())}:
        op["responses"].setdefault(str(status), ERRORS[status][0])
    op["responses"] = dict(sorted(op["responses"].items()))
    if parameters:
        op["parameters"] = list(parameters)
    if body is not None:
        op["requestBody"] = {"required": body_required, **_json(body)}
    if security is not None:
        op["security"] = security
    return op


def _paths() -> dict:
    """Path → operations, in the order of api.py."""
    return {
        "/api/v1/forms": {"get": _operation(
            "The published forms", {"200": _ok("The forms.", FormList)}, tag="forms")},
        "/api/v1/forms/{form_id}": {"get": _operation(
            "A form definition", {"200": _ok("The form.", Form)}, errors=(404,), parameters=[FORM_ID], tag="forms")},
        "/api/v1/forms/{form_id}/submissions": {"post": _operation(
            "Start a draft of the form",
            {"201": _ok("The new draft; the response sets the session cookie that owns it.", Submission)},
            errors=(400, 404, 429), write=True, parameters=[FORM_ID], security=[{}, *SESSION],
            body={"type": "object"}, body_required=False,
            description="No body is needed; if one is sent it must be a JSON object. 30 per minute per address.")},
        "/api/v1/submissions/{submission_id}": {"get": _operation(
            "A submission with its answers", {"200": _ok("The submission.", SubmissionDetail)},
            errors=(404,), parameters=[SUBMISSION_ID], security=SESSION)},
        "/api/v1/submissions/{submission_id}/steps/{step_key}": {"put": _operation(
            "Save a step",
            {"200": _ok("Saved; the step's action (if any) ran.", StepSaved),
             "409": _ok("The version is stale, or the step cannot be filled in yet (then `current_step` says "
                        "where to continue).", StepConflict),
             "422": _ok("The answers are not valid, or the body is not `{\"values\": {...}}`.", ValidationErrors)},
            errors=(400, 404, 429), write=True, body=StepPut, security=SESSION,
            parameters=[SUBMISSION_ID, STEP_KEY,
                        {"in": "header", "name": "If-Match", "required": False, "schema": {"type": "string"},
                         "description": "The expected submission version (quoted or not); wins over the body's "
                                        "`version`."}],
            description="Validates the step's answers on the server, runs its action, stores them and moves "
                        "the draft on. Without a version no staleness check is made, but a save that races another "
                        "write to the same submission still gets 409. 120 per minute per address.")},
        "/api/v1/submissions/{submission_id}/steps/{step_key}/preview": {"post": _operation(
            "The fields' state for answers not yet saved",
            {"200": _ok("Visibility, requiredness, choices and computed values.", Preview)},
            errors=(400, 404, 429), write=True, body=PreviewRequest, security=SESSION,
            parameters=[SUBMISSION_ID, STEP_KEY],
            description="Nothing is stored. 600 per minute per address.")},
        "/api/v1/submissions/{submission_id}/resend-code": {"post": _operation(
            "Send the registration's verification code again",
            {"200": _ok("Sent.", Sent),
             "409": _ok("There is no contact waiting for verification.", Error)},
            errors=(404, 429), write=True,
            parameters=[SUBMISSION_ID], security=SESSION,
            description="Only for a `registrasi` draft waiting for its contact to be verified. 5 per minute.")},
        "/api/v1/auth/login": {"post": _operation(
            "Log in",
            {"200": _ok("Logged in; the response sets a new session cookie.", LoginOk),
             "422": _ok("Username or password missing.", ValidationErrors),
             "429": {"description": "Rate limit reached (10 per minute), or the account is locked after too "
                                    "many failed attempts.",
                     "headers": {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}},
                     **_json(Error)}},
            errors=(400, 401), write=True, body=Login, tag="auth")},
        "/api/v1/auth/logout": {"post": _operation(
            "Log out", {"200": _ok("The session is cleared.", LoggedOut)}, write=True, tag="auth")},
        "/api/v1/reference/wilayah/{level}": {"get": _operation(
            "Indonesian administrative regions of a level",
            {"200": _ok("The regions under the parent (cacheable for a day).", WilayahList)},
            errors=(400, 404), tag="reference",
            parameters=[_path_param("level", "The region level; any other gives 404.", enum=list(LEVELS)),
                        {"in": "query", "name": "parent", "required": False,
                         "schema": {"type": "string", "maxLength": 20},
                         "description": "The parent region's code; required for every level but provinsi."}])},
        "/api/v1/reference/kbli": {"get": _operation(
            "Search KBLI 2020 codes",
            {"200": _ok("Matches by code prefix and/or title words (cacheable for an hour).", KbliList)},
            errors=(400,), tag="reference",
            parameters=[{"in": "query", "name": "q", "required": False, "schema": {"type": "string", "maxLength": 100},
                         "description": "Digits match code prefixes, words match title word prefixes; empty gives no items."},
                        {"in": "query", "name": "limit", "required": False,
                         "schema": {"type": "integer", "minimum": 1, "default": 20},
                         "description": "At most this many items; values above 50 give 50."}])},
        "/api/v1/reference/kbli/{kode}": {"get": _operation(
            "One KBLI code with its risk per scale",
            {"200": _ok("The code, its perizinan_tunggal flag and the risk table in force.", KbliDetail)},
            errors=(404,), tag="reference",
            parameters=[_path_param("kode", "A five-digit KBLI 2020 code, e.g. `47111`.")])},
        "/api/v1/submissions/{submission_id}/submit": {"post": _operation(
            "Issue the application",
            {"200": _ok("Issued (or issued before: the same NIB and documents).", Issuance),
             "409": _ok("Steps are missing, or the form issues no documents.", StepConflict),
             "422": _ok("The last step's answers are not valid.", ValidationErrors)},
            errors=(400, 404, 429), write=True, body=SubmitRequest, body_required=False,
            parameters=[SUBMISSION_ID], security=SESSION,
            description="Runs the last step with its server action. Exactly once: repeating it, or racing it, "
                        "returns the same NIB and documents.")},
        "/api/v1/submissions/{submission_id}/timeline": {"get": _operation(
            "The application's tracking timeline", {"200": _ok("Status changes and saved steps.", Timeline)},
            errors=(404,), parameters=[SUBMISSION_ID], security=SESSION)},
        "/api/v1/documents/{document_id}": {"get": _operation(
            "An issued document as a signed PDF",
            {"200": {"description": "The PDF (PAdES-signed).", "content": {"application/pdf": {
                "schema": {"type": "string", "format": "binary"}}}}},
            errors=(404,), parameters=[_path_param("document_id", "The document id.")], security=SESSION,
            tag="documents", description="For the applicant who owns it and for officers; others get 404.")},
        "/api/v1/verify/{code}": {"get": _operation(
            "Verify a document's code (from its QR code)",
            {"200": _ok("Known: genuine and valid, revoked, waiting, or altered.", VerificationResult),
             "404": _ok("Unknown or forged code.", VerificationResult)},
            errors=(429,), parameters=[_path_param("code", "The code of the verification URL.")], tag="documents")},
        "/api/v1/openapi.json": {"get": _operation(
            "This document", {"200": {"description": "The OpenAPI document.",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}},
            tag="meta")},
    }


def _version() -> str:
    try:
        return package_version("formserver")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0.0.0"


@cache
def build_spec() -> dict:
    """The OpenAPI 3.0.3 document of the JSON API (built once; do not mutate the result)."""
    spec = APISpec(
        title="formserver API", version=_version(), openapi_version="3.0.3", plugins=[MarshmallowPlugin()],
        info={"description": "The JSON API of the form server, /api/v1. Bodies are JSON only; writes from other "
                             "sites are refused (no CSRF token, no CORS). A draft belongs to the session cookie that "
                             "created it, or to the logged-in account. Messages follow ?lang=id|en, then the session, "
                             "then Accept-Language (Bahasa Indonesia by default)."},
    )
    spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE})
    for schema in SCHEMAS:
        spec.components.schema(schema.__name__, schema=schema)
    for name, description in ERRORS.values():
        spec.components.response(name, {"description": description, **_json(Error)})
    for path, operations in _paths().items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


@bp.get("/api/v1/openapi.json")
def openapi_json():
    response = current_app.json.response(build_spec())
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response
