"""`formserver export` and `formserver import`: everything in a store as streaming JSON Lines.

The file::

    {"format": "formserver-export", "version": 1, "created_at": "...", "collections": [...]}   header
    {"c": "accounts", "r": {...}}                                                               one line a record
    ...
    {"end": true, "counts": {"accounts": 2, ...}}                                               trailer

The header may also carry ``"private_keys"``: the office's data-signing key, encrypted with a passphrase
(PKCS#8), only when the export was asked for it (``--include-private-key``). The public keys that
verification needs are always there, as the ``signing_keys`` collection (the key ring).

Records are written exactly as the store gives them (they are JSON-shaped already), so a round trip
keeps ids, dates and numbers as they were; a record of a shape older than the store's (an export made
before an upgrade, formserver/upgrades.py) is upgraded as it is read. The trailer makes a truncated file detectable. The import
reads one line at a time, restores records in batches through the store interface and relies on
``restore`` skipping records already present: after any failure, the same import can simply be run
again. Only the store interface is used, so any backend can be exported from and imported into.
"""
import io
import json
import os
import sys
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from . import plugins, upgrades
from .i18n import gettext, json_mistake
from .store.base import DuplicateKey, Store

FORMAT = "formserver-export"
VERSION = 1
PROGRESS_EVERY = 10_000

Progress = Callable[[str, int], None]

# the field naming a record of each collection (see Store.iter_collection); "id" for the others
_KEY_FIELD = {"counters": "name", "claims": "key", "events": "seq"}


class TransferError(Exception):
    """An export or import that cannot go on; the message says where and what to do."""


# characters that str.splitlines() and some other tools take for line ends, though JSON does not escape them
_LINE_BREAKS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _dumps(value) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    # they can only be inside strings: escaped, the line decodes the same and is one line for every reader
    for char, escaped in _LINE_BREAKS.items():
        if char in text:
            text = text.replace(char, escaped)
    return text


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _loads(text: str):
    return json.loads(text, parse_constant=_reject_constant)


def _record_name(collection: str, record) -> str:
    """How a record is named in messages: ``submissions record 's1'``."""
    field = _KEY_FIELD.get(collection, "id")
    key = record.get(field) if isinstance(record, dict) else None
    if key is None:
        return gettext("rekaman {collection}").format(collection=collection)
    return gettext("rekaman {collection} {key}").format(collection=collection, key=repr(key))


# export

def export(store: Store, out: TextIO, progress: Progress | None = None,
           private_keys: list[dict] | None = None) -> dict[str, int]:
    """Write every record of ``store`` to ``out`` as JSON Lines; return the count per collection.

    ``progress(collection, count_so_far)`` is called every 10,000 records and at the end of each
    collection. Collections are read one after the other: stop writers for a consistent snapshot.
    ``private_keys`` (encrypted, see :func:`formserver.issue.keyring.private_key_entries`) go in the header.
    """
    collections = list(store.COLLECTIONS)
    created_at = datetime.now(UTC).isoformat(timespec="seconds")
    header = {"format": FORMAT, "version": VERSION, "created_at": created_at, "collections": collections}
    if private_keys:
        header["private_keys"] = private_keys
    out.write(_dumps(header))
    out.write("\n")
    counts: dict[str, int] = {}
    for name in collections:
        count = 0
        for record in store.iter_collection(name):
            try:
                line = _dumps({"c": name, "r": record})
            except (TypeError, ValueError) as error:
                raise TransferError(gettext("{record} tidak dapat ditulis sebagai JSON ({error}); ekspor tidak "
                                            "lengkap").format(record=_record_name(name, record), error=error)) from error
            out.write(line)
            out.write("\n")
            count += 1
            if progress and count % PROGRESS_EVERY == 0:
                progress(name, count)
        counts[name] = count
        if progress and (count == 0 or count % PROGRESS_EVERY):
            progress(name, count)
    out.write(_dumps({"end": True, "counts": counts}))
    out.write("\n")
    out.flush()
    return counts


# import

