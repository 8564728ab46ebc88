"""A readable difference between two versions of a form definition.

Steps and fields are matched by their keys, never by position: a field moved to another step is
one field that moved, not one removed and one added. Every change carries words in Indonesian and
English; rules are said as sentences (:mod:`formserver.admin.rules`) with each side's labels.
"""
from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from . import rules

# attribute → (Indonesian name, English name); anything else is named by its key
ATTRIBUTES = {
    "title": ("Judul", "Title"), "description": ("Keterangan", "Description"), "label": ("Label", "Label"),
    "hint": ("Bantuan", "Help text"), "text": ("Teks", "Text"), "type": ("Jenis isian", "Field type"),
    "required": ("Wajib", "Required"), "required_if": ("Wajib bila", "Required when"),
    "visible_if": ("Tampil bila", "Shown when"), "item_visible_if": ("Butir tampil bila", "Item shown when"),
    "required_message": ("Pesan bila kosong", "Message when missing"), "options": ("Pilihan", "Choices"),
    "validators": ("Validasi", "Validators"), "compute": ("Rumus", "Formula"), "prefill": ("Isian awal", "Prefill"),
    "min": ("Paling kecil", "Minimum"), "max": ("Paling besar", "Maximum"),
    "min_length": ("Panjang minimal", "Minimum length"), "max_length": ("Panjang maksimal", "Maximum length"),
    "min_items": ("Jumlah butir minimal", "Minimum items"), "max_items": ("Jumlah butir maksimal", "Maximum items"),
    "pattern": ("Pola", "Pattern"), "pattern_message": ("Pesan pola", "Pattern message"),
    "next": ("Langkah berikutnya", "Next step"), "checks": ("Pemeriksaan", "Checks"), "action": ("Aksi", "Action"),
    "submit_label": ("Tombol", "Button"), "check_label": ("Tombol periksa", "Check button"),
    "access": ("Akses", "Access"), "step": ("Langkah", "Step"), "order": ("Urutan", "Order"),
    "review": ("Halaman periksa", "Review page"), "end": ("Langkah akhir", "Final step"),
}
RULES = frozenset({"visible_if", "required_if", "item_visible_if", "compute", "prefill"})
TEXTS = frozenset({"title", "description", "label", "hint", "text", "required_message", "pattern_message",
                   "submit_label", "check_label"})
IGNORED = frozenset({"$schema", "version", "key", "fields", "steps"})
ACTIONS = {"added": ("ditambahkan", "added"), "removed": ("dihapus", "removed"), "changed": ("diubah", "changed")}
KINDS = {"form": ("Formulir", "Form"), "step": ("Langkah", "Step"), "field": ("Isian", "Field")}


@dataclass(frozen=True)
class Detail:
    """One attribute that differs, with its values and its words in both languages."""

    attribute: str
    before: Any
    after: Any
    words: dict  # {"id": ..., "en": ...}

    def to_dict(self) -> dict:
        return {"attribute": self.attribute, "before": self.before, "after": self.after, "text": self.words}


@dataclass(frozen=True)
class Change:
    """A step or field added, removed or changed (or the form's own attributes changed)."""

    action: str          # added | removed | changed
    kind: str            # form | step | field
    key: str
    step: str | None     # the step holding it (the new version's, else the old one's)
    label: Any           # its text {"id", "en"} on the newer side that has it
    details: tuple = ()
    parent: str | None = None   # the group holding a field inside a group

    def words(self, lang: str = "id") -> str:
        i = 1 if lang == "en" else 0
        name = _text(self.label, lang) or self.key
        return f"{KINDS[self.kind][i]} “{name}” ({self.key}) {ACTIONS[self.action][i]}"

    def to_dict(self) -> dict:
        return {"action": self.action, "kind": self.kind, "key": self.key, "step": self.step, "parent": self.parent,
                "label": self.label, "text": {"id": self.words("id"), "en": self.words("en")},
                "changes": [d.to_dict() for d in self.details]}


def _text(value, lang: str) -> str:
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("id") or "")
    return "" if value is None else str(value)


def _show(value, lang: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, dict) and set(value) <= {"id", "en"}:
        return f"“{_text(value, lang)}”"
    if value is True:
        return "ya" if lang == "id" else "yes"
    if value is False:
        return "tidak" if lang == "id" else "no"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 160 else text[:159] + "…"


