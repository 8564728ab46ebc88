"""Between the editor's HTML forms and a definition: read a posted field or step, and describe rules for a page.

Input names: ``label.id``/``label.en``, ``hint.id``/``hint.en``, ``required``, ``options.N.value``/
``options.N.label.id``/``options.N.label.en``/``options.N.remove``, ``validators`` (a name per
ticked box) with ``validators.<name>.<argument>`` for the arguments of those that take some, and
for each rule (``visible_if``, ``required_if``): ``<rule>.mode`` (none | builder | raw),
``<rule>.combine``, rows ``<rule>.N.field``/``.op``/``.value``, a group of rows ``<rule>.N.combine``
with rows ``<rule>.N.M.field`` …, and ``<rule>.raw`` (JsonLogic).
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping

from ..i18n import gettext, json_mistake, offered_locales
from . import rules
from .edit import text, text_locales

RULES = ("visible_if", "required_if")
MAX_RULE_TEXT = 64 * 1024
_INDEX = re.compile(r"^\d{1,3}$")


class Posted:
    """A read-only view of posted fields (a werkzeug MultiDict or a plain dict in tests)."""

    def __init__(self, data):
        self.data = data

    def get(self, name: str, default: str = "") -> str:
        value = self.data.get(name, default)
        return value if isinstance(value, str) else default

    def getlist(self, name: str) -> list[str]:
        if hasattr(self.data, "getlist"):
            return [v for v in self.data.getlist(name) if isinstance(v, str)]
        value = self.data.get(name)
        return value if isinstance(value, list) else ([value] if isinstance(value, str) else [])

    def indices(self, prefix: str) -> list[int]:
        """The row numbers posted under ``prefix.N.…``, in order."""
        found = set()
        for name in self.data.keys():
            if name.startswith(prefix + "."):
                head = name[len(prefix) + 1:].split(".", 1)[0]
                if _INDEX.match(head):
                    found.add(int(head))
        return sorted(found)

    def __contains__(self, name: str) -> bool:
        return name in self.data


def read_text(posted: Posted, name: str) -> dict | None:
    """A text from ``name.id``, ``name.en`` and ``name.<locale>`` for each other locale offered."""
    return text(posted.get(f"{name}.id"), posted.get(f"{name}.en"),
                {lang: posted.get(f"{name}.{lang}") for lang in text_locales()[2:]})


# ---------------------------------------------------------------- rules


def value_of(raw: str, info: Mapping | None):
    """A value typed into the builder as the answers hold it: a choice by its value or its label."""
    info = info or {}
    typed = raw.strip()
    for value, label in (info.get("options") or {}).items():
        words = [value] + ([label.get("id", ""), label.get("en", "")] if isinstance(label, dict) else [str(label)])
        if any(typed.casefold() == str(w).strip().casefold() for w in words if w):
            return value
    return rules.coerce(typed, info.get("type"))


def _read_rows(posted: Posted, prefix: str, fields: Mapping, depth: int) -> rules.Group:
    items = []
    for i in posted.indices(prefix):
        row = f"{prefix}.{i}"
        if depth == 0 and f"{row}.combine" in posted:
            group = _read_rows(posted, row, fields, 1)
            if group.items:
                items.append(group)
            continue
        name = posted.get(f"{row}.field").strip()
        if not name:
            continue  # the blank row for a new condition
        op = posted.get(f"{row}.op")
        raw = posted.get(f"{row}.value")
        info = fields.get(name)
        if op in rules.UNARY:
            value = None
        elif op == "in":
            value = tuple(value_of(part, info) for part in raw.split(",") if part.strip())
        else:
            value = value_of(raw, info)
        items.append(rules.Condition(name, op, value))
    return rules.Group(posted.get(f"{prefix}.combine") or "all", tuple(items))


def read_rule(posted: Posted, name: str, fields: Mapping) -> tuple[object, str | None]:
    """(the rule posted for ``name``, an error message or None); the rule is None for "no condition"."""
    mode = posted.get(f"{name}.mode") or "builder"
    if mode == "none":
        return None, None
    if mode == "raw":
        raw = posted.get(f"{name}.raw").strip()
        if not raw:
            return None, None
        if len(raw) > MAX_RULE_TEXT:
            return None, gettext("Aturan terlalu panjang")
        try:
            return json.loads(raw), None
        except (ValueError, RecursionError) as error:
            return None, gettext("Aturan: {mistake}").format(mistake=json_mistake(error))
    model = _read_rows(posted, name, fields, 0)
    unknown = [c.field for c in rules.conditions(model) if c.field not in fields and not c.field.startswith("akun.")]
    if unknown:
        return None, gettext("Isian {value!r} tidak ada di formulir ini").format(value=unknown[0])
    for row in rules.conditions(model):
        if row.op not in rules.UNARY and row.value in ("", ()):
            return None, gettext("Isi nilai untuk syarat pada {field!r}").format(field=row.field)
    try:
        return rules.to_jsonlogic(model), None
    except rules.BuilderError as error:
        return None, str(error)


def rule_view(rule, fields: Mapping, name: str) -> dict:
    """What a page needs to show a rule: its mode, the builder's rows (with blank ones to add), the raw text, words."""
    model = rules.from_jsonlogic(rule)
    if rule is None:
        mode = "none"
    else:
        mode = "builder" if model is not None else "raw"
    model = model or rules.Group("all", ())
    rows = [_row_view(item) for item in model.items]
    rows.append(_row_view(rules.Condition("", "eq", "")))
    if not any(r["group"] for r in rows):
        rows.append(_row_view(rules.Group("any", ())))
    return {
        "name": name, "mode": mode, "combine": model.combine, "rows": rows,
        "raw": "" if rule is None else json.dumps(rule, ensure_ascii=False, indent=1),
        "sentence": {locale: rules.sentence(rule, fields, locale) for locale in offered_locales()}
        if rule is not None else None,
    }


