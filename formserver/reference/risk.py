"""Regulation data for the permit flow: business scale and risk level per KBLI and scale (environment: lingkungan.py).

All thresholds and levels come from data files and imported tables, never from code. A risk
level that no table states is reported as unknown (``known=False``) and must not be issued.
"""
import csv
import datetime as dt
import functools
import hashlib
import io
import json
import logging
import re
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlparse

from ..i18n import LazyText, json_mistake, lazy_gettext, lazy_text, ngettext
from ..logic import RuleError, today

log = logging.getLogger("formserver.reference.risk")

DATA_DIR = Path(__file__).resolve().parent / "data" / "kbli"

SCALES = ("MIKRO", "KECIL", "MENENGAH", "BESAR")
LEVELS = ("RENDAH", "MENENGAH_RENDAH", "MENENGAH_TINGGI", "TINGGI")  # least to most restrictive

KIND = "kbli_risiko"
COLUMNS = ("kode", "skala", "luas_lahan", "tingkat_risiko", "perizinan_berusaha", "parameter",
           "kewajiban_sni", "sumber_url")
OPTIONAL_COLUMNS = ("aturan",)
BUILTIN = {"id": "builtin-pp5-2021", "regulation": "PP 5/2021", "effective": "2021-02-02",
           "source": "formserver/reference/data/kbli/kbli_risiko.csv (lihat/see kbli_risiko_SOURCES.md)"}
REFRESH_SECONDS = 30
MAX_ERRORS = 200

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SNI = {"yes": "yes", "ya": "yes", "no": "no", "tidak": "no", "unknown": "unknown", "": "unknown"}


# -- business scale (PP 7/2021) ---------------------------------------------------------------

@functools.cache
def _scale_bounds() -> tuple[tuple[str, int | None], ...]:
    """(skala, inclusive upper bound or None) pairs from skala_usaha.json, smallest first."""
    data = json.loads((DATA_DIR / "skala_usaha.json").read_text(encoding="utf-8"))
    bounds = tuple((item["skala"], item["modal_usaha_maks"]) for item in data["skala"])
    if tuple(name for name, _ in bounds) != SCALES or bounds[-1][1] is not None:
        raise ValueError("skala_usaha.json must list MIKRO, KECIL, MENENGAH, BESAR with no bound on BESAR")
    return bounds


def scale_for_capital(modal: int) -> str:
    """The business scale for a modal_usaha in rupiah (land and buildings excluded)."""
    if isinstance(modal, bool) or not isinstance(modal, int):
        raise TypeError("modal_usaha must be an integer number of rupiah")
    if modal < 0:
        raise ValueError("modal_usaha must not be negative")
    for name, upper in _scale_bounds():
        if upper is None or modal <= upper:  # "paling banyak": the bound belongs to the smaller scale
            return name
    raise AssertionError("unreachable: the last scale has no upper bound")


# -- risk tables ------------------------------------------------------------------------------

@dataclass(frozen=True)
class RiskAnswer:
    """The risk level of a (KBLI, scale) pair in one table version; unknown when no row states it."""
    tingkat_risiko: str | None
    known: bool
    regulation: str | None
    table_id: str | None
    sumber_url: str | None
    perizinan_berusaha: str | None
    kewajiban_sni: str | None

    def as_dict(self) -> dict:
        """The answer as a JSON-ready dict."""
        return asdict(self)


class _Version:
    """A table version with its rows grouped by (kode, skala) and their rules compiled."""

    def __init__(self, doc: dict, logic):
        self.doc = doc
        self.effective = dt.date.fromisoformat(doc["effective"])
        self.rows: dict[tuple, list] = {}
        for row in doc["rows"]:
            self.rows.setdefault((row["kode"], row["skala"]), []).append((row, _compile_quietly(row, logic)))


def _compile_quietly(row: dict, logic):
    """The row's compiled aturan, or None (a stored rule that fails falls back to the levels)."""
    if row.get("aturan") is None:
        return None
    try:
        return logic.compile(row["aturan"])
    except (RuleError, ValueError) as error:
        log.error("kbli_risiko rule for %s/%s does not compile: %s", row["kode"], row["skala"], error)
        return None


def _choose(candidates: list, params: dict) -> tuple[dict, str]:
    """The row and level for one (kode, skala): a level refined by a rule, else the most restrictive."""
    refined = []
    for row, rule in candidates:
        if rule is None:
            continue
        value = rule(params)
        if value in LEVELS:
            refined.append((row, value))
        elif value is not None:
            log.warning("kbli_risiko rule for %s/%s returned %r; ignored", row["kode"], row["skala"], value)
    pool = refined or [(row, row["tingkat_risiko"]) for row, _ in candidates]
    # max keeps the first of equals, so ties go to the earliest row of the file
    return max(pool, key=lambda pair: LEVELS.index(pair[1]))


