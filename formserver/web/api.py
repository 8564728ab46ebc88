"""The JSON API, /api/v1. Only JSON bodies and same-origin requests: no CSRF token needed, no CORS.

Every view declares itself with contract.operation: the schemas there load its request and document it.
"""
from flask import Blueprint, abort, current_app, jsonify, request, session
from flask_limiter.util import get_remote_address

from .. import attachments
from ..accounts import auth
from ..actions import resend_of
from ..i18n import gettext, text
from ..submissions import AccessDenied, Conflict, Locked, StepNotReachable
from . import captcha, services
from . import schemas as s
from .contract import operation
from .errors import error_response
from .extensions import actor, limiter
from .openapi import SESSION, json_content, ok
from .sessions import renew
from .views_common import current_account, owned_submission, public_data, step_list, version_notice

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def submission_json(doc: dict, with_data: bool = False) -> dict:
    svc = services()
    state = svc.submissions.state(doc)
    out = {"id": doc["id"], "form_id": doc["form_id"], "form_version": doc["form_version"],
           "status": doc["status"], "current_step": svc.submissions.first_open_step(doc, state)
           if doc["status"] == "draft" else None,
           "steps": step_list(doc, state), "version": doc["version"]}
    if doc["meta"].get("ticket"):
        out["ticket"] = doc["meta"]["ticket"]
    notice = version_notice(doc)
    if notice:
        out["version_notice"] = notice
    if with_data:
        form = svc.submissions.form_of(doc)
        out["data"] = public_data(form, doc["data"])
        out["computed"] = state.computed
        if doc["meta"].get("account_id"):
            account = svc.store.get_account(doc["meta"]["account_id"])
            out["account"] = {"username": account["username"]} if account else None
    return out


@bp.get("/forms")
@operation("The published forms", {"200": ok("The forms.", s.FormList)}, tag="forms")
def list_forms():
    return jsonify({"forms": [{"id": f.key, "version": f.version, "title": text(f.title)} for f in services().forms]})


@bp.get("/forms/<form_id>")
@operation("A form definition", {"200": ok("The form.", s.Form)}, errors=(404,), tag="forms")
def get_form(form_id):
    if form_id not in services().forms:
        abort(404)
    form = services().forms.get(form_id)
    return jsonify({"id": form.key, "version": form.version, "definition": form.spec})


@bp.post("/forms/<form_id>/submissions")
@limiter.limit("30 per minute")
@operation("Start a draft of the form",
           {"201": ok("The new draft; the response sets the session cookie that owns it.", s.Submission)},
           errors=(400, 401, 404, 429), body=s.NewSubmission, body_required=False, security=SESSION,
           description="No body is needed; if one is sent it must be a JSON object. 30 per minute per address. "
                       "401 when the form needs a logged-in account.")
def create_submission(form_id, body):
    if form_id not in services().forms:
        abort(404)
    try:
        doc = services().submissions.create(services().forms.get(form_id), actor(), current_account())
    except AccessDenied as denied:
        if denied.login_needed:
            return error_response(401, gettext("Masuk terlebih dahulu untuk mengisi formulir ini."))
        return error_response(403, denied.message)
    return jsonify(submission_json(doc)), 201


@bp.get("/submissions/<submission_id>")
@operation("A submission with its answers", {"200": ok("The submission.", s.SubmissionDetail)},
           errors=(404,), security=SESSION)
def get_submission(submission_id):
    response = jsonify(submission_json(owned_submission(submission_id), with_data=True))
    response.set_etag(str(response.json["version"]))  # the revision: send it back as If-Match
    return response


