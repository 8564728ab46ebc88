"""Check a form definition: the JSON Schema first, then the semantic checks of docs/FORMAT.md.

Every message is a whole sentence from the gettext catalogs (the msgid is the Indonesian text, with named
``{placeholders}`` a translator may reorder), made lazily: a problem reads in the locale of the moment it is
shown (the request's on a page, the command's in the CLI), whenever it was found.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import re
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import Any

import datalogic_py
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match

from ..compile.fields import FIELD_TYPES
from ..i18n import LazyText, lazy_gettext, lazy_pgettext, lazy_text, ngettext

__all__ = ["Problem", "Registries", "form_schema", "schema_problems", "schema_sentence", "semantic_problems", "check",
           "checked", "listing"]


@dataclass(frozen=True)
class Problem:
    """One problem in a definition, located by an RFC 6901 JSON pointer."""

    pointer: str
    text: str  # as made: a lazy text from the checks (one kept for later is not frozen in one locale)

    @property
    def message(self) -> str:
        """The message in the current locale."""
        return str(self.text)


def listing(where: str, problems: Sequence[Problem]) -> str:
    """Where, how many problems, then one indented line per problem (pointer: message), in the current locale."""
    heading = ngettext("{where}: {count} masalah", "{where}: {count} masalah", len(problems))
    return heading.format(where=where, count=len(problems)) + "".join(
        f"\n  {p.pointer or '/'}: {p.message}" for p in problems)


@dataclass(frozen=True)
class Registries:
    """What the server knows: field types, validators, actions and reference levels."""

    field_types: frozenset[str]
    validators: frozenset[str]
    actions: frozenset[str]
    # reference set -> its levels, as a chain (each level's parent lists the level before) or as
    # {level: the level its parent field lists; None: no parent; "*": any earlier field}
    references: Mapping[str, Sequence[str] | Mapping[str, str | None]]
    roots: frozenset[str] = frozenset()  # context a rule may read besides answers, e.g. "akun"
    # the arguments each validator needs: validator -> {argument: "integer" | "field"}
    validator_args: Mapping[str, Mapping[str, str]] = dataclass_field(default_factory=dict)


# the schema as written: the field types (the "type" enum and what each type requires) come from the registry
_BASE_SCHEMA: dict = json.loads(Path(__file__).with_name("form.schema.json").read_text(encoding="utf-8"))
_IDENTIFIER = _BASE_SCHEMA["$defs"]["identifier"]["pattern"]
_BUILT: dict[tuple, tuple[dict, Draft202012Validator]] = {}


def _built() -> tuple[dict, Draft202012Validator]:
    """The schema and its validator for the field types registered now (built once per set of types)."""
    key = tuple((name, id(kind)) for name, kind in FIELD_TYPES.items())
    if key not in _BUILT:
        schema = copy.deepcopy(_BASE_SCHEMA)
        field = schema["$defs"]["field"]
        field["properties"]["type"]["enum"] = list(FIELD_TYPES)
        field["allOf"] = [{"if": {"properties": {"type": {"const": name}}, "required": ["type"]}, "then": kind.schema}
                          for name, kind in FIELD_TYPES.items() if kind.schema]
        _BUILT.clear()
        # of the formats, only "regex" is checked: a field's pattern must compile, or its form could not be served
        _BUILT[key] = schema, Draft202012Validator(schema, format_checker=FormatChecker(formats=("regex",)))
    return _BUILT[key]


def form_schema() -> dict:
    """The JSON Schema of a form definition, with the registered field types."""
    return _built()[0]


def __getattr__(name: str):
    if name == "SCHEMA":  # the name the schema had when it was a constant
        return form_schema()
    raise AttributeError(name)
_LANGUAGES = {"id": lazy_gettext("Bahasa Indonesia"), "en": lazy_gettext("bahasa Inggris")}
_WHOLE_NUMBER = lazy_gettext("bilangan bulat")
_TYPE_WORDS = {
    "string": lazy_gettext("teks dalam tanda kutip"),
    "integer": _WHOLE_NUMBER,
    "number": lazy_gettext("angka"),
    "boolean": lazy_gettext("true atau false"),
    "object": lazy_gettext("objek { ... }"),
    "array": lazy_gettext("daftar [ ... ]"),
    "null": "null",
}
# lists in messages are joined with the catalog's separators
_AND = lazy_pgettext("definition/check list", ", ")
_OR = lazy_pgettext("definition/check list", " atau ")
# Containers whose items are named in messages: the key that names an item, its words by name and by number.
_NAMED = {
    "steps": ("key", lazy_gettext("langkah '{name}'"), lazy_gettext("langkah {number}")),
    "fields": ("key", lazy_gettext("isian '{name}'"), lazy_gettext("isian {number}")),
    "options": ("value", lazy_gettext("pilihan '{name}'"), lazy_gettext("pilihan {number}")),
}
_NUMBERED = {"checks": lazy_gettext("pemeriksaan {number}"), "next": lazy_gettext("lompatan {number}"),
             "validators": lazy_gettext("validasi {number}")}
_THE_FORM = lazy_gettext("formulir")
_MUST_BE = lazy_gettext("nilai ini harus {wanted}, bukan {value}.")
_UNKNOWN_TYPE = lazy_gettext("'{name}' bukan jenis isian yang dikenal; gunakan salah satu dari: {choices}.")
_USE_ONE_OF = lazy_gettext("Gunakan salah satu dari: {choices}.")
_NOT_A_FIELD = lazy_gettext("'{name}' bukan isian formulir ini{suggestion}")
# The engine's own errors, and what json.dumps raises on values JSON cannot hold or nest.
_ENGINE_ERRORS = (datalogic_py.DataLogicError, ValueError, TypeError, RecursionError)

_Path = tuple  # a path into the definition: keys and list indices


# ---------------------------------------------------------------- helpers


def _pointer(path: Sequence[Any]) -> str:
    """RFC 6901 pointer for a path of keys and indices."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _where(doc: Any, path: Sequence[Any], capital: bool = True) -> LazyText:
    """Human name of the innermost step/field/option on a path, e.g. "Langkah 'akun', isian 'password'"."""
    parts, node, container = [], doc, None
    for seg in path:
        try:
            node = node[seg]
        except (LookupError, TypeError):
            break
        if isinstance(seg, int) and container in _NAMED:
            name_key, by_name, by_number = _NAMED[container]
            name = node.get(name_key) if isinstance(node, dict) else None
            named = isinstance(name, (str, int)) and name != ""
            parts.append(by_name.format(name=name) if named else by_number.format(number=seg + 1))
        elif isinstance(seg, int) and container in _NUMBERED:
            parts.append(_NUMBERED[container].format(number=seg + 1))
        container = seg
    return _capital(_joined(parts, _AND) if parts else _THE_FORM) if capital else _joined(parts or [_THE_FORM], _AND)


