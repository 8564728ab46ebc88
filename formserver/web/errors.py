"""Error responses: JSON under /api, an HTML page elsewhere; client mistakes are 4xx, never 500."""
import logging

from flask import jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from ..i18n import bi

log = logging.getLogger("formserver.web")


def _messages():
    return {
        400: bi("Permintaan tidak dapat dibaca.", "The request could not be read."),
        403: bi("Permintaan ini tidak diizinkan.", "This request is not allowed."),
        404: bi("Halaman atau data tidak ditemukan.", "Page or record not found."),
        405: bi("Metode ini tidak didukung di alamat ini.", "This method is not supported here."),
        409: bi("Data telah berubah. Muat ulang lalu coba lagi.", "The data has changed. Reload and try again."),
        413: bi("Data yang dikirim terlalu besar.", "The data sent is too large."),
        415: bi("Kirim data sebagai application/json.", "Send the data as application/json."),
        429: bi("Terlalu banyak percobaan. Tunggu sebentar lalu coba lagi.", "Too many attempts. Wait a moment and try again."),
        500: bi("Terjadi kesalahan pada server. Coba lagi nanti.", "Something went wrong on the server. Try again later."),
    }


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, message: str | None = None, **extra):
    """The response for an error status, JSON or HTML by path."""
    message = message or _messages().get(status) or bi("Permintaan tidak dapat diproses.", "The request cannot be processed.")
    if wants_json():
        return make_response(jsonify({"error": message, **extra}), status)
    return make_response(render_template("error.html", status=status, message=message), status)


def init_app(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return error_response(400, bi("Formulir ini sudah kedaluwarsa atau tidak sah. Muat ulang halaman lalu kirim lagi.",
                                      "This form has expired or is not valid. Reload the page and send it again."))

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
