"""Extensions created unbound and attached with init_app: CSRF, Babel (locale), rate limits, compression."""
import re
import secrets

from flask import current_app, g, request, session, url_for
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from jinja2 import BaseLoader, ChoiceLoader, FileSystemLoader, TemplateNotFound

from .. import dates, i18n, labels
from ..actions import current_client
from ..compile.fields import FIELD_TYPES
from ..reference import LOOKUPS

csrf = CSRFProtect()
babel = Babel()
compress = Compress()

# text formats only: PDFs and images are compressed already, and compressing them again costs CPU for nothing
COMPRESSED_TYPES = ["text/html", "text/css", "text/plain", "text/javascript", "application/javascript",
                    "application/json", "application/schema+json", "application/manifest+json",
                    "application/wasm", "image/svg+xml"]


def scaled(limit: str) -> str:
    """A limit such as "30 per minute" times the app's RATELIMIT_SCALE (1 in production; raised for fuzzing runs)."""
    scale = current_app.config.get("RATELIMIT_SCALE", 1)
    if scale == 1:
        return limit
    return re.sub(r"(^|[;,])(\s*)(\d+)", lambda m: f"{m[1]}{m[2]}{int(m[3]) * scale}", limit)


class ScalableLimiter(Limiter):
    """Flask-Limiter whose fixed limits follow RATELIMIT_SCALE; the decorators stay `@limiter.limit("30 per minute")`."""

    def limit(self, limit_value, *args, **kwargs):
        if isinstance(limit_value, str):
            text = limit_value
            return super().limit(lambda: scaled(text), *args, **kwargs)
        return super().limit(limit_value, *args, **kwargs)


limiter = ScalableLimiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


def select_locale() -> str:
    """?lang= (remembered in the session), then the session, then Accept-Language; Indonesian by default."""
    asked = request.args.get("lang")
    if asked in i18n.LOCALES:
        session["lang"] = asked
        return asked
    if session.get("lang") in i18n.LOCALES:
        return session["lang"]
    return request.accept_languages.best_match(i18n.LOCALES, default=i18n.DEFAULT_LOCALE) or i18n.DEFAULT_LOCALE


def actor() -> str:
    """Who makes this request: the logged-in account, else this browser session."""
    if session.get("account_id"):
        return f"account:{session['account_id']}"
    if "anon" not in session:
        session["anon"] = secrets.token_urlsafe(16)
        session.permanent = True  # a draft survives closing the browser, for the session's lifetime
    return f"session:{session['anon']}"


def cache_policy(response) -> None:
    """Nothing a session can see is stored by a browser or a proxy: `no-store` unless a view chose public caching
    for data that is the same for everyone (reference data, the OpenAPI document) and the answer sets no cookie.
    Static files keep the caching Flask gives them."""
    if request.endpoint == "static" and not session.modified:
        return
    if response.cache_control.public and not session.modified:
        return
    if not response.cache_control.no_store:
        response.headers["Cache-Control"] = "no-store"


class FieldTemplates(BaseLoader):
    """``fields/<type>.html`` of a field type registered with its own template folder (a plugin's, a test's)."""

    def get_source(self, environment, template):
        folder, _, name = template.partition("/")
        kind = FIELD_TYPES.get(name.removesuffix(".html")) if folder == "fields" else None
        if kind is None or kind.template_folder is None:
            raise TemplateNotFound(template)
        return FileSystemLoader(str(kind.template_folder)).get_source(environment, template)


def lookup_url(name: str) -> str | None:
    """Where a field's look-up (``"lookup": name``) gets its suggestions; None for an unknown name."""
    return url_for(LOOKUPS[name]) if name in LOOKUPS else None


def init_app(app) -> None:
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, default_locale=i18n.DEFAULT_LOCALE)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "deflate"])  # static files are streamed
    compress.init_app(app)

    app.jinja_loader = ChoiceLoader([app.jinja_loader, FieldTemplates()])
    app.jinja_env.globals.update(bi=i18n.bi, text=i18n.text, current_locale=i18n.current_locale.get, label=labels.label,
                                 lookup_url=lookup_url)
    # the same filters as the documents' (issue/render.py): codes as words, dates in WIB
    app.jinja_env.filters.update(label=labels.label, tanggal=dates.format_date, tanggal_waktu=dates.format_datetime)

    @app.before_request
    def set_locale():
        g.locale_token = i18n.current_locale.set(select_locale())
        g.client_token = current_client.set(get_remote_address() or "")

    @app.teardown_request
    def reset_locale(exc=None):
        token = g.pop("locale_token", None)
        if token is not None:
            i18n.current_locale.reset(token)
        token = g.pop("client_token", None)
        if token is not None:
            current_client.reset(token)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
        response.headers["Content-Language"] = i18n.current_locale.get()
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
        cache_policy(response)
        if current_app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
