"""Marshmallow fields that turn a posted answer into its stored value, each refusing what it cannot read.

The field types (:mod:`formserver.compile.fields`) build them; nothing here knows a form. Digits are ASCII
``[0-9]``, as the browser's mirror reads them (client/state.js): Python's ``\\d`` and ``int()`` also take other
scripts' digits ("١٢٣"), which the browser refuses, so a rule would have read an answer there that it never read here.
"""
import datetime as dt
import math
import re

from marshmallow import ValidationError, fields

from ..i18n import lazy_gettext

# a number with a fractional part in a whole-number field: refused, never truncated
FRACTION = lazy_gettext("Masukkan bilangan bulat tanpa pecahan atau koma, misalnya 12")
TOO_BIG = lazy_gettext("Angka ini terlalu besar (paling banyak 16 digit)")
DIGITS = 16


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
            if re.fullmatch(r"\s*-?[0-9]*[.,][0-9]+\s*", value) and not re.fullmatch(r"\s*-?[0-9]{1,3}\.[0-9]{3}\s*", value):
                raise self.make_error("fraction")  # "1.9", "1,9"; "1.950" may mean 1950: asked again as a plain number
            if not re.fullmatch(r"\s*-?[0-9]{1,16}\s*", value):
                raise self.make_error("invalid")
        return super()._deserialize(_whole(self, value), attr, data, **kwargs)


class Rupiah(Integer):
    """Whole rupiah; accepts ``15000000``, ``"15.000.000"`` and ``"Rp 15.000.000"`` (dots group thousands)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            cleaned = re.sub(r"^\s*rp\.?\s*|\s", "", value, flags=re.I)
            if re.fullmatch(r"-?[0-9]*(\.[0-9]{3})*,[0-9]+|-?[0-9]*\.[0-9]{1,2}", cleaned):
                raise self.make_error("fraction")  # "1.500,50" or "1.9": a fraction, not a thousands dot
            if not re.fullmatch(r"-?([0-9]{1,3}(\.[0-9]{3})+|[0-9]+)", cleaned):
                raise self.make_error("invalid")
            value = cleaned.replace(".", "")
        return super()._deserialize(value, attr, data, **kwargs)


class Date(fields.Date):
    """A date as ISO ``2025-08-17`` or as written in Indonesia, ``17-08-2025`` / ``17/08/2025``."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            match = re.fullmatch(r"\s*([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4})\s*", value)
            if match:
                day, month, year = map(int, match.groups())
                try:
                    return dt.date(year, month, day).isoformat()
                except ValueError:
                    raise self.make_error("invalid") from None
        if not isinstance(value, str) or not re.fullmatch(r"\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\s*", value):
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


class Attachment(fields.Field):
    """A file: from an HTML form (a FileStorage) or a JSON body (``{"name", "content_type", "data": base64}``), or the
    reference of the file kept before; refused unless its bytes are a PDF, PNG or JPEG as it claims."""

    def _deserialize(self, value, attr, data, **kwargs):
        from .. import attachments
        try:
            if hasattr(value, "filename"):
                return attachments.from_file(value)
            return attachments.from_json(value)
        except attachments.Refused as refused:
            raise ValidationError(refused.args[0]) from None
