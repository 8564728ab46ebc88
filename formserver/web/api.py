"""The JSON API, /api/v1. Only JSON bodies and same-origin requests: no CSRF token needed, no CORS."""
from urllib.parse import urlsplit

from flask import Blueprint, abort, jsonify, request, session

from ..accounts import auth
from ..i18n import bi, text
from ..submissions import AccessDenied, Conflict, StepNotReachable
from . import services
from .errors import error_response
from .extensions import actor, limiter
from .views_common import current_account, owned_submission, public_data, step_list

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def same_origin_json_only():
    """Refuse cross-site writes and bodies that are not JSON."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    origin = request.headers.get("Origin")
    if origin and urlsplit(origin).netloc != request.host:
        return error_response(403, bi("Permintaan dari situs lain ditolak.", "Requests from other sites are refused."))
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return error_response(403, bi("Permintaan dari situs lain ditolak.", "Requests from other sites are refused."))
    if request.content_length and request.mimetype != "application/json":
        return error_response(415)
    return None


def json_body() -> dict:
    """The request's JSON object; a clear 400 for anything else."""
    if request.mimetype != "application/json":
        abort(error_response(415))
    body = request.get_json(silent=True)
    if body is None:
        abort(error_response(400, bi("Badan permintaan bukan JSON yang sah.", "The request body is not valid JSON.")))
    if not isinstance(body, dict):
        abort(error_response(400, bi("Badan permintaan harus berupa objek JSON.", "The request body must be a JSON object.")))
    return body


def submission_json(doc: dict, with_data: bool = False) -> dict:
    svc = services()
    state = svc.submissions.state(doc)
    out = {"id": doc["id"], "form_id": doc["form_id"], "form_version": doc["form_version"],
           "status": doc["status"], "current_step": svc.submissions.first_open_step(doc, state)
           if doc["status"] == "draft" else None,
           "steps": step_list(doc, state), "version": doc["version"]}
    if with_data:
        form = svc.submissions.form_of(doc)
        out["data"] = public_data(form, doc["data"])
        out["computed"] = state.computed
        if doc["meta"].get("account_id"):
            account = svc.store.get_account(doc["meta"]["account_id"])
            out["account"] = {"username": account["username"]} if account else None
    return out


@bp.get("/forms")
def list_forms():
    return jsonify({"forms": [{"id": f.key, "version": f.version, "title": text(f.title)} for f in services().forms]})


@bp.get("/forms/<form_id>")
def get_form(form_id):
    if form_id not in services().forms:
        abort(404)
    form = services().forms.get(form_id)
    return jsonify({"id": form.key, "version": form.version, "definition": form.spec})


@bp.post("/forms/<form_id>/submissions")
@limiter.limit("30 per minute")
def create_submission(form_id):
    if form_id not in services().forms:
        abort(404)
    if request.content_length:
        json_body()
    try:
        doc = services().submissions.create(services().forms.get(form_id), actor(), current_account())
    except AccessDenied as denied:
        if denied.login_needed:
            return error_response(401, bi("Masuk terlebih dahulu untuk mengisi formulir ini.",
                                          "Log in first to fill in this form."))
        return error_response(403, denied.message)
    return jsonify(submission_json(doc)), 201


@bp.get("/submissions/<submission_id>")
def get_submission(submission_id):
    return jsonify(submission_json(owned_submission(submission_id), with_data=True))


def _expected_version(body: dict):
    raw = request.headers.get("If-Match", "").strip('"') or body.get("version")
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        abort(error_response(400, bi("Versi harus berupa angka.", "The version must be a number.")))


@bp.put("/submissions/<submission_id>/steps/<step_key>")
@limiter.limit("120 per minute")
def put_step(submission_id, step_key):
    doc = owned_submission(submission_id)
    body = json_body()
    values = body.get("values")
    unknown = set(body) - {"values", "version"}
    if not isinstance(values, dict) or unknown:
        return jsonify({"errors": {"values": [bi("Kirim {\"values\": {...}} dan, bila perlu, \"version\".",
                                                 "Send {\"values\": {...}} and, if needed, \"version\".")]}}), 422
    svc = services()
    if step_key not in svc.submissions.form_of(doc).steps_by_key:
        abort(404)
    try:
        result = svc.submissions.save_step(doc, step_key, values, actor(), _expected_version(body))
    except Conflict:
        return error_response(409)
    except StepNotReachable as error:
        return error_response(409, bi("Langkah ini belum dapat diisi.", "This step cannot be filled in yet."),
                              current_step=error.current_step)
    if not result.ok:
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
def preview_step(submission_id, step_key):
    """The server's view of a step's fields for values not yet saved: the browser mirrors this."""
    doc = owned_submission(submission_id)
    body = json_body()
    svc = services()
    form = svc.submissions.form_of(doc)
    step = form.steps_by_key.get(step_key)
    if step is None or not isinstance(body.get("values"), dict):
        abort(404 if step is None else 400)
    result = svc.validator.validate(form, step, body["values"], doc["data"])
    keys = {f.key for f in step.fields} | {f.data_key for f in step.fields}
    fields = {path: {"visible": s.visible, "required": s.required,
                     "options": None if s.options is None else [{"value": v, "label": text(label)} for v, label in s.options]}
              for path, s in result.state.fields.items() if path.split(".")[0] in keys}
    return jsonify({"fields": fields, "computed": result.state.computed})


@bp.post("/submissions/<submission_id>/resend-code")
@limiter.limit("5 per minute")
def resend_code(submission_id):
    from ..accounts.registration import send_code
    doc = owned_submission(submission_id)
    if doc["form_id"] != "registrasi" or not doc["meta"].get("pending_contact") or doc["status"] != "draft":
        return error_response(409, bi("Belum ada kontak yang perlu diverifikasi.", "There is no contact to verify yet."))
    error = send_code(services(), doc, actor())
    if error:
        return error_response(429, error)
    return jsonify({"sent": True})


@bp.post("/auth/login")
@limiter.limit("10 per minute")
def login():
    body = json_body()
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
        return jsonify({"errors": {"username": [bi("Isi nama pengguna dan kata sandi.", "Enter your username and password.")]}}), 422
    result = auth.login(services().store, username[:254], password[:128], actor())
    if result.locked:
        response = error_response(429, bi("Akun dikunci sementara karena terlalu banyak percobaan. Coba lagi dalam 15 menit.",
                                          "The account is locked for a while after too many attempts. Try again in 15 minutes."))
        response.headers["Retry-After"] = str(result.retry_after)
        return response
    if result.account is None:
        return error_response(401, bi("Nama pengguna atau kata sandi salah.", "The username or password is wrong."))
    start_session(result.account)
    return jsonify({"username": result.account["username"]})


def start_session(account: dict) -> None:
    """A fresh session for the account (no fixation), keeping the chosen language."""
    lang = session.get("lang")
    session.clear()
    session.permanent = True
    session["account_id"] = account["id"]
    if lang:
        session["lang"] = lang


@bp.post("/auth/logout")
def logout():
    if session.get("account_id"):
        from .. import audit
        audit.record(services().store, f"account:{session['account_id']}", "logout", actor())
    session.clear()
    return jsonify({"logged_out": True})
