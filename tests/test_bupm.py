"""Activities per KBLI under the investment field provisions (BUPM), issue 13 item 6.

The project ships the table empty; an office imports one (checked row by row, versioned, with its
regulation and effective date). When the KBLI has entries the applicant must choose one, and the choice
is shown on the review pages and printed with the KBLI on the documents. The rows used here are a test
fixture (tests/data/bupm_fixture.csv), not sourced data.
"""
import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from formserver import cli
from formserver.reference import bupm
from formserver.reference.kbli import Kbli

from .test_permohonan import (  # noqa: F401  (fixture)
    ONE_PRODUCT,
    activities,
    applicant,
    details,
    issue,
    ok,
    products,
    start,
)

FIXTURE = Path(__file__).parent / "data" / "bupm_fixture.csv"
HEADER = "kode,kode_kegiatan,kegiatan,kegiatan_en,sumber_url\n"


def _import(app, monkeypatch, path, effective="2025-01-01"):
    monkeypatch.setenv("FORMSERVER_DATA_DIR", app.config["DATA_DIR"])
    code = cli.main(["reference", "import-bupm", str(path), "--regulation", "Perpres 10/2021 jo. Perpres 49/2021",
                     "--effective", effective])
    app.extensions["formserver"].bupm.reload()
    return code


@pytest.fixture
def office_bupm_table(app, monkeypatch, capsys):
    assert _import(app, monkeypatch, FIXTURE) == 0, capsys.readouterr().err


def test_the_shipped_table_is_empty_and_nothing_asks_the_question(app, applicant):  # noqa: F811
    assert bupm.BUILTIN_PATH.read_text(encoding="utf-8") == HEADER
    assert app.extensions["formserver"].bupm.options("kegiatan", "47191") == []
    sid = start(applicant)
    activities(applicant, sid, "47191")  # saved without any BUPM answer
    r = applicant.post(f"/api/v1/submissions/{sid}/steps/bidang_usaha/preview",
                       {"values": {"kegiatan_usaha": [{"kbli": "47191"}]}})
    assert r.get_json()["fields"]["kegiatan_usaha.0.kegiatan_bupm"] == {"visible": False, "required": False, "options": None}


def test_an_import_is_checked_row_by_row_and_stores_nothing_on_a_problem(app, monkeypatch, capsys, tmp_path):
    bad = tmp_path / "bupm.csv"
    bad.write_text(HEADER + "4719,A,Toserba,Department store,https://example.test/a\n"
                   "47191,B,,Department store,https://example.test/a\n"
                   "47191,C D,Toserba,Department store,ftp://example.test/a\n"
                   "47191,E,Toserba,Department store,https://example.test/a\n"
                   "47191,E,Toserba lagi,Department store again,https://example.test/a\n", encoding="utf-8")
    assert _import(app, monkeypatch, bad) == 1
    err = capsys.readouterr().err
    assert "baris 2: kode '4719' bukan kode KBLI 2020 lima digit" in err
    assert "baris 3: kegiatan wajib diisi" in err
    assert "baris 4: kode_kegiatan wajib diisi, tanpa spasi" in err and "baris 4: sumber_url 'ftp://example.test/a'" in err
    assert "baris 6: kode_kegiatan E untuk KBLI 47191 sudah ada di baris 5" in err
    assert "tidak ada yang diimpor (5 masalah)" in err
    assert app.extensions["formserver"].store.reference_tables(bupm.KIND) == []
    header = tmp_path / "header.csv"
    header.write_text("kode,kegiatan\n47191,Toserba\n", encoding="utf-8")
    assert _import(app, monkeypatch, header) == 1 and "judul kolom harus" in capsys.readouterr().err


def test_the_command_speaks_english_when_asked(app, monkeypatch, capsys, tmp_path, in_english):
    bad = tmp_path / "bupm.csv"
    bad.write_text(",".join(bupm.COLUMNS) + "\n4719,A,Toko,Shop,https://example.test/a\n", encoding="utf-8")
    assert _import(app, monkeypatch, bad) == 1
    assert capsys.readouterr().err == (f"{bad}: line 2: '4719' is not a five-digit KBLI 2020 code\n"
                                       "formserver: nothing was imported (1 problem).\n")
    assert _import(app, monkeypatch, FIXTURE) == 0
    out = capsys.readouterr().out
    assert "imported: 2 rows, 1 KBLI codes" in out and "running servers read it within" in out and "diimpor" not in out


