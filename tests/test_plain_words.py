"""Plain words on every page and document: codes become labels, dates one format in WIB."""
import datetime as dt
import json

import pytest

from formserver import dates, labels
from formserver.i18n import current_locale
from formserver.issue import issuance
from formserver.issue.render import DOCUMENT_TYPES

from .conftest import ROOT


@pytest.mark.parametrize(("value", "with_time", "locale", "expected"), [
    ("1985-08-15", False, "id", "15 Agustus 1985"),
    ("1985-08-15", False, "en", "15 August 1985"),
    ("1985-08-15", True, "id", "15 Agustus 1985"),  # a plain date has no time to show
    ("1985-08-15T07:30:00+00:00", True, "id", "15 Agustus 1985 14.30 WIB"),
    ("1985-08-15T07:30:00+00:00", True, "en", "15 August 1985 14:30 WIB"),
    ("2026-11-26T20:00:00.123456+00:00", False, "id", "27 November 2026"),  # 20:00 UTC is the next day in WIB
    ("2026-11-26T20:00:00Z", True, "id", "27 November 2026 03.00 WIB"),
    ("2026-11-26T20:00:00", True, "id", "27 November 2026 03.00 WIB"),  # the store's naive times are UTC
    ("2026-01-01T08:05:00+08:00", True, "id", "1 Januari 2026 07.05 WIB"),  # another zone, converted
    (dt.date(2024, 2, 29), False, "id", "29 Februari 2024"),
    (dt.datetime(2024, 12, 31, 17, 0, tzinfo=dt.UTC), True, "en", "1 January 2025 00:00 WIB"),
    ("", False, "id", ""),
    (None, True, "id", ""),
    ("bukan tanggal", False, "id", "bukan tanggal"),
])
def test_one_date_format_in_wib(value, with_time, locale, expected):
    assert dates.format_date(value, with_time=with_time, locale=locale) == expected


def test_the_date_follows_the_request_locale():
    token = current_locale.set("en")
    try:
        assert dates.format_datetime("2026-03-05T01:02:03+00:00") == "5 March 2026 08:02 WIB"
    finally:
        current_locale.reset(token)
    assert dates.format_datetime("2026-03-05T01:02:03+00:00") == "5 Maret 2026 08.02 WIB"


def test_wib_is_the_named_zone():
    assert dates.WIB.key == "Asia/Jakarta"


def test_every_status_and_type_the_server_hands_out_has_a_label():
    codes = {issuance.DRAF, issuance.DIAJUKAN, issuance.RISIKO_TERVALIDASI, issuance.TERBIT, issuance.DICABUT,
             issuance.WAITING, issuance.SELECTED_MR, "VALID", "REVOKED", "SUPERSEDED", "ALTERED", "UNKNOWN",
             *DOCUMENT_TYPES}
    missing = {code for code in codes if code not in labels.LABELS}
    assert not missing


@pytest.mark.parametrize(("code", "id_text", "en_text"), [
    ("REVOKED", "Dicabut", "Revoked"),
    ("SUPERSEDED", "Digantikan", "Superseded"),
    ("MENUNGGU_PERSETUJUAN_LINGKUNGAN", "Menunggu persetujuan lingkungan", "Waiting for the environmental approval"),
    ("RISIKO_TERVALIDASI", "Risiko tervalidasi", "Risk validated"),
    ("SERTIFIKAT_STANDAR", "Sertifikat Standar", "Standard certificate"),
    ("MENENGAH_RENDAH", "Menengah Rendah", "Medium-low"),
    ("MIKRO", "Mikro", "Micro"),
    ("UKL_UPL", "UKL-UPL", "UKL-UPL"),
])
def test_labels_in_both_languages(code, id_text, en_text):
    assert labels.label(code, "id") == id_text and labels.label(code, "en") == en_text


def test_unknown_codes_read_as_words_and_plain_text_passes():
    assert labels.label("SESUATU_BARU") == "Sesuatu baru"
    assert labels.label("PT") == "PT" and labels.label("Warung Budi") == "Warung Budi"
    assert labels.label(None) == "" and labels.label("") == ""


def test_a_code_with_two_labels_is_refused_when_the_table_loads():
    with pytest.raises(ValueError, match="two labels"):
        labels._merge({"a": {"X_Y": ("Satu", "One")}, "b": {"X_Y": ("Dua", "Two")}})


def _options(fields):
    for f in fields:
        yield from ((o["value"], o["label"]) for o in f.get("options", []))
        yield from _options(f.get("fields", []))


def test_the_table_agrees_with_the_definitions_where_both_name_a_risk_or_scale():
    """The pages show a field's own choice labels; the dashboard and documents the table's: the same words."""
    shared = labels.CATEGORIES["risk"] | labels.CATEGORIES["scale"] | labels.CATEGORIES["activity_type"]
    seen = 0
    for path in (ROOT / "forms").glob("*.json"):
        for step in json.loads(path.read_text(encoding="utf-8"))["steps"]:
            for value, text in _options(step.get("fields", [])):
                if value in shared:
                    seen += 1
                    assert (text["id"], text["en"]) == labels.LABELS[value], value
    assert seen >= 10
