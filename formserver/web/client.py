"""What the browser needs to run a form's rules itself: the rules and reference data, sent once and cached.

Responses carry an ETag (a hash of the body): the browser and its service worker revalidate and get
304 while nothing changed. The server still evaluates and validates everything on save.
"""
import hashlib
import json

from flask import Blueprint, abort, current_app, jsonify, request, send_from_directory, url_for

from ..i18n import gettext
from ..reference.browser import kbli_entry, operator_reference, with_bupm
from ..submissions import Conflict, Locked, StepNotReachable
from . import schemas as s
from . import services
from .api import expected_version
from .contract import operation
from .errors import error_response
from .extensions import actor, limiter
from .openapi import SESSION, ok
from .views_common import owned_submission, public_data, typed

bp = Blueprint("client", __name__, url_prefix="/api/v1")

NOT_MODIFIED = {"description": "Not modified: the ETag sent in If-None-Match is current."}


def _cached(body: dict, max_age: int):
    """A JSON response with a strong ETag of its content, answered 304 when the client has it."""
    response = jsonify(body)
    response.set_etag(hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:32])
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    if max_age == 0:
        response.cache_control.no_cache = True
    return response.make_conditional(request)


@bp.get("/forms/<form_id>/rules")
@operation("A form's rules with the reference data its operators need, for evaluation in the browser",
           {"200": ok("The definition and the operators' reference data; revalidate with If-None-Match.", s.FormRules),
            "304": NOT_MODIFIED},
           errors=(404,), tag="forms",
           description="The browser shows what these rules give at once; the server evaluates them again on every "
                       "save. KBLI codes come one by one from /api/v1/reference/kbli/{kode}/rules.")
def form_rules(form_id):
    if form_id not in services().forms:
        abort(404)
    form = services().forms.get(form_id)
    return _cached({"id": form.key, "version": form.version, "definition": form.spec,
                    "reference": with_bupm(operator_reference(), services().bupm)}, 0)


@bp.get("/reference/kbli/<kode>/rules")
@operation("One KBLI code's data for the rules' operators in the browser",
           {"200": ok("The code's title, description, SNI/Halal flag and risk rows; `entry` is null for an "
                      "unknown code (cacheable for 10 minutes).", s.KbliRules),
            "304": NOT_MODIFIED},
           tag="reference")
def kbli_rules(kode):
    svc = services()
    kode = kode.strip()[:16]
    return _cached({"kode": kode, "entry": kbli_entry(svc.kbli, svc.risk, kode)}, 600)


@bp.put("/submissions/<submission_id>/steps/<step_key>/draft")
@limiter.limit("120 per minute")
@operation("Keep a step's answers as a draft (autosave), without completing the step",
           {"200": ok("Stored: the visible answers that are valid; hidden answers are never stored.", s.DraftSaved),
            "409": ok("The submission changed since the version sent (another tab or device): `version` and "
                      "`values` are the stored ones, for the applicant to choose; or the step cannot be filled in "
                      "now (`current_step`), or the submission was sent.", s.DraftConflict),
            "422": ok("The body is not `{\"values\": {...}}`.", s.ValidationErrors)},
           errors=(400, 404, 429), body=s.StepPut, headers=s.IfMatch, security=SESSION,
           description="Nothing is validated as a whole and no action runs: a done step whose answers change is "
                       "open again until it is saved with PUT .../steps/{step_key}. 120 per minute per address.")
def save_draft(submission_id, step_key, body, headers):
    doc = owned_submission(submission_id)
    svc = services()
    form = svc.submissions.form_of(doc)
    if step_key not in form.steps_by_key:
        abort(404)
    expected = expected_version(body, headers)
    try:
        if expected is not None and expected != doc["version"]:
            raise Conflict(doc["id"])
        saved, result = svc.submissions.save_draft(doc, step_key, body["values"], actor())
    except Conflict:
        current = svc.store.get_submission(doc["id"])
        return error_response(409, gettext("Isian ini diubah di tempat lain."),
                              version=current["version"], values=_step_values(form, step_key, current["data"]))
    except StepNotReachable as error:
        return error_response(409, gettext("Langkah ini belum dapat diisi."),
                              current_step=error.current_step)
    except Locked as locked:
        return error_response(409, locked.message)
    kept = sorted(k for k in saved["data"] if form.step_of_field.get(k) == step_key)
    # what was typed but not kept, with the reason (an empty required answer is no news while typing)
    refused = {path: messages for path, messages in result.errors.items() if typed(body["values"], path)}
    return jsonify({"version": saved["version"], "kept": kept, "not_kept": refused})


def _step_values(form, step_key: str, data: dict) -> dict:
    """A step's stored answers that may leave the server."""
    return {k: v for k, v in public_data(form, data).items() if form.step_of_field.get(k) == step_key}


# -- installable app: manifest and service worker (at the site root, so its scope is the whole site) --

pwa = Blueprint("pwa", __name__)


@pwa.get("/manifest.webmanifest")
def manifest():
    body = {"name": gettext("Perizinan Berusaha UMK"), "short_name": "OSS UMK",
            "start_url": url_for("pages.home"), "scope": "/", "display": "standalone", "lang": "id",
            "background_color": "#ffffff", "theme_color": "#1d4ed8",
            "icons": [{"src": url_for("static", filename="favicon.svg"), "sizes": "any", "type": "image/svg+xml",
                       "purpose": "any"}]}
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


@pwa.get("/sw.js")
def service_worker():
    """The service worker from static/js/sw.js, served from / so that it controls every page."""
    response = send_from_directory(current_app.static_folder, "js/sw.js", max_age=0)
    response.headers["Service-Worker-Allowed"] = "/"
    response.cache_control.no_cache = True
    return response
