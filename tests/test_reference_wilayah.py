"""Tests for the wilayah reference data loader."""
import csv
import threading

import pytest

from formserver.reference.wilayah import DEFAULT_DIR, LEVELS, UnknownLevel, Wilayah


@pytest.fixture(scope="module")
def wilayah() -> Wilayah:
    """One shared loader: the data is read-only, so tests can share it."""
    return Wilayah()


def _historis_rows() -> list[dict]:
    """The rows of kecamatan_historis.csv."""
    with open(DEFAULT_DIR / "kecamatan_historis.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_levels():
    assert LEVELS == ("provinsi", "kabupaten", "kecamatan", "kelurahan")


def test_counts(wilayah):
    assert len(wilayah.children("provinsi")) == 38
    assert len(wilayah.children("provinsi", "")) == 38
    assert len(wilayah.children("kabupaten", "14")) == 12  # Riau: 10 kabupaten + 2 kota
    assert len(wilayah.children("kecamatan", "14.01")) == 21  # Kampar
    assert len(wilayah.children("kelurahan", "14.01.01")) >= 1


def test_children_shape_and_sorted(wilayah):
    for level, parent in (("provinsi", None), ("kabupaten", "14"), ("kecamatan", "14.01")):
        items = wilayah.children(level, parent)
        assert all(set(item) == {"kode", "nama"} for item in items)
        names = [item["nama"].casefold() for item in items]
        assert names == sorted(names)
    assert {"kode": "14.01", "nama": "Kabupaten Kampar"} in wilayah.children("kabupaten", "14")


def test_children_are_copies(wilayah):
    """Mutating a returned list must not change later answers."""
    first = wilayah.children("kabupaten", "14")
    first[0]["nama"] = "changed"
    first.clear()
    assert wilayah.children("kabupaten", "14")[0]["nama"] != "changed"


@pytest.mark.parametrize("level, parent", [("provinsi", None), ("kabupaten", "14"), ("kecamatan", "14.01"),
                                           ("kabupaten", "99"), ("provinsi", "14"), ("kecamatan", "")])
def test_a_forms_choices_are_the_children_as_pairs_and_copies(wilayah, level, parent):
    from formserver.reference.options import WilayahSource
    options = WilayahSource(wilayah).options(level, parent)
    assert options == [(row["kode"], row["nama"]) for row in wilayah.children(level, parent)]
    assert all(type(option) is tuple for option in options)
    options.clear()  # the caller's list: the next answer is whole
    assert WilayahSource(wilayah).options(level, parent) == [(r["kode"], r["nama"]) for r in wilayah.children(level, parent)]


@pytest.mark.parametrize("method", ["children", "get", "exists", "parent_of"])
def test_unknown_level_raises(wilayah, method):
    with pytest.raises(UnknownLevel):
        getattr(wilayah, method)("desa", "14.01.01")
    assert issubclass(UnknownLevel, ValueError)


@pytest.mark.parametrize(
    "level, parent",
    [
        ("kabupaten", "99"),  # no such province
        ("kecamatan", "14"),  # a province, not a kabupaten
        ("kelurahan", "14.01.99"),
        ("kabupaten", None),  # parent not chosen yet
        ("kecamatan", ""),
        ("provinsi", "14"),  # provinces have no parent
    ],
)
def test_unknown_parent_gives_empty_list(wilayah, level, parent):
    assert wilayah.children(level, parent) == []


def test_get_exists_parent_of(wilayah):
    assert wilayah.get("kabupaten", "14.01") == {
        "kode": "14.01",
        "nama": "Kabupaten Kampar",
        "kode_induk": "14",
        "jenis": "Kabupaten",
    }
    assert wilayah.get("provinsi", "14")["kode_induk"] is None
    assert wilayah.get("kelurahan", "14.01.01.1011")["jenis"] == "Kelurahan"
    assert wilayah.get("kecamatan", "14.99.99") is None
    assert wilayah.exists("kecamatan", "14.01.01")
    assert not wilayah.exists("kecamatan", "140101")  # dotted codes only
    assert wilayah.parent_of("kelurahan", "14.01.01.1011") == "14.01.01"
    assert wilayah.parent_of("kecamatan", "14.01.01") == "14.01"
    assert wilayah.parent_of("provinsi", "14") is None
    assert wilayah.parent_of("kabupaten", "00.00") is None


def test_kecamatan_known_current(wilayah):
    assert wilayah.kecamatan_known("140101")
    assert wilayah.kecamatan_known("14.01.01")
    assert not wilayah.kecamatan_known("149999")
    assert not wilayah.kecamatan_known("1401")
    assert not wilayah.kecamatan_known("14010a")


def test_kecamatan_known_historical(wilayah):
    old = [row for row in _historis_rows() if row["berlaku_2025"] == "tidak"]
    assert len(old) == 594
    sample = old[len(old) // 2]
    assert not wilayah.exists("kecamatan", sample["kode"])  # gone from the current list...
    assert wilayah.kecamatan_known(sample["kode_angka"])  # ...but still valid in a NIK


def test_kodepos(wilayah):
    assert wilayah.kodepos("14.01.01.1011") == "28411"
    assert wilayah.kodepos("14.01.01.9999") is None
    assert wilayah.kodepos(None) is None


def test_concurrent_first_use_loads_once():
    """Threads racing on a fresh instance all see the same loaded table."""
    fresh = Wilayah()
    results = []

    def worker():
        results.append(len(fresh.children("kecamatan", "14.01")))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [21] * 8


def test_custom_directory(tmp_path):
    (tmp_path / "provinsi.csv").write_text(
        "kode,nama,kode_induk,kode_angka\n02,Beta,,02\n01,alpha,,01\n", encoding="utf-8"
    )
    small = Wilayah(tmp_path)
    assert small.children("provinsi") == [
        {"kode": "01", "nama": "alpha"},
        {"kode": "02", "nama": "Beta"},
    ]
