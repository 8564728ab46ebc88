"""Extensions created unbound and attached with init_app: CSRF, Babel (locale), rate limits, compression."""
import functools
import re
import secrets

from flask import current_app, g, request, session, url_for
from flask.globals import _cv_app, _cv_request, request_ctx
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect, generate_csrf
from jinja2 import BaseLoader, ChoiceLoader, FileSystemLoader, TemplateNotFound
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from .. import dates, i18n, labels
from ..actions import current_client
from ..compile.fields import FIELD_TYPES
from ..reference import LOOKUPS
from ..variants import current_office

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
    """?lang= (remembered in the session), then the session, then Accept-Language; Indonesian by default.

    Only the locales the server offers count: Indonesian and each catalog in the translations folder."""
    offered = i18n.offered_locales()
    ctx = _cv_request.get(None)  # the request and session themselves: read several times here
    req, store = (ctx.request, ctx.session) if ctx is not None else (request, session)
    if req.query_string:
        asked = req.args.get("lang")
        if asked in offered:
            store["lang"] = asked
            return asked
    if store.get("lang") in offered:
        return store["lang"]
    return _accepted_locale(req.headers.get("Accept-Language", ""), offered)


@functools.lru_cache(maxsize=512)
def _accepted_locale(header: str, offered: tuple[str, ...]) -> str:
    """The best of our locales for an Accept-Language value; browsers send a handful of values, so each is parsed once."""
    if not header:
        return i18n.DEFAULT_LOCALE
    accepted = parse_accept_header(header, LanguageAccept)
    return accepted.best_match(offered, default=i18n.DEFAULT_LOCALE) or i18n.DEFAULT_LOCALE


def language_links() -> list[tuple[str, str]]:
    """(locale, its own name) for each offered locale other than the page's: the header's language switcher."""
    here = i18n.current_locale.get()
    return [(locale, i18n.locale_name(locale)) for locale in i18n.offered_locales() if locale != here]


def actor() -> str:
    """Who makes this request: the logged-in account, else this browser session."""
    ctx = _cv_request.get(None)  # the session itself: read three times here, on every request that finds a draft
    store = ctx.session if ctx is not None else session
    if store.get("account_id"):
        return f"account:{store['account_id']}"
    if "anon" not in store:
        store["anon"] = secrets.token_urlsafe(16)
        store.permanent = True  # a draft survives closing the browser, for the session's lifetime
    return f"session:{store['anon']}"


def cache_policy(response, present: set[str] | None = None) -> None:
    """Nothing a session can see is stored by a browser or a proxy: `no-store` unless a view chose public caching
    for data that is the same for everyone (reference data, the OpenAPI document) and the answer sets no cookie.
    Static files keep the caching Flask gives them. ``present``: the response's header names in lower case, when
    the caller has them (werkzeug's `in` on headers builds an exception for every header it does not find)."""
    if request.endpoint == "static" and not session.modified:
        return
    if present is None:
        present = {name.lower() for name, _ in response.headers}
    if "cache-control" not in present:  # most answers: nothing chosen, nothing to parse
        response.headers["Cache-Control"] = "no-store"
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


SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
)


_SIGNED_TOKENS: dict[tuple, str] = {}
_SIGNED_TOKENS_MAX = 20000


def csrf_token() -> str:
    """flask-wtf's generate_csrf, signing a session's token once per process instead of once per page.

    The signed form of a session's token stays valid as long as the session (WTF_CSRF_TIME_LIMIT is None), so the
    first one signed is reused: the form field checks the same way, and a page spends no HMAC derivations on it."""
    ctx = _cv_request.get(None)  # the request's app, session and g themselves rather than through their proxies
    app, store, request_g = (ctx.app, ctx.session, _cv_app.get().g) if ctx is not None else (current_app, session, g)
    field = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    key = (app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key, store.get(field))
    if key[1] is not None and key in _SIGNED_TOKENS:
        token = _SIGNED_TOKENS[key]
        setattr(request_g, field, token)  # flask-wtf's own calls in this request give the same one
        return token
    token = generate_csrf()
    if key[1] is None:
        key = (key[0], session.get(field))
    if len(_SIGNED_TOKENS) >= _SIGNED_TOKENS_MAX:
        _SIGNED_TOKENS.clear()
    _SIGNED_TOKENS.setdefault(key, token)
    return token


