"""Edits of a draft definition, as the editor's pages make them: pure functions on the JSON.

Every function takes a definition and returns a changed copy (the caller's stays as it was), or
raises :class:`EditError` with a message for the page. Steps and fields are named by their keys;
fields may sit in a step or inside a group (one of the step's fields with ``fields``).
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from ..i18n import LazyText, gettext, lazy_gettext, offered_locales

KEY = re.compile(r"^[a-z][a-z0-9_]*$")


class EditError(ValueError):
    """An edit that cannot be made; the message is for the person editing."""


@dataclass(frozen=True)
class Place:
    """Where a field sits: the list holding it, its index, and the JSON path of that list."""

    container: list
    index: int
    path: tuple  # e.g. ("steps", 2, "fields", 0, "fields")
    step_key: str
    parent: str | None  # the group holding it

    @property
    def pointer(self) -> str:
        return pointer((*self.path, self.index))


def pointer(path) -> str:
    """RFC 6901 pointer of a path of keys and indices."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def steps(definition: dict) -> list:
    found = definition.get("steps")
    return found if isinstance(found, list) else []


def step_index(definition: dict, step_key: str) -> int:
    for i, step in enumerate(steps(definition)):
        if isinstance(step, dict) and step.get("key") == step_key:
            return i
    raise EditError(gettext("Langkah {step_key!r} tidak ada").format(step_key=step_key))


def find_step(definition: dict, step_key: str) -> dict:
    return steps(definition)[step_index(definition, step_key)]


def _walk(fields, path, step_key, parent):
    for i, f in enumerate(fields if isinstance(fields, list) else []):
        if not isinstance(f, dict):
            continue
        yield f, Place(fields, i, path, step_key, parent)
        if isinstance(f.get("fields"), list):
            yield from _walk(f["fields"], (*path, i, "fields"), step_key, f.get("key"))


def all_fields(definition: dict):
    """Every field with its place, in the order of the form."""
    for s, step in enumerate(steps(definition)):
        if isinstance(step, dict):
            yield from _walk(step.get("fields"), ("steps", s, "fields"), step.get("key"), None)


def locate(definition: dict, key: str) -> tuple[dict, Place]:
    for f, place in all_fields(definition):
        if f.get("key") == key:
            return f, place
    raise EditError(gettext("Isian {key!r} tidak ada").format(key=key))


def keys_in_use(definition: dict) -> set[str]:
    return {s.get("key") for s in steps(definition) if isinstance(s, dict)} | \
        {f.get("key") for f, _ in all_fields(definition)}


def _new_key(definition: dict, key: str) -> str:
    key = (key or "").strip()
    if not KEY.match(key):
        raise EditError(gettext("Kunci hanya berisi huruf kecil, angka dan garis bawah, diawali huruf (misalnya nomor_nib_lama)"))
    if key in keys_in_use(definition):
        raise EditError(gettext("Kunci {key!r} sudah dipakai di formulir ini").format(key=key))
    return key


def text_locales() -> tuple[str, ...]:
    """The locales a definition text is typed in: Indonesian and English as always, then every other locale the
    server offers (its catalogs, as the language switcher offers them), optional."""
    return ("id", "en", *(code for code in offered_locales() if code not in ("id", "en")))


_YES, _NO = lazy_gettext("Ya"), lazy_gettext("Tidak")


def catalog_text(message: LazyText) -> dict:
    """A definition text from an interface text: Indonesian, English, and each other offered locale whose catalog
    translates it (a locale without is left out, so `formserver check` still lists it as missing)."""
    said = {lang: message.in_locale(lang) for lang in text_locales()}
    return {lang: words for lang, words in said.items() if lang in ("id", "en") or words != said["id"]}


def text(id_text: str, en_text: str, others: dict | None = None) -> dict | None:
    """A definition text from its inputs (``others``: by locale, kept when typed); None when all are empty."""
    value = {"id": (id_text or "").strip(), "en": (en_text or "").strip()}
    value.update((lang, words.strip()) for lang, words in (others or {}).items() if words and words.strip())
    return value if any(value.values()) else None


# ---------------------------------------------------------------- steps


def add_step(definition: dict, key: str, title: dict, after: str | None = None) -> dict:
    """A new empty step after ``after`` (at the end without it)."""
    new = copy.deepcopy(definition)
    key = _new_key(new, key)
    at = step_index(new, after) + 1 if after else len(steps(new))
    new.setdefault("steps", []).insert(at, {"key": key, "title": title, "fields": []})
    return new