class _Sides:
    """What both versions' rules need to be said in words: each side's fields."""

    def __init__(self, old: Mapping, new: Mapping):
        self.old_fields, self.new_fields = rules.fields_of(old), rules.fields_of(new)

    def detail(self, attribute: str, before, after) -> Detail:
        words = {}
        for lang, i in (("id", 0), ("en", 1)):
            name = ATTRIBUTES.get(attribute, (attribute, attribute))[i]
            words[lang] = f"{name}: {self._value(attribute, before, lang, self.old_fields)} → " \
                          f"{self._value(attribute, after, lang, self.new_fields)}"
        return Detail(attribute, before, after, words)

    def _value(self, attribute, value, lang, fields) -> str:
        if attribute in RULES and value is not None:
            return rules.sentence(value, fields, lang)
        return _show(value, lang)

    def options(self, before, after) -> Detail | None:
        old = {str(o.get("value")): o for o in before or [] if isinstance(o, dict)}
        new = {str(o.get("value")): o for o in after or [] if isinstance(o, dict)}
        added = [v for v in new if v not in old]
        removed = [v for v in old if v not in new]
        changed = [v for v in new if v in old and new[v] != old[v]]
        moved = [v for v in new if v in old] != [v for v in old if v in new]
        if not (added or removed or changed or moved):
            return None
        words = {}
        for lang, i in (("id", 0), ("en", 1)):
            parts = []
            if added:
                parts.append(("ditambah " if i == 0 else "added ") + _names(added, new, lang))
            if removed:
                parts.append(("dihapus " if i == 0 else "removed ") + _names(removed, old, lang))
            for v in changed:
                before_label, after_label = _text(old[v].get("label"), lang), _text(new[v].get("label"), lang)
                if before_label != after_label:
                    parts.append(f"“{before_label}” → “{after_label}”")
                else:
                    parts.append(("diubah " if i == 0 else "changed ") + f"“{after_label or v}”")
            if moved:
                parts.append("urutan diubah" if i == 0 else "order changed")
            words[lang] = f"{ATTRIBUTES['options'][i]}: " + "; ".join(parts)
        return Detail("options", before, after, words)

    def validators(self, before, after) -> Detail:
        old, new = [_validator_name(v) for v in before or []], [_validator_name(v) for v in after or []]
        words = {}
        for lang, i in (("id", 0), ("en", 1)):
            parts = [("ditambah " if i == 0 else "added ") + n for n in new if n not in old]
            parts += [("dihapus " if i == 0 else "removed ") + n for n in old if n not in new]
            if not parts:
                parts = ["argumen diubah" if i == 0 else "arguments changed"]
            words[lang] = f"{ATTRIBUTES['validators'][i]}: " + ", ".join(parts)
        return Detail("validators", before, after, words)


def _names(values, options, lang) -> str:
    return ", ".join(f"“{_text(options[v].get('label'), lang) or v}”" for v in values)


def _validator_name(v) -> str:
    return str(v.get("name")) if isinstance(v, dict) else str(v)


def _attribute_details(sides: _Sides, old: Mapping, new: Mapping) -> list[Detail]:
    details = []
    for attribute in [*old, *(k for k in new if k not in old)]:
        if attribute in IGNORED or old.get(attribute) == new.get(attribute):
            continue
        before, after = old.get(attribute), new.get(attribute)
        if attribute == "options":
            detail = sides.options(before, after)
            if detail:
                details.append(detail)
        elif attribute == "validators":
            details.append(sides.validators(before, after))
        else:
            details.append(sides.detail(attribute, before, after))
    return details


@dataclass(frozen=True)
class _Place:
    field: Mapping
    step: str
    parent: str | None
    index: int


def _fields(definition: Mapping) -> dict[str, _Place]:
    """Every field of a definition by key, with the step and group holding it."""
    found: dict[str, _Place] = {}

    def walk(fields, step, parent):
        for index, f in enumerate(fields or []):
            if isinstance(f, dict) and isinstance(f.get("key"), str) and f["key"] not in found:
                found[f["key"]] = _Place(f, step, parent, index)
                walk(f.get("fields"), step, f["key"])

    for step in _steps(definition).values():
        walk(step.get("fields"), step["key"], None)
    return found


def _steps(definition: Mapping) -> dict[str, Mapping]:
    return {s["key"]: s for s in definition.get("steps") or [] if isinstance(s, dict) and isinstance(s.get("key"), str)}