def _say(doc: Any, path: Sequence[Any], detail: str) -> Problem:
    """A problem at path, its message prefixed with where it is."""
    return Problem(_pointer(path), _at(_where(doc, path), detail))


def _at(where: str, detail: str) -> LazyText:
    """A message: where, then what."""
    return lazy_pgettext("definition/check", "{where}: {detail}").format(where=where, detail=detail)


def _capital(text: str) -> LazyText:
    """The text with its first letter a capital, in every locale."""
    return lazy_text(lambda: str(text)[:1].upper() + str(text)[1:])


def _joined(items: Sequence[Any], separator: str) -> LazyText:
    """Items joined with a separator from the catalogs."""
    items = list(items)
    return lazy_text(lambda: str(separator).join(map(str, items)))


def _choices(names: Any) -> str:
    """A readable list of allowed names."""
    names = sorted(str(n) for n in names)
    return _joined(names, _AND) if names else lazy_gettext("(belum ada yang terdaftar)")


def _close(name: Any, names: Any) -> str | None:
    """The allowed name closest to a misspelt one, if any is close."""
    close = difflib.get_close_matches(str(name), [str(n) for n in names], n=1)
    return close[0] if close else None


def _suggest(name: Any, names: Any) -> str:
    """End of a sentence: "; mungkin maksud Anda 'x'?" when a close name exists, else "."."""
    close = _close(name, names)
    return (lazy_gettext("; mungkin maksud Anda '{name}'?").format(name=close) if close
            else lazy_pgettext("definition/check: end of a sentence", "."))


def _show(value: Any) -> str:
    """A value as JSON, shortened so a message stays one readable line."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _list(value: Any) -> list:
    """The value when it is a list, else an empty list (the schema reports the wrong type)."""
    return value if isinstance(value, list) else []


# ---------------------------------------------------------------- schema


def schema_problems(doc: Any) -> list[Problem]:
    """Every JSON Schema error of the definition, in plain words."""
    errors = sorted(_built()[1].iter_errors(doc), key=lambda e: [str(p).zfill(6) for p in e.absolute_path])
    problems = [_schema_problem(doc, error) for error in errors]
    return list(dict.fromkeys(problems))  # the same message twice helps nobody


def _schema_problem(doc: Any, error: ValidationError) -> Problem:
    """One schema error as a Problem; alternatives that are not simple are said as the closest one's error."""
    if _alternatives(error) and _alternatives_said(error) is None:
        return _schema_problem(doc, best_match(error.context))
    return _say(doc, list(error.absolute_path), schema_sentence(error))


def schema_sentence(error: ValidationError) -> str:
    """One JSON Schema error (of a form's schema or another, a variant's) as a sentence in plain words, lazily."""
    if _alternatives(error):
        said = _alternatives_said(error)
        return said if said is not None else schema_sentence(best_match(error.context))
    return _schema_detail(error)


def _alternatives(error: ValidationError) -> bool:
    return error.validator in ("anyOf", "oneOf") and bool(error.context)


def _alternatives_said(error: ValidationError) -> str | None:
    """An anyOf error whose alternatives are simple (settings to add, types) in one sentence; None for others."""
    path = list(error.absolute_path)
    if all(c.validator == "required" for c in error.context):
        names = _joined([f"'{_missing_name(c)}'" for c in error.context], _OR)
        return lazy_gettext("salah satu pengaturan {names} diperlukan; tambahkan salah satunya.").format(names=names)
    if all(c.validator == "type" and list(c.absolute_path) == path for c in error.context):
        wanted = _joined([_type_words(c.validator_value) for c in error.context], _OR)
        return _MUST_BE.format(wanted=wanted, value=_show(error.instance))
    return None


def _missing_name(error: ValidationError) -> str:
    """The property a "required" error is about (jsonschema only puts it in the message)."""
    missing = [p for p in error.validator_value if isinstance(error.instance, dict) and p not in error.instance]
    quoted = error.message.split(" is a required property")[0].strip("'\"")
    return quoted if quoted in missing else (missing[0] if missing else quoted)


def _last_key(path: Sequence[Any]) -> str:
    """The last property name on a path (the name of a text, e.g. 'label')."""
    return next((str(p) for p in reversed(path) if isinstance(p, str)), "")


