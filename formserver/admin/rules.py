"""The condition builder: "Tampilkan bila [isian] [sama dengan …] [nilai]" ⇄ JsonLogic ⇄ a sentence.

A builder model is a :class:`Group` ("semua" / "salah satu") of :class:`Condition` rows and, one
level deep, of groups of rows. :func:`to_jsonlogic` writes it; :func:`from_jsonlogic` reads back
exactly the shapes it writes and returns None for any other rule, which the editor then keeps as
raw JsonLogic. :func:`sentence` says any rule in words (in any locale, through the catalogs) with the fields'
labels, the builder's rules and the others alike.
"""
from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..i18n import LazyText, current_locale, gettext, lazy_gettext, lazy_pgettext, text

# operator → (JsonLogic operator, its words in the builder's select); a rule's sentences are in _SENTENCES
OPERATORS: dict[str, tuple[str, LazyText]] = {
    "eq": ("==", lazy_gettext("sama dengan")),
    "ne": ("!=", lazy_gettext("tidak sama dengan")),
    "in": ("in", lazy_gettext("salah satu dari")),
    "gt": (">", lazy_gettext("lebih dari")),
    "lt": ("<", lazy_gettext("kurang dari")),
    "filled": ("!!", lazy_gettext("terisi")),
    "empty": ("!", lazy_gettext("kosong")),
}
UNARY = frozenset({"filled", "empty"})
COMBINE = {"all": "and", "any": "or"}
_BY_LOGIC = {logic: name for name, (logic, _) in OPERATORS.items()}
_COMBINE_BY_LOGIC = {logic: name for name, logic in COMBINE.items()}


@dataclass(frozen=True)
class Condition:
    """One row: a field, an operator and (except for filled / empty) a value."""

    field: str
    op: str
    value: Any = None

    def to_dict(self) -> dict:
        return {"field": self.field, "op": self.op, "value": self.value}


@dataclass(frozen=True)
class Group:
    """Rows combined by "semua" (all) or "salah satu" (any); a top-level group may hold groups of rows."""

    combine: str = "all"
    items: tuple = field(default_factory=tuple)

    def to_dict(self) -> dict:
        return {"combine": self.combine, "items": [item.to_dict() for item in self.items]}

    def normalized(self) -> Group:
        """The model as it reads back: one bare row at the top is always "semua"."""
        if len(self.items) == 1 and isinstance(self.items[0], Condition):
            return Group("all", self.items)
        return self


class BuilderError(ValueError):
    """A builder model that cannot be written (an unknown operator, a missing field, nesting too deep)."""


# ---------------------------------------------------------------- model → JsonLogic


def _scalar(value) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _condition_logic(row: Condition):
    if row.op not in OPERATORS:
        raise BuilderError(gettext("Operator {op!r} tidak dikenal").format(op=row.op))
    if not isinstance(row.field, str) or not row.field:
        raise BuilderError(gettext("Syarat memerlukan isian"))
    var = {"var": row.field}
    logic_op = OPERATORS[row.op][0]
    if row.op in UNARY:
        return {logic_op: [var]}
    if row.op == "in":
        if not isinstance(row.value, (list, tuple)) or not all(_scalar(v) for v in row.value):
            raise BuilderError(gettext("'salah satu dari' memerlukan daftar nilai"))
        return {"in": [var, list(row.value)]}
    if not _scalar(row.value):
        raise BuilderError(gettext("Nilai syarat harus satu nilai"))
    return {logic_op: [var, row.value]}


def _group_logic(group: Group, depth: int):
    if group.combine not in COMBINE:
        raise BuilderError(gettext("Gabungan {combine!r} tidak dikenal").format(combine=group.combine))
    if not group.items:
        raise BuilderError(gettext("Kelompok syarat kosong"))
    parts = []
    for item in group.items:
        if isinstance(item, Group):
            if depth > 0:
                raise BuilderError(gettext("Kelompok syarat hanya boleh bertingkat satu kali"))
            parts.append(_group_logic(item, depth + 1))
        else:
            parts.append(_condition_logic(item))
    return {COMBINE[group.combine]: parts}


def to_jsonlogic(model: Group | None):
    """The JsonLogic rule of a builder model; None (no rule) for no model or an empty top group."""
    if model is None or not model.items:
        return None
    if len(model.items) == 1 and isinstance(model.items[0], Condition):
        return _condition_logic(model.items[0])
    return _group_logic(model, 0)


# ---------------------------------------------------------------- JsonLogic → model


def _var_name(node) -> str | None:
    if isinstance(node, dict) and len(node) == 1 and "var" in node:
        name = node["var"]
        if isinstance(name, str) and name:
            return name
    return None


