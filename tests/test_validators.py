"""Tests for the named validators: examples per validator and property tests."""
import csv
import datetime

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from formserver import validators
from formserver.i18n import current_locale
from formserver.reference.wilayah import DEFAULT_DIR, Wilayah
from formserver.validators import VALIDATORS, Context, run

TODAY = datetime.date(2025, 6, 1)

# Property tests: no per-example deadline, the shared loader reads its CSVs on first use.
PROPERTY = settings(deadline=None, max_examples=100)


def _kecamatan_codes() -> list[str]:
    """Every 6-digit kecamatan code a NIK may carry (current and historical)."""
    with open(DEFAULT_DIR / "kecamatan_historis.csv", newline="", encoding="utf-8") as handle:
        return [row["kode_angka"] for row in csv.DictReader(handle)]


KECAMATAN = _kecamatan_codes()


@pytest.fixture(scope="module")
def wilayah() -> Wilayah:
    """One shared loader, warmed up so no test pays for the first read."""
    loader = Wilayah()
    loader.kecamatan_known("140101")
    return loader


@pytest.fixture(scope="module")
def context(wilayah) -> Context:
    """A context with the reference data, a fixed today and no other answers."""
    return Context(answers={}, wilayah=wilayah, today=TODAY)


def with_answers(context: Context, **answers) -> Context:
    """A copy of the context with the given answers."""
    return Context(answers=answers, wilayah=context.wilayah, today=context.today)


def error_of(name, value, args=None, context=None) -> str:
    """The message a validator raises for a value (fails the test if it passes)."""
    with pytest.raises(ValidationError) as caught:
        run(name, value, args, context or Context(today=TODAY))
    return caught.value.messages[0]


def make_nik(kecamatan: str, born: datetime.date, female: bool, serial: int) -> str:
    """A NIK from its parts: region, DDMMYY (+40 on DD for women) and a serial."""
    day = born.day + (40 if female else 0)
    return f"{kecamatan}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


# -- registry --------------------------------------------------------------------------------


def test_registry_has_the_named_validators():
    expected = {"nik", "npwp", "phone_id", "password_policy", "min_age", "past_date", "digits"}
    assert expected <= set(VALIDATORS)


def test_duplicate_registration_raises():
    with pytest.raises(ValueError):
        validators.validator("nik")(lambda value, args, context: None)


def test_unknown_validator_raises_key_error():
    with pytest.raises(KeyError):
        run("no_such_validator", "x", {}, Context(today=TODAY))


def test_run_returns_input_when_validator_returns_none():
    assert run("past_date", "2020-01-01", None, Context(today=TODAY)) == "2020-01-01"


def test_messages_follow_locale():
    token = current_locale.set("en")
    try:
        assert "16 digits" in error_of("nik", "123")
    finally:
        current_locale.reset(token)
    assert "16 angka" in error_of("nik", "123")


# -- nik -------------------------------------------------------------------------------------


def test_nik_examples(context):
    man = make_nik("140101", datetime.date(1990, 8, 17), False, 1)
    woman = make_nik("140101", datetime.date(1990, 8, 17), True, 1)
    assert man == "1401011708900001"
    assert woman == "1401015708900001"
    assert run("nik", man, {}, context) == man
    assert run("nik", " 1401 0117 0890 0001 ", {}, context) == man
    answers = with_answers(context, tanggal_lahir="1990-08-17", jenis_kelamin="P")
    assert run("nik", woman, {}, answers) == woman
    dated = with_answers(context, tanggal_lahir=datetime.date(1990, 8, 17), jenis_kelamin="L")
    assert run("nik", man, {}, dated) == man


def test_nik_each_failure_has_its_own_message(context):
    messages = {
        "length": error_of("nik", "14010117089000", context=context),
        "letters": error_of("nik", "14010117089000AB", context=context),
        "region": error_of("nik", "9999991708900001", context=context),
        "date": error_of("nik", "1401013102900001", context=context),  # 31 February
        "day_32": error_of("nik", "1401013501900001", context=context),
        "serial": error_of("nik", "1401011708900000", context=context),
        "birth": error_of(
            "nik", "1401011708900001", context=with_answers(context, tanggal_lahir="1990-08-18")
        ),
        "male": error_of(
            "nik", "1401015708900001", context=with_answers(context, jenis_kelamin="L")
        ),
        "female": error_of(
            "nik", "1401011708900001", context=with_answers(context, jenis_kelamin="P")
        ),
    }
    assert messages["length"] == messages["letters"]
    assert messages["date"] == messages["day_32"]
    distinct = {messages[k] for k in ("length", "region", "date", "serial", "birth", "male", "female")}
    assert len(distinct) == 7
    assert "999999" in messages["region"]


def test_nik_without_wilayah_skips_region_check():
    assert run("nik", "9999991708900001", {}, Context(today=TODAY)) == "9999991708900001"


def test_nik_historical_region_and_leap_day(context):
    # 910101 (Merauke, old Papua numbering) is no longer a current code but NIKs keep it.
    assert run("nik", "9101012902000001", {}, context) == "9101012902000001"  # 29 Feb 2000
    error_of("nik", "9101012902010001", context=context)  # 29 Feb 2001 does not exist


