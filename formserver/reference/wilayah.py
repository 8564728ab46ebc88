"""Kemendagri administrative areas (provinsi → kabupaten → kecamatan → kelurahan) from CSV."""
import csv
import sys
import threading
from pathlib import Path

DEFAULT_DIR = Path(__file__).resolve().parent / "data" / "wilayah"

LEVELS = ("provinsi", "kabupaten", "kecamatan", "kelurahan")

# kelurahan is the form-facing name; the file holds desa and kelurahan together.
_FILES = {
    "provinsi": "provinsi.csv",
    "kabupaten": "kabupaten.csv",
    "kecamatan": "kecamatan.csv",
    "kelurahan": "desa.csv",
}
_HISTORIS_FILE = "kecamatan_historis.csv"
_KODEPOS_FILE = "kodepos_desa.csv"


class UnknownLevel(ValueError):
    """A level name that is not one of LEVELS."""


class _Table:
    """One level: rows by code, and children by parent code (sorted on first request)."""

    __slots__ = ("rows", "_grouped", "_sorted")

    def __init__(self, rows: dict, grouped: dict):
        self.rows = rows  # kode -> (nama, kode_induk, jenis)
        self._grouped = grouped  # kode_induk -> list of (kode, nama), file order
        self._sorted: dict = {}  # kode_induk -> tuple of (kode, nama), sorted by nama

    def children(self, parent: str) -> tuple:
        """The (kode, nama) pairs under a parent code, sorted by name."""
        result = self._sorted.get(parent)
        if result is None:
            items = self._grouped.get(parent)
            if items is None:
                # Not cached: parent codes come from user input and must not grow the cache.
                return ()
            # Sorted lazily: most of the 7k kecamatan never get their desa listed.
            # Concurrent first calls compute the same tuple, so the race is harmless.
            result = tuple(sorted(items, key=_sort_key))
            self._sorted[parent] = result
        return result


def _open_csv(path: Path):
    """Open a CSV file and return (file handle, row reader, header row)."""
    handle = open(path, newline="", encoding="utf-8")
    reader = csv.reader(handle)
    try:
        return handle, reader, next(reader)
    except BaseException:
        handle.close()
        raise


def _read_columns(path: Path, *columns: str):
    """Yield the named columns of each data row of a CSV file, as a tuple."""
    handle, reader, header = _open_csv(path)
    with handle:
        positions = [header.index(c) for c in columns]
        for record in reader:
            yield tuple(record[i] for i in positions)


def _sort_key(item: tuple) -> tuple:
    """Order (kode, nama) pairs by name, case-insensitively, then by code."""
    return (item[1].casefold(), item[0])


def _load_table(path: Path) -> _Table:
    """Read one level file into a _Table."""
    rows: dict = {}
    grouped: dict = {}
    intern = sys.intern
    handle, reader, header = _open_csv(path)
    with handle:
        # Column positions instead of DictReader: several times faster on 84k rows.
        i_kode, i_nama, i_induk = (header.index(c) for c in ("kode", "nama", "kode_induk"))
        i_jenis = header.index("jenis") if "jenis" in header else None
        for record in reader:
            kode, nama = record[i_kode], record[i_nama]
            # Interned because the same parent/jenis strings repeat tens of thousands of times.
            induk = intern(record[i_induk])
            jenis = intern(record[i_jenis]) if i_jenis is not None else None
            rows[kode] = (nama, induk, jenis)
            siblings = grouped.get(induk)
            if siblings is None:
                siblings = grouped[induk] = []
            siblings.append((kode, nama))
    return _Table(rows, grouped)


def _clean(kode) -> str:
    """A code as a stripped string ('' for None)."""
    return "" if kode is None else str(kode).strip()


