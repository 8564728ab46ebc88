"""Overlay operations on a base form definition, addressed by stable keys (form id, step key, field key path).

Each operation is a registry entry that owns its check and its effect: ``problems`` says why it does not fit a
definition (a missing key, a reused key, a value the base does not offer), ``apply`` changes a copy of the
definition. Operations run in the order written, each on the result of the ones before (a text can be set on a
field an earlier ``add`` added). An operation that does not fit is never applied, and is reported.
"""
import copy
import json
from dataclasses import dataclass

from ..definition.check import Problem
from ..i18n import gettext
from .texts import markup_problems

# the texts an operation may set, per target (the definition's own property names)
FORM_TEXTS = ("title", "description")
STEP_TEXTS = ("title", "description", "submit_label", "check_label")
FIELD_TEXTS = ("label", "hint", "text", "required_message", "pattern_message")
OPTION_TEXTS = ("label", "hint")


@dataclass
class Place:
    """Where a field is: its step, the list holding it, its index there, and the base's JSON pointer to it."""
    step: dict
    siblings: list
    index: int
    pointer: str

    @property
    def field(self) -> dict:
        return self.siblings[self.index]


def _walk(fields: list, keys: list[str], pointer: str) -> Place | None:
    for i, f in enumerate(fields):
        if isinstance(f, dict) and f.get("key") == keys[0]:
            if len(keys) == 1:
                return Place({}, fields, i, f"{pointer}/{i}")
            return _walk(f.get("fields") or [], keys[1:], f"{pointer}/{i}/fields")
    return None


def locate(definition: dict, path: str, step: str | None = None) -> Place | None:
    """The field at ``path`` (keys joined by dots, from its step), in ``step`` when given."""
    for s_index, s in enumerate(definition.get("steps") or []):
        if step is not None and s.get("key") != step:
            continue
        place = _walk(s.get("fields") or [], path.split("."), f"/steps/{s_index}/fields")
        if place is not None:
            place.step = s
            return place
    return None


def field_keys(definition: dict) -> dict[str, str]:
    """{key: key path} of every field of the form (keys are unique in the whole form)."""
    found: dict[str, str] = {}

    def walk(fields, prefix):
        for f in fields or []:
            if isinstance(f, dict) and isinstance(f.get("key"), str):
                found.setdefault(f["key"], prefix + f["key"])
                walk(f.get("fields"), prefix + f["key"] + ".")
    for s in definition.get("steps") or []:
        walk(s.get("fields"), "")
    return found


def _step(definition: dict, key: str) -> dict | None:
    return next((s for s in definition.get("steps") or [] if s.get("key") == key), None)


def _missing_field(definition: dict, op: dict) -> str:
    path, step = op["field"], op.get("step")
    elsewhere = field_keys(definition).get(path.split(".")[-1])
    hint = ""
    if elsewhere and elsewhere != path:
        hint = gettext(" Maksud Anda '{elsewhere}'?").format(elsewhere=elsewhere)
    where = gettext(" pada langkah '{step}'").format(step=step) if step else ""
    return gettext("Formulir dasar tidak lagi mempunyai isian '{path}'{where}.").format(path=path, where=where) + hint


def _target(definition: dict, op: dict) -> tuple[dict | None, str | None]:
    """(the field addressed by ``step``/``field``, or None with the reason)."""
    if op.get("step") is not None and _step(definition, op["step"]) is None:
        return None, gettext("Formulir dasar tidak lagi mempunyai langkah '{step}'.").format(step=op['step'])
    place = locate(definition, op["field"], op.get("step"))
    if place is None:
        return None, _missing_field(definition, op)
    return place.field, None


def _same(a, b) -> bool:
    return a == b or str(a) == str(b)