def _at_line(line: int, problem: str) -> str:
    return gettext("baris {line}: {problem}").format(line=line, problem=problem)


def _not_utf8_at_start(error: UnicodeDecodeError) -> str:
    return _at_line(1, gettext("bukan teks UTF-8 yang sah ({reason})").format(reason=error.reason)) + "; " + gettext(
        "tidak ada yang diimpor")


def _resume_hint(last_line: int) -> str:
    return gettext("tidak ada yang diimpor sesudah baris {line}; jalankan impor yang sama lagi setelah berkas "
                   "diperbaiki: rekaman yang sudah diimpor dilewati").format(line=last_line)


class _Importer:
    def __init__(self, store: Store, progress: Progress | None, batch: int,
                 private_keys: Callable[[list], None] | None = None):
        if batch < 1:
            raise ValueError("batch must be at least 1")
        plugins.load()  # the forms' modules register how a record of an older shape is upgraded
        self.store = store
        self.private_keys = private_keys
        self.progress = progress
        self.batch = batch
        self.known = tuple(store.COLLECTIONS)
        self.listed: tuple[str, ...] = ()
        self.added: dict[str, int] = {}
        self.read: dict[str, int] = {}
        self.pending: list[tuple[int, dict]] = []
        self.pending_collection: str | None = None
        self.current: str | None = None  # the collection whose progress is being reported

    # errors: everything read before the failing line goes in first, then the message
    def fail(self, line: int, message: str, cause: BaseException | None = None):
        self.flush()
        raise TransferError(_at_line(line, message) + "; " + _resume_hint(line - 1)) from cause

    def flush(self) -> None:
        if not self.pending:
            return
        name, pending = self.pending_collection, self.pending
        self.pending = []
        try:
            self.added[name] += self.store.restore_many(name, [record for _, record in pending])
            return
        except Exception:  # noqa: BLE001 - find and name the record: one at a time (restore skips the ones in)
            pass
        for line, record in pending:
            try:
                self.added[name] += bool(self.store.restore(name, record))
            except DuplicateKey as error:
                raise TransferError(_at_line(line, gettext(
                    "{record} bertentangan dengan rekaman lain di penyimpanan yang mempunyai {field} yang sama").format(
                        record=_record_name(name, record), field=error.field)) + "; " + _resume_hint(line - 1)) from error
            except KeyError as error:
                raise TransferError(_at_line(line, gettext("{record} tidak mempunyai isian {field}").format(
                    record=_record_name(name, record), field=error)) + "; " + _resume_hint(line - 1)) from error
            except Exception as error:  # noqa: BLE001 - a store failure: say where the import stopped
                raise TransferError(_at_line(line, gettext("{record} tidak dapat disimpan ({error})").format(
                    record=_record_name(name, record), error=f"{type(error).__name__}: {error}"))
                    + "; " + _resume_hint(line - 1)) from error

    def report_end(self) -> None:
        """Progress at the end of the collection being read."""
        if self.current is not None and self.progress:
            count = self.read[self.current]
            if count == 0 or count % PROGRESS_EVERY:
                self.progress(self.current, count)
        self.current = None

    def header(self, line: int, text: str) -> None:
        text = text.removeprefix("\ufeff")
        def refused(problem: str, cause: BaseException | None = None):
            raise TransferError(_at_line(line, problem) + "; " + gettext("tidak ada yang diimpor")) from cause
        try:
            header = _loads(text)
        except ValueError as error:
            refused(gettext("bukan berkas ekspor formserver ({mistake})").format(
                mistake=json_mistake(error, one_line=True)), error)
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            refused(gettext('bukan berkas ekspor formserver (baris pertamanya harus judul dengan "format": '
                            '"{format}")').format(format=FORMAT))
        version = header.get("version")
        if version != VERSION or isinstance(version, bool):
            refused(gettext("versi format ekspor {version} tidak didukung (formserver ini membaca versi "
                            "{supported})").format(version=repr(version), supported=VERSION))
        listed = header.get("collections")
        if not isinstance(listed, list) or not all(isinstance(name, str) for name in listed):
            refused(gettext('"collections" pada judul harus daftar nama'))
        unknown = [name for name in listed if name not in self.known]
        if unknown:
            refused(gettext("berkas memuat koleksi yang tidak dikenal formserver ini ({names})").format(
                names=", ".join(unknown)))
        keys = header.get("private_keys", [])
        if not isinstance(keys, list):
            refused(gettext('"private_keys" pada judul harus daftar'))
        if self.private_keys is not None:
            try:
                self.private_keys(keys)
            except ValueError as error:
                refused(gettext("kunci privat: {error}").format(error=error), error)
        self.listed = tuple(listed)
        self.added = {name: 0 for name in listed}
        self.read = {name: 0 for name in listed}

    def record(self, line: int, item: dict) -> None:
        if set(item) != {"c", "r"} or not isinstance(item["r"], dict):
            self.fail(line, gettext('bukan rekaman ekspor (seharusnya {{"c": koleksi, "r": {{...}}}})').format())
        name = item["c"]
        if name not in self.known or name not in self.listed:
            where = (gettext("formserver ini tidak mengenalnya") if name not in self.known
                     else gettext("judul tidak mencantumkannya"))
            self.fail(line, gettext("koleksi {name} tidak dikenal ({where})").format(name=repr(name), where=where))
        record = item["r"]
        if record.get(_KEY_FIELD.get(name, "id")) is None:
            self.fail(line, gettext("rekaman {collection} tanpa {field}").format(
                collection=name, field=repr(_KEY_FIELD.get(name, "id"))))
        # a record exported before an upgrade of its shape (formserver/upgrades.py) goes in in the new shape
        record = upgrades.upgraded(name, record)
        if name != self.pending_collection or len(self.pending) >= self.batch:
            self.flush()
            self.pending_collection = name
        if name != self.current:
            self.report_end()
            self.current = name
        self.pending.append((line, record))
        self.read[name] += 1
        if self.progress and self.read[name] % PROGRESS_EVERY == 0:
            self.progress(name, self.read[name])

    def trailer(self, line: int, item: dict) -> None:
        self.flush()
        self.report_end()
        counts = item.get("counts")
        if item.get("end") is not True or not isinstance(counts, dict):
            raise TransferError(_at_line(line, gettext('penanda akhir rusak (seharusnya {{"end": true, "counts": '
                                                       '{{...}}}}); rekaman sebelumnya sudah diimpor').format()))
        differ = [gettext("{name} {listed} tercantum, {found} di berkas").format(
                      name=name, listed=counts.get(name, 0), found=self.read.get(name, 0))
                  for name in sorted(set(counts) | set(self.read), key=str)
                  if counts.get(name, 0) != self.read.get(name, 0)]
        if differ:
            raise TransferError(_at_line(line, gettext(
                "hitungan pada penanda akhir tidak cocok dengan rekaman di berkas ({differ}): berkas diubah sesudah "
                "ekspor; rekaman di dalamnya sudah diimpor, ekspor lagi untuk memastikan tidak ada yang hilang").format(
                    differ="; ".join(differ))))

    def run(self, source: Iterable) -> dict[str, int]:
        lines = iter(source)
        line = 0
        ended_at = 0  # the line of the end marker
        while True:
            try:
                raw = next(lines)
            except StopIteration:
                break
            except UnicodeDecodeError as error:  # a text stream decodes in chunks: the line is approximate
                if not line:
                    raise TransferError(_not_utf8_at_start(error)) from error
                self.fail(line + 1, gettext("bukan teks UTF-8 yang sah di sekitar sini ({reason})").format(
                    reason=error.reason), error)
            line += 1
            if isinstance(raw, bytes):
                try:
                    raw = raw.decode("utf-8")
                except UnicodeDecodeError as error:
                    if line == 1:
                        raise TransferError(_not_utf8_at_start(error)) from error
                    self.fail(line, gettext("bukan teks UTF-8 yang sah ({reason})").format(reason=error.reason), error)
            complete = raw.endswith("\n")
            if line == 1:
                self.header(line, raw)
                continue
            if ended_at:
                if raw.strip():
                    raise TransferError(_at_line(line, gettext(
                        "ada data lagi sesudah penanda akhir di baris {end}; rekaman sampai baris {end} sudah "
                        "diimpor").format(end=ended_at)))
                continue
            try:
                item = _loads(raw)
            except ValueError as error:
                if not complete:  # the last line, cut off: the file is truncated
                    self._truncated(line, cut=True)
                self.fail(line, json_mistake(error, one_line=True), error)
            if not isinstance(item, dict):
                self.fail(line, gettext("bukan objek JSON"))
            if "end" in item:
                self.trailer(line, item)
                ended_at = line
            else:
                self.record(line, item)
        if line == 0:
            raise TransferError(gettext("berkas kosong: bukan berkas ekspor formserver; tidak ada yang diimpor"))
        if not ended_at:
            self._truncated(line)
        return self.added

    def _truncated(self, line: int, cut: bool = False):
        self.flush()
        self.report_end()
        total = sum(self.read.values())
        if cut:
            said = gettext("berkas berakhir di baris {line} tanpa penanda akhirnya: berkas terpotong (baris terakhirnya "
                           "terputus); {total} rekaman sebelumnya sudah diimpor dan impor ulang dengan berkas yang "
                           "lengkap melanjutkannya")
        else:
            said = gettext("berkas berakhir di baris {line} tanpa penanda akhirnya: berkas terpotong; {total} rekaman "
                           "sebelumnya sudah diimpor dan impor ulang dengan berkas yang lengkap melanjutkannya")
        raise TransferError(said.format(line=line, total=total))