def test_an_import_is_a_version_with_its_regulation_and_date(app, monkeypatch, capsys):
    assert _import(app, monkeypatch, FIXTURE) == 0
    out = capsys.readouterr().out
    assert "diimpor: 2 baris, 1 kode KBLI" in out and "Perpres 10/2021" in out
    [version] = app.extensions["formserver"].store.reference_tables(bupm.KIND)
    assert version["effective"] == "2025-01-01" and version["source"].startswith("bupm_fixture.csv (sha256 ")
    assert _import(app, monkeypatch, FIXTURE) == 0 and "sudah diimpor" in capsys.readouterr().out
    events = app.extensions["formserver"].store.events(f"reference:{bupm.KIND}")
    assert [e["type"] for e in events] == ["reference.imported"]


def test_a_version_applies_from_its_effective_date(app, monkeypatch, capsys):
    assert _import(app, monkeypatch, FIXTURE, effective="2099-01-01") == 0
    table = app.extensions["formserver"].bupm
    assert table.options("kegiatan", "47191") == []
    assert [code for code, _ in table.options("kegiatan", "47191", on="2099-01-01")] == ["TOSERBA_MAL", "TOSERBA_MANDIRI"]


def test_a_kbli_with_entries_requires_one_of_them(applicant, office_bupm_table):  # noqa: F811
    sid = start(applicant)
    item = {"jenis_kegiatan": "UTAMA", "kbli": "47191", "ruang_lingkup": "Toserba"}
    r = applicant.put_step(sid, "bidang_usaha", {"kegiatan_usaha": [item]})
    assert r.get_json()["errors"] == {"kegiatan_usaha.0.kegiatan_bupm": ["Pilih kegiatan usaha"]}
    r = applicant.put_step(sid, "bidang_usaha", {"kegiatan_usaha": [{**item, "kegiatan_bupm": "PABRIK"}]})
    assert r.get_json()["errors"] == {"kegiatan_usaha.0.kegiatan_bupm": ["Pilih salah satu pilihan yang tersedia"]}
    preview = applicant.post(f"/api/v1/submissions/{sid}/steps/bidang_usaha/preview", {"values": {"kegiatan_usaha": [item]}})
    assert preview.get_json()["fields"]["kegiatan_usaha.0.kegiatan_bupm"]["options"] == [
        {"value": "TOSERBA_MAL", "label": "Toserba di dalam mal (contoh uji)"},
        {"value": "TOSERBA_MANDIRI", "label": "Toserba berdiri sendiri (contoh uji)"}]
    other = {"jenis_kegiatan": "PENDUKUNG", "kbli": "47192", "ruang_lingkup": "Kelontong"}  # no entries: not asked
    ok(applicant.put_step(sid, "bidang_usaha", {"kegiatan_usaha": [{**item, "kegiatan_bupm": "TOSERBA_MAL"}, other]}))


def test_the_choice_is_on_the_review_pages_and_the_documents(app, applicant, office_bupm_table):  # noqa: F811
    sid = start(applicant)
    ok(applicant.put_step(sid, "bidang_usaha", {"kegiatan_usaha": [
        {"jenis_kegiatan": "UTAMA", "kbli": "47191", "kegiatan_bupm": "TOSERBA_MANDIRI", "ruang_lingkup": "Toserba"}]}))
    ok(details(applicant, sid, {"modal_usaha": 50_000_000}))
    ok(products(applicant, sid, ONE_PRODUCT))
    summary = applicant.client.get(f"/isian/{sid}/ringkasan_usaha").get_data(as_text=True)
    assert "Toserba berdiri sendiri (contoh uji)" in summary
    issue(applicant, sid, 1)
    ok(applicant.put_step(sid, "pernyataan_mandiri", {"pernyataan_k3l": True, "pernyataan_sppl": True}))
    review = applicant.client.get(f"/isian/{sid}/periksa").get_data(as_text=True)
    assert "Toserba berdiri sendiri (contoh uji)" in review and "TOSERBA_MANDIRI" not in review
    ok(applicant.put_step(sid, "draf_perizinan", {"setuju_terbitkan": True}))
    result = ok(applicant.post(f"/api/v1/submissions/{sid}/submit"))
    nib = next(d for d in result["documents"] if d["type"] == "NIB")
    r = applicant.client.get(nib["url"])
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(r.data)).pages)
    assert "Kegiatan: Toserba berdiri sendiri (contoh uji)" in text


def test_the_shipped_file_must_keep_the_header(tmp_path, monkeypatch):
    broken = tmp_path / "bupm_kegiatan.csv"
    broken.write_text("kode,kegiatan\n", encoding="utf-8")
    monkeypatch.setattr(bupm, "BUILTIN_PATH", broken)
    with pytest.raises(ValueError, match="judul kolom harus"):
        bupm.BupmTables(None, Kbli()).load_all()
