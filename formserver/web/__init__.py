"""The web stage: pages (HTML, thin views), the JSON API, errors, locale, security headers."""
from flask import current_app
from flask.globals import _cv_app


def services():
    """The app's Services (read from the app context itself: a page asks several times, the proxy costs each time)."""
    ctx = _cv_app.get(None)
    return (ctx.app if ctx is not None else current_app).extensions["formserver"]


def _hooks_checked_once(app) -> None:
    """Flask asks ``inspect`` whether each hook is a coroutine function every time it runs one (about fifteen per
    request: before/after/teardown hooks, template context processors); this app's hooks are plain functions
    registered at start: remember each answer. And every blueprint carries its own copy of Flask's default
    template context processor (``g``, ``request``, ``session``), run a second time after the app's for a
    blueprint's page, giving the same three values: drop the copies."""
    original, checked = app.ensure_sync, {}

    def ensure_sync(func):
        try:
            return checked[func]
        except (KeyError, TypeError):
            pass
        result = original(func)
        if result is func and len(checked) < 1000:  # plain functions only: a wrapped coroutine is made each time
            try:
                checked[func] = func
            except TypeError:
                pass
        return result

    app.ensure_sync = ensure_sync
    default = app.template_context_processors[None][0]
    for name, processors in app.template_context_processors.items():
        if name is not None and default in processors:
            processors[:] = [f for f in processors if f is not default]


def init_app(app) -> None:
    """Attach extensions and blueprints to the app."""
    from ..backoffice import views as backoffice
    from . import (
        admin,
        admin_api,
        admin_variants,
        api,
        assets,
        client,
        complaints,
        contract,
        documents,
        errors,
        extensions,
        jsonlimits,
        openapi,
        pages,
        recovery,
        reference,
        service_info,
        survey,
        templating,
    )
    from .sessions import StoreSessionInterface
    templating.use_environment(app)
    app.json = jsonlimits.DepthLimitedJSONProvider(app)
    app.session_interface = StoreSessionInterface(app.extensions["formserver"].store)
    extensions.init_app(app)
    assets.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    app.before_request(contract.guard_api_write)  # every API write, whichever blueprint its route is in
    # a newly published version of the office's variant is served within the forms' refresh time
    app.before_request(lambda: app.extensions["formserver"].variant_versions.sync())
    app.register_blueprint(pages.bp)
    app.register_blueprint(recovery.bp)
    app.register_blueprint(reference.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(client.bp)
    app.register_blueprint(client.pwa)
    app.register_blueprint(admin_api.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(documents.bp)
    app.register_blueprint(complaints.bp)
    app.register_blueprint(survey.bp)
    app.register_blueprint(service_info.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(admin_variants.bp)
    app.register_blueprint(backoffice.bp)
    extensions.csrf.exempt(api.bp)
    extensions.csrf.exempt(client.bp)
    extensions.csrf.exempt(admin_api.bp)
    extensions.csrf.exempt(reference.bp)
    extensions.csrf.exempt(openapi.bp)
    extensions.csrf.exempt(documents.bp)
    extensions.csrf.exempt(admin.bp)  # it checks the token itself, after the role (web/admin.py)
    extensions.csrf.exempt(admin_variants.bp)  # the same
    _hooks_checked_once(app)
