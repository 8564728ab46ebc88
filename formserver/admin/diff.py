"""A readable difference between two versions of a form definition.

Steps and fields are matched by their keys, never by position: a field moved to another step is
one field that moved, not one removed and one added. Every change carries its words in every locale the
server offers (through the catalogs); rules are said as sentences (:mod:`formserver.admin.rules`) with each side's labels.
"""
from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..i18n import current_locale, lazy_gettext, lazy_pgettext, offered_locales, text
from . import rules

# attribute → its name in a change's words (through the catalogs); anything else is named by its key
ATTRIBUTES = {
    "title": lazy_pgettext("admin/diff", "Judul"),
    "description": lazy_pgettext("admin/diff", "Keterangan"),
    "label": lazy_pgettext("admin/diff", "Label"),
    "hint": lazy_pgettext("admin/diff", "Bantuan"),
    "text": lazy_pgettext("admin/diff", "Teks"),
    "type": lazy_pgettext("admin/diff", "Jenis isian"),
    "required": lazy_pgettext("admin/diff", "Wajib"),
    "required_if": lazy_pgettext("admin/diff", "Wajib bila"),
    "visible_if": lazy_pgettext("admin/diff", "Tampil bila"),
    "item_visible_if": lazy_pgettext("admin/diff", "Butir tampil bila"),
    "required_message": lazy_pgettext("admin/diff", "Pesan bila kosong"),
    "options": lazy_pgettext("admin/diff", "Pilihan"),
    "validators": lazy_pgettext("admin/diff", "Validasi"),
    "compute": lazy_pgettext("admin/diff", "Rumus"),
    "prefill": lazy_pgettext("admin/diff", "Isian awal"),
    "min": lazy_pgettext("admin/diff", "Paling kecil"),
    "max": lazy_pgettext("admin/diff", "Paling besar"),
    "min_length": lazy_pgettext("admin/diff", "Panjang minimal"),
    "max_length": lazy_pgettext("admin/diff", "Panjang maksimal"),
    "min_items": lazy_pgettext("admin/diff", "Jumlah butir minimal"),
    "max_items": lazy_pgettext("admin/diff", "Jumlah butir maksimal"),
    "pattern": lazy_pgettext("admin/diff", "Pola"),
    "pattern_message": lazy_pgettext("admin/diff", "Pesan pola"),
    "next": lazy_pgettext("admin/diff", "Langkah berikutnya"),
    "checks": lazy_pgettext("admin/diff", "Pemeriksaan"),
    "action": lazy_pgettext("admin/diff", "Aksi"),
    "submit_label": lazy_pgettext("admin/diff", "Tombol"),
    "check_label": lazy_pgettext("admin/diff", "Tombol periksa"),
    "access": lazy_pgettext("admin/diff", "Akses"),
    "step": lazy_pgettext("admin/diff", "Langkah"),
    "order": lazy_pgettext("admin/diff", "Urutan"),
    "review": lazy_pgettext("admin/diff", "Halaman periksa"),
    "end": lazy_pgettext("admin/diff", "Langkah akhir"),
}
RULES = frozenset({"visible_if", "required_if", "item_visible_if", "compute", "prefill"})
TEXTS = frozenset({"title", "description", "label", "hint", "text", "required_message", "pattern_message",
                   "submit_label", "check_label"})
IGNORED = frozenset({"$schema", "version", "key", "fields", "steps"})
# (kind, action) → the whole sentence, so a translator may reorder it and make its words agree
CHANGES = {
    ("form", "changed"): lazy_gettext("Formulir “{name}” ({key}) diubah"),
    ("step", "added"): lazy_gettext("Langkah “{name}” ({key}) ditambahkan"),
    ("step", "removed"): lazy_gettext("Langkah “{name}” ({key}) dihapus"),
    ("step", "changed"): lazy_gettext("Langkah “{name}” ({key}) diubah"),
    ("field", "added"): lazy_gettext("Isian “{name}” ({key}) ditambahkan"),
    ("field", "removed"): lazy_gettext("Isian “{name}” ({key}) dihapus"),
    ("field", "changed"): lazy_gettext("Isian “{name}” ({key}) diubah"),
}
_DETAIL = lazy_gettext("{name}: {before} → {after}")
_LISTED = lazy_gettext("{name}: {changes}")
_ADDED, _REMOVED = lazy_gettext("ditambah {names}"), lazy_gettext("dihapus {names}")
_CHANGED = lazy_gettext("diubah {name}")
_REORDERED, _ARGUMENTS = lazy_gettext("urutan diubah"), lazy_gettext("argumen diubah")


def _in_locales(say) -> dict:
    """``{locale: say(locale)}`` for every locale the server offers (the words kept with a change)."""
    return {locale: say(locale) for locale in offered_locales()}


def _attribute_name(attribute: str, lang: str) -> str:
    name = ATTRIBUTES.get(attribute)
    return attribute if name is None else name.in_locale(lang)