def import_(store: Store, source: TextIO, progress: Progress | None = None, batch: int = 500,
            private_keys: Callable[[list], None] | None = None) -> dict[str, int]:
    """Read an export from ``source`` line by line into ``store``; return how many records were added per collection.

    ``private_keys(entries)`` is called with the header's private keys (often none) before any record is
    read; a ValueError from it stops the import with nothing imported.

    Records already in the store are skipped, so an import that stopped (bad line, truncated file,
    conflict) can be run again on the corrected file. ``source`` may yield ``str`` or ``bytes`` lines
    (bytes are decoded as UTF-8 line by line, so a bad byte is reported at its exact line).
    Raises :class:`TransferError` naming the line, and the record where there is one.
    """
    return _Importer(store, progress, batch, private_keys).run(source)


# command line

class _ProgressPrinter:
    """``submissions: 120000`` on standard error: one line rewritten in place on a terminal, else a line a report."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.tty = stream.isatty() if hasattr(stream, "isatty") else False
        self.showing: str | None = None
        self.counts: dict[str, int] = {}

    def __call__(self, collection: str, count: int) -> None:
        self.counts[collection] = count
        if self.tty:
            if self.showing not in (None, collection):
                self.stream.write("\n")
            self.stream.write(f"\r{collection}: {count}")
            self.showing = collection
        else:
            self.stream.write(f"{collection}: {count}\n")
        self.stream.flush()

    def done(self) -> None:
        if self.showing is not None:
            self.stream.write("\n")
            self.stream.flush()
            self.showing = None


def _config():
    from .config import from_environment
    return from_environment()


def _open_store():
    from .upgrades import open_upgraded
    return open_upgraded(_config())


def _passphrase(args, confirm: bool) -> str:
    """The private key's passphrase: the first line of --passphrase-file, else asked on the terminal."""
    if args.passphrase_file:
        try:
            text = Path(args.passphrase_file).read_text(encoding="utf-8")
        except (OSError, UnicodeError) as error:
            raise ValueError(gettext("berkas frasa sandi tidak dapat dibaca: {error}").format(
                error=getattr(error, "strerror", None) or error)) from error
        return text.splitlines()[0] if text else ""
    import getpass
    passphrase = getpass.getpass(gettext("Frasa sandi kunci privat: "))
    if confirm and getpass.getpass(gettext("Frasa sandi yang sama sekali lagi: ")) != passphrase:
        raise ValueError(gettext("kedua frasa sandi berbeda"))
    return passphrase


