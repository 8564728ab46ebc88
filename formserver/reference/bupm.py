"""Activities per KBLI under the investment field provisions (bidang usaha penanaman modal, BUPM).

The seed: when the chosen KBLI falls under the BUPM provisions, the system shows a choice of activities
and the applicant picks the one they carry out. The table is versioned like the risk table: an office
imports a CSV checked row by row (``formserver reference import-bupm``) with the regulation and the date
it applies from; the version in force on a day is the latest effective on or before it. The project
ships the table EMPTY (no public per-KBLI list was found, see data/SOURCES.md), so no KBLI asks the
question until an office imports one.
"""
import datetime as dt
import threading
import time
from pathlib import Path

from ..i18n import lazy_gettext
from .risk import NO_HEADER, NO_ROWS, REFRESH_SECONDS, _as_date, _check_kode, _check_url, _line, _records, columns_counted, import_version, unreadable

KIND = "bupm_kegiatan"
LEVEL = "kegiatan"
COLUMNS = ("kode", "kode_kegiatan", "kegiatan", "kegiatan_en", "sumber_url")
BUILTIN_PATH = Path(__file__).resolve().parent / "data" / "kbli" / "bupm_kegiatan.csv"
BUILTIN = {"id": "builtin-bupm-kosong", "regulation": "tidak ada tabel bersumber (no sourced table)",
           "effective": "2021-02-02", "source": "formserver/reference/data/kbli/bupm_kegiatan.csv (kosong/empty)"}


def _check_header(record: list[str]) -> list[str]:
    names = [name.strip().lower() for name in record]
    if names == list(COLUMNS):
        return []
    return [_line(1, lazy_gettext("judul kolom harus {columns}").format(columns=",".join(COLUMNS)))]


def _check_row(n: int, values: dict, kbli) -> list[str]:
    errors = _check_kode(n, values["kode"], kbli)
    if not values["kode_kegiatan"] or len(values["kode_kegiatan"]) > 40 or any(c.isspace() for c in values["kode_kegiatan"]):
        errors.append(_line(n, lazy_gettext("kode_kegiatan wajib diisi, tanpa spasi, paling banyak 40 karakter")))
    for column in ("kegiatan", "kegiatan_en"):
        if not values[column] or len(values[column]) > 300:
            errors.append(_line(n, lazy_gettext("{column} wajib diisi, paling banyak 300 karakter").format(column=column)))
    return errors + _check_url(n, values["sumber_url"])


def parse(text: str, kbli, allow_empty: bool = False) -> tuple[list[dict], list[str]]:
    """(rows, errors) of a BUPM activity CSV."""
    records = _records(text)
    first = next(records, None)
    if first is None or not isinstance(first[1], list):
        return [], [NO_HEADER]
    errors = _check_header(first[1])
    if errors:
        return [], errors
    rows, seen = [], {}
    for n, record in records:
        if not isinstance(record, list):
            errors.append(unreadable(n, record))
            break
        if not any(field.strip() for field in record):
            continue
        if len(record) != len(COLUMNS):
            errors.append(columns_counted(n, len(record), len(COLUMNS)))
            continue
        values = {k: v.strip() for k, v in zip(COLUMNS, record)}
        row_errors = _check_row(n, values, kbli)
        key = (values["kode"], values["kode_kegiatan"])
        if not row_errors and key in seen:
            row_errors.append(_line(n, lazy_gettext("kode_kegiatan {activity} untuk KBLI {kode} sudah ada di baris {line}").format(
                activity=key[1], kode=key[0], line=seen[key])))
        errors += row_errors
        if not row_errors:
            seen[key] = n
            rows.append(values)
    if not rows and not errors and not allow_empty:
        errors.append(NO_ROWS)
    return rows, errors


def import_csv(path, regulation: str, effective: str, kbli) -> tuple[dict | None, list[str]]:
    """A new BUPM table version from a CSV file, or (None, errors); nothing is stored here."""
    return import_version(path, regulation, effective, lambda text: parse(text, kbli), KIND, "bupm")


def _builtin(kbli, path: Path = BUILTIN_PATH) -> dict:
    """The shipped (empty) version, or a regional variant's own file; a problem in it raises (the start stops)."""
    rows, errors = parse(path.read_text(encoding="utf-8"), kbli, allow_empty=True)
    if errors:
        raise ValueError(f"{path}: " + "; ".join(errors[:5]))
    source = BUILTIN if path == BUILTIN_PATH else {**BUILTIN, "id": "builtin-bupm-varian", "source": str(path),
                                                  "regulation": "tabel varian kantor (the office variant's table)"}
    return {**source, "kind": KIND, "imported_at": None, "rows": rows}


class BupmTables:
    """The BUPM table versions (built-in plus imported) and the choices of the one in force."""

    def __init__(self, store, kbli, builtin_path: Path | None = None):
        self.store, self.kbli = store, kbli
        self.builtin_path = builtin_path or BUILTIN_PATH
        self._lock = threading.Lock()
        self._builtin: dict | None = None
        self._versions: list[tuple[dt.date, dict[str, list[tuple[str, dict]]]]] | None = None
        self._loaded_at = 0.0

    @staticmethod
    def levels() -> dict[str, str]:
        """One level, filtered by the KBLI code (any earlier field)."""
        return {LEVEL: "*"}

    def load_all(self) -> None:
        """Check the shipped file now (at start-up)."""
        if self._builtin is None:
            self._builtin = _builtin(self.kbli, self.builtin_path)

    def reload(self) -> None:
        """Read the store now (e.g. right after an import)."""
        with self._lock:
            self._versions, self._loaded_at = self._read(), time.monotonic()

    def _read(self):
        self.load_all()
        docs = sorted([self._builtin, *self.store.reference_tables(KIND)], key=lambda d: d["effective"])
        versions = []
        for doc in docs:
            by_kbli: dict[str, list] = {}
            for row in doc["rows"]:
                by_kbli.setdefault(row["kode"], []).append(
                    (row["kode_kegiatan"], {"id": row["kegiatan"], "en": row["kegiatan_en"]}))
            versions.append((dt.date.fromisoformat(doc["effective"]), by_kbli))
        return versions

    def _current(self, on=None) -> dict:
        if self._versions is None or time.monotonic() - self._loaded_at > REFRESH_SECONDS:
            self.reload()
        day, found = _as_date(on), {}
        for effective, by_kbli in self._versions:
            if effective <= day:
                found = by_kbli
        return found

    def options(self, level: str, parent_value, on=None) -> list[tuple[str, dict]]:
        """(kode_kegiatan, label) of the KBLI's activities in the version in force; [] when it has none."""
        if level != LEVEL or not isinstance(parent_value, str):
            return []
        return list(self._current(on).get(parent_value.strip(), ()))

    def lists(self, on=None) -> dict[str, list]:
        """Every KBLI's activities in the version in force, for the browser's copy of the choices."""
        return {kode: [list(pair) for pair in pairs] for kode, pairs in self._current(on).items()}