def _type_words(types: Any) -> str:
    """Plain words for a JSON Schema type or list of types."""
    types = types if isinstance(types, list) else [types]
    return _joined([_TYPE_WORDS.get(t, t) for t in types], _OR)


def _schema_detail(error: ValidationError) -> str:
    """The sentence in plain words for one schema error."""
    handler = _SCHEMA_DETAILS.get(error.validator)
    if handler:
        return handler(error)
    # a rule of the schema without a sentence of its own: the validator's words, said to be about the format
    return lazy_gettext("bagian ini tidak sesuai dengan format definisi: {message}.").format(message=error.message)


def _dependent_detail(error: ValidationError) -> str:
    """A setting that needs another one, e.g. "allow_if" needs "message"."""
    instance = error.instance if isinstance(error.instance, dict) else {}
    present, needed = next(((k, d) for k, deps in error.validator_value.items() if k in instance
                            for d in deps if d not in instance), ("", ""))
    return lazy_gettext("pengaturan '{needed}' diperlukan bila ada '{present}'; tambahkan.").format(
        needed=needed, present=present)


def _required_detail(error: ValidationError) -> str:
    """A missing setting; a missing translation is said as such."""
    name = _missing_name(error)
    if error.validator_value == ["id", "en"]:
        return lazy_gettext("teks '{text}' belum punya terjemahan '{name}' ({language}); setiap teks memerlukan "
                            "\"id\" dan \"en\", jadi tambahkan \"{name}\": \"...\".").format(
            text=_last_key(error.absolute_path), name=name, language=_LANGUAGES[name])
    return lazy_gettext("pengaturan '{name}' belum ada; tambahkan.").format(name=name)


def _additional_detail(error: ValidationError) -> str:
    """Unknown settings, with the allowed ones."""
    allowed = list(error.schema.get("properties", {}))
    extra = [k for k in error.instance if k not in allowed]
    names = _joined([lazy_gettext("'{name}' (mungkin maksud Anda '{close}'?)").format(name=k, close=c)
                     if (c := _close(k, allowed)) else f"'{k}'" for k in extra], _AND)
    if error.schema.get("required") == ["id", "en"]:
        return lazy_gettext("{names} tidak boleh ada di teks '{text}'; sebuah teks berisi \"id\" (Bahasa Indonesia), "
                            "\"en\" (bahasa Inggris) dan kode bahasa lain (\"jv\", \"pt_BR\").").format(
            names=names, text=_last_key(error.absolute_path))
    return lazy_gettext("pengaturan {names} tidak dikenal; periksa ejaannya. Yang boleh di sini: {allowed}.").format(
        names=names, allowed=_joined(allowed, _AND))


def _enum_detail(error: ValidationError) -> str:
    """A value outside a fixed list; field types are named as such."""
    choices = _joined(list(map(str, error.validator_value)), _AND)
    if error.absolute_path and error.absolute_path[-1] == "type":
        return _UNKNOWN_TYPE.format(name=error.instance, choices=choices)
    return lazy_gettext("'{value}' bukan nilai yang dikenal; gunakan salah satu dari: {choices}.").format(
        value=error.instance, choices=choices)


def _pattern_detail(error: ValidationError) -> str:
    """An identifier or an empty translation."""
    if error.validator_value == _IDENTIFIER:
        return lazy_gettext("'{value}' bukan kunci yang sah; gunakan hanya huruf kecil a-z, angka dan garis bawah, "
                            "diawali huruf (misalnya 'nomor_telepon').").format(value=error.instance)
    if error.validator_value == r"\S":
        return _empty_detail(error)
    return lazy_gettext("{value} tidak sesuai dengan bentuk yang diminta (pola {pattern}).").format(
        value=_show(error.instance), pattern=error.validator_value)


def _empty_detail(error: ValidationError) -> str:
    """An empty string; an empty translation is said as such."""
    last = error.absolute_path[-1] if error.absolute_path else None
    if last in _LANGUAGES:
        text = _last_key(list(error.absolute_path)[:-1])
        language = _LANGUAGES[last]
        return lazy_gettext("terjemahan '{code}' ({language}) dari teks '{text}' kosong; tuliskan dalam "
                            "{language}.").format(code=last, language=language, text=text)
    return lazy_gettext("nilai ini tidak boleh kosong.")


_SCHEMA_DETAILS = {
    "required": _required_detail,
    "additionalProperties": _additional_detail,
    "dependentRequired": _dependent_detail,
    "enum": _enum_detail,
    "pattern": _pattern_detail,
    "minLength": _empty_detail,
    "maxLength": lambda e: lazy_gettext("teks ini paling panjang {limit} karakter.").format(limit=e.validator_value),
    "format": lambda e: lazy_gettext(
        "{value} bukan pola (regular expression) yang sah; periksa tanda kurung dan garis miring terbaliknya "
        "(misalnya ^[0-9]{{16}}$ untuk 16 angka).").format(value=_show(e.instance)),
    "type": lambda e: _MUST_BE.format(wanted=_type_words(e.validator_value), value=_show(e.instance)),
    "const": lambda e: lazy_gettext("nilai ini harus {value}.").format(value=_show(e.validator_value)),
    "minimum": lambda e: lazy_gettext("nilai ini paling sedikit {minimum}, bukan {value}.").format(
        minimum=e.validator_value, value=e.instance),
    "minItems": lambda e: lazy_gettext("daftar ini memerlukan paling sedikit {count} butir.").format(
        count=e.validator_value),
}


# ---------------------------------------------------------------- walking the definition


def _steps(doc: dict) -> list[tuple[int, dict]]:
    """(index, step) for the steps that are objects."""
    return [(i, s) for i, s in enumerate(_list(doc.get("steps"))) if isinstance(s, dict)]


