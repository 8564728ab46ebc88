"""Tests for business scale and KBLI risk tables (built-in, import, versions); environment: test_environment_screening.py."""
import argparse
import datetime as dt
import json

import pytest

from formserver.logic import Logic
from formserver.reference import risk
from formserver.reference.cli import add_commands
from formserver.reference.kbli import Kbli
from formserver.reference.risk import (
    LEVELS,
    SCALES,
    RiskTables,
    import_csv,
    scale_for_capital,
)
from formserver.store.sqlite import SQLiteStore

KBLI = Kbli()
LOGIC = Logic()
HEADER = "kode,skala,luas_lahan,tingkat_risiko,perizinan_berusaha,parameter,kewajiban_sni,sumber_url,aturan\n"
URL = "https://jdih.example.go.id/pp-28-2025/lampiran-i"


class MemoryStore:
    """Just the reference-table part of the store interface."""

    def __init__(self):
        self.docs = []

    def insert_reference_table(self, doc):
        self.docs.append(json.loads(json.dumps(doc)))  # as a real store would: a copy
        return doc

    def reference_tables(self, kind):
        return sorted((d for d in self.docs if d["kind"] == kind), key=lambda d: d["effective"])


@pytest.fixture
def tables():
    return RiskTables(MemoryStore(), KBLI, LOGIC)