def _cached_csrf_token(app) -> None:
    """Templates call csrf_token(): give them the cached signature (flask-wtf puts its own in globals and context)."""
    if app.config.get("WTF_CSRF_TIME_LIMIT", 3600) is not None:
        return  # signed tokens expire: each page signs a fresh one
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.template_context_processors[None] = [
        (lambda: {"csrf_token": csrf_token}) if getattr(f, "__qualname__", "").startswith("CSRFProtect.init_app") else f
        for f in app.template_context_processors[None]]


def _without_idle_limit_check(app) -> None:
    """Flask-Limiter checks default, application and blueprint limits before every request; this app has none
    (every limit is on its route, checked when that route is called), so that check only costs time: drop it."""
    manager = limiter.limit_manager
    if manager.default_limits or manager.application_limits or getattr(manager, "_blueprint_limits", True):
        return
    app.before_request_funcs[None] = [f for f in app.before_request_funcs.get(None, [])
                                      if getattr(f, "__func__", None) is not Limiter._check_request_limit]


def _limit_hooks_only_after_a_limit(app) -> None:
    """Flask-Limiter's after-request hook (rate limit headers, deductions on a response) and its teardown (reset) read
    a per-request state that only a checked limit creates; on a request that checked none (most pages, /healthz)
    each would create an empty one to find nothing in it: skip them there (the same response, the same state)."""
    def when_used(hook, is_after: bool):
        @functools.wraps(hook)
        def run(arg):
            if hasattr(request_ctx._get_current_object(), "_limiter_request_context"):
                return hook(arg)
            return arg if is_after else None  # an after-request hook gives the response back
        return run

    for is_after, funcs, original in ((True, app.after_request_funcs, Limiter._Limiter__inject_headers),
                                      (False, app.teardown_request_funcs, Limiter._Limiter__release_context)):
        funcs[None] = [when_used(f, is_after) if getattr(f, "func", getattr(f, "__func__", None)) is original else f
                       for f in funcs.get(None, [])]


def _csrf_check_for_writes_only(app) -> None:
    """flask-wtf's check before every request looks up the view's and blueprint's exemptions before it looks at
    the method, and then does nothing for a GET: look at the method first (the same outcome for every request)."""
    def checks_for(original):
        def check():
            if request.method in app.config["WTF_CSRF_METHODS"]:
                return original()
            return None
        return check
    app.before_request_funcs[None] = [
        checks_for(f) if getattr(f, "__qualname__", "").startswith("CSRFProtect.init_app") else f
        for f in app.before_request_funcs.get(None, [])]


def init_app(app) -> None:
    csrf.init_app(app)
    _csrf_check_for_writes_only(app)
    _cached_csrf_token(app)
    translations = app.config.get("TRANSLATIONS_DIR") or str(i18n.PACKAGE_TRANSLATIONS)
    app.extensions["i18n"] = i18n.catalogs_for(translations)  # compiles the .po files whose .mo is missing or older
    babel.init_app(app, locale_selector=select_locale, default_locale=i18n.DEFAULT_LOCALE,
                   default_translation_directories=translations)
    # templates translate with the same functions as the code, for the locale of the moment (an e-mail's too):
    # `_()` gives a plain string that Jinja escapes like any other value
    app.jinja_env.install_gettext_callables(gettext=i18n.gettext, ngettext=i18n.ngettext, newstyle=False,
                                            pgettext=i18n.pgettext)
    # Jinja's `_` is an alias that looks `gettext` up in each render's context and calls it through the context's
    # slow path (it is marked pass_context); no render gives `gettext` a value of its own, so `_` is gettext itself
    app.jinja_env.globals["_"] = i18n.gettext
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)
    _without_idle_limit_check(app)
    _limit_hooks_only_after_a_limit(app)
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "deflate"])  # static files are streamed
    compress.init_app(app)

    app.jinja_loader = ChoiceLoader([app.jinja_loader, FieldTemplates()])
    app.jinja_env.globals.update(text=i18n.text, current_locale=i18n.current_locale.get, label=labels.label,
                                 lookup_url=lookup_url, site_office=current_office, language_links=language_links)
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

    hsts = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    fixed = SECURITY_HEADERS + ((hsts,) if app.config.get("SESSION_COOKIE_SECURE") else ())

    @app.after_request
    def security_headers(response):
        headers = response.headers
        present = {name.lower() for name, _ in headers}  # one pass: a view's own value of a header wins
        for name, value in fixed:
            if name.lower() not in present:
                headers.add(name, value)
        headers["Content-Language"] = i18n.current_locale.get()
        if "vary" in present:
            response.vary.update(("Accept-Language", "Cookie"))
        else:
            headers.add("Vary", "Accept-Language, Cookie")
        cache_policy(response, present)
        return response