def _export_keys(store: Store, args) -> list[dict] | None:
    """Put the current data-signing key's public half in the ring (the export carries the ring); the encrypted
    private key when --include-private-key asks for it."""
    from .issue.keyring import private_key_entries, register, register_certificate
    from .issue.signing import configured_certificate, configured_data_key, raw_public_key
    if args.passphrase_file and not args.include_private_key:
        raise ValueError(gettext("--passphrase-file hanya dipakai bersama {option}").format(option="--include-private-key"))
    config = _config()
    key = configured_data_key(config)
    if key is not None:
        register(store, raw_public_key(key))  # also the one migration of documents that name no key
    certificate = configured_certificate(config)
    if certificate is not None:
        register_certificate(store, certificate)
    if not args.include_private_key:
        return None
    if key is None:
        raise ValueError(gettext("server ini belum mempunyai kunci penandatanganan data: tidak ada kunci privat untuk "
                                 "diekspor"))
    return private_key_entries(key, _passphrase(args, confirm=True))


def _summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in counts.items())


def _export(args) -> int:
    """``formserver export [--out FILE]``."""
    try:
        store = _open_store()
    except Exception as error:  # noqa: BLE001 - unreachable or misconfigured store
        print("formserver: " + gettext("penyimpanan tidak dapat dibuka: {error}").format(error=error), file=sys.stderr)
        return 1
    try:
        private_keys = _export_keys(store, args)
    except (ValueError, OSError) as error:
        store.close()
        print("formserver: " + gettext("tidak ada yang diekspor: {error}").format(error=error), file=sys.stderr)
        return 1
    printer = _ProgressPrinter(sys.stderr)
    try:
        if args.out in (None, "-"):
            target = gettext("keluaran standar")
            counts = _export_stdout(store, printer, private_keys)
        else:
            target = args.out
            counts = _export_file(store, Path(args.out), printer, private_keys)
    except (TransferError, OSError) as error:
        printer.done()
        print("formserver: " + gettext("ekspor gagal: {error}").format(error=error), file=sys.stderr)
        return 1
    finally:
        store.close()
    printer.done()
    print("formserver: " + gettext("{count} rekaman diekspor ke {target} ({summary})").format(
        count=sum(counts.values()), target=target, summary=_summary(counts)), file=sys.stderr)
    if private_keys:
        print("formserver: " + gettext("ekspor ini memuat kunci penandatanganan privat, dienkripsi dengan frasa sandi: "
                                       "simpan berkas dan frasa sandinya terpisah"), file=sys.stderr)
    return 0


