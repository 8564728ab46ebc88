"""Field types: how each type turns input into a stored value (a marshmallow field) and is shown.

A registry keyed by the ``type`` of a definition's field. Each type names the template macro
that renders it and builds the marshmallow field that converts and checks a posted value.
"""
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from marshmallow import ValidationError, fields, validate

from ..i18n import Bi

INVALID = {
    "text": Bi("Isian harus berupa teks", "Enter text"),
    "integer": Bi("Masukkan bilangan bulat, misalnya 12", "Enter a whole number, for example 12"),
    "rupiah": Bi("Masukkan jumlah rupiah dalam angka, misalnya 15000000", "Enter an amount of rupiah in digits, for example 15000000"),
    "date": Bi("Masukkan tanggal yang benar, misalnya 17-08-1990", "Enter a real date, for example 17-08-1990"),
    "email": Bi("Masukkan alamat e-mail yang benar, misalnya nama@contoh.id", "Enter an e-mail address in the correct format, like name@example.id"),
    "choice": Bi("Pilih salah satu pilihan yang tersedia", "Choose one of the options"),
    "multichoice": Bi("Pilih dari pilihan yang tersedia", "Choose from the options"),
    "consent": Bi("Centang kotak ini untuk melanjutkan", "Tick this box to continue"),
}
TOO_SHORT = Bi("Paling sedikit {min} karakter", "Must be at least {min} characters")
TOO_LONG = Bi("Paling banyak {max} karakter", "Must be {max} characters or fewer")
TOO_SMALL = Bi("Paling kecil {min}", "Must be {min} or more")
TOO_LARGE = Bi("Paling besar {max}", "Must be {max} or less")
# absolute ceilings, whatever a definition says: nothing posted may be unbounded
TEXT_CEILING = {"text": 500, "textarea": 5000, "email": 254, "phone": 20, "password": 128}


class Text(fields.String):
    """A string, trimmed."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        return super()._deserialize(value, attr, data, **kwargs).strip()


class Password(fields.String):
    """A string, kept exactly as typed."""


class Email(fields.Email):
    """An e-mail address, trimmed and lower-cased in the domain part."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value.strip() if isinstance(value, str) else value, attr, data, **kwargs)
        local, _, domain = value.rpartition("@")
        return f"{local}@{domain.lower()}"


class Rupiah(fields.Integer):
    """Whole rupiah; accepts ``15000000``, ``"15.000.000"`` and ``"Rp 15.000.000"``."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            cleaned = re.sub(r"^\s*rp\.?\s*|[\s.]", "", value, flags=re.I)
            if not re.fullmatch(r"-?\d{1,16}", cleaned):
                raise self.make_error("invalid")
            value = cleaned
        return super()._deserialize(value, attr, data, **kwargs)


class Integer(fields.Integer):
    """A whole number; no fractions, no booleans, at most 16 digits."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or (isinstance(value, str) and not re.fullmatch(r"\s*-?\d{1,16}\s*", value)):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class Date(fields.Date):
    """A date as ISO ``2025-08-17`` or as written in Indonesia, ``17-08-2025`` / ``17/08/2025``."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            match = re.fullmatch(r"\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\s*", value)
            if match:
                day, month, year = map(int, match.groups())
                try:
                    return dt.date(year, month, day).isoformat()
                except ValueError:
                    raise self.make_error("invalid") from None
        if not isinstance(value, str) or not re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", value):
            raise self.make_error("invalid")
        return super()._deserialize(value.strip(), attr, data, **kwargs).isoformat()


class Consent(fields.Boolean):
    """A ticked box: true, "on", "1", "ya"."""
    truthy = {True, "true", "True", "on", "1", "ya", "yes"}
    falsy = {False, "false", "False", "off", "0", "", "tidak", "no"}


class Choice(fields.String):
    """One option value."""


class MultiChoice(fields.List):
    """Several option values."""

    def __init__(self, **kwargs):
        super().__init__(fields.String(), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = [value]
        return super()._deserialize(value, attr, data, **kwargs)


@dataclass(frozen=True)
class FieldType:
    """What the engine needs to know about one field type."""
    name: str
    make: Callable[[dict], fields.Field] | None  # None: the type takes no input
    widget: str                                  # template macro name


def _with_limits(field_cls, spec: dict, kind: str, **kwargs) -> fields.Field:
    checks = []
    if kind in TEXT_CEILING:
        if "min_length" in spec:
            checks.append(validate.Length(min=spec["min_length"], error=TOO_SHORT))
        checks.append(validate.Length(max=min(spec.get("max_length", TEXT_CEILING[kind]), TEXT_CEILING[kind]),
                                      error=TOO_LONG))
    if "pattern" in spec:
        message = Bi.of(spec["pattern_message"]) if "pattern_message" in spec else INVALID["text"]
        checks.append(validate.Regexp(spec["pattern"], error=message))
    if "min" in spec:
        checks.append(validate.Range(min=spec["min"], error=TOO_SMALL))
    if "max" in spec:
        checks.append(validate.Range(max=spec["max"], error=TOO_LARGE))
    return field_cls(validate=checks, error_messages={"invalid": INVALID.get(kind, INVALID["text"])}, **kwargs)


def _maker(field_cls, kind: str, **kwargs):
    return lambda spec: _with_limits(field_cls, spec, kind, **kwargs)


FIELD_TYPES: dict[str, FieldType] = {}


def register(field_type: FieldType) -> None:
    """Add a field type; a name can be registered once."""
    if field_type.name in FIELD_TYPES:
        raise ValueError(f"field type {field_type.name!r} registered twice")
    FIELD_TYPES[field_type.name] = field_type


for _type in (
    FieldType("text", _maker(Text, "text"), "input"),
    FieldType("textarea", _maker(Text, "textarea"), "textarea"),
    FieldType("integer", _maker(Integer, "integer"), "input"),
    FieldType("rupiah", _maker(Rupiah, "rupiah"), "input"),
    FieldType("date", _maker(Date, "date"), "date"),
    FieldType("email", _maker(Email, "email"), "input"),
    FieldType("phone", _maker(Text, "phone"), "input"),
    FieldType("password", _maker(Password, "password"), "password"),
    FieldType("choice", _maker(Choice, "choice"), "choice"),
    FieldType("multichoice", _maker(MultiChoice, "multichoice"), "multichoice"),
    FieldType("consent", _maker(Consent, "consent"), "consent"),
    FieldType("computed", None, "computed"),
    FieldType("statement", None, "statement"),
    FieldType("summary", None, "summary"),
    FieldType("group", None, "group"),
):
    register(_type)


def deserialize(field: fields.Field, value, key: str):
    """Convert and check one posted value; raises ValidationError with its messages."""
    return field.deserialize(value, key, {})


__all__ = ["FIELD_TYPES", "FieldType", "register", "deserialize", "ValidationError"]
