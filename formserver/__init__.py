"""formserver: a form server driven by JSON definitions.

The pipeline: definition (load, check) → compile → logic → render / validate → store → issue.
"""
from pathlib import Path

from flask import Flask

from . import config as settings


def create_app(test_config: dict | None = None) -> Flask:
    """The Flask app: configuration, extensions, services, blueprints."""
    app = Flask(__name__, template_folder="web/templates", static_folder=str(settings.PROJECT_ROOT / "static"), static_url_path="/static")
    app.config.update(settings.from_environment())
    if test_config:
        app.config.update(test_config)
    settings.check(app.config)
    from .issue.render import check_fonts
    check_fonts()  # a server that cannot print its documents does not start
    data_dir = Path(app.config["DATA_DIR"])
    data_dir.mkdir(parents=True, exist_ok=True)
    app.config["SECRET_KEY"] = app.config.get("SECRET_KEY") or settings.secret_key(data_dir)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="formserver_session",
        PERMANENT_SESSION_LIFETIME=8 * 3600,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session; a long form must not expire it
        WTF_CSRF_SSL_STRICT=False,
        JSON_SORT_KEYS=False,
    )

    from .services import Services
    app.extensions["formserver"] = Services(app.config)
    # what a crash left half done (an issuance between its first and last write) is finished before serving
    app.extensions["formserver"].submissions.reconcile()

    if app.config.get("PROXY_HOPS"):
        from werkzeug.middleware.proxy_fix import ProxyFix
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from .web import init_app
    init_app(app)
    return app