def _read_condition(rule) -> Condition | None:
    if not isinstance(rule, dict) or len(rule) != 1:
        return None
    (logic_op, args), = rule.items()
    op = _BY_LOGIC.get(logic_op)
    if op is None or not isinstance(args, list) or not args:
        return None
    name = _var_name(args[0])
    if name is None:
        return None
    if op in UNARY:
        return Condition(name, op) if len(args) == 1 else None
    if len(args) != 2:
        return None
    value = args[1]
    if op == "in":
        if not isinstance(value, list) or not all(_scalar(v) for v in value):
            return None
        return Condition(name, op, tuple(value))
    return Condition(name, op, value) if _scalar(value) else None


def _read_group(rule, depth: int) -> Group | None:
    if not isinstance(rule, dict) or len(rule) != 1:
        return None
    (logic_op, args), = rule.items()
    combine = _COMBINE_BY_LOGIC.get(logic_op)
    if combine is None or not isinstance(args, list) or not args:
        return None
    items = []
    for arg in args:
        row = _read_condition(arg)
        if row is None and depth == 0:
            row = _read_group(arg, 1)
        if row is None:
            return None
        items.append(row)
    return Group(combine, tuple(items))


def from_jsonlogic(rule) -> Group | None:
    """The builder model of a rule the builder writes; None for any other rule (it stays raw)."""
    if rule is None:
        return None
    row = _read_condition(rule)
    if row is not None:
        return Group("all", (row,))
    return _read_group(rule, 0)


def from_dict(data) -> Group:
    """A builder model from its JSON form (as the editor's page posts it); BuilderError when malformed."""
    if not isinstance(data, dict):
        raise BuilderError(gettext("Kelompok syarat harus berupa objek"))
    items = []
    for item in data.get("items") or []:
        if isinstance(item, dict) and "items" in item:
            items.append(from_dict(item))
        elif isinstance(item, dict):
            value = item.get("value")
            items.append(Condition(str(item.get("field") or ""), str(item.get("op") or ""),
                                   tuple(value) if isinstance(value, list) else value))
        else:
            raise BuilderError(gettext("Syarat harus berupa objek"))
    return Group(str(data.get("combine") or "all"), tuple(items))


# ---------------------------------------------------------------- values typed by the field


def coerce(value: str, field_type: str | None):
    """A value typed into the builder as the field's answers hold it: numbers, true/false, or text."""
    text = (value or "").strip()
    if field_type in ("integer", "rupiah"):
        digits = text.replace(".", "") if field_type == "rupiah" else text
        try:
            return int(digits)
        except ValueError:
            return text
    if field_type == "consent":
        return text.lower() in ("true", "ya", "yes", "1", "on")
    return text


def fields_of(definition: Mapping) -> dict[str, dict]:
    """What rules may name, by key: ``{"label": text, "type": str, "options": {value: text}, "step": key}``."""
    found: dict[str, dict] = {}

    def walk(fields, step_key):
        for f in fields or []:
            if not isinstance(f, dict) or not isinstance(f.get("key"), str):
                continue
            options = {str(o.get("value")): o.get("label") for o in f.get("options") or []
                       if isinstance(o, dict) and "value" in o}
            found[f["key"]] = {"label": f.get("label") or f.get("text"), "type": f.get("type"),
                               "options": options, "step": step_key}
            walk(f.get("fields"), step_key)

    for step in definition.get("steps") or []:
        if isinstance(step, dict):
            walk(step.get("fields"), step.get("key"))
    return found


# ---------------------------------------------------------------- sentences

# Whole sentences with named parts, so a translator may reorder them (msgid: the Indonesian text).
_SENTENCES = {
    "==": lazy_gettext("{field} sama dengan {value}"), "===": lazy_gettext("{field} sama dengan {value}"),
    "!=": lazy_gettext("{field} tidak sama dengan {value}"), "!==": lazy_gettext("{field} tidak sama dengan {value}"),
    ">": lazy_gettext("{field} lebih dari {value}"), ">=": lazy_gettext("{field} paling sedikit {value}"),
    "<": lazy_gettext("{field} kurang dari {value}"), "<=": lazy_gettext("{field} paling banyak {value}"),
    "in": lazy_gettext("{field} salah satu dari {value}"),
    "filled": lazy_gettext("{field} terisi"), "empty": lazy_gettext("{field} kosong"),
    "and": lazy_gettext("{left} dan {right}"), "or": lazy_gettext("{left} atau {right}"),
    "not": lazy_gettext("bukan ({rule})"),
    "some": lazy_gettext("ada {items} yang: {rule}"), "all": lazy_gettext("setiap {items}: {rule}"),
    "none": lazy_gettext("tidak ada {items} yang: {rule}"),
    "if": lazy_gettext("bila {condition} maka {then} selain itu {otherwise}"),
    "account": lazy_gettext("akun: {name}"),
    "raw": lazy_gettext("aturan {rule}"),
}
# single words: a value in a rule, and a rule that always holds
WORDS = {
    True: lazy_pgettext("admin/rules", "ya"), False: lazy_pgettext("admin/rules", "tidak"),
    None: lazy_pgettext("admin/rules", "kosong"), "nothing": lazy_gettext("(tidak ada)"),
    "always": lazy_gettext("selalu"),
}