def _fields_in(fields: Any, path: _Path) -> Iterator[tuple[_Path, dict]]:
    """(path, field) for fields and, depth first, the fields of their groups, in document order."""
    for j, field in enumerate(_list(fields)):
        if isinstance(field, dict):
            yield path + (j,), field
            yield from _fields_in(field.get("fields"), path + (j, "fields"))


def _all_fields(doc: dict) -> list[tuple[_Path, dict]]:
    """Every field of the form in document order, with its path."""
    return [f for i, step in _steps(doc) for f in _fields_in(step.get("fields"), ("steps", i, "fields"))]


def _field_keys(doc: dict) -> set[str]:
    """The keys of every field of the form, group items included."""
    return {f["key"] for _, f in _all_fields(doc) if isinstance(f.get("key"), str)}


def _rules(doc: dict) -> Iterator[tuple[_Path, Any]]:
    """(path, rule) for every rule in the definition."""
    access = doc.get("access")
    if isinstance(access, dict) and "allow_if" in access:
        yield ("access", "allow_if"), access["allow_if"]
    for i, step in _steps(doc):
        if "visible_if" in step:
            yield ("steps", i, "visible_if"), step["visible_if"]
        for k, entry in enumerate(_list(step.get("checks"))):
            if isinstance(entry, dict) and "rule" in entry:
                yield ("steps", i, "checks", k, "rule"), entry["rule"]
        for k, entry in enumerate(_list(step.get("next"))):
            if isinstance(entry, dict) and "if" in entry:
                yield ("steps", i, "next", k, "if"), entry["if"]
    for path, field in _all_fields(doc):
        yield from _field_rules(path, field)


def _field_rules(path: _Path, field: dict) -> Iterator[tuple[_Path, Any]]:
    """(path, rule) for the rules of one field and its options."""
    for name in ("visible_if", "required_if", "compute", "prefill", "item_label", "item_visible_if"):
        if name in field:
            yield path + (name,), field[name]
    for k, column in enumerate(_list(field.get("columns"))):
        if isinstance(column, dict) and "value" in column:
            yield path + ("columns", k, "value"), column["value"]
    for k, entry in enumerate(_list(field.get("checks"))):
        if isinstance(entry, dict) and "rule" in entry:
            yield path + ("checks", k, "rule"), entry["rule"]
    for k, option in enumerate(_list(field.get("options"))):
        if isinstance(option, dict) and "visible_if" in option:
            yield path + ("options", k, "visible_if"), option["visible_if"]


# ---------------------------------------------------------------- uniqueness


def _unique_step_keys(doc: dict) -> list[Problem]:
    """Every step key is used once."""
    seen: dict[str, int] = {}
    problems = []
    for i, step in _steps(doc):
        key = step.get("key")
        if key in seen:
            problems.append(_say(doc, ("steps", i, "key"), lazy_gettext(
                "kunci langkah '{key}' sudah dipakai oleh langkah nomor {number}; beri setiap langkah kuncinya "
                "sendiri.").format(key=key, number=seen[key] + 1)))
        else:
            seen[key] = i
    return problems


def _unique_field_keys(doc: dict) -> list[Problem]:
    """Every field key is used once in the whole form, group items included."""
    seen: dict[str, _Path] = {}
    problems = []
    for path, field in _all_fields(doc):
        key = field.get("key")
        if key in seen:
            problems.append(_say(doc, path + ("key",), lazy_gettext(
                "kunci isian '{key}' sudah dipakai oleh {where}; setiap isian formulir memerlukan kuncinya sendiri, "
                "karena aturan dan jawaban yang tersimpan merujuk kepadanya.").format(
                    key=key, where=_where(doc, seen[key], capital=False))))
        else:
            seen[key] = path
    return problems


def _unique_option_values(doc: dict) -> list[Problem]:
    """Option values are unique within each field."""
    problems = []
    for path, field in _all_fields(doc):
        seen: set[str] = set()
        for k, option in enumerate(_list(field.get("options"))):
            value = json.dumps(option.get("value")) if isinstance(option, dict) else None
            if value in seen:
                problems.append(Problem(_pointer(path + ("options", k, "value")), _at(_where(doc, path), lazy_gettext(
                    "nilai pilihan {value} dipakai dua kali; setiap pilihan sebuah isian memerlukan nilainya "
                    "sendiri.").format(value=value))))
            seen.add(value)
    return problems


# ---------------------------------------------------------------- rules


def _rule_problems(doc: dict, engine: datalogic_py.Engine, roots: frozenset[str] = frozenset()) -> list[Problem]:
    """Every rule is valid for the engine and reads only fields of the form (or a context root)."""
    keys = _field_keys(doc) | roots
    return [p for path, rule in _rules(doc) for p in _one_rule(doc, path, rule, keys, engine)]


def _one_rule(doc: dict, path: _Path, rule: Any, keys: set[str], engine: datalogic_py.Engine) -> list[Problem]:
    """The problems of one rule: the engine's errors first; its variables only when it compiles."""
    what = {"rule": lazy_gettext("aturan"), "if": lazy_gettext("syarat 'if'")}.get(
        path[-1], lazy_gettext("aturan '{name}'").format(name=path[-1]))
    try:
        text = json.dumps(rule)  # a Python str is taken as JSON text by the engine
        errors = [d for d in engine.check(text) if d.get("severity") == "error"]
        if errors:
            return [_diagnostic_problem(doc, path, what, d) for d in errors]
        reads = engine.compile(text).facts()["reads"]
    except _ENGINE_ERRORS as exc:
        return [_say(doc, path, lazy_gettext(
            "{what} tidak dapat dipakai: {error}. Pastikan ditulis sebagai JsonLogic, misalnya "
            "{{\"==\": [{{\"var\": \"field_key\"}}, \"VALUE\"]}}.").format(what=what, error=_engine_error_text(exc)))]
    return _unknown_variables(doc, path, what, reads, keys)