class Wilayah:
    """Lazy, thread-safe access to the wilayah CSV files of one directory."""

    def __init__(self, directory: str | Path | None = None):
        self.directory = Path(directory) if directory is not None else DEFAULT_DIR
        self._lock = threading.Lock()
        self._tables: dict[str, _Table] = {}
        self._historis: frozenset | None = None
        self._kodepos: dict | None = None

    # -- loading -----------------------------------------------------------------------------

    def _table(self, level: str) -> _Table:
        """The loaded table of a level, reading its file on first use."""
        if level not in _FILES:
            raise UnknownLevel(f"unknown wilayah level {level!r}; expected one of {LEVELS}")
        table = self._tables.get(level)
        if table is None:
            with self._lock:
                # Re-check: another thread may have loaded it while we waited.
                table = self._tables.get(level)
                if table is None:
                    table = _load_table(self.directory / _FILES[level])
                    self._tables[level] = table
        return table

    def _historis_codes(self) -> frozenset:
        """Every 6-digit kecamatan code, current or historical."""
        if self._historis is None:
            # Loaded before taking the lock: _table takes the same (non-reentrant) lock.
            current = self._table("kecamatan").rows
            with self._lock:
                if self._historis is None:
                    path = self.directory / _HISTORIS_FILE
                    codes = {kode for (kode,) in _read_columns(path, "kode_angka")}
                    # The union keeps current codes valid even if the history file lags behind.
                    codes.update(kode.replace(".", "") for kode in current)
                    self._historis = frozenset(codes)
        return self._historis

    def _kodepos_map(self) -> dict:
        """Postcode by desa/kelurahan code."""
        if self._kodepos is None:
            with self._lock:
                if self._kodepos is None:
                    path = self.directory / _KODEPOS_FILE
                    # Interned: ~84k rows share a few thousand postcodes.
                    pairs = _read_columns(path, "kode_desa", "kodepos")
                    self._kodepos = {kode: sys.intern(pos) for kode, pos in pairs}
        return self._kodepos

    def load_all(self) -> None:
        """Read every file now (e.g. at start-up) instead of on first use."""
        for level in LEVELS:
            self._table(level)
        self._historis_codes()
        self._kodepos_map()

    # -- queries -----------------------------------------------------------------------------

    def children(self, level: str, parent: str | None = None) -> list[dict]:
        """The areas of a level under a parent code, sorted by name ([] for an unknown parent)."""
        return [{"kode": kode, "nama": nama} for kode, nama in self.pairs(level, parent)]

    def pairs(self, level: str, parent: str | None = None) -> tuple:
        """:meth:`children` as the (kode, nama) pairs the table keeps (no copy: what a form's choices are made of)."""
        table = self._table(level)
        parent = _clean(parent)
        if level == LEVELS[0]:
            # Provinces are the top level: they have no parent to filter by.
            if parent:
                return ()
        elif not parent:
            return ()
        return table.children(parent)

    def get(self, level: str, kode: str) -> dict | None:
        """One area as {kode, nama, kode_induk, jenis}, or None when the code is unknown."""
        kode = _clean(kode)
        row = self._table(level).rows.get(kode)
        if row is None:
            return None
        nama, induk, jenis = row
        return {"kode": kode, "nama": nama, "kode_induk": induk or None, "jenis": jenis}

    def exists(self, level: str, kode: str) -> bool:
        """Whether the code exists at the level (current data only)."""
        return _clean(kode) in self._table(level).rows

    def parent_of(self, level: str, kode: str) -> str | None:
        """The parent code of an area, or None for a province or an unknown code."""
        row = self._table(level).rows.get(_clean(kode))
        return (row[1] or None) if row else None

    def kecamatan_known(self, six_digits: str) -> bool:
        """Whether a NIK's first 6 digits are a current or historical kecamatan code."""
        code = _clean(six_digits).replace(".", "")
        if len(code) != 6 or not code.isascii() or not code.isdigit():
            return False
        return code in self._historis_codes()

    def kodepos(self, desa_kode: str) -> str | None:
        """The default postcode of a desa/kelurahan, or None when unknown."""
        return self._kodepos_map().get(_clean(desa_kode))
