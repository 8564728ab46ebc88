"""Tests for the KBLI 2020 reference table: look-up, perizinan_tunggal flag, search, CLI, API."""
import argparse
import csv
import threading

import pytest

from formserver.reference.cli import add_commands
from formserver.reference.kbli import DEFAULT_DIR, Kbli, fold
from formserver.reference.risk import RiskTables

SHARED = Kbli()  # read-only data: every test and app in this module can share one copy


@pytest.fixture(scope="module")
def kbli() -> Kbli:
    return SHARED


@pytest.fixture
def app(branching_app):
    """The small test forms suffice: these routes do not depend on the shipped forms."""
    return branching_app


kbli_app = app


def codes(items) -> list[str]:
    return [item["kode"] for item in items]


# -- table -------------------------------------------------------------------------------------

def test_all_codes_loaded(kbli):
    assert len(kbli) == 1790
    assert len(set(kbli.codes())) == 1790
    assert kbli.codes() == sorted(kbli.codes())
    assert all(len(kode) == 5 and kode.isdigit() for kode in kbli.codes())


def test_get(kbli):
    row = kbli.get("47111")
    assert row["kode"] == "47111"
    assert row["judul"].startswith("Perdagangan Eceran Berbagai Macam Barang")
    assert row["uraian"]
    assert row["kategori"] == "G"
    assert row["perizinan_tunggal"] is False
    assert set(row) == {"kode", "judul", "uraian", "kategori", "perizinan_tunggal", "perizinan_tunggal_sumber"}


@pytest.mark.parametrize("kode", ["", None, "4711", "471111", "92000", "abcde", "47 111"])
def test_get_unknown(kbli, kode):
    assert kbli.get(kode) is None
    assert not kbli.exists(kode)


def test_leading_zero_kept(kbli):
    assert kbli.exists("01111") and not kbli.exists("1111")
    assert kbli.get(" 01111 ")["judul"] == "Pertanian Jagung"


def test_perizinan_tunggal_default_for_food_and_beverage(kbli):
    food, drink = kbli.get("10298"), kbli.get("11010")
    assert food["perizinan_tunggal"] is True and drink["perizinan_tunggal"] is True
    assert "DEFAULT" in food["perizinan_tunggal_sumber"]
    flagged = {kode[:2] for kode in kbli.codes() if kbli.get(kode)["perizinan_tunggal"]}
    assert flagged == {"10", "11"}
    assert kbli.get("12011")["perizinan_tunggal"] is False


def test_get_returns_copies(kbli):
    kbli.get("47111")["judul"] = "changed"
    assert kbli.get("47111")["judul"] != "changed"


