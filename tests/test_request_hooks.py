"""What every request pays, made cheaper without changing an answer (formserver/web/extensions.py, web/__init__.py)."""
from flask.globals import request_ctx

from .conftest import make_app


def test_rate_limit_headers_on_a_limited_route_and_none_elsewhere(tmp_path, smtp, whatsapp):
    """Flask-Limiter's hooks run only when the request checked a limit: a limited route still answers with its
    headers (and its limit counts), an unlimited one still has none, and no state is left behind either way."""
    app = make_app(tmp_path, smtp, whatsapp, RATELIMIT_ENABLED=True)
    client = app.test_client()
    created = client.post("/api/v1/forms/registrasi/submissions", headers={"Accept": "application/json"})
    assert created.status_code == 201
    assert created.headers["X-RateLimit-Limit"] == "30"
    remaining = int(created.headers["X-RateLimit-Remaining"])
    again = client.post("/api/v1/forms/registrasi/submissions", headers={"Accept": "application/json"})
    assert int(again.headers["X-RateLimit-Remaining"]) == remaining - 1
    left = []

    def after_all(response):  # after-request hooks run last-registered first: this one runs after Flask-Limiter's
        left.append(hasattr(request_ctx._get_current_object(), "_limiter_request_context"))
        return response

    app.after_request_funcs[None].insert(0, after_all)
    health = client.get("/healthz")
    assert health.status_code == 200
    assert not any(name.startswith("X-RateLimit") for name in health.headers.keys())
    assert left == [False]  # Flask-Limiter's hooks did not run: nothing to do without a checked limit
    limited = client.post("/api/v1/forms/registrasi/submissions", headers={"Accept": "application/json"})
    assert "X-RateLimit-Limit" in limited.headers and left == [False, True]