def test_nik_ignores_unreadable_answers(context):
    """A bad tanggal_lahir / jenis_kelamin is reported by its own field, not by the NIK."""
    odd = with_answers(context, tanggal_lahir="17/08/1990", jenis_kelamin="")
    assert run("nik", "1401011708900001", {}, odd) == "1401011708900001"


births = st.dates(min_value=datetime.date(1901, 1, 1), max_value=TODAY)
serials = st.integers(min_value=1, max_value=9999)


@PROPERTY
@given(kecamatan=st.sampled_from(KECAMATAN), born=births, female=st.booleans(), serial=serials)
def test_nik_property_valid_passes(context, kecamatan, born, female, serial):
    nik = make_nik(kecamatan, born, female, serial)
    sex = "P" if female else "L"
    for tanggal in (born, born.isoformat()):
        answers = with_answers(context, tanggal_lahir=tanggal, jenis_kelamin=sex)
        assert run("nik", nik, {}, answers) == nik


@PROPERTY
@given(kecamatan=st.sampled_from(KECAMATAN), born=births, female=st.booleans(), serial=serials)
def test_nik_property_other_sex_fails(context, kecamatan, born, female, serial):
    nik = make_nik(kecamatan, born, female, serial)
    stated = with_answers(context, tanggal_lahir=born, jenis_kelamin="L" if female else "P")
    with pytest.raises(ValidationError):
        run("nik", nik, {}, stated)
    # The same person with the +40 flipped in the NIK itself fails too.
    flipped = make_nik(kecamatan, born, not female, serial)
    truthful = with_answers(context, tanggal_lahir=born, jenis_kelamin="P" if female else "L")
    with pytest.raises(ValidationError):
        run("nik", flipped, {}, truthful)


@PROPERTY
@given(
    kecamatan=st.sampled_from(KECAMATAN),
    born=births,
    other=births,
    female=st.booleans(),
    serial=serials,
)
def test_nik_property_other_date_fails(context, kecamatan, born, other, female, serial):
    assume((other.day, other.month, other.year % 100) != (born.day, born.month, born.year % 100))
    nik = make_nik(kecamatan, born, female, serial)
    stated = with_answers(context, tanggal_lahir=other, jenis_kelamin="P" if female else "L")
    with pytest.raises(ValidationError):
        run("nik", nik, {}, stated)


@PROPERTY
@given(text=st.text(alphabet="0123456789", max_size=30).filter(lambda t: len(t) != 16))
def test_nik_property_wrong_length_fails(context, text):
    with pytest.raises(ValidationError):
        run("nik", text, {}, context)


# -- npwp ------------------------------------------------------------------------------------


def test_npwp_examples():
    ctx = Context(today=TODAY)
    assert run("npwp", "01.234.567.8-901.234", {}, ctx) == "012345678901234"
    assert run("npwp", "012345678901234", {}, ctx) == "012345678901234"
    assert run("npwp", "1401 0117 0890 0001", {}, ctx) == "1401011708900001"  # NIK as NPWP
    for bad in ("01.234.567.8-901.23", "12345678901234567", "01.234.567.8/901.234", ""):
        assert "NPWP" in error_of("npwp", bad)


@PROPERTY
@given(text=st.text(alphabet="0123456789", max_size=30).filter(lambda t: len(t) not in (15, 16)))
def test_npwp_property_wrong_length_fails(text):
    with pytest.raises(ValidationError):
        run("npwp", text, {}, Context(today=TODAY))


# -- phone_id --------------------------------------------------------------------------------


def test_phone_examples():
    ctx = Context(today=TODAY)
    for raw in ("081234567890", "0812-3456-7890", "62 812 3456 7890", "+62.812.3456.7890"):
        assert run("phone_id", raw, {}, ctx) == "+6281234567890"
    assert run("phone_id", "0812345678", {}, ctx) == "+62812345678"  # 10 digits, shortest
    assert run("phone_id", "0812345678901", {}, ctx) == "+62812345678901"  # 13, longest
    messages = {
        error_of("phone_id", "021-5551234"),  # Jakarta landline
        error_of("phone_id", "081234567"),  # 9 digits
        error_of("phone_id", "08123456789012"),  # 14 digits
        error_of("phone_id", "0812 3456 789O"),  # letter O
    }
    assert len(messages) == 4


national = st.text(alphabet="0123456789", min_size=8, max_size=11).map(lambda rest: "8" + rest)


@st.composite
def spelled(draw, digits: str) -> str:
    """The digits with random spaces, dashes or dots between them."""
    out = []
    for char in digits:
        out.append(char)
        out.append(draw(st.sampled_from(["", "", " ", "-", "."])))
    return "".join(out).rstrip(" -.")