def _diagnostic_problem(doc: dict, path: _Path, what: str, diagnostic: Mapping[str, Any]) -> Problem:
    """One engine diagnostic, located inside the rule."""
    pointer = _pointer(path) + (diagnostic.get("pointer") or "")
    code, operator = diagnostic.get("code"), diagnostic.get("operator")
    if code == "UnknownOperator":
        detail = lazy_gettext(
            "{what} memakai '{operator}', yang bukan operator yang dikenal; periksa ejaannya, atau gunakan operator "
            "JsonLogic (==, !=, and, or, if, var, ...) atau operator khusus yang terdaftar.").format(
                what=what, operator=operator)
    elif code == "NotAnOperator":
        detail = lazy_gettext(
            "{what} berisi objek dengan beberapa kunci; setiap operasi harus berupa objek dengan tepat satu kunci, "
            "yaitu operatornya, misalnya {{\"==\": [{{\"var\": \"field_key\"}}, \"VALUE\"]}}.").format(what=what)
    else:
        detail = lazy_gettext("{what} tidak sah: {error}.").format(
            what=what, error=_engine_text(diagnostic.get("message", "")))
    return Problem(pointer, _at(_where(doc, path), detail))


def _engine_error_text(exc: BaseException) -> str:
    """Plain text of an exception from the engine or from turning the rule into JSON."""
    if isinstance(exc, RecursionError):
        return lazy_gettext("bertingkat terlalu dalam")
    return _engine_text(str(exc))


def _engine_text(message: str) -> str:
    """An engine message made readable: depth limits said plainly, trailing dot dropped."""
    if "nesting depth" in message:
        return lazy_gettext("bertingkat terlalu dalam (paling banyak 256 tingkat { } dan [ ])")
    return message.replace("`", "'").rstrip(".") or lazy_gettext("mesin aturan menolaknya")


def _unknown_variables(doc: dict, path: _Path, what: str, reads: list, keys: set[str]) -> list[Problem]:
    """Variables whose first segment is not a field key; [] (the whole data) is allowed."""
    unknown = dict.fromkeys(r[0] for r in reads if r and r[0] not in keys)
    return [_say(doc, path, lazy_gettext(
        "{what} memakai variabel '{name}' yang tidak dikenal: tidak ada isian formulir ini dengan kunci itu"
        "{suggestion} Gunakan kunci sebuah isian formulir ini.").format(
            what=what, name=name, suggestion=_suggest(name, keys)))
            for name in unknown]


# ---------------------------------------------------------------- steps and jumps


def _is_unconditional(entry: Any) -> bool:
    """A jump that always happens: no "if", or "if": true."""
    return isinstance(entry, dict) and entry.get("if", True) is True


def _next_problems(doc: dict) -> list[Problem]:
    """Every jump names an existing, later step."""
    order = {s.get("key"): i for i, s in reversed(_steps(doc))}
    problems = []
    for i, step in _steps(doc):
        later = [s.get("key") for j, s in _steps(doc) if j > i]
        for k, entry in enumerate(_list(step.get("next"))):
            target = entry.get("step") if isinstance(entry, dict) else None
            problem = _jump_problem(step.get("key"), target, order.get(target), i, later)
            if problem:
                problems.append(Problem(_pointer(("steps", i, "next", k, "step")), problem))
    return problems


def _jump_problem(key: str, target: str, target_index: int | None, index: int, later: list) -> str | None:
    """The message for a bad jump from step number index, or None."""
    use = (_USE_ONE_OF.format(choices=_joined(later, _AND)) if later
           else lazy_gettext("Ini langkah terakhir, jadi hapus lompatan ini."))
    if target_index is None:
        return lazy_gettext("Langkah '{key}' melompat ke '{target}', yang tidak ada{suggestion} {use}").format(
            key=key, target=target, suggestion=_suggest(target, later), use=use)
    if target_index <= index:
        return lazy_gettext("Langkah '{key}' melompat kembali ke '{target}', yang tidak ada sesudahnya; lompatan "
                            "hanya boleh maju, agar formulir tidak berputar-putar. {use}").format(
            key=key, target=target, use=use)
    return None


def _reachable(doc: dict) -> set[int]:
    """Indices of the steps reachable from the first; jumps only go forward, so one pass suffices."""
    steps = _steps(doc)
    order = {s.get("key"): i for i, s in reversed(steps)}
    reached = {steps[0][0]} if steps else set()
    for i, step in steps:
        if i not in reached:
            continue
        jumps = [(e, order.get(e.get("step"))) for e in _list(step.get("next")) if isinstance(e, dict)]
        valid = [(e, t) for e, t in jumps if t is not None and t > i]  # bad jumps are reported elsewhere
        reached.update(t for _, t in valid)
        if not any(_is_unconditional(e) for e, _ in valid):
            reached.add(i + 1)  # without a catch-all jump the following step comes next
    return reached