@dataclass(frozen=True)
class Detail:
    """One attribute that differs, with its values and its words in both languages."""

    attribute: str
    before: Any
    after: Any
    words: dict  # {locale: text} for every offered locale

    def to_dict(self) -> dict:
        return {"attribute": self.attribute, "before": self.before, "after": self.after, "text": self.words}


@dataclass(frozen=True)
class Change:
    """A step or field added, removed or changed (or the form's own attributes changed)."""

    action: str          # added | removed | changed
    kind: str            # form | step | field
    key: str
    step: str | None     # the step holding it (the new version's, else the old one's)
    label: Any           # its text {"id", "en", …} on the newer side that has it
    details: tuple = ()
    parent: str | None = None   # the group holding a field inside a group

    def words(self, lang: str | None = None) -> str:
        """The change in one locale (the current one when None)."""
        lang = lang or current_locale.get()
        return CHANGES[self.kind, self.action].in_locale(lang).format(name=_text(self.label, lang) or self.key,
                                                                      key=self.key)

    def to_dict(self) -> dict:
        return {"action": self.action, "kind": self.kind, "key": self.key, "step": self.step, "parent": self.parent,
                "label": self.label, "text": _in_locales(self.words),
                "changes": [d.to_dict() for d in self.details]}


def _text(value, lang: str) -> str:
    return text(value, lang) if isinstance(value, dict) else "" if value is None else str(value)


def _show(value, lang: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, dict) and set(value) <= {"id", "en", *offered_locales()}:  # a text
        return f"“{_text(value, lang)}”"
    if value is True or value is False:
        return rules.WORDS[value].in_locale(lang)
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 160 else text[:159] + "…"


class _Sides:
    """What both versions' rules need to be said in words: each side's fields."""

    def __init__(self, old: Mapping, new: Mapping):
        self.old_fields, self.new_fields = rules.fields_of(old), rules.fields_of(new)

    def detail(self, attribute: str, before, after) -> Detail:
        def say(lang):
            return _DETAIL.in_locale(lang).format(name=_attribute_name(attribute, lang),
                                                  before=self._value(attribute, before, lang, self.old_fields),
                                                  after=self._value(attribute, after, lang, self.new_fields))
        return Detail(attribute, before, after, _in_locales(say))

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

        def say(lang):
            parts = []
            if added:
                parts.append(_ADDED.in_locale(lang).format(names=_names(added, new, lang)))
            if removed:
                parts.append(_REMOVED.in_locale(lang).format(names=_names(removed, old, lang)))
            for v in changed:
                before_label, after_label = _text(old[v].get("label"), lang), _text(new[v].get("label"), lang)
                if before_label != after_label:
                    parts.append(f"“{before_label}” → “{after_label}”")
                else:
                    parts.append(_CHANGED.in_locale(lang).format(name=f"“{after_label or v}”"))
            if moved:
                parts.append(_REORDERED.in_locale(lang))
            return _LISTED.in_locale(lang).format(name=_attribute_name("options", lang), changes="; ".join(parts))
        return Detail("options", before, after, _in_locales(say))

    def validators(self, before, after) -> Detail:
        old, new = [_validator_name(v) for v in before or []], [_validator_name(v) for v in after or []]

        def say(lang):
            parts = [_ADDED.in_locale(lang).format(names=n) for n in new if n not in old]
            parts += [_REMOVED.in_locale(lang).format(names=n) for n in old if n not in new]
            return _LISTED.in_locale(lang).format(name=_attribute_name("validators", lang),
                                                  changes=", ".join(parts or [_ARGUMENTS.in_locale(lang)]))
        return Detail("validators", before, after, _in_locales(say))


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


def lines(changes: list[Change], lang: str | None = None) -> list[str]:
    """The changes as lines of text, e.g. for an audit event or a terminal (the current locale when None)."""
    lang = lang or current_locale.get()
    out = []
    for change in changes:
        out.append(change.words(lang))
        out.extend(f"  {text(detail.words, lang)}" for detail in change.details)
    return out


def is_empty(changes: list[Change]) -> bool:
    """Whether nothing changed."""
    return not changes


def sentences(changes: list[Change]) -> list[dict]:
    """One ``{locale: text}`` per change and per changed attribute, in every offered locale (kept on a moved
    draft's notice)."""
    out = []
    for change in changes:
        out.append(_in_locales(change.words))
        out.extend(dict(detail.words) for detail in change.details)
    return out


def summary(changes: list[Change], lang: str | None = None) -> list[str]:
    """The sentences in one language (the request's when not given)."""
    lang = lang or current_locale.get()
    return [text(line, lang) for line in sentences(changes)]


def removed_fields(changes: list[Change]) -> list[Change]:
    """The fields the newer version no longer has."""
    return [c for c in changes if c.kind == "field" and c.action == "removed"]