@bp.url_value_preprocessor
def _room_for_attachments(endpoint, values):
    """A step whose questions take files, saved through the API, carries each file base64-encoded in its JSON body:
    that body may be larger than the JSON limit by one attachment's allowance per such question (set before anything
    reads the body). Each file's own size and kind are checked by its field type (422); a body larger still is 413."""
    if endpoint != "api.put_step" or request.method != "PUT":
        return
    doc = services().store.get_submission(values.get("submission_id", ""))
    step = services().submissions.form_of(doc).steps_by_key.get(values.get("step_key")) if doc else None
    files = sum(1 for field in step.fields if field.kind.upload) if step else 0
    if files:
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        request.max_content_length = limit + files * attachments.JSON_ALLOWANCE
        if request.content_length and request.content_length > request.max_content_length:
            abort(error_response(413, attachments.TOO_BIG_BODY.format(rest=limit // 1024)))


def expected_version(body: dict, headers: dict):
    """If-Match (a version, quoted or not; `*` for any), else the body's version, else None: no check."""
    raw = headers.get("if_match", "").strip().strip('"')
    if raw == "*":
        return None
    return int(raw) if raw else body.get("version")


@bp.put("/submissions/<submission_id>/steps/<step_key>")
@limiter.limit("120 per minute")
@operation("Save a step",
           {"200": ok("Saved; the step's action (if any) ran.", s.StepSaved),
            "409": ok("The version is stale, or the step cannot be filled in yet (then `current_step` says "
                      "where to continue).", s.StepConflict),
            "422": ok("The answers are not valid, or the body is not `{\"values\": {...}}`.", s.ValidationErrors),
            "429": {"description": "Rate limit reached (120 per minute), or the step's action reached a limit: "
                                   "verification codes to one recipient (3 in 10 minutes, 10 a day) or from one "
                                   "address, or wrong codes for one recipient (5 an hour).",
                    "headers": {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}},
                    **json_content(s.LimitReached)}},
           errors=(400, 404), body=s.StepPut, headers=s.IfMatch, security=SESSION,
           description="Validates the step's answers on the server, runs its action, stores them and moves "
                       "the draft on. Without a version no staleness check is made, but a save that races another "
                       "write to the same submission still gets 409. 120 per minute per address. A file question "
                       "(type `attachment`) takes `{\"name\", \"content_type\", \"data\": base64}` (a PDF, PNG or "
                       "JPEG of 2 MB at most, its kind read from its bytes): a step with such questions may send a "
                       "body larger than the JSON limit by one base64-encoded file per question; a file too large "
                       "or not what its name or type says is 422 on that question, a body larger still 413.")
def put_step(submission_id, step_key, body, headers):
    doc = owned_submission(submission_id)
    svc = services()
    if step_key not in svc.submissions.form_of(doc).steps_by_key:
        abort(404)
    try:
        result = svc.submissions.save_step(doc, step_key, body["values"], actor(), expected_version(body, headers))
    except Conflict:
        return error_response(409)
    except StepNotReachable as error:
        return error_response(409, gettext("Langkah ini belum dapat diisi."),
                              current_step=error.current_step)
    except Locked as locked:
        return error_response(409, locked.message)
    if not result.ok:
        if result.retry_after:  # a limit was reached (verification codes): 429, and when to come back
            first = next(iter(result.errors.values()))[0]
            return (jsonify({"error": first, "errors": result.errors}), 429,
                    {"Retry-After": str(result.retry_after)})
        return jsonify({"errors": result.errors}), 422
    saved = result.submission
    state = svc.submissions.state(saved)
    out = {"next_step": saved["current_step"] if saved["status"] == "draft" else None,
           "computed": state.computed, "status": saved["status"], "version": saved["version"]}
    account = svc.store.get_account(saved["meta"]["account_id"]) if saved["meta"].get("account_id") else None
    if account:
        out["account"] = {"username": account["username"]}
    return jsonify(out)


@bp.post("/submissions/<submission_id>/steps/<step_key>/preview")
@limiter.limit("600 per minute")
@operation("The fields' state for answers not yet saved",
           {"200": ok("Visibility, requiredness, choices and computed values.", s.Preview),
            "422": ok("The body is not `{\"values\": {...}}`.", s.ValidationErrors)},
           errors=(400, 404, 429), body=s.PreviewRequest, security=SESSION,
           description="Nothing is stored. 600 per minute per address.")
def preview_step(submission_id, step_key, body):
    """The server's view of a step's fields for values not yet saved: the browser mirrors this."""
    doc = owned_submission(submission_id)
    svc = services()
    form = svc.submissions.form_of(doc)
    step = form.steps_by_key.get(step_key)
    if step is None:
        abort(404)
    result = svc.validator.validate(form, step, body["values"], doc["data"])
    keys = {f.key for f in step.fields} | {f.data_key for f in step.fields}
    fields = {path: {"visible": s.visible, "required": s.required,
                     "options": None if s.options is None else [{"value": v, "label": text(label)} for v, label in s.options]}
              for path, s in result.state.fields.items() if path.split(".")[0] in keys}
    # what the page shows now: a page posts it back as _shown, so errors on these fields are errors, not new questions
    shown = [path for path in result.state.visible_paths() if path.split(".")[0] in keys]
    return jsonify({"fields": fields, "computed": result.state.computed, "shown": shown})


@bp.post("/submissions/<submission_id>/resend-code")
@limiter.limit("5 per minute")
@operation("Send the registration's verification code again",
           {"200": ok("Sent.", s.Sent), "409": ok("There is no contact waiting for verification.", s.Error)},
           errors=(404, 429), security=SESSION,
           description="Only for a `registrasi` draft waiting for its contact to be verified. 5 per minute.")
def resend_code(submission_id):
    doc = owned_submission(submission_id)
    again = resend_of(services().submissions.form_of(doc))
    if again is None or not again.waiting(doc) or doc["status"] != "draft":
        return error_response(409, gettext("Belum ada kontak yang perlu diverifikasi."))
    refused = again.send(services(), doc, actor())
    if refused:
        response = error_response(429, refused.message)
        if refused.retry_after:
            response.headers["Retry-After"] = str(refused.retry_after)
        return response
    return jsonify({"sent": True})


def reset_needed_message() -> str:
    """The account's stored hash is refused: its password must be reset."""
    return gettext("Kata sandi akun ini harus diatur ulang. Pilih \"Lupa kata sandi\" untuk membuat kata sandi baru.")


@bp.post("/auth/login")
@limiter.limit("10 per minute")
@operation("Log in",
           {"200": ok("Logged in; the response sets a new session cookie.", s.LoginOk),
            "401": ok("Wrong username or password; or a challenge is needed and was not answered "
                      "(`challenge_required`); or the account's password must be reset.", s.LoginFailed),
            "422": ok("Username or password missing.", s.ValidationErrors),
            "429": {"description": "Rate limit reached (10 per minute), or the account is locked after too "
                                   "many failed attempts.",
                    "headers": {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}},
                    **json_content(s.Error)}},
           errors=(400,), body=s.Login, tag="auth",
           description="Failures count per account (whichever name was typed) and per client address: after 3 "
                       "the log-in needs an answered challenge, after 5 the account is locked for 15 minutes.")
def login(body):
    username, password = body["username"][:254], body["password"][:128]
    store, client = services().store, get_remote_address()
    if captcha.enabled() and auth.challenge_needed(store, username, client):
        if not captcha.verify(body.get("challenge_answer"), body.get("challenge_id") or ""):
            return error_response(401, gettext(
                "Jawab tantangan dulu: minta dengan POST /api/v1/auth/challenge, lalu kirim \"challenge_id\" dan "
                "\"challenge_answer\" bersama log-in."), challenge_required=True)
    result = auth.login(store, username, password, actor(), client=client)
    if result.reset_needed:
        return error_response(401, reset_needed_message())
    if result.locked:
        response = error_response(429, gettext("Akun dikunci sementara karena terlalu banyak percobaan. Coba lagi dalam 15 menit."))
        response.headers["Retry-After"] = str(result.retry_after)
        return response
    if result.account is None:
        return error_response(401, gettext("Nama pengguna atau kata sandi salah."),
                              challenge_required=captcha.enabled() and auth.challenge_needed(store, username, client))
    start_session(result.account)
    return jsonify({"username": result.account["username"]})


@bp.post("/auth/challenge")
@limiter.limit("20 per minute")
@operation("A log-in challenge (CAPTCHA)",
           {"201": ok("A new challenge for this session; it replaces any earlier one and is good for one try "
                      "within 10 minutes.", s.Challenge)},
           errors=(400, 429), body=s.NewSubmission, body_required=False, security=SESSION, tag="auth",
           description="The picture shows characters; the question asks the same challenge as a sum in words, "
                       "for people who cannot see the picture. Either answer is accepted.")
def challenge(body):
    return jsonify(captcha.new_challenge()), 201


def start_session(account: dict) -> None:
    """A fresh session for the account (no fixation), keeping the chosen language."""
    lang = session.get("lang")
    renew(session)
    session.permanent = True
    session["account_id"] = account["id"]
    if lang:
        session["lang"] = lang


@bp.post("/auth/logout")
@operation("Log out", {"200": ok("The session is ended on the server; its cookie opens nothing any more.",
                                s.LoggedOut)}, tag="auth")
def logout():
    if session.get("account_id"):
        from .. import audit
        audit.record(services().store, f"account:{session['account_id']}", "logout", actor())
    renew(session)
    return jsonify({"logged_out": True})