def _as_date(on) -> dt.date:
    """A date from a date, an ISO string or None (today, WIB)."""
    if on is None:
        return today()
    if isinstance(on, dt.datetime):
        return on.date()
    if isinstance(on, dt.date):
        return on
    return dt.date.fromisoformat(str(on))


class RiskTables:
    """The versions of the KBLI risk table (built-in plus imported) and look-ups in the one in force."""

    def __init__(self, store, kbli, logic, builtin_path: str | Path | None = None):
        self.store, self.kbli, self.logic = store, kbli, logic
        self.builtin_path = Path(builtin_path) if builtin_path else DATA_DIR / "kbli_risiko.csv"
        self._lock = threading.Lock()
        self._builtin: _Version | None = None
        self._indexed: dict[str, _Version] = {}
        self._versions: tuple[_Version, ...] | None = None
        self._loaded_at = 0.0

    def _load_builtin(self) -> _Version:
        """The shipped table; a problem in it is a packaging bug, so it raises."""
        doc, errors = import_csv(self.builtin_path, BUILTIN["regulation"], BUILTIN["effective"], self.kbli, self.logic)
        if errors:
            raise ValueError(f"{self.builtin_path}: " + "; ".join(errors[:5]))
        doc.update(id=BUILTIN["id"], source=BUILTIN["source"], imported_at=None)
        return _Version(doc, self.logic)

    def _refresh(self) -> tuple[_Version, ...]:
        """Re-read the stored versions; index only the ones not seen before."""
        if self._builtin is None:
            self._builtin = self._load_builtin()
        try:
            docs = self.store.reference_tables(KIND)
        except Exception:
            if self._versions is None:
                raise
            log.exception("reading kbli_risiko tables failed; keeping the cached versions")
            return self._versions
        for doc in docs:
            if doc["id"] not in self._indexed:
                self._indexed[doc["id"]] = _Version(doc, self.logic)
        stored = [self._indexed[doc["id"]] for doc in docs]
        # stable sort: on the same effective date the later import wins, and imports beat the built-in
        return tuple(sorted([self._builtin, *stored], key=lambda v: v.effective))

    def _all(self) -> tuple[_Version, ...]:
        """The cached versions, refreshed when older than REFRESH_SECONDS."""
        if self._versions is None or time.monotonic() - self._loaded_at > REFRESH_SECONDS:
            with self._lock:
                if self._versions is None or time.monotonic() - self._loaded_at > REFRESH_SECONDS:
                    self._versions = self._refresh()
                    self._loaded_at = time.monotonic()
        return self._versions

    def reload(self) -> None:
        """Read the store now (e.g. right after an import)."""
        with self._lock:
            self._versions = self._refresh()
            self._loaded_at = time.monotonic()

    def versions(self) -> list[dict]:
        """Every version, oldest effective date first (shared dicts: do not change them)."""
        return [v.doc for v in self._all()]

    def _current(self, on=None) -> _Version | None:
        """The indexed version in force on a date."""
        day = _as_date(on)
        found = None
        for version in self._all():
            if version.effective <= day:
                found = version
        return found

    def current(self, on=None) -> dict | None:
        """The version in force on a date (default today): the latest effective on or before it."""
        version = self._current(on)
        return version.doc if version else None

    def levels(self, kode: str, on=None) -> dict[str, list[tuple[str, object]]]:
        """{skala: [(tingkat_risiko, aturan or None), ...]} of a code in the version in force, as lookup reads them."""
        version = self._current(on)
        kode = str(kode or "").strip()
        if version is None:
            return {}
        return {skala: [(row["tingkat_risiko"], row.get("aturan")) for row, _ in version.rows[(kode, skala)]]
                for skala in SCALES if (kode, skala) in version.rows}

    def lookup(self, kode: str, skala: str, params: dict | None = None, on=None) -> RiskAnswer:
        """The risk of a KBLI code at a scale under the version in force; unknown when it has no row."""
        if skala not in SCALES:
            raise ValueError(f"skala must be one of {SCALES}")
        version = self._current(on)
        if version is None:
            return RiskAnswer(None, False, None, None, None, None, None)
        doc = version.doc
        candidates = version.rows.get((str(kode or "").strip(), skala))
        if not candidates:
            # the version in force is silent: older versions are not consulted, they no longer apply
            return RiskAnswer(None, False, doc["regulation"], doc["id"], None, None, None)
        row, level = _choose(candidates, params or {})
        return RiskAnswer(level, True, doc["regulation"], doc["id"], row["sumber_url"],
                          row["perizinan_berusaha"] or None, row["kewajiban_sni"])


# -- import -----------------------------------------------------------------------------------