def _export_stdout(store: Store, printer: _ProgressPrinter, private_keys=None) -> dict[str, int]:
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        return export(store, sys.stdout, printer, private_keys)
    sys.stdout.flush()
    out = io.TextIOWrapper(buffer, encoding="utf-8", newline="\n")
    try:
        return export(store, out, printer, private_keys)
    finally:
        try:
            out.flush()
        finally:
            out.detach()  # leave sys.stdout usable


def _export_file(store: Store, path: Path, printer: _ProgressPrinter, private_keys=None) -> dict[str, int]:
    """Write FILE.partial and rename it when complete: a file named FILE is always a whole export."""
    partial = path.with_name(path.name + ".partial")
    try:
        with open(partial, "w", encoding="utf-8", newline="\n") as out:
            counts = export(store, out, printer, private_keys)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return counts


def _import(args) -> int:
    """``formserver import FILE`` (``-`` for standard input)."""
    try:
        source = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")
    except OSError as error:
        print("formserver: " + gettext("{file} tidak dapat dibaca: {error}").format(
            file=args.file, error=error.strerror or error), file=sys.stderr)
        return 1
    printer = _ProgressPrinter(sys.stderr)
    seen_keys: list = []
    try:
        try:
            if args.passphrase_file and not args.private_key:
                raise ValueError(gettext("--passphrase-file hanya dipakai bersama {option}").format(option="--private-key"))
            passphrase = _passphrase(args, confirm=False) if args.private_key else None
        except ValueError as error:
            print(f"formserver: {error}; " + gettext("tidak ada yang diimpor"), file=sys.stderr)
            return 1
        try:
            store = _open_store()
        except Exception as error:  # noqa: BLE001 - unreachable or misconfigured store
            print("formserver: " + gettext("penyimpanan tidak dapat dibuka: {error}").format(error=error) + "; "
                  + gettext("tidak ada yang diimpor"), file=sys.stderr)
            return 1

        def private_keys(entries: list) -> None:
            seen_keys.extend(entries)
            if passphrase is not None:
                _install_private_key(entries, passphrase, store)
        try:
            added = import_(store, source, printer, private_keys=private_keys)
        except TransferError as error:
            printer.done()
            print("formserver: " + gettext("impor {file} berhenti: {error}").format(file=args.file, error=error),
                  file=sys.stderr)
            return 1
        finally:
            store.close()
    finally:
        if source is not sys.stdin.buffer:
            source.close()
    printer.done()
    read = sum(printer.counts.get(name, 0) for name in added)
    new = sum(added.values())
    print("formserver: " + gettext("{new} rekaman baru diimpor ({summary}); {old} sudah ada di penyimpanan").format(
        new=new, summary=_summary(added), old=read - new), file=sys.stderr)
    if seen_keys and not args.private_key:
        print("formserver: " + gettext("berkas ini juga memuat kunci penandatanganan privat terenkripsi, yang tidak "
                                       "diimpor (impor lagi dengan --private-key untuk menjadikannya kunci server "
                                       "ini)"), file=sys.stderr)
    return 0


