"""Validate one step's posted values against the form: types, visibility, requirements, rules.

The result holds the values to store (hidden fields dropped, never validated) and errors keyed by
field path (``"nik"``, ``"kegiatan_usaha.0.kbli"``), each a list of messages in the current locale.
"""
import re
import secrets
from dataclasses import dataclass
from dataclasses import field as dc_field

from marshmallow import ValidationError

from . import validators as named
from .compile import CompiledField, CompiledForm, CompiledStep
from .i18n import LazyText, lazy_gettext, lazy_pgettext
from .logic import today
from .state import EMPTY, Evaluator, FormState, truthy

UNKNOWN_FIELD = lazy_gettext("Isian ini tidak ada pada langkah ini")
NOT_AN_OPTION = lazy_pgettext("validate", "Pilih salah satu pilihan yang tersedia")
NOT_A_LIST = lazy_gettext("Isian ini harus berupa daftar")
TOO_FEW = lazy_gettext("Tambahkan paling sedikit {min}")
TOO_MANY = lazy_gettext("Paling banyak {max}")
MAX_GROUP_ITEMS = 100
ITEM_ID = "_id"  # a repeating group's items keep an id, so answers given on later steps follow their item


UNKNOWN_ITEM = lazy_gettext("Butir ini tidak ada (lagi). Muat ulang halaman lalu isi kembali.")
DUPLICATE_ITEM = lazy_gettext("Butir ini dikirim lebih dari sekali")


def _valid_id(value) -> bool:
    return isinstance(value, str) and re.fullmatch(r"[0-9a-f]{8}", value) is not None


def align_items(existing, posted, f: CompiledField, errors: dict):
    """A continuing (``each``) group's posted answers, each placed at the position of the item it belongs to.

    A posted item names its item by ``_id`` (HTML forms and the browser always send it); an item
    without one belongs to the item at its own position in the list; ``null`` answers nothing.
    So ``[null, {...}]``, a list of only the items a step asks about and any order all work.
    Anything that is not a list of objects is left for the conversion to refuse.
    """
    if not isinstance(posted, list) or not all(x is None or isinstance(x, dict) for x in posted):
        return posted
    items = [x if isinstance(x, dict) else {} for x in existing] if isinstance(existing, list) else []
    where = {x[ITEM_ID]: i for i, x in enumerate(items) if _valid_id(x.get(ITEM_ID))}
    aligned: list = [None] * len(items)
    for i, new in enumerate(posted[:MAX_GROUP_ITEMS]):
        if new is None:
            continue
        if new.get(ITEM_ID) is not None:
            target = where.get(new[ITEM_ID]) if _valid_id(new[ITEM_ID]) else None
            if target is None:
                errors[f"{f.data_key}.{i}.{ITEM_ID}"] = [str(UNKNOWN_ITEM)]
                continue
        elif i < len(items):
            target = i
        else:
            errors[f"{f.data_key}.{i}"] = [str(UNKNOWN_ITEM)]
            continue
        if aligned[target] is not None:
            errors[f"{f.data_key}.{i}"] = [str(DUPLICATE_ITEM)]
            continue
        aligned[target] = {**new, ITEM_ID: items[target].get(ITEM_ID)} if ITEM_ID in items[target] else new
    return aligned


