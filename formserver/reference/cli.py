"""`formserver reference ...`: import a KBLI risk or BUPM activity table version, search the KBLI table."""
import os
import sys

from .. import audit
from ..i18n import gettext, ngettext


def _import_risk(args) -> int:
    """Check a risk table CSV and store it as a new version; exit 1 and store nothing on any problem."""
    from ..logic import Logic
    from .kbli import Kbli
    from .risk import KIND, import_csv

    return _store_version(args, KIND, *import_csv(args.file, args.regulation, args.effective, Kbli(), Logic()))


def _import_bupm(args) -> int:
    """Check a BUPM activity CSV and store it as a new version; exit 1 and store nothing on any problem."""
    from .bupm import KIND, import_csv
    from .kbli import Kbli

    return _store_version(args, KIND, *import_csv(args.file, args.regulation, args.effective, Kbli()))


def _store_version(args, kind: str, version: dict | None, errors: list[str]) -> int:
    """Store a checked table version once (audited), or print its problems and exit 1."""
    from ..config import from_environment

    if errors:
        for error in errors:
            print(f"{args.file}: {error}", file=sys.stderr)
        print("formserver: " + ngettext("tidak ada yang diimpor ({count} masalah).", "tidak ada yang diimpor ({count} masalah).",
                                        len(errors)).format(count=len(errors)), file=sys.stderr)
        return 1
    from ..upgrades import open_upgraded
    store = open_upgraded(from_environment())
    try:
        if any(doc["id"] == version["id"] for doc in store.reference_tables(kind)):
            print("formserver: " + gettext("berkas ini sudah diimpor sebagai {id}; tidak ada yang berubah.").format(
                id=version["id"]))
            return 0
        store.insert_reference_table(version)
        audit.record(store, f"reference:{kind}", "reference.imported", f"cli:{os.environ.get('USER', 'admin')}",
                     table_id=version["id"], regulation=version["regulation"], effective=version["effective"],
                     rows=len(version["rows"]))
    finally:
        store.close()
    _print_summary(version)
    return 0


def _print_summary(version: dict) -> None:
    """What was imported, for the operator's record."""
    from .risk import REFRESH_SECONDS

    rows = version["rows"]
    codes = {row["kode"] for row in rows}
    print(gettext("diimpor: {rows} baris, {codes} kode KBLI").format(rows=len(rows), codes=len(codes)))
    print(gettext("regulasi: {regulation}").format(regulation=version["regulation"]))
    print(gettext("berlaku: {effective}").format(effective=version["effective"]))
    print(f"id: {version['id']}")
    print(gettext("server yang berjalan membacanya dalam {seconds} detik dan menerapkannya mulai tanggal berlakunya.").format(
        seconds=REFRESH_SECONDS))


def _kbli(args) -> int:
    """Print the codes matching a query."""
    from .kbli import Kbli

    query = " ".join(args.query)
    items = Kbli().search(query, args.limit)
    for item in items:
        print(f"{item['kode']}  {item['kategori']}  {item['judul']}")
    if not items:
        print(gettext("tidak ada kode KBLI yang cocok dengan {query}").format(query=repr(query)), file=sys.stderr)
        return 1
    return 0


def add_commands(subparsers) -> None:
    """Add the ``reference`` command group to the formserver command line."""
    reference = subparsers.add_parser("reference", help="reference data: KBLI search, risk and BUPM table imports")
    commands = reference.add_subparsers(dest="reference_command", required=True)
    risk = commands.add_parser("import-risk", help="import a KBLI risk table version from CSV; exit 1 on any problem")
    risk.add_argument("file", help="CSV with the columns of kbli_risiko.csv, optionally an aturan column")
    risk.add_argument("--regulation", required=True, help="the regulation, e.g. 'PP 28/2025'")
    risk.add_argument("--effective", required=True, help="the date it applies from, YYYY-MM-DD")
    risk.set_defaults(run=_import_risk)
    bupm = commands.add_parser("import-bupm", help="import a table of activities per KBLI under the investment field "
                                                   "provisions (BUPM) from CSV; exit 1 on any problem")
    bupm.add_argument("file", help="CSV with the columns kode,kode_kegiatan,kegiatan,kegiatan_en,sumber_url")
    bupm.add_argument("--regulation", required=True, help="the regulation, e.g. 'Perpres 10/2021 jo. Perpres 49/2021'")
    bupm.add_argument("--effective", required=True, help="the date it applies from, YYYY-MM-DD")
    bupm.set_defaults(run=_import_bupm)
    kbli = commands.add_parser("kbli", help="search KBLI 2020 codes by code prefix or title words")
    kbli.add_argument("query", nargs="+")
    kbli.add_argument("--limit", type=int, default=20)
    kbli.set_defaults(run=_kbli)