def _install_private_key(entries: list, passphrase: str, store: Store) -> None:
    """The export's private key becomes this server's data-signing key (ValueError stops the import)."""
    from .issue.keyring import install_private_key
    if not entries:
        raise ValueError(gettext("berkas tidak memuat kunci privat (diekspor tanpa --include-private-key)"))
    try:
        key_id, written = install_private_key(entries, passphrase, _config(), store)
    except OSError as error:
        raise ValueError(gettext("berkas kunci tidak dapat ditulis: {error}").format(error=error.strerror or error)) from error
    said = gettext("kunci penandatanganan {key} dipasang") if written else gettext(
        "kunci penandatanganan {key} sudah menjadi kunci server ini")
    print("formserver: " + said.format(key=key_id), file=sys.stderr)


def add_commands(subparsers) -> None:
    """Add ``export`` and ``import`` to the formserver command line."""
    export_cmd = subparsers.add_parser(
        "export", help="write everything in the store (chosen by configuration) as JSON Lines")
    export_cmd.add_argument("--out", metavar="FILE",
                            help="file to write (default: standard output); written as FILE.partial, then renamed")
    export_cmd.add_argument("--include-private-key", action="store_true",
                            help="also write the private data-signing key, encrypted with a passphrase (asked for, "
                                 "or --passphrase-file); public keys are always exported")
    export_cmd.add_argument("--passphrase-file", metavar="FILE", help="read the passphrase from the first line of FILE")
    export_cmd.set_defaults(run=_export)
    import_cmd = subparsers.add_parser(
        "import", help="read an export into the store; records already there are skipped, so it can be rerun")
    import_cmd.add_argument("file", metavar="FILE", help="the export file, or - for standard input")
    import_cmd.add_argument("--private-key", action="store_true",
                            help="make the private key the file holds (exported with --include-private-key) this "
                                 "server's data-signing key; asks for its passphrase, or --passphrase-file")
    import_cmd.add_argument("--passphrase-file", metavar="FILE", help="read the passphrase from the first line of FILE")
    import_cmd.set_defaults(run=_import)


def main(argv=None) -> int:
    """``python -m formserver.transfer export|import``: the same commands on their own."""
    from .cliparse import ArgumentParser
    parser = ArgumentParser(prog="formserver", description="Export and import a formserver store.")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    from .i18n import run_command
    return run_command(args.run, args)


if __name__ == "__main__":
    sys.exit(main())