class Context:
    """What the checks need beyond the definition: the locales the server offers and the reference data's
    values (``reference_value(source, value)``: True, False, or None when the set cannot be checked)."""

    def __init__(self, references=None, locales=None):
        from ..i18n import offered_locales
        from .references import ReferenceValues
        self.references = references if references is not None else ReferenceValues()
        self.locales = tuple(locales or offered_locales())

    def reference_value(self, source: dict, value) -> bool | None:
        if self.references is None:
            return None
        return self.references.known(source, value)

    def reference_parent(self, source: dict, value):
        if self.references is None:
            return None
        return self.references.parent_of(source, value)


class Operation:
    """One kind of overlay operation."""
    name = ""

    def problems(self, definition: dict, op: dict, ctx: Context) -> list[tuple[str, str]]:
        """(pointer below the operation, message) of every reason it does not fit ``definition``."""
        raise NotImplementedError

    def apply(self, definition: dict, op: dict) -> None:
        """Change ``definition`` (a copy) as the operation says; only called when it fits."""
        raise NotImplementedError


OPERATIONS: dict[str, Operation] = {}


def operation(cls):
    OPERATIONS[cls.name] = cls()
    return cls


class FieldOperation(Operation):
    """An operation on one field of the base (``step``/``field``): a missing key is the problem every one shares."""

    def problems(self, definition, op, ctx):
        field, reason = _target(definition, op)
        return [("/field", reason)] if field is None else self.field_problems(definition, field, op, ctx)

    def apply(self, definition, op):
        self.change(_target(definition, op)[0], op)

    def field_problems(self, definition: dict, field: dict, op: dict, ctx: Context) -> list[tuple[str, str]]:
        raise NotImplementedError

    def change(self, field: dict, op: dict) -> None:
        raise NotImplementedError


def _locale_problems(texts: dict, ctx: Context) -> list[tuple[str, str]]:
    found = []
    for prop, value in texts.items():
        for locale in value:
            if locale not in ctx.locales:
                found.append((f"/set/{prop}/{locale}", gettext(
                    "Bahasa '{locale}' tidak ditawarkan "
                                                               "server ini (tersedia: {join}).").format(locale=locale, join=', '.join(ctx.locales))))
    return found


@operation
class SetTexts(Operation):
    """Replace texts of the form, a step, a field, or one of a field's options (other locales are kept)."""
    name = "text"

    def _holder(self, definition: dict, op: dict) -> tuple[dict | None, tuple, str | None]:
        if "field" not in op:
            if "option" in op:
                return None, (), gettext("'option' memerlukan 'field'.")
            if op.get("step") is None:
                return definition, FORM_TEXTS, None
            step = _step(definition, op["step"])
            if step is None:
                return None, (), gettext("Formulir dasar tidak lagi mempunyai langkah '{step}'.").format(step=op['step'])
            return step, STEP_TEXTS, None
        field, reason = _target(definition, op)
        if field is None or "option" not in op:
            return field, FIELD_TEXTS, reason
        option = next((o for o in field.get("options") or [] if _same(o.get("value"), op["option"])), None)
        if option is None:
            return None, (), gettext("Isian '{field}' tidak mempunyai pilihan {dumps}.").format(field=op['field'], dumps=json.dumps(op['option']))
        return option, OPTION_TEXTS, None

    def problems(self, definition, op, ctx):
        holder, allowed, reason = self._holder(definition, op)
        if holder is None:
            return [("/field" if "field" in op else "/step", reason)]
        found = [(f"/set/{prop}", gettext("Teks '{prop}' tidak dapat diubah di sini; yang dapat: {join}.").format(
                                      prop=prop, join=', '.join(allowed)))
                 for prop in op["set"] if prop not in allowed]
        return found + _locale_problems(op["set"], ctx)

    def apply(self, definition, op):
        holder, _, _ = self._holder(definition, op)
        for prop, value in op["set"].items():
            base = holder.get(prop) if isinstance(holder.get(prop), dict) else {}
            holder[prop] = {**base, **value}


def _answer_field(field: dict) -> bool:
    from ..compile.fields import FIELD_TYPES
    kind = FIELD_TYPES.get(field.get("type"))
    return kind is not None and "prefill" in kind.editor.properties