def _line(n: int, problem: str) -> LazyText:
    """A problem of a CSV line (a sentence from the catalogs), naming the line, in the locale it is read in."""
    return lazy_gettext("baris {line}: {problem}").format(line=n, problem=problem)


NO_HEADER = lazy_gettext("berkas tidak berisi baris judul CSV")
NO_ROWS = lazy_gettext("berkas tidak berisi baris data")


def unreadable(n: int, error) -> LazyText:
    return _line(n, lazy_gettext("CSV tidak dapat dibaca: {error}").format(error=error))


def columns_counted(n: int, found: int, expected: int) -> LazyText:
    return _line(n, lazy_text(lambda: ngettext("{found} kolom, seharusnya {expected}", "{found} kolom, seharusnya {expected}",
                                               found).format(found=found, expected=expected)))


def _decode(raw: bytes) -> tuple[str | None, list[str]]:
    """The file's text, or the errors that make it unreadable."""
    if not raw.strip():
        return None, [lazy_gettext("berkas kosong")]
    try:
        return raw.decode("utf-8-sig"), []  # a BOM from spreadsheet exports is fine
    except UnicodeDecodeError as error:
        line = raw[:error.start].count(b"\n") + 1
        return None, [_line(line, lazy_gettext("berkas bukan UTF-8; simpan ulang sebagai CSV UTF-8"))]


def _records(text: str):
    """(first line number, fields) of each CSV record; multi-line fields keep their first line."""
    reader = csv.reader(io.StringIO(text, newline=""))
    previous = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield previous + 1, error
            return
        yield previous + 1, record
        previous = reader.line_num


