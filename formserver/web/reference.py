"""Reference data for cascading choices and KBLI look-ups, and the definition format's JSON Schema."""
from flask import Blueprint, jsonify

from ..definition import check as definition_check
from ..i18n import gettext
from ..logic import today
from ..reference.risk import SCALES
from ..reference.wilayah import LEVELS
from . import schemas as s
from . import services
from .contract import operation
from .errors import error_response
from .openapi import ok

bp = Blueprint("reference", __name__)

LOWER_LEVELS = LEVELS[1:]


def _regions(level: str, parent: str | None):
    response = jsonify({"level": level, "parent": parent, "items": services().wilayah.children(level, parent)})
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


@bp.get(f"/api/v1/reference/wilayah/{LEVELS[0]}")
@operation("The provinces", {"200": ok("Every province (cacheable for a day); `parent` is null.", s.WilayahList)},
           tag="reference")
def provinces():
    return _regions(LEVELS[0], None)


@bp.get(f"/api/v1/reference/wilayah/<any({', '.join(LOWER_LEVELS)}):level>")
@operation("Indonesian administrative regions under a parent region",
           {"200": ok("The regions under the parent (cacheable for a day); none for an unknown parent.", s.WilayahList)},
           errors=(400, 404), tag="reference", query=s.WilayahQuery,
           path={"level": {"description": "The region level below provinsi; any other level gives 404.",
                           "schema": {"type": "string", "enum": list(LOWER_LEVELS)}}})
def wilayah(level, query):
    return _regions(level, query["parent"])


@bp.get("/api/v1/reference/kbli")
@operation("Search KBLI 2020 codes",
           {"200": ok("Matches by code prefix and/or title words (cacheable for an hour).", s.KbliList)},
           errors=(400,), tag="reference", query=s.KbliQuery)
def kbli_search(query):
    q = query["q"]
    items = services().kbli.search(q, min(query["limit"], s.KBLI_LIMIT_MAX))
    response = jsonify({"q": q, "items": items})
    # the KBLI table only changes with a release
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


@bp.get("/api/v1/reference/kbli/<kode>")
@operation("One KBLI code with its risk per scale",
           {"200": ok("The code, its perizinan_tunggal flag and the risk table in force.", s.KbliDetail)},
           errors=(404,), tag="reference")
def kbli_detail(kode):
    svc = services()
    row = svc.kbli.get(kode)
    if row is None:
        return error_response(404, gettext("Kode KBLI tidak ditemukan. Gunakan kode KBLI 2020 lima digit."))
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
    response = jsonify(definition_check.form_schema())
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
