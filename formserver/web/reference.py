"""Reference data for cascading choices, and the definition format's JSON Schema."""
from flask import Blueprint, abort, jsonify, request

from ..definition.check import SCHEMA
from ..i18n import bi
from ..reference.wilayah import UnknownLevel
from . import services
from .errors import error_response

bp = Blueprint("reference", __name__)


@bp.get("/api/v1/reference/wilayah/<level>")
def wilayah(level):
    parent = request.args.get("parent") or None
    if parent is not None and len(parent) > 20:
        abort(400)
    try:
        rows = services().wilayah.children(level, parent)
    except UnknownLevel:
        return error_response(404, bi("Tingkat wilayah tidak dikenal. Gunakan provinsi, kabupaten, kecamatan atau kelurahan.",
                                      "Unknown region level. Use provinsi, kabupaten, kecamatan or kelurahan."))
    if level != "provinsi" and parent is None:
        return error_response(400, bi("Parameter parent wajib untuk tingkat ini.", "The parent parameter is required for this level."))
    response = jsonify({"level": level, "parent": parent, "items": rows})
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


@bp.get("/schema/form.json")
def form_schema():
    response = jsonify(SCHEMA)
    response.mimetype = "application/schema+json"
    return response


@bp.get("/healthz")
def healthz():
    """Liveness: the process answers."""
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz():
    """Readiness: the store answers."""
    ready = services().store.ping()
    return jsonify({"status": "ok" if ready else "store unreachable"}), 200 if ready else 503
