"""What the browser needs to run a form's rules itself: the rules and reference data, sent once and cached.

Responses carry an ETag (a hash of the body): the browser and its service worker revalidate and get
304 while nothing changed. The server still evaluates and validates everything on save.
"""
import hashlib
import json

from flask import Blueprint, abort, jsonify, request

from ..reference.browser import kbli_entry, operator_reference
from . import schemas as s
from . import services
from .contract import operation
from .openapi import ok

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
                    "reference": operator_reference()}, 0)


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