def test_concurrent_first_load():
    fresh, results = Kbli(DEFAULT_DIR), []
    threads = [threading.Thread(target=lambda: results.append(len(fresh))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [1790] * 8


def test_flag_file_can_be_changed_by_the_office(tmp_path):
    (tmp_path / "kbli2020.csv").write_bytes((DEFAULT_DIR / "kbli2020.csv").read_bytes())
    with open(tmp_path / "perizinan_tunggal.csv", "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["kode_awalan", "perizinan_tunggal", "sumber"],
                                      ["10", "ya", "kantor"], ["10298", "tidak", "kantor: bukan pangan olahan"]])
    office = Kbli(tmp_path)
    assert office.get("10298")["perizinan_tunggal"] is False  # the longest prefix wins
    assert office.get("10291")["perizinan_tunggal"] is True
    assert office.get("11010")["perizinan_tunggal"] is False


# -- search ------------------------------------------------------------------------------------

def test_fold():
    assert fold("Écéran, TOSERBA (Department-Store)") == "eceran toserba department store"


def test_exact_code_first(kbli):
    items = kbli.search("47111")
    assert codes(items) == ["47111"]
    assert set(items[0]) == {"kode", "judul", "kategori", "score"}


def test_code_prefix(kbli):
    assert codes(kbli.search("4711")) == ["47111", "47112"]
    found = codes(kbli.search("47", limit=50))
    assert len(found) == 50 and all(kode.startswith("47") for kode in found)
    assert found == sorted(found)


def test_code_with_dots(kbli):
    assert codes(kbli.search("47.11")) == ["47111", "47112"]


def test_exact_code_before_prefix_matches(kbli):
    items = kbli.search("47112 4711")
    assert codes(items) == ["47112", "47111"]
    assert items[0]["score"] > items[1]["score"]


def test_word_matches_titles(kbli):
    items = kbli.search("eceran", limit=50)
    assert items and all("eceran" in fold(item["judul"]).split() for item in items)


def test_word_prefix(kbli):
    assert codes(kbli.search("ecer", limit=5)) == codes(kbli.search("eceran", limit=5))
    assert kbli.search("ceran") == []  # a prefix of a word, not a substring inside it


def test_multiword_needs_all_words(kbli):
    items = kbli.search("perdagangan eceran", limit=50)
    assert len(items) == 50
    for item in items:
        words = fold(item["judul"]).split()
        assert "perdagangan" in words and "eceran" in words
    assert not kbli.search("perdagangan jagung")  # both words exist, but never in one title


def test_whole_word_ranks_higher(kbli):
    items = kbli.search("kaca", limit=50)
    whole = [i for i in items if "kaca" in fold(i["judul"]).split()]  # Industri Kaca Lembaran
    partial = [i for i in items if "kaca" not in fold(i["judul"]).split()]  # Pertanian Kacang Tanah
    assert whole and partial
    assert items == whole + partial
    assert codes(items)[0] == "23111"


def test_title_start_ranks_higher(kbli):
    items = kbli.search("peternakan", limit=50)
    starting = [i for i in items if fold(i["judul"]).startswith("peternakan")]  # Peternakan ...
    inside = [i for i in items if not fold(i["judul"]).startswith("peternakan")]  # ... Peternakan ...
    assert starting and inside
    assert items == starting + inside


def test_ties_in_code_order(kbli):
    items = kbli.search("perdagangan eceran", limit=50)
    for a, b in zip(items, items[1:]):
        assert (-a["score"], a["kode"]) < (-b["score"], b["kode"])


def test_accents_case_and_punctuation_ignored(kbli):
    expected = codes(kbli.search("perdagangan eceran"))
    assert codes(kbli.search("PERDAGANGAN Écéran")) == expected
    assert codes(kbli.search("perdagangan, eceran!")) == expected


def test_mixed_code_and_words(kbli):
    items = kbli.search("471 eceran")
    assert codes(items) == ["47111", "47112", "47191", "47192"]
    assert not kbli.search("471 jagung")


@pytest.mark.parametrize("q", ["", "   ", ".,;", "x" * 101, "99999", "zzzzqqq"])
def test_empty_results(kbli, q):
    assert kbli.search(q) == []


def test_limit(kbli):
    assert len(kbli.search("industri", limit=3)) == 3
    assert kbli.search("industri", limit=0) == []


# -- command line ------------------------------------------------------------------------------

def run_cli(argv):
    parser = argparse.ArgumentParser(prog="formserver")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.run(args)


def test_cli_search(capsys):
    assert run_cli(["reference", "kbli", "perdagangan", "eceran", "--limit", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and lines[0].startswith("45103  G  Perdagangan Eceran")


def test_cli_search_nothing(capsys):
    assert run_cli(["reference", "kbli", "zzzzqqq"]) == 1
    assert capsys.readouterr().err == "tidak ada kode KBLI yang cocok dengan 'zzzzqqq'\n"


def test_cli_search_nothing_in_english(capsys, in_english):
    assert run_cli(["reference", "kbli", "zzzzqqq"]) == 1
    assert capsys.readouterr().err == "no KBLI code matches 'zzzzqqq'\n"


# -- API ---------------------------------------------------------------------------------------

def test_api_search(kbli_app, client):
    body = client.get("/api/v1/reference/kbli?q=perdagangan%20eceran&limit=5").get_json()
    assert body["q"] == "perdagangan eceran"
    assert codes(body["items"]) == codes(SHARED.search("perdagangan eceran", 5))
    assert len(client.get("/api/v1/reference/kbli?q=industri").get_json()["items"]) == 20
    assert len(client.get("/api/v1/reference/kbli?q=industri&limit=500").get_json()["items"]) == 50
    assert client.get("/api/v1/reference/kbli").get_json() == {"q": "", "items": []}


def test_api_search_bad_input(kbli_app, client):
    response = client.get("/api/v1/reference/kbli?q=" + "a" * 101)
    assert response.status_code == 400 and "100" in response.get_json()["error"]
    english = client.get("/api/v1/reference/kbli?lang=en&q=" + "a" * 101).get_json()["error"]
    assert "characters" in english
    assert client.get("/api/v1/reference/kbli?q=kopi&limit=abc").status_code == 400
    assert client.get("/api/v1/reference/kbli?q=kopi&limit=0").status_code == 400


def test_api_detail(kbli_app, client):
    body = client.get("/api/v1/reference/kbli/10298").get_json()
    assert body["kode"] == "10298" and body["kategori"] == "C" and body["perizinan_tunggal"] is True
    assert set(body["risiko"]) == {"MIKRO", "KECIL", "MENENGAH", "BESAR"}
    assert body["risiko"]["MIKRO"]["tingkat_risiko"] == "MENENGAH_RENDAH"
    assert body["risiko"]["MIKRO"]["known"] is True
    assert body["risiko"]["MIKRO"]["sumber_url"].startswith("https://startnow.co.id/")
    assert body["risiko"]["BESAR"] == {"tingkat_risiko": None, "known": False, "regulation": "PP 5/2021",
                                       "table_id": "builtin-pp5-2021", "sumber_url": None,
                                       "perizinan_berusaha": None, "kewajiban_sni": None}
    assert body["table"] == {"id": "builtin-pp5-2021", "regulation": "PP 5/2021", "effective": "2021-02-02"}


def test_api_detail_unknown(kbli_app, client):
    for kode in ("99999", "4711", "x" * 200):
        response = client.get(f"/api/v1/reference/kbli/{kode}")
        assert response.status_code == 404
        assert "KBLI" in response.get_json()["error"]
