"""Between HTML forms and the engine: parse posted fields, and describe a step for its template."""
import re

from flask import get_flashed_messages

from ..actions import RESENDS
from ..i18n import gettext, text
from ..labels import label
from ..state import EMPTY
from .jsonlimits import MAX_DEPTH
from .views_common import step_list

NAME = re.compile(r"^[a-z][a-z0-9_]*(\.(\d{1,3}|[a-z_][a-z0-9_]*))*$")


def _put(root: dict, segments: list[str], value) -> None:
    """Set a dotted name's value in nested dicts; numeric segments are item positions."""
    node = root
    for segment in segments[:-1]:
        key = int(segment) if segment.isdigit() else segment
        node = node.setdefault(key, {})
    last = segments[-1]
    node[int(last) if last.isdigit() else last] = value


def _lists(node, keep_positions=False):
    """Nested dicts with numeric keys become lists in position order.

    With ``keep_positions`` (a group continuing an earlier group's items) an item stays at the
    position its name gave, gaps are ``None``: the page shows only the items a step asks about,
    and each item's answers belong to that item (its ``_id`` is posted too), never to a neighbour.
    """
    if not isinstance(node, dict):
        return node
    if node and all(isinstance(k, int) for k in node):
        if keep_positions:
            items = [None] * (max(node) + 1)
            for k, v in node.items():
                items[k] = _lists(v)
            return items
        return [_lists(node[k]) for k in sorted(node)]
    return {k: _lists(v) for k, v in node.items()}


def parse_step_form(form, step, posted) -> dict:
    """The step's values from an HTML form: lists for multi-choices, nested item lists for groups."""
    values: dict = {}
    for name in posted.keys():
        if name.startswith("_") or name == "csrf_token" or name.count(".") >= MAX_DEPTH or not NAME.match(name):
            continue
        segments = name.split(".")
        field = form.fields_by_key.get(segments[-1])
        value = field.kind.from_form(posted, name) if field is not None else posted.get(name)
        _put(values, segments, value)
    continuing = {f.data_key for f in step.fields if f.each}
    values = {k: _lists(v, keep_positions=k in continuing) for k, v in values.items()}
    for f in step.fields:
        if f.repeat and not isinstance(values.get(f.data_key), list):
            values[f.data_key] = []
        elif f.kind.blank_when_absent and f.key not in values:
            values[f.key] = None  # an unticked box is posted as nothing: it is an answer, "no"
    return values


def _display(f, value, options) -> str:
    """An answer as the applicant reads it on the review page."""
    return f.kind.display(value, {str(v): text(label) for v, label in options or []})


def answer_rows(fields, state, holder: dict, prefix: str = "") -> list[dict]:
    """Question/answer rows for visible fields; a repeating group adds a titled row per item."""
    rows = []
    for f in fields:
        path = f"{prefix}{f.key}"
        if f.kind.container and f.repeat:
            base = f"{prefix}{f.data_key}" if not f.each else f.data_key
            items = holder.get(f.data_key) if isinstance(holder.get(f.data_key), list) else []
            for i, item in enumerate(items):
                item_path = f"{base}.{i}"
                if (f.key, item_path) in state.hidden_items or not isinstance(item, dict):
                    continue
                title = state.item_labels.get((f.key, item_path)) or f"{text(f.spec.get('label'))} {i + 1}"
                rows.append({"key": item_path, "heading": str(title)})
                rows.extend(answer_rows(f.children, state, item, f"{item_path}."))
            continue
        field_state = state.fields.get(path)
        if not field_state or not field_state.visible or f.kind.silent or not f.store:
            continue
        if f.kind.container:
            rows.extend(answer_rows(f.children, state, holder, prefix))
            continue
        shown = _display(f, holder.get(f.key), field_state.options)
        rows.append({"key": path, "label": text(f.spec.get("label")), "value": shown or gettext("Tidak diisi"),
                     "changeable": f.input is not None})  # computed and read-only answers have nothing to change
    return rows


def review_rows(doc, form, state, final: str | None = None) -> list[dict]:
    """Check-your-answers rows per step on the path before ``final`` (whose questions follow on the page)."""
    sections = []
    for key in state.path:
        if key == final:
            break
        step = form.steps_by_key[key]
        rows = answer_rows(step.fields, state, state.data)
        if rows:
            sections.append({"step": step, "title": text(step.spec["title"]), "rows": rows})
    return sections


def summary_rows(form, state, f) -> list[dict]:
    """The rows a ``summary`` field shows: the answers of the fields it names."""
    return answer_rows([form.fields_by_key[key] for key in f.spec["of"]], state, state.data)