def remove_step(definition: dict, step_key: str) -> dict:
    new = copy.deepcopy(definition)
    if len(steps(new)) <= 1:
        raise EditError(gettext("Formulir perlu paling sedikit satu langkah"))
    del new["steps"][step_index(new, step_key)]
    return new


def move_step(definition: dict, step_key: str, delta: int) -> dict:
    """The step moved ``delta`` places (−1: up, +1: down)."""
    new = copy.deepcopy(definition)
    i = step_index(new, step_key)
    _move(new["steps"], i, delta)
    return new


def _move(items: list, i: int, delta: int) -> None:
    j = i + delta
    if not 0 <= j < len(items):
        raise EditError(gettext("Tidak dapat dipindah lebih jauh"))
    items.insert(j, items.pop(i))


def update_step(definition: dict, step_key: str, changes: dict) -> dict:
    """The step with attributes set (a None value removes the attribute)."""
    new = copy.deepcopy(definition)
    _apply(find_step(new, step_key), changes)
    return new


def _apply(node: dict, changes: dict) -> None:
    for name, value in changes.items():
        if name in ("key", "fields"):
            raise EditError(gettext("'{name}' tidak dapat diubah di sini").format(name=name))
        if value is None:
            node.pop(name, None)
        else:
            node[name] = value


# ---------------------------------------------------------------- fields


def new_field(field_type: str, key: str, label: dict | None) -> dict:
    """A field of a type as the palette adds it: the smallest definition the checks accept."""
    f: dict = {"key": key, "type": field_type}
    if field_type == "statement":
        f["text"] = label
    else:
        f["label"] = label
    if field_type in ("choice", "multichoice"):
        f["options"] = [{"value": "YA", "label": catalog_text(_YES)}, {"value": "TIDAK", "label": catalog_text(_NO)}]
    if field_type == "group":
        f["fields"] = []
    if field_type == "computed":
        f["compute"] = None
    return {k: v for k, v in f.items() if v is not None}


def add_field(definition: dict, step_key: str, field: dict, parent: str | None = None,
              after: str | None = None) -> dict:
    """``field`` added to a step (or to its group ``parent``), after the field ``after`` or at the end."""
    new = copy.deepcopy(definition)
    field = {**field, "key": _new_key(new, field.get("key", ""))}
    if parent:
        group, place = locate(new, parent)
        if place.step_key != step_key or not isinstance(group.get("fields"), list):
            raise EditError(gettext("{parent!r} bukan kelompok di langkah ini").format(parent=parent))
        container = group["fields"]
    else:
        container = find_step(new, step_key).setdefault("fields", [])
    at = len(container)
    if after:
        sibling, place = locate(new, after)
        if place.container is not container:
            raise EditError(gettext("{after!r} tidak di tempat yang sama").format(after=after))
        at = place.index + 1
    container.insert(at, field)
    return new


def remove_field(definition: dict, key: str) -> dict:
    new = copy.deepcopy(definition)
    _, place = locate(new, key)
    del place.container[place.index]
    return new


def move_field(definition: dict, key: str, delta: int) -> dict:
    """The field moved ``delta`` places among its neighbours."""
    new = copy.deepcopy(definition)
    _, place = locate(new, key)
    _move(place.container, place.index, delta)
    return new


def update_field(definition: dict, key: str, changes: dict) -> dict:
    """The field with attributes set (a None value removes the attribute)."""
    new = copy.deepcopy(definition)
    field, _ = locate(new, key)
    _apply(field, changes)
    return new


# ---------------------------------------------------------------- problems by place


def problems_by_place(definition: dict, problems) -> dict[str, list]:
    """Problems keyed by the step or field they concern ("step:<key>", "field:<key>", or "form")."""
    places: dict[str, str] = {}
    for s, step in enumerate(steps(definition)):
        if isinstance(step, dict):
            places[pointer(("steps", s))] = f"step:{step.get('key')}"
    for f, place in all_fields(definition):
        places[place.pointer] = f"field:{f.get('key')}"
    found: dict[str, list] = {}
    for problem in problems:
        where = "form"
        for prefix in sorted(places, key=len, reverse=True):
            if problem.pointer == prefix or problem.pointer.startswith(prefix + "/"):
                where = places[prefix]
                break
        found.setdefault(where, []).append(problem)
    return found
