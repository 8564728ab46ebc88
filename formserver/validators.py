"""Named field validators that form definitions refer to by name (e.g. ``"validator": "nik"``).

A validator is ``fn(value, args, context)``. It raises ``ValidationError`` with a bilingual
message (``gettext(...)``) when the value is wrong, and returns either the normalised value or
None (meaning: keep the value as given).
"""
import datetime
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError

from formserver.i18n import LazyText, gettext, lazy_gettext
from formserver.reference.wilayah import Wilayah

Validator = Callable[[Any, dict, "Context"], Any]

VALIDATORS: dict[str, Validator] = {}
# What each validator's "args" must hold: name -> kind ("integer", or "field": the key of a field of the form).
# Checked when a definition loads, so a missing or misspelt argument is a problem there, not a 500 on save.
VALIDATOR_ARGS: dict[str, dict[str, str]] = {}
ARG_KINDS = ("integer", "field")
# What each validator is called in plain words (Indonesian and English), for people who edit forms.
VALIDATOR_LABELS: dict[str, LazyText] = {}
# What each argument is called in plain words: validator -> {argument: label}.
VALIDATOR_ARG_LABELS: dict[str, dict[str, LazyText]] = {}

# ASCII digits only: Python's \d also matches other scripts' digits (e.g. Arabic-Indic).
_DIGITS = re.compile(r"[0-9]+")


@dataclass
class Context:
    """What a validator may look at besides the value itself."""

    answers: dict = field(default_factory=dict)  # visible answers so far, flat keys
    wilayah: Wilayah | None = None
    today: datetime.date = field(default_factory=datetime.date.today)


def validator(name: str, args: dict[str, str] | None = None, label: LazyText | None = None,
              arg_labels: dict[str, LazyText] | None = None) -> Callable[[Validator], Validator]:
    """Register a function as the validator called ``name``, with the arguments it needs (name -> kind),
    its plain-language ``label`` and its arguments' (each the code name when none is given)."""
    unknown = sorted(kind for kind in (args or {}).values() if kind not in ARG_KINDS)
    if unknown:
        raise ValueError(f"validator {name!r}: unknown argument kinds {unknown}; use {ARG_KINDS}")

    def register(fn: Validator) -> Validator:
        if name in VALIDATORS:
            raise ValueError(f"validator {name!r} is already registered")
        VALIDATORS[name] = fn
        VALIDATOR_ARGS[name] = dict(args or {})
        VALIDATOR_LABELS[name] = label if label is not None else LazyText.of(name)
        VALIDATOR_ARG_LABELS[name] = {arg: (arg_labels or {}).get(arg) or LazyText.of(arg) for arg in args or {}}
        return fn

    return register


def run(name: str, value: Any, args: dict | None, context: Context) -> Any:
    """Run a named validator; return the normalised value (or the input when it returns None)."""
    try:
        fn = VALIDATORS[name]
    except KeyError:
        raise KeyError(f"unknown validator {name!r}") from None
    result = fn(value, args or {}, context)
    return value if result is None else result


# -- helpers ---------------------------------------------------------------------------------


def _as_text(value: Any) -> str:
    """The value as a string ('' for None)."""
    return "" if value is None else str(value)


def _strip(value: Any, characters: str) -> str:
    """The value as text with every character in ``characters`` removed."""
    text = _as_text(value).strip()
    return text.translate({ord(c): None for c in characters})


def _is_digits(text: str, length: int | None = None) -> bool:
    """Whether text is only ASCII digits (and of the given length, if any)."""
    return bool(_DIGITS.fullmatch(text)) and (length is None or len(text) == length)