def _unreachable_steps(doc: dict) -> list[Problem]:
    """Every step can be reached from the first step."""
    reached = _reachable(doc)
    return [_say(doc, ("steps", i), lazy_gettext(
        "langkah ini tidak pernah dapat dicapai: tidak ada langkah sebelumnya yang menuju ke sini (semuanya "
        "melompatinya, atau tidak dapat dicapai sendiri). Hapus langkah ini, atau tambahkan lompatan (\"next\") ke "
        "sini dari langkah sebelumnya."))
            for i, _ in _steps(doc) if i not in reached]


# ---------------------------------------------------------------- registries


def _registry_problems(doc: dict, registries: Registries) -> list[Problem]:
    """Field types, validators and actions exist in their registries."""
    problems = []
    for i, step in _steps(doc):
        action = step.get("action")
        if action is not None and action not in registries.actions:
            problems.append(_say(doc, ("steps", i, "action"), lazy_gettext(
                "aksi '{name}' tidak ada{suggestion} Gunakan salah satu dari: {choices}.").format(
                    name=action, suggestion=_suggest(action, registries.actions), choices=_choices(registries.actions))))
    keys = _field_keys(doc)
    for path, field in _all_fields(doc):
        problems += _field_registry_problems(doc, path, field, registries)
        problems += _validator_arg_problems(doc, path, field, registries, keys)
    return problems


def _field_registry_problems(doc: dict, path: _Path, field: dict, registries: Registries) -> list[Problem]:
    """The field's type and validators exist."""
    problems = []
    kind = field.get("type")
    if kind not in registries.field_types:
        problems.append(_say(doc, path + ("type",), _UNKNOWN_TYPE.format(
            name=kind, choices=_choices(registries.field_types))))
    for k, validator in enumerate(_list(field.get("validators"))):
        named = isinstance(validator, dict)  # {"name", "args", "message"} or just the name
        name = validator.get("name") if named else validator
        if name not in registries.validators:
            at = path + ("validators", k) + (("name",) if named else ())
            problems.append(_say(doc, at, lazy_gettext(
                "validasi '{name}' tidak ada{suggestion} Gunakan salah satu dari: {choices}.").format(
                    name=name, suggestion=_suggest(name, registries.validators),
                    choices=_choices(registries.validators))))
    return problems


def _validator_arg_problems(doc: dict, path: _Path, field: dict, registries: Registries, keys: set[str]) -> list[Problem]:
    """Each validator gets the arguments it needs, of the right kind, and no others."""
    problems = []
    for k, validator in enumerate(_list(field.get("validators"))):
        named = isinstance(validator, dict)
        name = validator.get("name") if named else validator
        wanted = registries.validator_args.get(name) if isinstance(name, str) else None
        if wanted is None:
            continue  # unknown validators are reported by _field_registry_problems
        given = validator.get("args") if named else None
        given = given if isinstance(given, dict) else {}
        at = path + ("validators", k)
        for arg, kind in wanted.items():
            value = given.get(arg)
            if arg not in given:
                problems.append(_say(doc, at, lazy_gettext(
                    "validasi '{name}' memerlukan \"args\": {{\"{arg}\": ...}} ({kind}).").format(
                        name=name, arg=arg,
                        kind=_WHOLE_NUMBER if kind == "integer" else lazy_gettext("kunci sebuah isian"))))
            elif kind == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
                problems.append(_say(doc, at + ("args", arg), lazy_gettext(
                    "'{arg}' harus bilangan bulat, bukan {value}.").format(arg=arg, value=_show(value))))
            elif kind == "field" and value not in keys:
                problems.append(_say(doc, at + ("args", arg), lazy_gettext(
                    "'{arg}' harus menyebut sebuah isian formulir ini; tidak ada isian {value}{suggestion}").format(
                        arg=arg, value=_show(value), suggestion=_suggest(value, keys))))
        for arg in sorted(set(given) - set(wanted)):
            problems.append(_say(doc, at + ("args", arg), lazy_gettext(
                "validasi '{name}' tidak menerima argumen '{arg}'; argumennya: {args}.").format(
                    name=name, arg=arg, args=_joined(list(wanted), _AND)) if wanted else lazy_gettext(
                "validasi '{name}' tidak menerima argumen '{arg}'.").format(name=name, arg=arg)))
    return problems


def _source_problems(doc: dict, registries: Registries) -> list[Problem]:
    """Reference sources exist, and each level's parent is an earlier field of the level above."""
    fields = _all_fields(doc)
    problems = []
    for index, (path, field) in enumerate(fields):
        source = field.get("source")
        if isinstance(source, dict):
            problems += _one_source(doc, path + ("source",), source, fields[:index], registries)
    return problems


def _one_source(doc: dict, path: _Path, source: dict, earlier: list, registries: Registries) -> list[Problem]:
    """The problems of one field's source."""
    reference, level = source.get("reference"), source.get("level")
    if reference not in registries.references:
        return [_say(doc, path + ("reference",), lazy_gettext(
            "data referensi '{name}' tidak ada{suggestion} Gunakan salah satu dari: {choices}.").format(
                name=reference, suggestion=_suggest(reference, registries.references),
                choices=_choices(registries.references)))]
    parents = _parent_levels(registries.references[reference])
    levels = tuple(parents)
    if level not in levels:
        return [_say(doc, path + ("level",), lazy_gettext(
            "'{level}' bukan tingkat dari '{reference}'{suggestion} Gunakan salah satu dari: {choices}.").format(
                level=level, reference=reference, suggestion=_suggest(level, levels), choices=_joined(levels, _AND)))]
    return _parent_problems(doc, path, source, parents[level], earlier)


def _parent_levels(declared) -> dict:
    """{level: parent level} of a reference set declared as a chain or as a mapping."""
    if isinstance(declared, Mapping):
        return dict(declared)
    return {level: (declared[i - 1] if i else None) for i, level in enumerate(declared)}