def _row_view(item) -> dict:
    if isinstance(item, rules.Group):
        rows = [_row_view(i) for i in item.items] + [_row_view(rules.Condition("", "eq", ""))]
        return {"group": True, "combine": item.combine, "rows": rows, "new": not item.items}
    if isinstance(item.value, tuple):
        value = ", ".join(str(v) for v in item.value)
    elif item.value is None:
        value = ""
    elif isinstance(item.value, bool):
        value = "true" if item.value else "false"
    else:
        value = str(item.value)
    return {"group": False, "field": item.field, "op": item.op, "value": value}


def operators() -> list[dict]:
    """The builder's operators with their words in the current locale, for the select."""
    return [{"op": op, "words": str(words), "unary": op in rules.UNARY} for op, (_, words) in rules.OPERATORS.items()]


# ---------------------------------------------------------------- a field


def read_options(posted: Posted, original: list | None) -> tuple[list, dict]:
    """The choices posted (existing rows keep their other properties), and errors by input name."""
    original = original or []
    options, errors, seen = [], {}, set()
    for i in posted.indices("options"):
        row = f"options.{i}"
        value = posted.get(f"{row}.value").strip()
        label = read_text(posted, f"{row}.label")
        if posted.get(f"{row}.remove") or (not value and label is None):
            continue
        if not value:
            errors[f"{row}.value"] = gettext("Isi nilai pilihan (misalnya YA)")
            continue
        if value in seen:
            errors[f"{row}.value"] = gettext("Nilai {value!r} sudah dipakai pilihan lain").format(value=value)
            continue
        seen.add(value)
        kept = dict(original[i]) if i < len(original) and isinstance(original[i], dict) else {}
        options.append({**kept, "value": value, "label": label})
    return options, errors


def read_validators(posted: Posted, original: list | None, available: Mapping[str, Mapping[str, str]],
                    fields: Mapping = ()) -> tuple[list, dict]:
    """(the validators, errors by input name) from the ticked boxes and each ticked one's argument inputs.

    ``available`` is what may be ticked: validator name -> {argument: kind ("integer" or "field")}.
    A validator without arguments is written as its name, one with them as ``{"name", "args"}``;
    an argument is read from ``validators.<name>.<argument>``. Validators not in ``available`` are kept.
    """
    names = [v.get("name") if isinstance(v, dict) else v for v in original or []]
    kept = [v for v, name in zip(original or [], names) if name not in available]
    ticked = [name for name in posted.getlist("validators") if name in available]
    # those already there keep their place; newly ticked ones follow in the page's order
    order = [n for n in names if n in ticked] + [n for n in ticked if n not in names]
    chosen: list = []
    errors: dict = {}
    for name in sorted(set(order), key=order.index):
        if not available[name]:
            chosen.append(name)
            continue
        args: dict = {}
        for arg, kind in available[name].items():
            input_name = f"validators.{name}.{arg}"
            raw = posted.get(input_name).strip()
            if kind == "integer":
                if not re.fullmatch(r"[0-9]{1,6}", raw) or int(raw) < 1:
                    errors[input_name] = gettext("Isi dengan bilangan bulat, misalnya 5")
                    continue
                args[arg] = int(raw)
            else:
                if raw not in fields:
                    errors[input_name] = gettext("Pilih salah satu isian formulir")
                    continue
                args[arg] = raw
        chosen.append({"name": name, "args": args})
    return kept + chosen, errors


