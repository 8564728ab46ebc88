"""Error responses: JSON under /api, an HTML page elsewhere; client mistakes are 4xx, never 500."""
import logging

from flask import jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from ..i18n import gettext

log = logging.getLogger("formserver.web")


def _messages():
    return {
        400: gettext("Permintaan tidak dapat dibaca."),
        403: gettext("Permintaan ini tidak diizinkan."),
        404: gettext("Halaman atau data tidak ditemukan."),
        405: gettext("Metode ini tidak didukung di alamat ini."),
        409: gettext("Data telah berubah. Muat ulang lalu coba lagi."),
        413: gettext("Data yang dikirim terlalu besar."),
        415: gettext("Kirim data sebagai application/json."),
        429: gettext("Terlalu banyak percobaan. Tunggu sebentar lalu coba lagi."),
        500: gettext("Terjadi kesalahan pada server. Coba lagi nanti."),
    }


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, message: str | None = None, **extra):
    """The response for an error status, JSON or HTML by path."""
    message = message or _messages().get(status) or gettext("Permintaan tidak dapat diproses.")
    if wants_json():
        return make_response(jsonify({"error": message, **extra}), status)
    return make_response(render_template("error.html", status=status, message=message), status)


def init_app(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return error_response(400, gettext("Formulir ini sudah kedaluwarsa atau tidak sah. Muat ulang halaman lalu kirim lagi."))

    @app.errorhandler(HTTPException)
    def http_error(error):
        status = error.code or 500
        described = getattr(error, "formserver_message", None)
        response = error_response(status, described)
        headers = dict(error.get_headers())
        for name in ("Retry-After", "Allow"):  # 429 says when to come back, 405 which methods there are
            if headers.get(name):
                response.headers[name] = headers[name]
        return response

    @app.errorhandler(Exception)
    def unexpected(error):
        if isinstance(error, HTTPException):
            return http_error(error)
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(InternalServerError.code)
