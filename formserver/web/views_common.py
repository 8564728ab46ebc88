"""What the pages and the API share: finding the caller's submission and describing its steps."""
import unicodedata
from urllib.parse import urlsplit

from flask import abort, session

from ..i18n import gettext, text
from ..submissions import SubmissionNotFound
from . import services
from .errors import error_response
from .extensions import actor


def owned_submission(submission_id: str) -> dict:
    """The caller's submission (or the one an officer files for the applicant they assist), or 404 (also for
    someone else's)."""
    try:
        return services().submissions.get(submission_id, actor())
    except SubmissionNotFound:
        from ..backoffice.views import assisted_submission  # that module imports this one
        doc = assisted_submission(submission_id)
        if doc is None:
            abort(404)
        return doc


def step_list(doc: dict, state) -> list[dict]:
    """The steps on the path with their titles and status (done, current, todo)."""
    form = services().submissions.form_of(doc)
    current = services().submissions.first_open_step(doc, state)
    return [{"key": key, "title": text(form.steps_by_key[key].spec["title"]),
             "status": "done" if key in doc["completed"] else ("current" if key == current else "todo")}
            for key in state.path]


def version_notice(doc: dict) -> dict | None:
    """The notice of a move to another version of the form (versions.py, migrate), in the request's language."""
    notice = doc["meta"].get("version_notice")
    if not notice:
        return None
    return {**notice, "changes": [text(line) for line in notice.get("changes", [])],
            "reasons": [text(reason) for reason in notice.get("reasons", [])]}


def public_data(form, data: dict) -> dict:
    """The kept answers (a draft saved before secrets were never kept may still hold one: it never leaves)."""
    return {k: v for k, v in data.items() if k not in form.fields_by_key or form.fields_by_key[k].store}


def current_account() -> dict | None:
    """The logged-in account, or None."""
    account_id = session.get("account_id")
    return services().store.get_account(account_id) if account_id else None


def local_target(raw: str) -> str:
    """``raw`` when it is a path on this site (never an open redirect), else ""; 400 when it holds control
    characters, which browsers drop from a Location (``/\t/evil.example`` is ``//evil.example`` to them)."""
    if not raw:
        return ""
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in raw):
        abort(error_response(400, gettext("Alamat tujuan setelah masuk tidak sah.")))
    parts = urlsplit(raw)
    if not raw.startswith("/") or raw.startswith("//") or "\\" in raw or parts.scheme or parts.netloc:
        return ""
    return raw


def typed(posted, path: str) -> bool:
    """Whether the applicant typed or chose something at ``path`` (``group.0.key``) of the posted step."""
    node = posted
    for segment in path.split("."):
        if isinstance(node, list) and segment.isdigit() and int(segment) < len(node):
            node = node[int(segment)]
        elif isinstance(node, dict):
            node = node.get(segment)
        else:
            return False
    return node not in (None, "", [], {})


def _leaves(node, prefix: str = ""):
    """(dotted path, value) of every answer in posted or stored values, in their order."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, f"{prefix}{key}" if not prefix else f"{prefix}.{key}")
    elif isinstance(node, list) and node and all(isinstance(x, dict) or x is None for x in node):
        for i, item in enumerate(node):
            yield from _leaves(item or {}, f"{prefix}.{i}")
    else:
        yield prefix, node


def changed_choice(form, step, posted: dict, stored: dict) -> str | None:
    """The first answer of ``step`` that others' choices come from (a region level) and that ``posted`` changes."""
    feeding = set()

    def walk(fields):
        for f in fields:
            if f.source:
                feeding.add(f.key)
                if f.source.get("parent"):
                    feeding.add(f.source["parent"])
            walk(f.children)
    walk(step.fields)
    before = dict(_leaves(stored))
    for path, value in _leaves(posted):
        if path.split(".")[-1] in feeding and value not in (None, "") and value != before.get(path):
            return path
    return None
