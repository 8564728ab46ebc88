"""Static files under content-hashed URLs: `url_for('static', filename='css/app.css')` gives
`/static/css/app.3f2a9c1b7d04.css`, served with a one-year `immutable` cache lifetime, so a browser asks for
each version of a file once. The plain URL still works (revalidated with its ETag on every use), and a hashed
URL of an older version redirects to the current one.
"""
import hashlib
import os
import re
from pathlib import Path

from flask import redirect, request, send_from_directory, url_for
from flask.globals import _cv_request
from werkzeug.exceptions import NotFound

YEAR = 365 * 24 * 3600
DIGEST_LENGTH = 12
HASHED = re.compile(rf"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{{{DIGEST_LENGTH}}})(?P<suffix>\.[A-Za-z0-9]+)$")


class Assets:
    """The content digests of the files in one static folder, computed once per file version."""

    def __init__(self, folder: str, watch: bool = True):
        self.folder = Path(folder)
        self.watch = watch  # look for changed files (development); without it a digest is computed once per process
        self._digests: dict[str, tuple[int, int, str]] = {}
        self._urls: dict[tuple[str, str], str] = {}

    def digest(self, filename: str) -> str | None:
        """The file's content digest, or None when there is no such regular file in the folder."""
        if not self.watch and filename in self._digests:
            return self._digests[filename][2]
        path = self.folder / filename
        try:
            stat = os.stat(path)
        except (OSError, ValueError):
            return None
        known = self._digests.get(filename)
        if known and known[:2] == (stat.st_mtime_ns, stat.st_size):
            return known[2]
        if not path.is_file() or not path.resolve().is_relative_to(self.folder.resolve()):
            return None
        value = hashlib.sha256(path.read_bytes()).hexdigest()[:DIGEST_LENGTH]
        self._digests[filename] = (stat.st_mtime_ns, stat.st_size, value)
        return value

    def hashed_name(self, filename: str) -> str:
        """`css/app.css` → `css/app.<digest>.css` (unchanged when the file does not exist or has no suffix)."""
        stem, dot, suffix = filename.rpartition(".")
        if not dot or "/" in suffix:
            return filename
        value = self.digest(filename)
        return f"{stem}.{value}.{suffix}" if value else filename

    def url(self, filename: str) -> str:
        """url_for('static', filename=...) built once per file (pages link the same three files every time)."""
        key = (_script_root(), filename)
        found = None if self.watch else self._urls.get(key)
        if found is None:
            found = self._urls[key] = url_for("static", filename=filename)
        return found

    def page_url(self, endpoint: str) -> str:
        """url_for of a page without parameters (the header's links), built once per script root."""
        key = (_script_root(), "@" + endpoint)
        found = self._urls.get(key)
        if found is None:
            found = self._urls[key] = url_for(endpoint)
        return found

    def add_digest(self, endpoint: str, values: dict) -> None:
        """url_defaults hook: every link to a static file carries its digest."""
        if endpoint == "static" and "filename" in values:
            values["filename"] = self.hashed_name(values["filename"])

    add_digest.only_static = True  # templates' links to pages need not ask it (web/templating.py: Links)

    def serve(self, filename: str):
        """The static view: hashed names for a year, plain names revalidated, old digests redirected."""
        match = HASHED.match(filename)
        if match:
            plain = f"{match['stem']}{match['suffix']}"
            current = self.digest(plain)
            if current is None:
                raise NotFound()
            if current != match["digest"]:
                return redirect(url_for("static", filename=plain), 302)
            response = send_from_directory(self.folder, plain, max_age=YEAR)
            response.cache_control.public = True
            response.cache_control.immutable = True
            return response
        response = send_from_directory(self.folder, filename, max_age=0)
        response.cache_control.no_cache = True
        return response


def _script_root() -> str:
    """request.script_root, read from the request itself rather than through its proxy (pages link several files)."""
    ctx = _cv_request.get(None)
    return ctx.request.script_root if ctx is not None else request.script_root


def init_app(app) -> None:
    """Hash the app's static URLs and serve them."""
    assets = Assets(app.static_folder, watch=app.debug or bool(app.config.get("TEMPLATES_AUTO_RELOAD")))
    app.extensions["assets"] = assets
    app.url_defaults(assets.add_digest)
    app.view_functions["static"] = assets.serve
    app.jinja_env.globals.update(static_url=assets.url, page_url=assets.page_url)
