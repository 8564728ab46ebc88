"""Serve a real formserver app over HTTP on 127.0.0.1 for browser tests."""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from .conftest import make_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def skip_without_chromium() -> None:
    """Skip the calling test module where Chromium is missing, unless CI is set: there the browser fixture fails."""
    if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); set CI to make this a failure",
                    allow_module_level=True)


@contextmanager
def launched_chromium():
    """One headless Debian Chromium driven by Playwright (no browser download is possible here)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"CI is set but {CHROMIUM} is missing: install the Debian chromium package")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class QuietRequestHandler(WSGIRequestHandler):
    """Does not log every request: the tests' output stays readable (errors are still logged by the app)."""

    def log_request(self, code="-", size="-"):
        pass


@contextmanager
def serve_app(app):
    """Run ``app`` with werkzeug on a free loopback port in a background thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="formserver-test-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()  # stops serve_forever and waits for it
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def running_app(tmp_dir: Path, smtp, whatsapp, **overrides):
    """Build an app on ``tmp_dir`` (see ``conftest.make_app``) and serve it; yields the base URL."""
    app = make_app(tmp_dir, smtp, whatsapp, **overrides)
    with serve_app(app) as base_url:
        yield base_url