def merge_items(existing, posted: list, f: CompiledField) -> list[dict]:
    """A repeating group's items after a post: this group's answers from ``posted``, the rest kept.

    Items are matched by ``_id`` when the post carries one (HTML forms do), otherwise by position.
    A group that continues another group's items (``each``) keeps that group's items and their
    order; its posted answers were aligned to them by :func:`align_items`.
    """
    own = {c.key for c in f.children}
    existing = [x for x in existing if isinstance(x, dict)] if isinstance(existing, list) else []
    by_id = {x[ITEM_ID]: x for x in existing if x.get(ITEM_ID)}

    def kept(old: dict) -> dict:
        return {k: v for k, v in old.items() if k not in own}

    if f.each:
        answers = {new[ITEM_ID]: new for new in posted if isinstance(new, dict) and new.get(ITEM_ID)}
        merged = []
        for i, old in enumerate(existing):
            new = answers.get(old.get(ITEM_ID)) if old.get(ITEM_ID) else None
            if new is None and not old.get(ITEM_ID) and i < len(posted) and isinstance(posted[i], dict):
                new = posted[i]  # an item stored before items had ids
            merged.append({**kept(old), **{k: v for k, v in (new or {}).items() if k != ITEM_ID}})
        return merged
    merged = []
    for i, new in enumerate(posted[:MAX_GROUP_ITEMS]):
        old = by_id.get(new.get(ITEM_ID)) if new.get(ITEM_ID) else (existing[i] if i < len(existing) else None)
        item = {**kept(old or {}), **new}
        item[ITEM_ID] = (old or {}).get(ITEM_ID) or secrets.token_hex(4)
        merged.append(item)
    return merged


@dataclass
class StepResult:
    values: dict                     # this step's visible answers, as they are to be stored
    errors: dict[str, list[str]]
    state: FormState                 # the whole form's state with these values in it
    transient: dict = dc_field(default_factory=dict)  # visible values marked "store": false

    @property
    def ok(self) -> bool:
        return not self.errors


def _messages(error: ValidationError) -> list[str]:
    messages = error.messages
    if isinstance(messages, dict):
        messages = [m for ms in messages.values() for m in (ms if isinstance(ms, list) else [ms])]
    if not isinstance(messages, list):
        messages = [messages]
    return [str(m) for m in messages]