def _parse_date(value: Any) -> datetime.date | None:
    """A date from a date/datetime or an ISO ``YYYY-MM-DD`` string; None if it is neither."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _require_date(value: Any) -> datetime.date:
    """The value as a date, or a ValidationError saying how to write one."""
    parsed = _parse_date(value)
    if parsed is None:
        raise ValidationError(
            gettext(
                "Tanggal tidak valid. Tulis dengan format tahun-bulan-tanggal, contoh 1990-08-17.")
        )
    return parsed


def _age_on(birth: datetime.date, today: datetime.date) -> int:
    """Completed years of age on ``today``."""
    # A 29 February birthday counts as reached on 1 March in a non-leap year.
    before_birthday = (today.month, today.day) < (birth.month, birth.day)
    return today.year - birth.year - before_birthday


# -- NIK -------------------------------------------------------------------------------------


def _nik_birth_date(digits: str, today: datetime.date) -> tuple[datetime.date, bool] | None:
    """The (birth date, is_female) in NIK digits 7–12, or None when they are not a real date."""
    day, month, year = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    female = day > 40
    if female:
        day -= 40
    # Two-digit year: the latest century that does not put the birth in the future.
    # Both centuries are tried because 29 February 00 exists in 2000 but not in 1900.
    for century in (2000, 1900):
        try:
            born = datetime.date(century + year, month, day)
        except ValueError:
            continue
        if born <= today:
            return born, female
    return None


def _nik_agrees_with_answers(born: datetime.date, female: bool, answers: dict) -> None:
    """Raise when the NIK's birth date or sex contradicts tanggal_lahir / jenis_kelamin."""
    stated = _parse_date(answers.get("tanggal_lahir"))
    # An unreadable tanggal_lahir is reported by its own field's validator, not here.
    if stated is not None and (stated.day, stated.month, stated.year % 100) != (
        born.day,
        born.month,
        born.year % 100,
    ):
        in_nik = born.strftime("%d-%m-") + f"{born.year % 100:02d}"
        raise ValidationError(
            gettext(
                "Tanggal lahir di dalam NIK ({in_nik}, tanggal-bulan-tahun) tidak sama dengan "
                    "tanggal lahir yang Anda isi. Periksa kembali NIK atau tanggal lahir Anda.").format(in_nik=in_nik)
        )
    sex = _as_text(answers.get("jenis_kelamin")).strip().upper()
    if sex == "L" and female:
        raise ValidationError(
            gettext(
                "NIK ini adalah NIK perempuan (tanggal pada angka ke-7 dan ke-8 ditambah 40), "
                "tetapi jenis kelamin yang dipilih laki-laki. Periksa NIK atau jenis kelamin.")
        )
    if sex == "P" and not female:
        raise ValidationError(
            gettext(
                "Untuk perempuan, tanggal lahir pada angka ke-7 dan ke-8 NIK ditambah 40, tetapi "
                "NIK ini tidak. Periksa NIK atau jenis kelamin yang dipilih.")
        )


@validator("nik", label=lazy_gettext("NIK (nomor induk kependudukan) yang benar"))
def nik(value: Any, args: dict, context: Context) -> str:
    """A 16-digit Indonesian NIK, consistent with its region, birth date, sex and serial."""
    digits = _strip(value, " \t")
    if not _is_digits(digits, 16):
        raise ValidationError(
            gettext(
                "NIK harus terdiri dari 16 angka. Salin NIK persis seperti pada KTP Anda.")
        )
    if context.wilayah is not None and not context.wilayah.kecamatan_known(digits[:6]):
        raise ValidationError(
            gettext(
                "Enam angka pertama NIK ({value}) bukan kode kecamatan yang dikenal. Periksa "
                    "kembali NIK pada KTP Anda.").format(value=digits[:6])
        )
    decoded = _nik_birth_date(digits, context.today)
    if decoded is None:
        raise ValidationError(
            gettext(
                "Angka ke-7 sampai ke-12 NIK harus berupa tanggal lahir (tanggal, bulan, tahun; "
                "tanggal ditambah 40 untuk perempuan), tetapi bukan tanggal yang benar. "
                "Periksa kembali NIK Anda.")
        )
    _nik_agrees_with_answers(*decoded, context.answers)
    if digits[12:] == "0000":
        raise ValidationError(
            gettext(
                "Empat angka terakhir NIK tidak boleh 0000. Periksa kembali NIK Anda.")
        )
    return digits


# -- NPWP, phone, digits ---------------------------------------------------------------------


