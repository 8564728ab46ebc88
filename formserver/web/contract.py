"""One declaration per API operation: it loads the request and it is what the OpenAPI document says.

A view under /api/ declares itself with :func:`operation`: its summary, responses, and the marshmallow
schemas of its body (``body=``) and query string (``query=``). The decorator loads the request through
those schemas before the view runs (a body that does not fit → 422 ``{"errors": {...}}``, a query
parameter that does not fit → 400 ``{"error": ...}``) and hands the loaded values to the view as the
keyword arguments ``body``, ``query`` and ``headers``. web/openapi.py builds the document from the same
declarations, walking the app's url_map, so what is documented is what is accepted.

Every write under /api/ also passes :func:`guard_api_write` (registered app-wide in web/__init__.py):
same-origin only, and a body only in a media type the operation declares (JSON unless it says otherwise).
"""
from dataclasses import dataclass, field
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, jsonify, request
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError

from ..i18n import LazyText, gettext, lazy_gettext
from .errors import error_response

API_PREFIX = "/api/"
JSON = "application/json"
SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))

# marshmallow's own messages, in both languages
REQUIRED = lazy_gettext("Wajib diisi.")
NULL = lazy_gettext("Tidak boleh kosong (null).")
UNKNOWN = lazy_gettext("Isian ini tidak dikenal.")
NOT_AN_OBJECT = lazy_gettext("Harus berupa objek JSON.")
INVALID = lazy_gettext("Nilai tidak sah.")
CROSS_SITE = lazy_gettext("Permintaan dari situs lain ditolak.")


class RequestSchema(Schema):
    """The base of every request schema: unknown keys are refused, messages are bilingual."""

    error_messages = {"unknown": UNKNOWN, "type": NOT_AN_OBJECT}

    class Meta:
        unknown = RAISE

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.error_messages.update(_field_messages(f))


def _field_messages(f) -> dict:
    own = {"required": REQUIRED, "null": NULL}
    for key in ("invalid", "invalid_utf8", "too_large"):
        if key in f.error_messages and not isinstance(f.error_messages[key], LazyText):
            own[key] = INVALID
    return own


class QuerySchema(RequestSchema):
    """A query string: parameters the operation does not declare are ignored (e.g. ?lang=)."""

    class Meta:
        unknown = EXCLUDE


@dataclass
class Operation:
    """What the OpenAPI document says about one view, and how the view loads its request."""

    summary: str
    responses: dict
    errors: tuple = ()
    body: type | None = None
    body_required: bool = True
    body_media_types: tuple = (JSON,)
    query: type | None = None
    headers: type | None = None
    path: dict = field(default_factory=dict)
    security: list | None = None
    tag: str = "submissions"
    description: str | None = None


def operation(summary: str, responses: dict, **options):
    """Declare an API view: see the module docstring. ``options`` are the fields of :class:`Operation`."""
    op = Operation(summary, responses, **options)

    def decorate(view):
        @wraps(view)
        def loaded(*args, **kwargs):
            if op.query is not None:
                kwargs["query"] = load_query(op.query, request.args)
            if op.headers is not None:
                kwargs["headers"] = load_query(op.headers, request.headers)
            if op.body is not None:
                kwargs["body"] = load_body(op.body, op.body_required) if JSON in op.body_media_types else None
            return view(*args, **kwargs)

        loaded.operation = op
        return loaded

    return decorate


def operation_of(view) -> Operation | None:
    """The declaration of a view, through any decorators (rate limits) wrapped around it."""
    while view is not None:
        op = getattr(view, "operation", None)
        if op is not None:
            return op
        view = getattr(view, "__wrapped__", None)
    return None


def _messages(errors, prefix: str = "") -> dict:
    """marshmallow's nested messages as {"a.b": [message, ...]}, each resolved for the request's language."""
    out: dict = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            path = str(key) if key != "_schema" else ""
            for sub, messages in _messages(value, f"{prefix}.{path}".strip(".") if path else prefix).items():
                out.setdefault(sub, []).extend(messages)
    elif isinstance(errors, list) and all(isinstance(m, str) for m in errors):
        out[prefix or "_body"] = [str(m) for m in errors]
    elif isinstance(errors, list):
        for item in errors:
            for sub, messages in _messages(item, prefix).items():
                out.setdefault(sub, []).extend(messages)
    else:
        out[prefix or "_body"] = [str(errors)]
    return out


def read_json():
    """The request's JSON document; 415 for another media type, 400 when it is not JSON."""
    if request.mimetype != JSON:
        abort(error_response(415))
    body = request.get_json(silent=True)  # a body nested too deep raises its own 400 (web/jsonlimits.py)
    if body is None:
        abort(error_response(400, gettext("Badan permintaan bukan JSON yang sah.")))
    return body


def has_body() -> bool:
    return bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def load_body(schema: type, required: bool = True) -> dict:
    """The body loaded through the schema: 400 when it is not a JSON object, 422 with messages when it does not fit."""
    if not required and not has_body():
        return {}
    body = read_json()
    if not isinstance(body, dict):
        abort(error_response(400, gettext("Badan permintaan harus berupa objek JSON.")))
    try:
        return schema().load(body)
    except ValidationError as error:
        abort(make_validation_response(error.messages))


def make_validation_response(messages) -> object:
    response = jsonify({"errors": _messages(messages)})
    response.status_code = 422
    return response


def load_query(schema: type, source) -> dict:
    """Query parameters (or headers) loaded through the schema: 400 naming the parameter when one does not fit."""
    loaded = schema()
    wanted = {f.data_key or name for name, f in loaded.load_fields.items()}
    try:
        return loaded.load({name: source.get(name) for name in wanted if name in source})
    except ValidationError as error:
        messages = _messages(error.messages)
        name, texts = next(iter(messages.items()))
        message = " ".join(texts)
        abort(error_response(400, message if name in message else f"{name}: {message}"))


def guard_api_write():
    """Every write under /api/: same origin only, and a body only in a media type the operation accepts.

    A cross-site HTML form cannot send application/json, and a browser names the site it comes from
    (Origin, Sec-Fetch-Site), so the API needs no CSRF token. Registered for the whole app, so a route
    added in any blueprint is covered.
    """
    if request.method in SAFE_METHODS or not request.path.startswith(API_PREFIX):
        return None
    if request.routing_exception is not None:  # no such route or method: its 404/405, not a media-type 415
        return None
    origin = request.headers.get("Origin")
    if (origin and (origin == "null" or urlsplit(origin).netloc != request.host)) \
            or request.headers.get("Sec-Fetch-Site") == "cross-site":
        return error_response(403, str(CROSS_SITE))
    accepted = (JSON,)
    if request.url_rule is not None:
        op = operation_of(current_app.view_functions.get(request.url_rule.endpoint))
        if op is not None and op.body is not None:
            accepted = op.body_media_types
    if (has_body() or request.headers.get("Content-Type")) and request.mimetype not in accepted:
        types = gettext(" atau ").join(accepted)
        return error_response(415, gettext("Kirim data sebagai {types}.").format(types=types))
    return None