@PROPERTY
@given(data=st.data(), number=national)
def test_phone_property_all_forms_normalise_alike(data, number):
    ctx = Context(today=TODAY)
    expected = "+62" + number
    for prefix in ("0", "62", "+62"):
        raw = prefix + data.draw(spelled(number))
        assert run("phone_id", raw, {}, ctx) == expected
    # Idempotent: the normalised value passes unchanged.
    assert run("phone_id", expected, {}, ctx) == expected


@PROPERTY
@given(
    first=st.sampled_from("12345679"),  # anything but 8 after the 0
    rest=st.text(alphabet="0123456789", min_size=7, max_size=10),
    prefix=st.sampled_from(["0", "62", "+62"]),
)
def test_phone_property_non_mobile_fails(first, rest, prefix):
    with pytest.raises(ValidationError):
        run("phone_id", prefix + first + rest, {}, Context(today=TODAY))


@PROPERTY
@given(number=st.text(alphabet="0123456789", max_size=16).map(lambda rest: "08" + rest))
def test_phone_property_length_bounds(number):
    ctx = Context(today=TODAY)
    if 10 <= len(number) <= 13:
        assert run("phone_id", number, {}, ctx) == "+62" + number[1:]
    else:
        with pytest.raises(ValidationError):
            run("phone_id", number, {}, ctx)


# -- password_policy -------------------------------------------------------------------------


def test_password_examples():
    ctx = Context(today=TODAY)
    assert run("password_policy", "Rahasia_123", {}, ctx) == "Rahasia_123"
    token = current_locale.set("en")
    try:
        message = error_of("password_policy", "abc")
    finally:
        current_locale.reset(token)
    for missing in ("8 characters", "upper-case", "digit", "symbol"):
        assert missing in message
    assert "lower-case" not in message
    assert "huruf besar" in error_of("password_policy", "rahasia_123")
    assert "simbol" in error_of("password_policy", "Rahasia123")
    assert "128" in error_of("password_policy", "Aa1!" * 33)
    assert run("password_policy", "Aa1!" * 32, {}, ctx) == "Aa1!" * 32  # exactly 128


@pytest.mark.parametrize("password", [
    "        Aa1!",            # padded to 12 with spaces: 4 characters that count
    "Aa1!    ",
    "A a 1 ! b c d",           # 7 characters besides the spaces
])
def test_password_spaces_do_not_count_toward_the_length(password):
    message = error_of("password_policy", password)
    assert "8 karakter selain spasi" in message


def test_password_with_spaces_inside_is_accepted_when_long_enough():
    ctx = Context(today=TODAY)
    assert run("password_policy", "Kuda Lari 7!", {}, ctx) == "Kuda Lari 7!"


@pytest.mark.parametrize("password", [
    "Aa1!\x00\x00\x00\x00",     # NUL padding
    "Rahasia_123\x00",
    "Rahasia\t_123",
    "Rahasia_123\x7f",
    "Rahasia\u200b_123",         # zero-width space
    "Rahasia_123\ud800",         # a lone surrogate cannot even be hashed
    "Rahasia_123\ue000",         # private use
])
def test_password_control_and_invisible_characters_are_refused(password):
    message = error_of("password_policy", password)
    assert "karakter kendali" in message


# -- dates -----------------------------------------------------------------------------------


def test_min_age_examples():
    ctx = Context(today=TODAY)
    years = {"years": 17}
    assert run("min_age", "2008-06-01", years, ctx) == "2008-06-01"  # 17 today
    assert run("min_age", datetime.date(1970, 1, 1), years, ctx) == datetime.date(1970, 1, 1)
    assert "17" in error_of("min_age", "2008-06-02", years)  # 17 tomorrow
    assert error_of("min_age", "2030-01-01", years) != error_of("min_age", "2008-06-02", years)
    assert "1990-08-17" in error_of("min_age", "17-08-1990", years)  # shows the expected format
    leap = Context(today=datetime.date(2025, 2, 28))
    error_of("min_age", "2008-02-29", years, leap)  # 17 only on 1 March
    assert run("min_age", "2008-02-29", years, Context(today=datetime.date(2025, 3, 1)))


def test_past_date_examples():
    ctx = Context(today=TODAY)
    assert run("past_date", TODAY, {}, ctx) == TODAY
    assert run("past_date", "1999-12-31", {}, ctx) == "1999-12-31"
    error_of("past_date", "2025-06-02")
    error_of("past_date", "not a date")


# -- digits ----------------------------------------------------------------------------------


def test_digits_examples():
    ctx = Context(today=TODAY)
    assert run("digits", " 123 456 ", {"length": 6}, ctx) == "123456"
    assert "6" in error_of("digits", "12345", {"length": 6})
    error_of("digits", "12345a", {"length": 6})
    error_of("digits", "١٢٣٤٥٦", {"length": 6})  # Arabic-Indic digits are not accepted


@PROPERTY
@given(length=st.integers(min_value=1, max_value=20), data=st.data())
def test_digits_property_wrong_length_fails(length, data):
    text = data.draw(st.text(alphabet="0123456789", max_size=30).filter(lambda t: len(t) != length))
    with pytest.raises(ValidationError):
        run("digits", text, {"length": length}, Context(today=TODAY))