@validator("npwp", label=lazy_gettext("NPWP (nomor pokok wajib pajak) yang benar"))
def npwp(value: Any, args: dict, context: Context) -> str:
    """An NPWP of 15 digits or the 16-digit (NIK-form) NPWP, normalised to digits only."""
    digits = _strip(value, " .-")
    if not _is_digits(digits) or len(digits) not in (15, 16):
        raise ValidationError(
            gettext(
                "NPWP harus 15 angka (contoh 99.999.999.9-999.999) atau 16 angka. "
                "Titik, tanda hubung dan spasi boleh ditulis.")
        )
    return digits


@validator("phone_id", label=lazy_gettext("Nomor HP Indonesia"))
def phone_id(value: Any, args: dict, context: Context) -> str:
    """An Indonesian mobile number (08…, 628… or +628…), normalised to +628…."""
    text = _strip(value, " -.")
    if text.startswith("+62"):
        local = "0" + text[3:]
    elif text.startswith("62"):
        local = "0" + text[2:]
    else:
        local = text
    if not _is_digits(local):
        raise ValidationError(
            gettext(
                "Nomor HP hanya boleh berisi angka, dengan tanda + di depan bila memakai 62. "
                "Contoh: 0812 3456 7890 atau +62 812 3456 7890.")
        )
    if not local.startswith("08"):
        raise ValidationError(
            gettext(
                "Masukkan nomor HP Indonesia yang diawali 08, 628 atau +628 "
                "(nomor telepon rumah atau kantor tidak bisa dipakai).")
        )
    if not 10 <= len(local) <= 13:
        raise ValidationError(
            gettext(
                "Nomor HP yang diawali 08 harus 10 sampai 13 angka; yang Anda isi {len} angka. "
                    "Periksa kembali nomor Anda.").format(len=len(local))
        )
    return "+62" + local[1:]


_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


@validator("email_or_phone", label=lazy_gettext("Alamat e-mail atau nomor HP"))
def email_or_phone(value: Any, args: dict, context: Context) -> str:
    """An e-mail address (lower-cased) or an Indonesian mobile number (normalised to +628…): how to reach someone."""
    text = _as_text(value).strip()
    if "@" in text or re.search(r"[^0-9+\s().-]", text):
        if not _EMAIL.match(text) or len(text) > 254:
            raise ValidationError(gettext("Masukkan alamat e-mail yang benar, misalnya nama@contoh.id, atau nomor HP."))
        return text.lower()
    return phone_id(text, {}, context)


@validator("digits", args={"length": "integer"},
           label=lazy_gettext("Angka saja, sejumlah tertentu"),
           arg_labels={"length": lazy_gettext("Banyaknya angka")})
def exact_digits(value: Any, args: dict, context: Context) -> str:
    """Exactly ``args["length"]`` digits, with spaces removed."""
    length = int(args["length"])
    text = _strip(value, " \t")
    if not _is_digits(text, length):
        raise ValidationError(
            gettext(
                "Isi dengan tepat {length} angka (tanpa huruf atau tanda baca).").format(length=length)
        )
    return text


@validator("kode_pos", args={"kelurahan": "field"},
           label=lazy_gettext("Kode pos sesuai kelurahan/desa"),
           arg_labels={"kelurahan": lazy_gettext("Isian kelurahan/desa")})
def kode_pos(value: Any, args: dict, context: Context) -> str:
    """A 5-digit postcode that belongs to the kelurahan/desa answered in ``args["kelurahan"]``.

    A kelurahan without postcode data (or none chosen yet) accepts any 5 digits.
    """
    text = _strip(value, " \t")
    if not _is_digits(text, 5):
        raise ValidationError(gettext("Kode pos terdiri dari 5 angka."))
    desa = _as_text(context.answers.get(args["kelurahan"])).strip()
    expected = context.wilayah.kodepos(desa) if context.wilayah is not None and desa else None
    if expected and text != expected:
        raise ValidationError(
            gettext(
                "Kode pos {text} bukan kode pos kelurahan/desa yang dipilih. Kode pos "
                    "kelurahan/desa itu: {expected}.").format(text=text, expected=expected)
        )
    return text