def table_rows(form, state, f) -> list[dict]:
    """The rows of a group shown as a table: per visible item, its path, its answers and the columns' words."""
    rows = []
    items = state.data.get(f.data_key)
    for i, item in enumerate(items if isinstance(items, list) else []):
        item_path = f"{f.data_key}.{i}"
        if (f.key, item_path) in state.hidden_items or not isinstance(item, dict):
            continue
        cells = state.item_cells.get((f.key, item_path)) or [None] * len(f.columns)
        rows.append({"path": item_path, "item": item, "title": state.item_labels.get((f.key, item_path)),
                     "cells": [_cell(form, column, value) for column, value in zip(f.columns, cells)]})
    return rows


def _cell(form, column, value) -> str:
    if column.field is not None:
        field = form.fields_by_key[column.field]
        return _display(field, value, [(o.value, o.label) for o in field.options])
    if value in EMPTY:
        return ""
    if column.labels and str(value) in column.labels:
        return text(column.labels[str(value)])
    return label(value)


def _prefilled(step, state, values: dict) -> dict:
    """A step's unanswered questions with a ``prefill`` rule get its value as the suggested answer (in each item of
    a repeating group too)."""
    for f in step.fields:
        if f.kind.container and f.repeat and any(child.prefill is not None for child in f.children):
            values[f.data_key] = _prefilled_items(f, state, values.get(f.data_key))
        elif f.prefill is not None and values.get(f.key) in EMPTY and state.visible(f.key):
            suggestion = f.prefill(state.data)
            if suggestion not in EMPTY:
                values[f.key] = suggestion
    return values


def _prefilled_items(group, state, items) -> list:
    """Copies of a repeating group's items with their unanswered questions' suggested answers."""
    base = group.data_key if group.each else group.key
    filled = []
    for i, item in enumerate(items if isinstance(items, list) else []):
        item = dict(item) if isinstance(item, dict) else {}
        for child in group.children:
            if child.prefill is not None and item.get(child.key) in EMPTY and state.visible(f"{base}.{i}.{child.key}"):
                suggestion = child.prefill({**state.data, **item})
                if suggestion not in EMPTY:
                    item[child.key] = suggestion
        filled.append(item)
    return filled


def _error_summary(errors: dict, form=None, state=None) -> list[dict]:
    """One line per error; the line names the activity (item) and the question when the message alone does not."""
    paths = sorted(errors, key=lambda path: _page_order(path, form))
    return [{"path": path, "message": _summary_message(path, errors[path][0], form, state)} for path in paths]


def _page_order(path: str, form) -> tuple:
    """A path's place on the page: item by item, and within an item the order the questions are defined in."""
    if form is None:
        return ()
    order = {key: i for i, key in enumerate(form.fields_by_key)}
    return tuple(int(s) if s.isdigit() else order.get(s, len(order)) for s in path.split("."))


def _summary_message(path: str, message, form, state) -> str:
    if form is None or state is None:
        return message
    segments = path.split(".")
    # an item by the short part of its title ("KBLI 47191", not the KBLI's whole name)
    items = {item_path: str(title).split(" – ")[0] for (_, item_path), title in state.item_labels.items() if title}
    where = [items[p] for p in (".".join(segments[:i]) for i in range(2, len(segments))) if p in items]
    field = form.fields_by_key.get(segments[-1])
    question = text(field.spec.get("label")) if field is not None and field.spec.get("label") else ""
    own = field.spec.get("required_message") if field is not None else None
    if question and (question.lower() in str(message).lower() or own and str(message) == text(own)):
        question = ""  # the question's own message names it already
    prefix = " · ".join(where + ([question] if question else []))
    return f"{prefix}: {message}" if prefix else message


def step_view(doc, form, step, state, errors=None, posted=None, steps=None) -> dict:
    """Everything step.html needs (``steps``: the step list, when it is not the submission's own: a preview)."""
    steps = step_list(doc, state) if steps is None else steps
    position = next((i for i, s in enumerate(steps) if s["key"] == step.key), 0)
    values = dict(state.data)
    if posted:
        # what was typed stays on the page where it was refused, in a repeating group's item as well
        refused = {path.split(".")[0] for path in errors or ()}
        values.update({k: v for k, v in posted.items() if k not in state.data or k in refused})
    summaries = {f.key: summary_rows(form, state, f) for f in step.fields if f.spec.get("of")}
    tables = {f.key: table_rows(form, state, f) for f in step.fields if f.columns}
    if not errors:
        values = _prefilled(step, state, values)
    return {
        "doc": doc, "form": form, "step": step, "state": state, "values": values, "summaries": summaries,
        "tables": tables,
        "errors": errors or {}, "error_summary": _error_summary(errors or {}, form, state),
        "steps": steps, "step_keys": ",".join(s["key"] for s in steps), "position": position + 1, "total": len(steps),
        "notices": get_flashed_messages(),
        "back": steps[position - 1]["key"] if position > 0 else None,
        "can_resend": step.action in RESENDS,  # the step's action can send its code again
    }