def _value_problem(field: dict, value, ctx: Context, path: str) -> str | None:
    """Why ``value`` is not one of the base field's choices (None when it is, or the field has no list)."""
    if isinstance(field.get("options"), list):
        if any(_same(o.get("value"), value) for o in field["options"]):
            return None
        offered = ", ".join(json.dumps(o.get("value")) for o in field["options"])
        return gettext("{dumps} bukan pilihan isian '{path}' pada formulir dasar (pilihannya: {offered}).").format(
                   dumps=json.dumps(value), path=path, offered=offered)
    if isinstance(field.get("source"), dict):
        source = field["source"]
        known = ctx.reference_value(source, value)
        if known is None:
            return gettext("Nilai data referensi '{reference}' tingkat '{level}' tidak dapat "
                           "diperiksa, jadi tidak dapat dibatasi.").format(reference=source.get('reference'), level=source.get('level'))
        if not known:
            return gettext("{dumps} tidak ada di data referensi '{reference}' tingkat '{level}' "
                           "(isian '{path}').").format(
                       dumps=json.dumps(value), reference=source.get('reference'), level=source.get('level'), path=path)
    return None


@operation
class SetDefault(FieldOperation):
    """The suggested answer of a question while it has none (the definition's ``prefill``)."""
    name = "default"

    def field_problems(self, definition, field, op, ctx):
        if not _answer_field(field):
            return [("/field", gettext("Isian '{field}' ({type}) tidak mempunyai jawaban untuk diisi awal.").format(
                                   field=op['field'], type=field.get('type')))]
        problem = _value_problem(field, op["value"], ctx, op["field"])
        only = (field.get("source") or {}).get("only")
        if problem is None and only is not None and not any(_same(v, op["value"]) for v in only):
            problem = gettext("{dumps} berada di luar pilihan yang dibatasi.").format(dumps=json.dumps(op['value']))
        return [("/value", problem)] if problem else []

    def change(self, field, op):
        field["prefill"] = op["value"]


@operation
class Restrict(FieldOperation):
    """Offer only some of a choice's values: static options are filtered, reference data gets ``source.only``."""
    name = "restrict"

    def field_problems(self, definition, field, op, ctx):
        if not isinstance(field.get("options"), list) and not isinstance(field.get("source"), dict):
            return [("/field", gettext("Isian '{field}' bukan pilihan; tidak ada yang dapat dibatasi.").format(field=op['field']))]
        found = []
        for i, value in enumerate(op["values"]):
            problem = _value_problem(field, value, ctx, op["field"])
            if problem:
                found.append((f"/values/{i}", problem))
        return found or self._parent_problems(definition, field, op, ctx)

    def _parent_problems(self, definition, field, op, ctx):
        """A value whose parent region the parent field's own restriction leaves out could never be chosen."""
        source = field.get("source") or {}
        parent = field_keys(definition).get(source.get("parent") or "")
        parent_field = locate(definition, parent) if parent else None
        allowed = ((parent_field.field.get("source") or {}).get("only")) if parent_field else None
        if not allowed:
            return []
        return [(f"/values/{i}", gettext("{dumps} berada di bawah {dumps_2}, yang tidak termasuk "
                                         "pilihan isian '{parent}' yang dibatasi.").format(
                                     dumps=json.dumps(value), dumps_2=json.dumps(owner), parent=parent))
                for i, value in enumerate(op["values"])
                if (owner := ctx.reference_parent(source, value)) is not None
                and not any(_same(owner, a) for a in allowed)]

    def change(self, field, op):
        if isinstance(field.get("options"), list):
            field["options"] = [o for o in field["options"] if any(_same(o.get("value"), v) for v in op["values"])]
        else:
            field["source"] = {**field["source"], "only": list(op["values"])}