class StepValidator:
    """Validates steps of compiled forms; the reference data feeds choices and named validators."""

    def __init__(self, evaluator: Evaluator, wilayah=None):
        self.evaluator = evaluator
        self.wilayah = wilayah

    def validate(self, form: CompiledForm, step: CompiledStep, posted: dict, answers: dict) -> StepResult:
        """Check ``posted`` for ``step`` on top of the other steps' ``answers``."""
        errors: dict[str, list[str]] = {}
        posted = dict(posted)
        for f in step.fields:
            if f.each and f.data_key in posted:
                posted[f.data_key] = align_items(answers.get(f.data_key), posted[f.data_key], f, errors)
        converted = self._convert(step, posted, errors)
        candidate = {k: v for k, v in answers.items() if form.step_of_field.get(k) != step.key}
        candidate.update(converted)
        for f in step.fields:
            if f.repeat:
                candidate[f.data_key] = merge_items(answers.get(f.data_key), converted.get(f.data_key) or [], f)
        state = self.evaluator.evaluate(form, candidate)
        for f in step.fields:
            self._check_field(f, f.data_key if f.repeat else f.key, state, state.data, errors, state.data)
        self._run_checks(step, state, errors)
        values, transient = {}, {}
        for f in step.fields:
            key = f.data_key
            if key in state.data and not f.kind.silent:
                (values if f.store else transient)[key] = state.data[key]
        return StepResult(values=values, errors=errors, state=state, transient=transient)

    # conversion: posted text → typed values, before any rule reads them
    def _convert(self, step: CompiledStep, posted: dict, errors: dict) -> dict:
        by_key = {f.data_key: f for f in step.fields}
        converted = {}
        for key, value in posted.items():
            f = by_key.get(key)
            if f is None:
                errors[key] = [str(UNKNOWN_FIELD)]
            elif f.takes_input and value not in EMPTY:
                converted[key] = self._convert_value(f, key, value, errors)
        return {k: v for k, v in converted.items() if v is not None}

    def _convert_value(self, f: CompiledField, path: str, value, errors: dict):
        if f.kind.container:
            return self._convert_group(f, path, value, errors)
        try:
            return f.input.deserialize(value, f.key, {})
        except ValidationError as error:
            errors[path] = _messages(error)
            return None

    def _convert_group(self, f: CompiledField, path: str, value, errors: dict):
        items = value if f.repeat else [value]
        if f.each and isinstance(items, list):
            items = [{} if i is None else i for i in items]  # aligned: null is an item this post does not answer
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            errors[path] = [str(NOT_A_LIST)]
            return None
        children = {c.key: c for c in f.children}
        result = []
        for i, item in enumerate(items[:MAX_GROUP_ITEMS]):
            clean = {}
            for key, v in item.items():
                child_path = f"{path}.{i}.{key}" if f.repeat else key
                child = children.get(key)
                if key == ITEM_ID and f.repeat:
                    if _valid_id(v):
                        clean[key] = v
                elif child is None:
                    errors[child_path] = [str(UNKNOWN_FIELD)]
                elif child.takes_input and v not in EMPTY:
                    converted = self._convert_value(child, child_path, v, errors)
                    if converted is not None:
                        clean[key] = converted
            result.append(clean)
        return result if f.repeat else result[0]

    # requirements, options and named validators of visible fields
    def _check_field(self, f, path, state, holder, errors, scope):
        field_state = state.fields.get(path)
        if field_state is None or not field_state.visible:
            errors.pop(path, None)  # a hidden field is never validated
            return
        if path in errors or not f.takes_input:
            return
        if f.kind.container and not f.repeat:
            for child in f.children:  # a plain group's answers sit beside it
                self._check_field(child, child.key, state, holder, errors, scope)
            return
        value = holder.get(f.data_key)
        if not f.kind.answered(value):
            if f.each:
                return
            holder.pop(f.key, None)
            if f.repeat and f.spec.get("min_items", 0) > 0:
                errors[path] = [str(TOO_FEW.format(min=f.spec["min_items"]))]
            elif field_state.required:
                errors[path] = [str(self._required_message(f))]
            return
        if f.kind.container:
            self._check_items(f, path, value, state, errors, scope)
            return
        if field_state.options is not None and not self._in_options(value, field_state.options):
            errors[path] = [str(NOT_AN_OPTION)]
            return
        self._run_named(f, path, value, holder, errors, scope)

    def _check_items(self, f, path, items, state, errors, scope):
        limits = f.spec
        if len(items) < limits.get("min_items", 0):
            errors[path] = [str(TOO_FEW.format(min=limits["min_items"]))]
        if len(items) > limits.get("max_items", MAX_GROUP_ITEMS):
            errors[path] = [str(TOO_MANY.format(max=limits.get("max_items", MAX_GROUP_ITEMS)))]
        base = f.data_key if f.each else path
        for i, item in enumerate(items):
            if (f.key, f"{base}.{i}") in state.hidden_items:
                continue
            item_scope = {**scope, **item}
            for child in f.children:
                self._check_field(child, f"{base}.{i}.{child.key}", state, item, errors, item_scope)
            for rule, field_key, message in f.checks:
                field_path = f"{base}.{i}.{field_key}"
                if field_path not in errors and state.visible(field_path) and not truthy(rule({**scope, **item})):
                    errors[field_path] = [str(message)]

    @staticmethod
    def _in_options(value, options) -> bool:
        allowed = {str(v) for v, _ in options}
        values = value if isinstance(value, list) else [value]
        return all(str(v) in allowed for v in values)

    @staticmethod
    def _required_message(f: CompiledField) -> LazyText:
        if "required_message" in f.spec:
            return LazyText.of(f.spec["required_message"])
        return f.kind.required_message(f.spec.get("label") or {})

    def _run_named(self, f, path, value, holder, errors, scope):
        context = named.Context(answers=scope, wilayah=self.wilayah, today=today())
        for name, args, message in f.validators:
            try:
                value = named.run(name, value, args, context)
            except ValidationError as error:
                errors[path] = [str(message)] if message else _messages(error)
                return
        holder[f.key] = value

    def _run_checks(self, step: CompiledStep, state: FormState, errors: dict):
        for rule, field_key, message in step.checks:
            if field_key in errors or not state.visible(field_key):
                continue
            if not truthy(rule(state.data)):
                errors[field_key] = [str(message)]