class _Speaker:
    """Says a rule in one locale (any the catalogs offer) with the fields' labels and option labels."""

    def __init__(self, fields: Mapping[str, Mapping], lang: str):
        self.fields, self.lang = fields, lang

    def word(self, key) -> str:
        return WORDS[key].in_locale(self.lang)

    def put(self, key: str, **parts) -> str:
        return _SENTENCES[key].in_locale(self.lang).format(**parts)

    def text(self, value) -> str:
        return text(value, self.lang) if isinstance(value, dict) else "" if value is None else str(value)

    def label(self, name: str) -> str:
        info = self.fields.get(name)
        if info and self.text(info.get("label")):
            return f"«{self.text(info['label'])}»"
        if name.startswith("akun."):
            return self.put("account", name=name.split(".", 1)[1])
        return f"«{name}»"

    def literal(self, value, about: str | None = None) -> str:
        if about is not None:
            options = (self.fields.get(about) or {}).get("options") or {}
            if str(value) in options and self.text(options[str(value)]):
                return f"“{self.text(options[str(value)])}”"
        if value is True or value is False or value is None:
            return self.word(value)
        if isinstance(value, str):
            return f"“{value}”"
        if isinstance(value, list) and not value:
            return self.word("nothing")
        if isinstance(value, list):
            return ", ".join(self.say(v) if isinstance(v, dict) else self.literal(v, about) for v in value)
        return json.dumps(value, ensure_ascii=False)

    def raw(self, rule) -> str:
        try:
            text = json.dumps(rule, ensure_ascii=False)
        except (RecursionError, TypeError, ValueError):
            text = "…"
        return self.put("raw", rule=text if len(text) <= 200 else text[:199] + "…")

    def say(self, rule) -> str:
        if not isinstance(rule, dict):
            return self.literal(rule)
        if len(rule) != 1:
            return self.raw(rule)
        (op, args), = rule.items()
        if op == "var":
            name = args[0] if isinstance(args, list) and args else args
            return self.label(str(name)) if isinstance(name, (str, int)) and name != "" else self.raw(rule)
        args = args if isinstance(args, list) else [args]
        builder_op = _BY_LOGIC.get(op)
        if builder_op in UNARY and len(args) == 1:
            if _var_name(args[0]) is not None:
                return self.put(builder_op, field=self.say(args[0]))
            return self.put("not", rule=self.say(args[0])) if op == "!" else self.say(args[0])
        if op in ("==", "!=") and len(args) == 2 and args[1] is None:
            # "!= null" is how rules say "answered"
            return self.put("empty" if op == "==" else "filled", field=self.say(args[0]))
        if op in _COMPARISONS and len(args) == 2:
            about = _var_name(args[0])
            right = self.literal(args[1], about) if not isinstance(args[1], dict) else self.say(args[1])
            return self.put(op, field=self.say(args[0]), value=right)
        if op in ("and", "or") and args:
            parts = [f"({self.say(a)})" if _compound(a) else self.say(a) for a in args]
            said = parts[0]
            for part in parts[1:]:
                said = self.put(op, left=said, right=part)
            return said
        if op in ("some", "all", "none") and len(args) == 2:
            return self.put(op, items=self.say(args[0]), rule=self.say(args[1]))
        if op == "if" and len(args) == 3:
            condition, then, otherwise = (self.say(a) for a in args)
            return self.put("if", condition=condition, then=then, otherwise=otherwise)
        # arithmetic, custom operators, a comparison of three: said as a function of its arguments
        return f"{op}({', '.join(self.say(a) for a in args)})"


_COMPARISONS = frozenset({"==", "===", "!=", "!==", ">", ">=", "<", "<=", "in"})


def _compound(rule) -> bool:
    return isinstance(rule, dict) and len(rule) == 1 and next(iter(rule)) in ("and", "or")


def sentence(rule, fields: Mapping[str, Mapping] | None = None, lang: str | None = None) -> str:
    """Any rule said in words, e.g. «Apakah sudah punya izin usaha sebelumnya?» sama dengan “Ya”.

    :param fields: what :func:`fields_of` gives, for labels; unknown names are shown as they are.
    :param lang: the locale (any the catalogs offer; the current one when None).
    """
    speaker = _Speaker(fields or {}, lang or current_locale.get())
    if rule is None:
        return speaker.word("always")
    try:
        return speaker.say(rule)
    except RecursionError:
        return speaker.raw(rule)


def conditions(model: Group) -> Iterator[Condition]:
    """Every row of a model, nested ones included."""
    for item in model.items:
        if isinstance(item, Group):
            yield from conditions(item)
        else:
            yield item
