"""Between HTML forms and the engine: parse posted fields, and describe a step for its template."""
import re

from flask import get_flashed_messages

from ..i18n import text
from ..state import EMPTY
from . import services
from .views_common import step_list

NAME = re.compile(r"^[a-z][a-z0-9_]*(\.(\d{1,3}|[a-z_][a-z0-9_]*))*$")


def _put(root: dict, segments: list[str], value) -> None:
    """Set a dotted name's value in nested dicts; numeric segments are item positions."""
    node = root
    for segment, following in zip(segments, segments[1:]):
        key = int(segment) if segment.isdigit() else segment
        node = node.setdefault(key, {})
    last = segments[-1]
    node[int(last) if last.isdigit() else last] = value


def _lists(node):
    """Nested dicts with numeric keys become lists in position order."""
    if not isinstance(node, dict):
        return node
    if node and all(isinstance(k, int) for k in node):
        return [_lists(node[k]) for k in sorted(node)]
    return {k: _lists(v) for k, v in node.items()}


def parse_step_form(form, step, posted) -> dict:
    """The step's values from an HTML form: lists for multi-choices, nested item lists for groups."""
    values: dict = {}
    for name in posted.keys():
        if name.startswith("_") or name == "csrf_token" or not NAME.match(name):
            continue
        segments = name.split(".")
        field = form.fields_by_key.get(segments[-1])
        value = posted.getlist(name) if field is not None and field.type == "multichoice" else posted.get(name)
        _put(values, segments, value)
    values = _lists(values)
    for f in step.fields:
        if f.repeat and not isinstance(values.get(f.data_key), list):
            values[f.data_key] = []
        elif f.type == "consent" and f.key not in values:
            values[f.key] = None
    return values


def _display(f, value, options) -> str:
    """An answer as the applicant reads it on the review page."""
    if value in EMPTY:
        return ""
    if f.type == "password":
        return "••••••••"
    if f.type == "consent":
        return "✓"
    labels = {str(v): text(label) for v, label in options or []}
    if f.type == "multichoice":
        return ", ".join(labels.get(str(v), str(v)) for v in value)
    if f.type == "rupiah" and isinstance(value, int):
        return "Rp" + f"{value:,}".replace(",", ".")
    if f.type == "date":
        year, month, day = str(value).split("-")
        return f"{day}-{month}-{year}"
    return labels.get(str(value), str(value))


def review_rows(doc, form, state) -> list[dict]:
    """Check-your-answers rows per completed step: question, answer, change link target."""
    sections = []
    for key in state.path:
        step = form.steps_by_key[key]
        rows = []
        for f in step.fields:
            field_state = state.fields.get(f.key)
            if not field_state or not field_state.visible or f.type in ("statement", "group") or not f.store:
                continue
            value = state.data.get(f.key)
            rows.append({"key": f.key, "label": text(f.spec.get("label")),
                         "value": _display(f, value, field_state.options)})
        if rows:
            sections.append({"step": step, "title": text(step.spec["title"]), "rows": rows})
    return sections


def _error_summary(errors: dict) -> list[dict]:
    return [{"path": path, "message": messages[0]} for path, messages in errors.items()]


def step_view(doc, form, step, state, errors=None, posted=None) -> dict:
    """Everything step.html needs."""
    steps = step_list(doc, state)
    position = next((i for i, s in enumerate(steps) if s["key"] == step.key), 0)
    values = dict(state.data)
    if posted:
        values.update({k: v for k, v in posted.items() if k not in state.data or errors and k in errors})
    return {
        "doc": doc, "form": form, "step": step, "state": state, "values": values,
        "errors": errors or {}, "error_summary": _error_summary(errors or {}),
        "steps": steps, "position": position + 1, "total": len(steps),
        "notices": get_flashed_messages(),
        "back": steps[position - 1]["key"] if position > 0 else None,
        "is_registration_code": step.action == "registration.check_code",
    }