# -- password --------------------------------------------------------------------------------

PASSWORD_MIN = 8
PASSWORD_MAX = 128
PASSWORD_SYMBOLS = "!@#$%^&*_-"
# Spaced out so that the list stays readable next to the sentence's own punctuation.
_SYMBOLS_SPACED = " ".join(PASSWORD_SYMBOLS)



def _counted(password: str) -> int:
    """The characters that count toward the length: spaces pad a password without strengthening it."""
    return sum(1 for c in password if not c.isspace())


def _unseen(password: str) -> bool:
    """Whether the password holds a control, format, private-use, unassigned or surrogate character.

    Such characters cannot be typed reliably, hide in a password field (NUL, zero-width space) and
    some (lone surrogates) cannot even be encoded to be hashed.
    """
    return any(unicodedata.category(c).startswith("C") for c in password)


# (test, Indonesian, English) for each requirement, in the order they are listed to the user.
_PASSWORD_RULES = (
    (
        lambda p: _counted(p) >= PASSWORD_MIN,
        lazy_gettext("minimal {password_min} karakter selain spasi").format(password_min=PASSWORD_MIN),
    ),
    (lambda p: any(c.isupper() for c in p), lazy_gettext("satu huruf besar")),
    (lambda p: any(c.islower() for c in p), lazy_gettext("satu huruf kecil")),
    (lambda p: any("0" <= c <= "9" for c in p), lazy_gettext("satu angka (0–9)")),
    (
        lambda p: any(c in PASSWORD_SYMBOLS for c in p),
        lazy_gettext("satu simbol (salah satu dari {symbols_spaced})").format(symbols_spaced=_SYMBOLS_SPACED),
    ),
)


@validator("password_policy", label=lazy_gettext("Kata sandi yang cukup kuat"))
def password_policy(value: Any, args: dict, context: Context) -> None:
    """A password of 8–128 characters (8 besides spaces) with upper case, lower case, a digit and a symbol,
    and no control or invisible character."""
    password = _as_text(value)
    if len(password) > PASSWORD_MAX:
        raise ValidationError(
            gettext(
                "Kata sandi terlalu panjang: paling banyak {password_max} karakter.").format(password_max=PASSWORD_MAX)
        )
    if _unseen(password):
        raise ValidationError(
            gettext(
                "Kata sandi berisi karakter kendali atau karakter tak terlihat. "
                "Gunakan huruf, angka, spasi dan simbol biasa saja.")
        )
    missing = ", ".join(str(words) for test, words in _PASSWORD_RULES if not test(password))
    if missing:
        raise ValidationError(
            gettext(
                "Kata sandi belum memenuhi syarat. Yang masih kurang: {missing}.").format(missing=missing)
        )
    # Passwords are never normalised: returning None keeps the exact input.
    return None


# -- dates -----------------------------------------------------------------------------------


@validator("past_date", label=lazy_gettext("Tanggal yang sudah lewat"))
def past_date(value: Any, args: dict, context: Context) -> None:
    """A date that is not after today."""
    when = _require_date(value)
    if when > context.today:
        raise ValidationError(
            gettext(
                "Tanggal tidak boleh di masa depan. Isi tanggal hari ini atau sebelumnya.")
        )
    return None


@validator("min_age", args={"years": "integer"},
           label=lazy_gettext("Umur minimal (dari tanggal lahir)"),
           arg_labels={"years": lazy_gettext("Umur minimal (tahun)")})
def min_age(value: Any, args: dict, context: Context) -> None:
    """A birth date in the past, at least ``args["years"]`` years before today."""
    years = int(args["years"])
    born = _require_date(value)
    if born >= context.today:
        raise ValidationError(
            gettext(
                "Tanggal lahir harus sebelum hari ini. Periksa kembali tanggal lahir Anda.")
        )
    if _age_on(born, context.today) < years:
        raise ValidationError(
            gettext(
                "Umur minimal {years} tahun. Menurut tanggal lahir ini, umur Anda belum {years} tahun.").format(years=years)
        )
    return None
