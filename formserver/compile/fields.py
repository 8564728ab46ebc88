"""Field types: how each type turns input into a stored value (a marshmallow field) and is shown.

A registry keyed by the ``type`` of a definition's field. Each type names the template macro
that renders it and builds the marshmallow field that converts and checks a posted value.
"""
import datetime as dt
import math
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
# a number with a fractional part in a whole-number field: refused, never truncated
FRACTION = Bi("Masukkan bilangan bulat tanpa pecahan atau koma, misalnya 12",
              "Enter a whole number without a fraction or decimal point, for example 12")
TOO_BIG = Bi("Angka ini terlalu besar (paling banyak 16 digit)", "This number is too large (16 digits at most)")
DIGITS = 16
TOO_SHORT = Bi("Paling sedikit {min} karakter", "Must be at least {min} characters")
TOO_LONG = Bi("Paling banyak {max} karakter", "Must be {max} characters or fewer")
TOO_SMALL = Bi("Paling kecil {min}", "Must be {min} or more")
TOO_LARGE = Bi("Paling besar {max}", "Must be {max} or less")
# absolute ceilings, whatever a definition says: nothing posted may be unbounded
TEXT_CEILING = {"text": 500, "textarea": 5000, "email": 254, "phone": 20, "password": 128}


def _unicode(field: fields.Field, value: str) -> str:
    """``value`` when it is real Unicode text; a JSON body can carry lone surrogates, which nothing can store."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise field.make_error("invalid") from None
    return value


class Text(fields.String):
    """A string, trimmed."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        return _unicode(self, super()._deserialize(value, attr, data, **kwargs).strip())


class Password(fields.String):
    """A string, kept exactly as typed."""

    def _deserialize(self, value, attr, data, **kwargs):
        return _unicode(self, super()._deserialize(value, attr, data, **kwargs))


class Email(fields.Email):
    """An e-mail address, trimmed and lower-cased in the domain part."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value.strip() if isinstance(value, str) else value, attr, data, **kwargs)
        local, _, domain = _unicode(self, value).rpartition("@")
        return f"{local}@{domain.lower()}"


def _whole(field: fields.Integer, value):
    """A JSON number as a whole number: ``2.0`` is 2, ``1.9`` is refused (never truncated to 1)."""
    if isinstance(value, bool):
        raise field.make_error("invalid")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise field.make_error("invalid")
        if not value.is_integer():
            raise field.make_error("fraction")
        value = int(value)
    if isinstance(value, int) and abs(value) >= 10 ** DIGITS:
        raise field.make_error("too_big")
    return value


class Integer(fields.Integer):
    """A whole number; no fractions (refused, never truncated), no booleans, at most 16 digits."""
    default_error_messages = {"fraction": FRACTION, "too_big": TOO_BIG}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            if re.fullmatch(r"\s*-?\d*[.,]\d+\s*", value) and not re.fullmatch(r"\s*-?\d{1,3}\.\d{3}\s*", value):
                raise self.make_error("fraction")  # "1.9", "1,9"; "1.950" may mean 1950: asked again as a plain number
            if not re.fullmatch(r"\s*-?\d{1,16}\s*", value):
                raise self.make_error("invalid")
        return super()._deserialize(_whole(self, value), attr, data, **kwargs)


class Rupiah(Integer):
    """Whole rupiah; accepts ``15000000``, ``"15.000.000"`` and ``"Rp 15.000.000"`` (dots group thousands)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            cleaned = re.sub(r"^\s*rp\.?\s*|\s", "", value, flags=re.I)
            if re.fullmatch(r"-?\d*(\.\d{3})*,\d+|-?\d*\.\d{1,2}", cleaned):
                raise self.make_error("fraction")  # "1.500,50" or "1.9": a fraction, not a thousands dot
            if not re.fullmatch(r"-?(\d{1,3}(\.\d{3})+|\d+)", cleaned):
                raise self.make_error("invalid")
            value = cleaned.replace(".", "")
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
    # a secret's answer is never kept in the submission: only the step's action sees it (and keeps, elsewhere,
    # whatever it needs, e.g. a password's hash)
    secret: bool = False


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
    FieldType("password", _maker(Password, "password"), "password", secret=True),
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