def _order(places: Mapping[str, _Place], step: str, parent: str | None) -> list[str]:
    return [k for k, p in sorted(places.items(), key=lambda kv: kv[1].index) if p.step == step and p.parent == parent]


def diff(old: Mapping, new: Mapping) -> list[Change]:
    """What changed from ``old`` to ``new``: the form, then step by step, then the fields."""
    sides = _Sides(old, new)
    changes: list[Change] = []
    form_details = _attribute_details(sides, old, new)
    old_steps, new_steps = _steps(old), _steps(new)
    common = [k for k in old_steps if k in new_steps]
    if common != [k for k in new_steps if k in old_steps]:
        form_details.append(sides.detail("order", [k for k in old_steps if k in new_steps], [k for k in new_steps if k in old_steps]))
    if form_details:
        changes.append(Change("changed", "form", str(new.get("key") or old.get("key") or ""), None, new.get("title"),
                              tuple(form_details)))
    old_fields, new_fields = _fields(old), _fields(new)
    for key, step in new_steps.items():
        if key not in old_steps:
            changes.append(Change("added", "step", key, key, step.get("title")))
            continue
        details = _attribute_details(sides, old_steps[key], step)
        details += _order_details(sides, old_fields, new_fields, key)
        if details:
            changes.append(Change("changed", "step", key, key, step.get("title"), tuple(details)))
    for key, step in old_steps.items():
        if key not in new_steps:
            changes.append(Change("removed", "step", key, key, step.get("title")))
    changes.extend(_field_changes(sides, old_fields, new_fields, old_steps, new_steps))
    return changes


def _order_details(sides, old_fields, new_fields, step) -> list[Detail]:
    """The order of the fields that stayed in a step (or one of its groups), when it changed."""
    details = []
    parents = {None} | {p.parent for p in new_fields.values() if p.step == step and p.parent}
    for parent in sorted(parents, key=lambda p: (p is not None, p or "")):
        before = [k for k in _order(old_fields, step, parent) if k in new_fields and new_fields[k].step == step
                  and new_fields[k].parent == parent]
        after = [k for k in _order(new_fields, step, parent) if k in before]
        if before != after:
            details.append(sides.detail("order", before, after))
    return details


def _field_changes(sides, old_fields, new_fields, old_steps, new_steps) -> Iterator[Change]:
    for key, place in new_fields.items():
        label = place.field.get("label") or place.field.get("text")
        if key not in old_fields:
            yield Change("added", "field", key, place.step, label, parent=place.parent)
            continue
        before = old_fields[key]
        details = _attribute_details(sides, before.field, place.field)
        if (before.step, before.parent) != (place.step, place.parent):
            where_before = before.parent or _text(old_steps[before.step].get("title"), "id") or before.step
            where_after = place.parent or _text(new_steps[place.step].get("title"), "id") or place.step
            details.insert(0, sides.detail("step", where_before, where_after))
        if details:
            yield Change("changed", "field", key, place.step, label, tuple(details), place.parent)
    for key, place in old_fields.items():
        if key not in new_fields:
            yield Change("removed", "field", key, place.step, place.field.get("label") or place.field.get("text"),
                         parent=place.parent)


def as_json(changes: list[Change]) -> list[dict]:
    """The changes as plain JSON (the admin API's diff)."""
    return [change.to_dict() for change in changes]


def lines(changes: list[Change], lang: str = "id") -> list[str]:
    """The changes as lines of text, e.g. for an audit event or a terminal."""
    out = []
    for change in changes:
        out.append(change.words(lang))
        out.extend(f"  {detail.words[lang if lang == 'en' else 'id']}" for detail in change.details)
    return out


def is_empty(changes: list[Change]) -> bool:
    """Whether nothing changed."""
    return not changes


def sentences(changes: list[Change]) -> list[dict]:
    """One ``{"id", "en"}`` text per change and per changed attribute (kept on a moved draft's notice)."""
    out = []
    for change in changes:
        out.append({"id": change.words("id"), "en": change.words("en")})
        out.extend(dict(detail.words) for detail in change.details)
    return out


def summary(changes: list[Change], lang: str | None = None) -> list[str]:
    """The sentences in one language (the request's when not given)."""
    from ..i18n import current_locale
    lang = lang or current_locale.get()
    return [line["en" if lang == "en" else "id"] for line in sentences(changes)]


def removed_fields(changes: list[Change]) -> list[Change]:
    """The fields the newer version no longer has."""
    return [c for c in changes if c.kind == "field" and c.action == "removed"]