# ---------------------------------------------------------------- lengths, ranges and a pattern

# the limits a field page offers in plain words, by property: "count" (characters: 0 or more) or "whole" (a number
# answer's bound; "15.000.000" as Indonesian writes it)
LIMITS = {"min_length": "count", "max_length": "count", "min": "whole", "max": "whole"}
LIMIT_LABELS = {
    "min_length": gettext("Jumlah huruf paling sedikit"),
    "max_length": gettext("Jumlah huruf paling banyak"),
    "min": gettext("Nilai paling kecil"), "max": gettext("Nilai paling besar")}
MAX_PATTERN = 500


def _whole(raw: str) -> int | None:
    """A whole number as typed: digits, maybe a minus sign and Indonesian thousands dots ("15.000.000")."""
    raw = raw.strip().replace(" ", "")
    if not re.fullmatch(r"-?\d{1,3}(\.\d{3})+|-?\d+", raw):
        return None
    return int(raw.replace(".", ""))


def read_limits(posted: Posted, properties: set[str]) -> tuple[dict, dict]:
    """(length, range and pattern changes, errors by input name) from a field page's plain inputs; an empty input
    removes that limit. A pattern must be a regular expression the server can use; its message is bilingual."""
    changes: dict = {}
    errors: dict = {}
    for name, kind in LIMITS.items():
        if name not in properties:
            continue
        raw = (posted.get(name) or "").strip()
        value = _whole(raw) if raw else None
        if raw and (value is None or (kind == "count" and value < 0)):
            errors[name] = gettext("Tulis bilangan bulat 0 atau lebih, misalnya 16") \
                if kind == "count" else gettext("Tulis bilangan bulat, misalnya 15.000.000")
        else:
            changes[name] = value
    for low, high in (("min_length", "max_length"), ("min", "max")):
        if changes.get(low) is not None and changes.get(high) is not None and changes[low] > changes[high]:
            errors[high] = gettext("Batas atas tidak boleh lebih kecil dari batas bawah")
    if "pattern" in properties:
        pattern = posted.get("pattern") or ""
        message = read_text(posted, "pattern_message")
        if not pattern.strip():
            changes.update(pattern=None, pattern_message=None)
        else:
            try:
                re.compile(pattern)
            except re.error as error:
                errors["pattern"] = gettext("Pola ini bukan ekspresi reguler yang sah: {error}").format(error=error)
            if len(pattern) > MAX_PATTERN:
                errors["pattern"] = gettext("Pola paling panjang {max_pattern} huruf").format(max_pattern=MAX_PATTERN)
            changes["pattern"] = pattern
            if message is None:
                errors["pattern_message.id"] = gettext("Tulis pesan bagi pemohon bila jawabannya tidak sesuai pola")
            elif not all(message.values()):
                errors[f"pattern_message.{'id' if not message['id'] else 'en'}"] = gettext(
                    "Isi dalam Bahasa Indonesia dan bahasa Inggris")
            changes["pattern_message"] = message
    return changes, errors


def read_field(posted: Posted, field: dict, properties: set[str], fields: Mapping,
               validators: Mapping[str, Mapping[str, str]]):
    """(changes to the field, errors by input name) from its edit form.

    ``validators``: those an admin may tick, name -> {argument: kind} (see ``read_validators``).
    """
    changes: dict = {}
    errors: dict = {}
    if field.get("type") == "statement":
        changes["text"] = read_text(posted, "text")
    else:
        changes["label"] = read_text(posted, "label")
    changes["hint"] = read_text(posted, "hint")
    for name in ("label", "text"):
        if name in changes and changes[name] is not None and not all(changes[name].values()):
            errors[f"{name}.{'id' if not changes[name]['id'] else 'en'}"] = gettext(
                "Isi dalam Bahasa Indonesia dan bahasa Inggris")
    if "required" in properties:
        changes["required"] = True if posted.get("required") else None
    if "options" in properties or "options" in field:
        changes["options"], option_errors = read_options(posted, field.get("options"))
        errors.update(option_errors)
    limits, limit_errors = read_limits(posted, properties)
    changes.update(limits)
    errors.update(limit_errors)
    if "validators" in properties:
        chosen, validator_errors = read_validators(posted, field.get("validators"), validators, fields)
        changes["validators"] = chosen or None
        errors.update(validator_errors)
    for name in RULES:
        if name == "required_if" and "required_if" not in properties:
            continue
        rule, error = read_rule(posted, name, fields)
        changes[name] = rule
        if error:
            errors[name] = error
    return changes, errors
