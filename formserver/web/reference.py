"""Reference data for cascading choices and KBLI look-ups, and the definition format's JSON Schema."""
from flask import Blueprint, abort, jsonify, request

from ..definition.check import SCHEMA
from ..i18n import bi
from ..logic import today
from ..reference.kbli import MAX_QUERY
from ..reference.risk import SCALES
from ..reference.wilayah import UnknownLevel
from . import services
from .errors import error_response

bp = Blueprint("reference", __name__)

KBLI_LIMIT_DEFAULT = 20
KBLI_LIMIT_MAX = 50


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


def _positive_int(raw: str | None, default: int) -> int | None:
    """A query parameter as a positive integer, the default when absent, None when malformed."""
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6 or int(raw) < 1:
        return None
    return int(raw)


@bp.get("/api/v1/reference/kbli")
def kbli_search():
    q = request.args.get("q", "")
    if len(q) > MAX_QUERY:
        return error_response(400, bi(f"Kata pencarian paling panjang {MAX_QUERY} karakter.",
                                      f"The search text may be at most {MAX_QUERY} characters."))
    limit = _positive_int(request.args.get("limit"), KBLI_LIMIT_DEFAULT)
    if limit is None:
        return error_response(400, bi("limit harus bilangan bulat positif.", "limit must be a positive whole number."))
    items = services().kbli.search(q, min(limit, KBLI_LIMIT_MAX))
    response = jsonify({"q": q, "items": items})
    # the KBLI table only changes with a release
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


@bp.get("/api/v1/reference/kbli/<kode>")
def kbli_detail(kode):
    svc = services()
    row = svc.kbli.get(kode)
    if row is None:
        return error_response(404, bi("Kode KBLI tidak ditemukan. Gunakan kode KBLI 2020 lima digit.",
                                      "KBLI code not found. Use a five-digit KBLI 2020 code."))
    on = today()  # one date for the table and every look-up, even across midnight
    table = svc.risk.current(on)
    risiko = {skala: svc.risk.lookup(row["kode"], skala, on=on).as_dict() for skala in SCALES}
    return jsonify({
        "kode": row["kode"], "judul": row["judul"], "uraian": row["uraian"], "kategori": row["kategori"],
        "perizinan_tunggal": row["perizinan_tunggal"], "perizinan_tunggal_sumber": row["perizinan_tunggal_sumber"],
        "risiko": risiko,
        "table": {key: table[key] for key in ("id", "regulation", "effective")} if table else None,
    })


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