def _parent_problems(doc: dict, path: _Path, source: dict, above: str | None, earlier: list) -> list[Problem]:
    """The parent rule: none on a top level, any earlier field for "*", else an earlier field listing the level above."""
    level, parent = source["level"], source.get("parent")
    if above is None:
        return [] if parent is None else [_say(doc, path + ("parent",), lazy_gettext(
            "'{level}' adalah tingkat teratas '{reference}', jadi tidak punya induk; hapus \"parent\".").format(
                level=level, reference=source["reference"]))]
    what = (lazy_gettext("isian sebelumnya") if above == "*"
            else lazy_gettext("isian sebelumnya yang tingkat sumbernya '{level}'").format(level=above))
    if parent is None:
        by = lazy_gettext("isian lain") if above == "*" else lazy_gettext("isian '{level}'").format(level=above)
        return [_say(doc, path, lazy_gettext(
            "daftar '{level}' disaring menurut jawaban {by}; tambahkan \"parent\" berisi kunci {what}.").format(
                level=level, by=by, what=what))]
    match = [f for _, f in earlier if f.get("key") == parent]
    if not match:
        return [_say(doc, path + ("parent",), lazy_gettext(
            "induk '{parent}' bukan isian yang ada sebelum isian ini; gunakan kunci {what}.").format(
                parent=parent, what=what))]
    if above == "*":
        return []
    parent_source = match[-1].get("source")
    if not (isinstance(parent_source, dict) and parent_source.get("reference") == source["reference"]
            and parent_source.get("level") == above):
        return [_say(doc, path + ("parent",), lazy_gettext(
            "isian induk '{parent}' harus mendaftar '{above}' dari '{reference}' (tingkat di atas '{level}'); pilih "
            "isian yang mendaftarnya, atau perbaiki sumbernya.").format(
                parent=parent, above=above, reference=source["reference"], level=level))]
    return []


# ---------------------------------------------------------------- checks


def _check_fields(doc: dict) -> list[Problem]:
    """Every checks[].field names a field of the same step."""
    problems = []
    for i, step in _steps(doc):
        keys = [f.get("key") for _, f in _fields_in(step.get("fields"), ())]
        for k, entry in enumerate(_list(step.get("checks"))):
            field = entry.get("field") if isinstance(entry, dict) else None
            if field not in keys:
                problems.append(_say(doc, ("steps", i, "checks", k, "field"), lazy_gettext(
                    "pemeriksaan ini menampilkan pesannya pada '{field}', yang bukan isian langkah ini{suggestion} "
                    "Gunakan salah satu dari: {choices}.").format(
                        field=field, suggestion=_suggest(field, keys), choices=_choices(keys))))
    return problems


def _container(field: dict) -> bool:
    """Whether the field's type holds other fields (a group)."""
    kind = FIELD_TYPES.get(field.get("type")) if isinstance(field.get("type"), str) else None
    return kind is not None and kind.container


def _each_problems(doc: dict) -> list[Problem]:
    """A group with "each" continues a repeating group of an earlier step, once per step."""
    problems, repeating = [], {}
    for i, step in _steps(doc):
        seen = set()
        for path, field in _fields_in(step.get("fields"), ("steps", i, "fields")):
            base = field.get("each")
            if base is None:
                if _container(field) and field.get("repeat") and isinstance(field.get("key"), str):
                    repeating[field["key"]] = i
                continue
            if not _container(field) or field.get("repeat"):
                problems.append(_say(doc, path + ("each",), lazy_gettext(
                    "'each' hanya boleh dipakai pada grup tanpa 'repeat'; butirnya adalah butir grup yang disebutnya.")))
            elif base not in repeating or repeating[base] >= i:
                problems.append(_say(doc, path + ("each",), lazy_gettext(
                    "'{name}' bukan grup berulang dari langkah sebelumnya; gunakan salah satu dari: {choices}.").format(
                        name=base, choices=_choices([k for k, at in repeating.items() if at < i]))))
            elif base in seen:
                problems.append(_say(doc, path + ("each",), lazy_gettext(
                    "langkah ini sudah melanjutkan '{name}'; letakkan pertanyaannya dalam satu grup.").format(name=base)))
            seen.add(base)
    return problems


def _group_check_fields(doc: dict) -> list[Problem]:
    """A group's checks name one of its own questions; a summary and a table name questions of the form."""
    problems, keys = [], _field_keys(doc)
    for path, field in _all_fields(doc):
        children = [c.get("key") for c in _list(field.get("fields")) if isinstance(c, dict)]
        for k, entry in enumerate(_list(field.get("checks"))):
            target = entry.get("field") if isinstance(entry, dict) else None
            if target not in children:
                problems.append(_say(doc, path + ("checks", k, "field"), lazy_gettext(
                    "pemeriksaan ini menampilkan pesannya pada '{field}', yang bukan pertanyaan grup ini{suggestion} "
                    "Gunakan salah satu dari: {choices}.").format(
                        field=target, suggestion=_suggest(target, children), choices=_choices(children))))
        for k, name in enumerate(_list(field.get("of"))):
            if name not in keys:
                problems.append(_say(doc, path + ("of", k), _NOT_A_FIELD.format(
                    name=name, suggestion=_suggest(name, keys))))
        problems.extend(_table_problems(doc, path, field, keys))
    return problems