def _check_header(header: list[str]) -> tuple[list[str], list[str]]:
    """(column names, errors) of the header line."""
    names = [name.strip().lower() for name in header]
    errors = []
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        errors.append(_line(1, lazy_gettext("kolom wajib tidak ada: {columns}").format(columns=", ".join(missing))))
    unknown = [n for n in names if n not in COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        errors.append(_line(1, lazy_gettext("kolom tidak dikenal: {columns}").format(columns=", ".join(unknown))))
    if len(set(names)) != len(names):
        errors.append(_line(1, lazy_gettext("nama kolom berulang")))
    return names, errors


def _check_kode(n: int, kode: str, kbli) -> list[str]:
    """Errors for a code that is not a KBLI 2020 kelompok code."""
    if kbli.exists(kode):
        return []
    if kode.isdigit() and len(kode) < 5 and kbli.exists(kode.zfill(5)):
        # spreadsheets drop leading zeros; say so instead of fixing it silently
        return [_line(n, lazy_gettext("kode {kode} bukan kode KBLI 2020 lima digit; nol di depan hilang? mungkin "
                                      "{padded}").format(kode=repr(kode), padded=kode.zfill(5)))]
    return [_line(n, lazy_gettext("kode {kode} bukan kode KBLI 2020 lima digit").format(kode=repr(kode)))]


def _check_url(n: int, url: str) -> list[str]:
    """Errors for a source that is not an http(s) URL."""
    parsed = urlparse(url)
    if parsed.scheme in ("http", "https") and parsed.netloc and not any(c.isspace() for c in url):
        return []
    return [_line(n, lazy_gettext("sumber_url {url} harus URL http(s)").format(url=repr(url)))]


def _check_rule(n: int, text: str, logic) -> tuple[object, list[str]]:
    """(parsed rule or None, errors) of an aturan cell."""
    if not text:
        return None, []
    try:
        rule = json.loads(text)
    except ValueError as error:
        return None, [_line(n, lazy_gettext("aturan: {mistake}").format(mistake=json_mistake(error)))]
    if not isinstance(rule, (dict, list)) and rule is not None and rule not in LEVELS:
        return None, [_line(n, lazy_gettext("aturan tetap harus null atau tingkat risiko"))]
    try:
        logic.compile(rule)
    except (RuleError, ValueError) as error:
        detail = " ".join(str(error).split())  # the engine's message spans lines; one line per error here
        return None, [_line(n, lazy_gettext("aturan tidak dapat dikompilasi: {detail}").format(detail=detail))]
    return rule, []


def _normalise(value: str) -> str:
    """An enumeration value as written in the tables: 'Menengah rendah' -> MENENGAH_RENDAH."""
    return re.sub(r"[\s-]+", "_", value.strip().upper())


def _check_row(n: int, values: dict, kbli, logic) -> tuple[dict | None, list[str]]:
    """(row, errors) for one data line."""
    errors = _check_kode(n, values["kode"], kbli)
    skala, level = _normalise(values["skala"]), _normalise(values["tingkat_risiko"])
    if skala not in SCALES:
        errors.append(_line(n, lazy_gettext("skala {value} tidak dikenal; gunakan {known}").format(
            value=repr(values["skala"]), known=", ".join(SCALES))))
    if level not in LEVELS:
        errors.append(_line(n, lazy_gettext("tingkat_risiko {value} tidak dikenal; gunakan {known}").format(
            value=repr(values["tingkat_risiko"]), known=", ".join(LEVELS))))
    sni = _SNI.get(values["kewajiban_sni"].lower())
    if sni is None:
        errors.append(_line(n, lazy_gettext("kewajiban_sni harus yes, no atau unknown")))
    errors += _check_url(n, values["sumber_url"])
    rule, rule_errors = _check_rule(n, values.get("aturan", ""), logic)
    errors += rule_errors
    if errors:
        return None, errors
    row = {"kode": values["kode"], "skala": skala, "luas_lahan": values["luas_lahan"], "tingkat_risiko": level,
           "perizinan_berusaha": values["perizinan_berusaha"], "parameter": values["parameter"],
           "kewajiban_sni": sni, "sumber_url": values["sumber_url"], "aturan": rule}
    return row, []


def _parse(text: str, kbli, logic) -> tuple[list[dict], list[str]]:
    """(rows, errors) of a risk table CSV."""
    records = _records(text)
    first = next(records, None)
    if first is None or isinstance(first[1], csv.Error):
        return [], [NO_HEADER]
    names, errors = _check_header(first[1])
    if errors:
        return [], errors  # row checks would only repeat the header's problem on every line
    rows, seen = [], {}
    for n, record in records:
        if isinstance(record, csv.Error):
            errors.append(unreadable(n, record))
            break
        if not any(field.strip() for field in record):
            continue  # blank lines and the empty rows spreadsheets append
        if len(record) != len(names):
            errors.append(columns_counted(n, len(record), len(names)))
            continue
        row, row_errors = _check_row(n, {k: v.strip() for k, v in zip(names, record)}, kbli, logic)
        errors += row_errors
        if row is None:
            continue
        key = json.dumps(row, sort_keys=True, ensure_ascii=False)
        if key in seen:
            errors.append(_line(n, lazy_gettext("sama persis dengan baris {line}").format(line=seen[key])))
            continue
        seen[key] = n
        rows.append(row)
    if not rows and not errors:
        errors.append(NO_ROWS)
    return rows, errors


def _check_version_fields(regulation: str, effective: str) -> list[str]:
    """Errors in the regulation name and effective date given with an import."""
    errors = []
    if not (regulation or "").strip():
        errors.append(lazy_gettext("regulasi wajib diisi, mis. 'PP 28/2025'"))
    try:
        if not _ISO_DATE.fullmatch(effective or ""):
            raise ValueError
        dt.date.fromisoformat(effective)
    except ValueError:
        errors.append(lazy_gettext("tanggal berlaku {value} harus tanggal YYYY-MM-DD yang ada").format(
            value=repr(effective)))
    return errors


def _capped(errors: list[str]) -> list[str]:
    """At most MAX_ERRORS messages, then a count of the rest."""
    if len(errors) <= MAX_ERRORS:
        return errors
    rest = len(errors) - MAX_ERRORS
    return errors[:MAX_ERRORS] + [lazy_text(lambda: ngettext("... dan {count} kesalahan lain", "... dan {count} kesalahan lain",
                                                             rest).format(count=rest))]


def import_version(path, regulation: str, effective: str, parse, kind: str, prefix: str) -> tuple[dict | None, list[str]]:
    """A new version of a reference table from a CSV file whose text ``parse`` turns into (rows, errors),
    or (None, errors); nothing is stored here."""
    errors = _check_version_fields(regulation, effective)
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        return None, errors + [lazy_gettext("berkas tidak dapat dibaca: {error}").format(error=error.strerror or error)]
    text, decode_errors = _decode(raw)
    if text is None:
        return None, _capped(errors + decode_errors)
    rows, parse_errors = parse(text)
    errors += parse_errors
    if errors:
        return None, _capped(errors)
    regulation = regulation.strip()
    digest = hashlib.sha256(f"{regulation}\n{effective}\n".encode() + raw).hexdigest()
    return {
        "id": f"{prefix}-{effective}-{digest[:12]}",  # same file, regulation and date: same id
        "kind": kind,
        "regulation": regulation,
        "effective": effective,
        "imported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "source": f"{Path(path).name} (sha256 {hashlib.sha256(raw).hexdigest()})",
        "rows": rows,
    }, []


def import_csv(path, regulation: str, effective: str, kbli, logic) -> tuple[dict | None, list[str]]:
    """A new risk table version from a CSV file, or (None, errors); nothing is stored here."""
    return import_version(path, regulation, effective, lambda text: _parse(text, kbli, logic), KIND, "kbli-risiko")