def write(tmp_path, text, name="risiko.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def row(kode="47111", skala="MIKRO", level="RENDAH", luas="", aturan="", url=URL, sni="no", izin="NIB"):
    cell = '"' + aturan.replace('"', '""') + '"' if aturan else ""
    return f"{kode},{skala},{luas},{level},{izin},,{sni},{url},{cell}\n"


def imported(tmp_path, text, regulation="PP 28/2025", effective="2025-10-05"):
    version, errors = import_csv(write(tmp_path, text), regulation, effective, KBLI, LOGIC)
    assert errors == [], errors
    return version


def errors_of(tmp_path, text, regulation="PP 28/2025", effective="2025-10-05"):
    version, errors = import_csv(write(tmp_path, text), regulation, effective, KBLI, LOGIC)
    assert version is None and errors
    return errors


# -- scale -------------------------------------------------------------------------------------

@pytest.mark.parametrize("modal, skala", [
    (0, "MIKRO"), (1_000_000_000, "MIKRO"), (1_000_000_001, "KECIL"), (5_000_000_000, "KECIL"),
    (5_000_000_001, "MENENGAH"), (10_000_000_000, "MENENGAH"), (10_000_000_001, "BESAR"), (10**15, "BESAR"),
])
def test_scale_boundaries_are_inclusive(modal, skala):
    assert scale_for_capital(modal) == skala


@pytest.mark.parametrize("modal, error", [(-1, ValueError), (1.5e9, TypeError), ("1000", TypeError), (True, TypeError)])
def test_scale_rejects_bad_capital(modal, error):
    with pytest.raises(error):
        scale_for_capital(modal)


def test_scale_thresholds_are_data_with_their_source():
    data = json.loads((risk.DATA_DIR / "skala_usaha.json").read_text(encoding="utf-8"))
    assert data["regulation"] == "PP 7/2021" and "35" in data["pasal"]
    assert [s["skala"] for s in data["skala"]] == list(SCALES)
    assert any("tidak termasuk tanah dan bangunan" in line for line in data["sumber_teks"])


# -- built-in table ----------------------------------------------------------------------------

def test_builtin_version(tables):
    [builtin] = tables.versions()
    assert builtin["id"] == "builtin-pp5-2021" and builtin["kind"] == "kbli_risiko"
    assert builtin["regulation"] == "PP 5/2021" and builtin["effective"] == "2021-02-02"
    assert len(builtin["rows"]) == 48
    assert all(r["sumber_url"].startswith("https://") and r["aturan"] is None for r in builtin["rows"])
    assert tables.current()["id"] == "builtin-pp5-2021"


@pytest.mark.parametrize("kode, skala, level, izin", [
    ("01117", "MIKRO", "RENDAH", "NIB"),
    ("01117", "MENENGAH", "MENENGAH_TINGGI", "Sertifikat Standar"),
    ("01411", "BESAR", "TINGGI", "NIB dan Izin"),
    ("10298", "KECIL", "MENENGAH_RENDAH", "Sertifikat Standar"),
    ("82920", "MIKRO", "TINGGI", "Izin"),
    ("96112", "MENENGAH", "RENDAH", None),
])
def test_builtin_lookups(tables, kode, skala, level, izin):
    answer = tables.lookup(kode, skala)
    assert answer.known and answer.tingkat_risiko == level and answer.perizinan_berusaha == izin
    assert answer.regulation == "PP 5/2021" and answer.table_id == "builtin-pp5-2021"
    assert answer.sumber_url.startswith("https://")


def test_two_sources_for_one_scale_keep_the_first_row(tables):
    answer = tables.lookup("01192", "MIKRO")  # annex and mirror agree: MENENGAH_RENDAH
    assert answer.tingkat_risiko == "MENENGAH_RENDAH"
    assert "scribd" in answer.sumber_url and answer.kewajiban_sni == "unknown"


@pytest.mark.parametrize("kode, skala", [("47111", "MIKRO"), ("01117", "BESAR"), ("01191", "MIKRO"), ("99999", "MIKRO")])
def test_unsourced_is_unknown(tables, kode, skala):
    answer = tables.lookup(kode, skala)
    assert answer.known is False and answer.tingkat_risiko is None and answer.sumber_url is None
    assert answer.table_id == "builtin-pp5-2021"


def test_before_any_table_nothing_is_known(tables):
    assert tables.current(dt.date(2020, 1, 1)) is None
    assert tables.lookup("01117", "MIKRO", on="2020-01-01") == risk.RiskAnswer(None, False, None, None, None, None, None)


def test_unknown_scale_is_a_programming_error(tables):
    with pytest.raises(ValueError):
        tables.lookup("01117", "UMK")


# -- import and versions -----------------------------------------------------------------------

def test_import_makes_a_version(tmp_path):
    version = imported(tmp_path, HEADER + row() + row(skala="KECIL", level="menengah rendah", sni=""))
    assert version["kind"] == "kbli_risiko" and version["regulation"] == "PP 28/2025"
    assert version["effective"] == "2025-10-05" and version["id"].startswith("kbli-risiko-2025-10-05-")
    assert "risiko.csv" in version["source"] and version["imported_at"]
    assert version["rows"][1] == {"kode": "47111", "skala": "KECIL", "luas_lahan": "", "tingkat_risiko": "MENENGAH_RENDAH",
                                  "perizinan_berusaha": "NIB", "parameter": "", "kewajiban_sni": "unknown",
                                  "sumber_url": URL, "aturan": None}
    again = imported(tmp_path, HEADER + row() + row(skala="KECIL", level="menengah rendah", sni=""))
    assert again["id"] == version["id"]  # importing the same file twice is recognisable


def test_aturan_column_is_optional(tmp_path):
    text = HEADER.replace(",aturan", "") + row().rstrip(",\n") + "\n"
    assert imported(tmp_path, text)["rows"][0]["aturan"] is None


def test_new_version_applies_from_its_effective_date(tmp_path, tables):
    tables.store.insert_reference_table(imported(tmp_path, HEADER + row(level="MENENGAH_RENDAH")))
    tables.reload()
    assert [v["regulation"] for v in tables.versions()] == ["PP 5/2021", "PP 28/2025"]
    before = tables.lookup("47111", "MIKRO", on=dt.date(2025, 10, 4))
    assert before.known is False and before.regulation == "PP 5/2021"
    on_the_day = tables.lookup("47111", "MIKRO", on="2025-10-05")
    assert on_the_day.tingkat_risiko == "MENENGAH_RENDAH" and on_the_day.regulation == "PP 28/2025"
    assert tables.lookup("01117", "MIKRO", on="2025-10-04").tingkat_risiko == "RENDAH"
    # the new regulation replaces the old one: what it does not list is unknown, not the old value
    assert tables.lookup("01117", "MIKRO", on="2025-10-05").known is False
    assert tables.current(dt.date(2025, 10, 5))["regulation"] == "PP 28/2025"


def test_versions_are_cached_then_refreshed(tmp_path, tables, monkeypatch):
    assert len(tables.versions()) == 1
    tables.store.insert_reference_table(imported(tmp_path, HEADER + row()))
    assert len(tables.versions()) == 1  # within REFRESH_SECONDS the cache answers
    now = risk.time.monotonic()
    monkeypatch.setattr(risk.time, "monotonic", lambda: now + risk.REFRESH_SECONDS + 1)
    assert len(tables.versions()) == 2


def test_several_rows_without_rules_take_the_most_restrictive(tmp_path, tables):
    text = HEADER + row(luas="<25 Ha", level="RENDAH") + row(luas=">25 Ha", level="MENENGAH_TINGGI", izin="Sertifikat Standar")
    tables.store.insert_reference_table(imported(tmp_path, text))
    tables.reload()
    answer = tables.lookup("47111", "MIKRO", {"luas_lahan_m2": 10}, on="2026-01-01")
    assert answer.tingkat_risiko == "MENENGAH_TINGGI" and answer.perizinan_berusaha == "Sertifikat Standar"


def test_rules_pick_the_row(tmp_path, tables):
    small = '{"if": [{"<": [{"var": "luas_lahan_m2"}, 250000]}, "RENDAH", null]}'
    large = '{"if": [{">=": [{"var": "luas_lahan_m2"}, 250000]}, "MENENGAH_TINGGI", null]}'
    text = HEADER + row(luas="<25 Ha", aturan=small) + row(luas=">25 Ha", level="MENENGAH_TINGGI", aturan=large)
    tables.store.insert_reference_table(imported(tmp_path, text))
    tables.reload()
    assert tables.lookup("47111", "MIKRO", {"luas_lahan_m2": 1000}, on="2026-01-01").tingkat_risiko == "RENDAH"
    assert tables.lookup("47111", "MIKRO", {"luas_lahan_m2": 300000}, on="2026-01-01").tingkat_risiko == "MENENGAH_TINGGI"


def test_rule_refines_one_row_and_null_keeps_the_level(tmp_path, tables):
    rule = '{"if": [{">": [{"var": "luas_lahan_m2"}, 1000]}, "MENENGAH_RENDAH", null]}'
    tables.store.insert_reference_table(imported(tmp_path, HEADER + row(aturan=rule)))
    tables.reload()
    assert tables.lookup("47111", "MIKRO", {"luas_lahan_m2": 2000}, on="2026-01-01").tingkat_risiko == "MENENGAH_RENDAH"
    assert tables.lookup("47111", "MIKRO", {"luas_lahan_m2": 10}, on="2026-01-01").tingkat_risiko == "RENDAH"
    assert tables.lookup("47111", "MIKRO", on="2026-01-01").tingkat_risiko == "RENDAH"


def test_rule_with_a_nonsense_answer_falls_back_to_the_most_restrictive(tmp_path, tables):
    text = HEADER + row(aturan='{"cat": ["SEDANG", ""]}') + row(luas="x", level="TINGGI", izin="Izin")
    tables.store.insert_reference_table(imported(tmp_path, text))
    tables.reload()
    assert tables.lookup("47111", "MIKRO", on="2026-01-01").tingkat_risiko == "TINGGI"


def test_problems_read_in_english_from_the_catalog(tmp_path, in_english):
    """Each line's problem is a sentence of the English catalog (no Indonesian glued beside it), counted in English."""
    text = HEADER + row(kode="1117") + row(skala="KECI", aturan='{"a": 1,}')
    errors = errors_of(tmp_path, text, regulation=" ", effective="2025-13-01")
    assert list(map(str, errors)) == [
        "the regulation name is required, e.g. 'PP 28/2025'",
        "the effective date '2025-13-01' must be a real YYYY-MM-DD date",
        "line 2: '1117' is not a five-digit KBLI 2020 code; leading zero lost? maybe 01117",
        "line 3: unknown scale 'KECI'; use MIKRO, KECIL, MENENGAH, BESAR",
        "line 3: aturan: the content is not valid JSON at line 1, column 9: a name inside { } must be in double quotes, "
        "and there must be no comma before }"]
    many = errors_of(tmp_path, HEADER + row(kode="1") * (risk.MAX_ERRORS + 2))
    assert str(many[-1]) == "... and 2 more errors"


def test_multiline_field_keeps_line_numbers(tmp_path):
    text = HEADER + '47111,MIKRO,,RENDAH,NIB,"baris satu\nbaris dua",no,' + URL + ",\n" + row(skala="KECI")
    assert errors_of(tmp_path, text) == ["baris 4: skala 'KECI' tidak dikenal; gunakan MIKRO, KECIL, MENENGAH, BESAR"]


@pytest.mark.parametrize("bad_row, expected", [
    (row(kode="47119"), "baris 3: kode '47119' bukan kode KBLI"),
    (row(kode="1117"), "baris 3: kode '1117' bukan kode KBLI 2020 lima digit; nol di depan hilang? mungkin 01117"),
    (row(skala="UMK"), "baris 3: skala 'UMK' tidak dikenal"),
    (row(level="SEDANG"), "baris 3: tingkat_risiko 'SEDANG' tidak dikenal"),
    (row(url="ftp://example.go.id/x"), "baris 3: sumber_url 'ftp://example.go.id/x' harus URL http(s)"),
    (row(url=""), "baris 3: sumber_url '' harus URL http(s)"),
    (row(url="https://"), "baris 3: sumber_url"),
    (row(sni="mungkin"), "baris 3: kewajiban_sni harus yes, no atau unknown"),
    (row(aturan="{not json"), "baris 3: aturan: isinya bukan JSON yang sah di baris 1, kolom 2: nama di dalam { } harus di antara tanda kutip"),
    (row(aturan='{"nope": [1]}'), "baris 3: aturan tidak dapat dikompilasi"),
    (row(aturan='"SEDANG"'), "baris 3: aturan tetap harus null atau tingkat risiko"),
    (row().replace(",no,", ",no,extra,"), "baris 3: 10 kolom, seharusnya 9"),
    (row(), "baris 3: sama persis dengan baris 2"),
])
def test_bad_rows_are_reported_by_line(tmp_path, bad_row, expected):
    errors = errors_of(tmp_path, HEADER + row() + bad_row)
    assert len(errors) == 1 and errors[0].startswith(expected), errors


def test_every_problem_in_a_file_is_reported(tmp_path):
    text = HEADER + row(kode="00000") + row(skala="X", level="Y") + "\n" + row(url="mailto:a@b.c")
    errors = errors_of(tmp_path, text)
    assert [e.split(":")[0] for e in errors] == ["baris 2", "baris 3", "baris 3", "baris 5"]


@pytest.mark.parametrize("content, expected", [
    (b"", "berkas kosong"),
    (b"  \n", "berkas kosong"),
    (HEADER.encode(), "tidak berisi baris data"),
    (b"kode,skala\n47111,MIKRO\n", "baris 1: kolom wajib tidak ada: luas_lahan, tingkat_risiko"),
    ((HEADER.rstrip("\n") + ",atruan\n" + row()).encode(), "baris 1: kolom tidak dikenal: atruan"),
    ((HEADER + row()).encode() + "47111,KECIL,,RENDAH,Izin Usaha Mikro dan Kecil \u2013 ".encode("cp1252") + b"\n",
     "baris 3: berkas bukan UTF-8"),
])
def test_bad_files(tmp_path, content, expected):
    errors = errors_of(tmp_path, content)
    assert any(expected in error for error in errors), errors


@pytest.mark.parametrize("regulation, effective, expected", [
    ("", "2025-10-05", "regulasi wajib diisi"),
    ("  ", "2025-10-05", "regulasi wajib diisi"),
    ("PP 28/2025", "2025-02-30", "tanggal berlaku '2025-02-30'"),
    ("PP 28/2025", "05-10-2025", "tanggal berlaku '05-10-2025'"),
    ("PP 28/2025", "20251005", "tanggal berlaku '20251005'"),
])
def test_bad_regulation_or_date(tmp_path, regulation, effective, expected):
    errors = errors_of(tmp_path, HEADER + row(), regulation, effective)
    assert len(errors) == 1 and expected in errors[0]


def test_utf8_bom_is_accepted(tmp_path):
    assert imported(tmp_path, "\ufeff" + HEADER + row())["rows"][0]["kode"] == "47111"


def test_missing_file(tmp_path):
    version, errors = import_csv(tmp_path / "tidak-ada.csv", "PP 28/2025", "2025-10-05", KBLI, LOGIC)
    assert version is None and "tidak dapat dibaca" in errors[0]


def test_errors_are_capped(tmp_path):
    errors = errors_of(tmp_path, HEADER + row(kode="00000") * 500)
    assert len(errors) == risk.MAX_ERRORS + 1 and "kesalahan lain" in errors[-1]


# -- command line ------------------------------------------------------------------------------

def run_cli(argv):
    parser = argparse.ArgumentParser(prog="formserver")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.run(args)


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    monkeypatch.setenv("FORMSERVER_DATA_DIR", str(folder))
    monkeypatch.setenv("FORMSERVER_STORE", "sqlite")
    return folder


def stored(data_dir):
    store = SQLiteStore(data_dir / "formserver.sqlite3")
    try:
        return store.reference_tables("kbli_risiko")
    finally:
        store.close()


def test_cli_import(tmp_path, data_dir, capsys):
    path = write(tmp_path, HEADER + row() + row(kode="01117", skala="KECIL"))
    argv = ["reference", "import-risk", str(path), "--regulation", "PP 28/2025", "--effective", "2025-10-05"]
    assert run_cli(argv) == 0
    out = capsys.readouterr().out
    assert "diimpor: 2 baris, 2 kode KBLI" in out and "PP 28/2025" in out and "2025-10-05" in out
    [doc] = stored(data_dir)
    assert doc["id"] in out and len(doc["rows"]) == 2
    assert run_cli(argv) == 0 and "sudah diimpor" in capsys.readouterr().out
    assert len(stored(data_dir)) == 1


def test_cli_import_errors_store_nothing(tmp_path, data_dir, capsys):
    path = write(tmp_path, HEADER + row() + row(level="SEDANG"))
    assert run_cli(["reference", "import-risk", str(path), "--regulation", "PP 28/2025", "--effective", "2025-13-01"]) == 1
    err = capsys.readouterr().err
    assert "baris 3: tingkat_risiko 'SEDANG'" in err and "tanggal berlaku" in err and "tidak ada yang diimpor (2 masalah)" in err
    assert stored(data_dir) == []


# -- API ---------------------------------------------------------------------------------------

@pytest.fixture
def app(branching_app):
    """The small test forms suffice: these routes do not depend on the shipped forms."""
    return branching_app


risk_app = app


def test_api_detail_follows_an_imported_table(tmp_path, risk_app, client):
    svc = risk_app.extensions["formserver"]
    text = HEADER + row(kode="01117") + row(kode="01117", skala="KECIL", level="MENENGAH_RENDAH")
    version = imported(tmp_path, text, effective=(dt.date.today() - dt.timedelta(days=2)).isoformat())
    svc.store.insert_reference_table(version)
    svc.risk.reload()
    body = client.get("/api/v1/reference/kbli/01117").get_json()
    assert body["table"] == {"id": version["id"], "regulation": "PP 28/2025", "effective": version["effective"]}
    assert body["risiko"]["KECIL"]["tingkat_risiko"] == "MENENGAH_RENDAH"
    assert body["risiko"]["KECIL"]["regulation"] == "PP 28/2025"
    assert body["risiko"]["MENENGAH"]["known"] is False  # PP 5/2021 said MENENGAH_TINGGI; no longer in force


def test_levels_order():
    assert LEVELS == ("RENDAH", "MENENGAH_RENDAH", "MENENGAH_TINGGI", "TINGGI")
    assert SCALES == ("MIKRO", "KECIL", "MENENGAH", "BESAR")