def _table_problems(doc: dict, path: _Path, field: dict, keys: set[str]) -> list[Problem]:
    """Table columns belong on a repeating group and name fields of the form."""
    if "columns" not in field:
        return []
    if not _container(field) or not (field.get("repeat") or field.get("each")) or len(path) != 4:
        return [_say(doc, path + ("columns",), lazy_gettext(
            "'columns' menampilkan butir grup berulang sebagai tabel; letakkan pada grup dengan 'repeat' atau 'each' "
            "yang merupakan pertanyaan langkah itu sendiri, bukan di dalam grup lain."))]
    problems = []
    for k, column in enumerate(_list(field.get("columns"))):
        name = column.get("field") if isinstance(column, dict) else None
        if name is not None and name not in keys:
            problems.append(_say(doc, path + ("columns", k, "field"), _NOT_A_FIELD.format(
                name=name, suggestion=_suggest(name, keys))))
    return problems


# ---------------------------------------------------------------- texts

# an HTML tag or comment, a character reference: pages escape every text, so markup would show as typed
_MARKUP = re.compile(r"<\s*[A-Za-z!/?]|&#?[A-Za-z0-9]+;")


# a text's keys: locale codes ("id", "en", "jv", "pt_BR"), as the schema's text object allows
_LOCALE_KEY = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")


def _text_objects(node: Any, path: _Path) -> Iterator[tuple[_Path, dict]]:
    """(path, text) for every text ({"id", "en", …}) in the definition."""
    if isinstance(node, dict):
        if node and ("id" in node or "en" in node) and all(isinstance(k, str) and _LOCALE_KEY.match(k) for k in node):
            yield path, node
            return
        for key, value in node.items():
            yield from _text_objects(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _text_objects(value, path + (i,))


def _texts(node: Any, path: _Path) -> Iterator[tuple[_Path, str]]:
    """(path, string) for every translation of every text in the definition."""
    for where, found in _text_objects(node, path):
        yield from ((where + (k,), v) for k, v in found.items() if isinstance(v, str))


def untranslated(doc: Any, locales: Sequence[str], named: bool = True) -> list[Problem]:
    """Texts without one of ``locales`` (those the server offers besides id and en, which the schema requires):
    warnings, not errors, since a page shows the Indonesian text instead. Works on a form definition and on a
    variant's variant.json alike (``named=False``: no step or field names in the message)."""
    from ..i18n import locale_name
    problems = []
    for path, found in _text_objects(doc, ()):
        lacking = [locale for locale in locales if not (isinstance(found.get(locale), str) and found[locale].strip())]
        if lacking:
            names = _joined([f"'{locale}' ({locale_name(locale)})" for locale in lacking], _AND)
            detail = lazy_gettext("teks {text} belum punya terjemahan {names}; halaman dalam bahasa itu menampilkan "
                                  "teks bahasa Indonesia sebagai gantinya.").format(
                text=_show(found.get("id", "")), names=names)
            problems.append(_say(doc, path, detail) if named else Problem(_pointer(path), _capital(detail)))
    return problems


def _markup_problems(doc: dict) -> list[Problem]:
    """No HTML in texts: every page escapes them, so a tag (a script above all) would never work, only show."""
    return [_say(doc, path, lazy_gettext(
        "teks {text} berisi markup HTML ('{markup}'). Teks ditampilkan apa adanya, setiap karakter persis seperti "
        "diketik, jadi tulislah tanpa tag atau kode karakter.").format(text=_show(value[:80]), markup=m.group(0)))
            for path, value in _texts(doc, ()) if (m := _MARKUP.search(value))]


# ---------------------------------------------------------------- entry points


def semantic_problems(doc: Any, registries: Registries, engine: datalogic_py.Engine) -> list[Problem]:
    """The checks the schema cannot express (docs/FORMAT.md, "Semantic checks"); expects a schema-valid doc."""
    if not isinstance(doc, dict):
        return [Problem("", lazy_gettext("Definisi formulir harus berupa objek JSON { ... }."))]
    return [
        *_unique_step_keys(doc),
        *_unique_field_keys(doc),
        *_unique_option_values(doc),
        *_rule_problems(doc, engine, registries.roots),
        *_each_problems(doc),
        *_group_check_fields(doc),
        *_next_problems(doc),
        *_unreachable_steps(doc),
        *_registry_problems(doc, registries),
        *_source_problems(doc, registries),
        *_check_fields(doc),
        *_markup_problems(doc),
    ]


def check(doc: Any, registries: Registries, engine: datalogic_py.Engine) -> list[Problem]:
    """Schema problems; when there are none, the semantic problems."""
    return schema_problems(doc) or semantic_problems(doc, registries, engine)


_CHECKED: OrderedDict[tuple, tuple[Problem, ...]] = OrderedDict()
_CHECKED_MAX = 64


def checked(doc: Any, registries: Registries, logic) -> list[Problem]:
    """:func:`check` with a :class:`formserver.logic.Logic`'s engine, remembered in this process by the content, the
    registries and the engine's operators: what every app build checks (the shipped forms, the variant's) is
    checked once per process, and the workers a server forks inherit what its first build found. A check only
    reads rules (compiles them), never runs an operator, so any Logic with the same operators answers the same."""
    try:
        content = json.dumps(doc, sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError):
        return check(doc, registries, logic.engine)
    key = (hashlib.sha256(content.encode()).hexdigest(), repr(registries), logic.operators,
           tuple((name, id(kind)) for name, kind in FIELD_TYPES.items()))
    if key in _CHECKED:
        _CHECKED.move_to_end(key)
        return list(_CHECKED[key])
    found = check(doc, registries, logic.engine)
    _CHECKED[key] = tuple(found)
    while len(_CHECKED) > _CHECKED_MAX:
        _CHECKED.popitem(last=False)
    return found