@operation
class AddField(Operation):
    """A new field after the field at ``after`` (in the same list), or at the end of ``step``."""
    name = "add"

    def _list(self, definition, op) -> tuple[list | None, int, str | None]:
        if "after" in op:
            place = locate(definition, op["after"], op.get("step"))
            if place is None:
                return None, 0, _missing_field(definition, {**op, "field": op["after"]})
            return place.siblings, place.index + 1, None
        step = _step(definition, op["step"])
        if step is None:
            return None, 0, gettext("Formulir dasar tidak lagi mempunyai langkah '{step}'.").format(step=op['step'])
        return step.setdefault("fields", []), len(step["fields"]), None

    def problems(self, definition, op, ctx):
        siblings, _, reason = self._list(definition, op)
        if siblings is None:
            return [("/after" if "after" in op else "/step", reason)]
        keys = field_keys(definition)
        found = []
        new = [op["field"], *_descendants(op["field"])]
        for f in new:
            key = f.get("key") if isinstance(f, dict) else None
            if key in keys:
                found.append(("/field/key", gettext(
                    "Kunci '{key}' sudah dipakai formulir dasar "
                                                    "('{value}'); isian baru memerlukan kunci baru.").format(key=key, value=keys[key])))
        return found

    def apply(self, definition, op):
        siblings, index, _ = self._list(definition, op)
        siblings.insert(index, copy.deepcopy(op["field"]))


def _descendants(field) -> list:
    found = []
    for f in (field.get("fields") or []) if isinstance(field, dict) else []:
        found += [f, *_descendants(f)]
    return found


@operation
class Hide(FieldOperation):
    """An optional field is never asked: it is hidden (so neither validated nor stored)."""
    name = "hide"

    def field_problems(self, definition, field, op, ctx):
        if field.get("required") or field.get("required_if") is not None or field.get("min_items"):
            return [("/field", gettext("Isian '{field}' wajib pada formulir dasar; hanya isian "
                                       "opsional yang dapat disembunyikan.").format(field=op['field']))]
        return []

    def change(self, field, op):
        field["visible_if"] = False


# ---------------------------------------------------------------------------------------------------------------


def overlay_problems(base_definition: dict, overlay_ops: list, pointer: str = "", references=None,
                     locales=None) -> list[Problem]:
    """Every operation of ``overlay_ops`` that does not fit ``base_definition``, located by ``pointer`` +
    "/<index>"; operations run in order on the result of the ones before that fit."""
    return _run(base_definition, overlay_ops, pointer, Context(references, locales))[1]


def apply_overlay(base_definition: dict, overlay_ops: list, references=None, locales=None) -> dict:
    """The effective definition: a copy of ``base_definition`` with every operation that fits applied (those that
    do not are left out; :func:`overlay_problems` lists them)."""
    return _run(base_definition, overlay_ops, "", Context(references, locales))[0]


def effective(base_definition: dict, overlay_ops: list, pointer: str = "", references=None,
              locales=None) -> tuple[dict, list[Problem]]:
    """(the effective definition, the problems of the operations left out)."""
    return _run(base_definition, overlay_ops, pointer, Context(references, locales))


def _run(base: dict, ops: list, pointer: str, ctx: Context) -> tuple[dict, list[Problem]]:
    definition = copy.deepcopy(base)
    problems: list[Problem] = []
    for i, op in enumerate(ops or []):
        at = f"{pointer}/{i}"
        kind = OPERATIONS.get(op.get("op")) if isinstance(op, dict) else None
        if kind is None:
            problems.append(Problem(at, gettext("Operasi tidak dikenal; gunakan {join}.").format(join=', '.join(OPERATIONS))))
            continue
        found = [("/set" + p, m) for p, m in markup_problems(op.get("set") or {})]
        found += [("/field" + p, m) for p, m in markup_problems(op["field"])] if isinstance(op.get("field"), dict) else []
        found += kind.problems(definition, op, ctx)
        if found:
            problems += [Problem(at + sub, message) for sub, message in found]
            continue
        kind.apply(definition, op)
    return definition, problems
