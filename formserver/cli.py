"""The formserver command: serve, check definitions (and the regional variant), read the development outbox."""
import gc
import json
import os
import sys
from pathlib import Path

from .cliparse import ArgumentParser
from .i18n import gettext


def _serve(args) -> int:
    from gunicorn.app.base import BaseApplication

    from . import create_app
    from .config import ConfigError
    from .definition.load import DefinitionError
    from .store import StoreUnavailable

    if args.data_dir:
        os.environ["FORMSERVER_DATA_DIR"] = args.data_dir
    # links made outside a request (without FORMSERVER_BASE_URL, in development) point here
    host = "127.0.0.1" if args.host in ("0.0.0.0", "::", "") else args.host
    os.environ["FORMSERVER_SERVE_URL"] = f"http://{f'[{host}]' if ':' in host else host}:{args.port}"
    try:
        # fail here, with the definitions' problems or the store's, before any worker starts
        probe = create_app()
    except (ConfigError, DefinitionError, StoreUnavailable) as error:
        print("formserver: " + gettext("tidak ada yang dijalankan.") + f"\n{error}", file=sys.stderr)
        return 1
    data_dir = probe.config["DATA_DIR"]
    probe.extensions["formserver"].store.close()

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{args.host}:{args.port}")
            self.cfg.set("workers", args.workers)
            self.cfg.set("accesslog", "-")
            self.cfg.set("limit_request_line", 8190)

        def load(self):
            # each worker builds its own app after the fork: database connections do not survive a fork
            app = create_app()
            # what the app holds for its lifetime (compiled forms, templates, definitions) leaves the garbage
            # collector's generations: its collections then look at what requests make, not at all of that again
            gc.freeze()
            return app

    print(f"formserver: http://{args.host}:{args.port}/  (data: {data_dir})", flush=True)
    Server().run()
    return 0


def _check(args) -> int:
    """Problems fail (exit 1); a text lacking a locale the server offers besides id and en is a warning."""
    from .config import from_environment
    from .definition.check import untranslated
    from .definition.load import check_file, read_json
    from .i18n import catalogs_for, ngettext
    from .logic import Logic

    logic = Logic()
    extra_locales = [locale for locale in catalogs_for(from_environment()["TRANSLATIONS_DIR"] or None).locales
                     if locale not in ("id", "en")]
    failed = 0
    for name in args.files:
        problems = check_file(Path(name), logic)
        for problem in problems:
            print(f"{name}:{problem.pointer or '/'}: {problem.message}")
        warnings = untranslated(read_json(Path(name)), extra_locales) if extra_locales and not problems else []
        for warning in warnings:
            print(f"{name}:{warning.pointer or '/'}: warning: {warning.message}")
        if not problems:
            print(f"{name}: OK" + (" " + ngettext("({count} peringatan)", "({count} peringatan)", len(warnings)).format(
                count=len(warnings)) if warnings else ""))
        failed += bool(problems)
    failed += _check_variant(args.files)
    _untranslated_variant(extra_locales)
    return 1 if failed else 0


def _untranslated_variant(locales: list[str]) -> None:
    """Warnings for the selected variant's texts (overlay, office identity) lacking a locale the server offers."""
    from .config import from_environment
    from .definition.check import untranslated
    from .definition.load import DefinitionError, read_json
    config = from_environment()
    path = Path(config["VARIANTS_DIR"]) / config["VARIANT"] / "variant.json"
    if not locales or not path.is_file():
        return
    try:
        warnings = untranslated(read_json(path), locales, named=False)
    except DefinitionError:
        return  # _check_variant has said what is wrong with it
    for warning in warnings:
        print(f"{path}:{warning.pointer or '/'}: warning: {warning.message}")


def _check_variant(files) -> int:
    """The variant FORMSERVER_VARIANT selects, against the shipped forms and the files checked (1 on a problem)."""
    from .config import from_environment
    from .variants.cli import base_definitions, report, variant_problems
    config = from_environment()
    bases = base_definitions(config["FORMS_DIR"], files)
    return report(config["VARIANT"], variant_problems(config["VARIANT"], bases, config["VARIANTS_DIR"]),
                  config["VARIANTS_DIR"])


def _outbox(args) -> int:
    from .accounts.messages import read_outbox
    from .config import from_environment

    data_dir = args.data_dir or from_environment()["DATA_DIR"]
    for message in read_outbox(data_dir)[-args.last:]:
        print(json.dumps({k: message[k] for k in ("channel", "to", "subject", "body")}, ensure_ascii=False, indent=2))
    return 0


def _store():
    """The configured store, upgraded (formserver/upgrades.py) before the command reads or writes it."""
    from .config import from_environment
    from .upgrades import open_upgraded
    return open_upgraded(from_environment())


def _services():
    from .config import from_environment, secret_key
    from .services import Services
    config = from_environment()
    config["SECRET_KEY"] = config["SECRET_KEY"] or secret_key(Path(config["DATA_DIR"]))
    return Services(config)


def _staff_add(args) -> int:
    import getpass

    from marshmallow import ValidationError

    from .officers import create_staff
    from .store import DuplicateKey
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass(gettext("Kata sandi: "))
    store = _store()
    try:
        account = create_staff(store, args.username, args.email, args.name, password, args.role)
    except ValidationError as error:
        print(f"formserver: {' '.join(map(str, error.messages))}", file=sys.stderr)
        return 1
    except DuplicateKey as error:
        print("formserver: " + gettext("{field} itu sudah dipakai").format(field=error.field), file=sys.stderr)
        return 1
    finally:
        store.close()
    print(gettext("{role} {username} dibuat").format(role=args.role, username=account["username"]))
    return 0


def _add_staff_command(commands, name: str, role: str, what: str, roles: tuple = ()) -> None:
    group = commands.add_parser(name, help=f"{what} accounts").add_subparsers(dest=f"{name}_command", required=True)
    add = group.add_parser("add", help=f"create a {what} account (asks for the password)")
    add.add_argument("username")
    add.add_argument("email")
    add.add_argument("--name", required=True)
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    if roles:  # officers: front office and help desk (petugas) or supervisor
        add.add_argument("--role", choices=roles, default=role, help=f"the account's role (default {role})")
        add.set_defaults(run=_staff_add)
    else:
        add.set_defaults(run=_staff_add, role=role)


def _document_revoke(args) -> int:
    svc = _services()
    if svc.store.get_document(args.document_id) is None:
        print("formserver: " + gettext("dokumen {id} tidak ada").format(id=args.document_id), file=sys.stderr)
        return 1
    from .backoffice import revoke
    from .issue.issuance import RevocationRefused
    try:  # as the supervisor's revoke on the detail page: the application becomes DICABUT too
        doc = revoke(svc, args.document_id, f"cli:{os.environ.get('USER', 'admin')}", args.reason)
    except RevocationRefused as refused:
        print(f"formserver: {refused.message}", file=sys.stderr)
        return 1
    from .labels import label
    print(gettext("{document} {number} dicabut").format(document=label(doc["type"]), number=doc["number"]))
    return 0


def _search_reindex(args) -> int:
    from .search import reindex

    def progress(done) -> None:
        print(gettext("{read} dibaca, {written} diberi istilah pencarian (--after {last})").format(
            read=f"{done.read:,}", written=f"{done.written:,}", last=done.last_id), flush=True)
    if args.batch < 1:
        print("formserver: " + gettext("--batch harus 1 atau lebih"), file=sys.stderr)
        return 2
    store = _store()
    try:
        done = reindex(store, args.after, args.batch, progress)
    finally:
        store.close()
    print(gettext("selesai: {read} dibaca, {written} ditulis").format(read=f"{done.read:,}", written=f"{done.written:,}"))
    return 0


def main(argv=None) -> int:
    parser = ArgumentParser(prog="formserver", description="Form server for business licensing.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the server (gunicorn) on the embedded store")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=2)
    serve.add_argument("--data-dir", help="data directory (default ./var or FORMSERVER_DATA_DIR)")
    serve.set_defaults(run=_serve)
    check = commands.add_parser("check", help="check form definition files; exit 1 on any problem (a text lacking a "
                                              "locale beyond id and en is a warning)")
    check.add_argument("files", nargs="+")
    check.set_defaults(run=_check)
    outbox = commands.add_parser("outbox", help="show messages kept in the development outbox")
    outbox.add_argument("--last", type=int, default=5)
    outbox.add_argument("--data-dir")
    outbox.set_defaults(run=_outbox)
    from .roles import FORM_ADMIN, PETUGAS, SUPERVISOR
    _add_staff_command(commands, "officer", PETUGAS, "officer (petugas or supervisor)", roles=(PETUGAS, SUPERVISOR))
    _add_staff_command(commands, "admin", FORM_ADMIN, "form administrator")
    document = commands.add_parser("document", help="issued documents").add_subparsers(dest="document_command", required=True)
    revoke = document.add_parser("revoke", help="revoke an issued document (it stays as issued, marked revoked)")
    revoke.add_argument("document_id", help="the document's id (one beginning with '-' is accepted as it is)")
    revoke.add_argument("--reason", required=True)
    revoke.set_defaults(run=_document_revoke)
    search = commands.add_parser("search", help="the officers' search").add_subparsers(dest="search_command", required=True)
    reindex = search.add_parser("reindex", help="give every application the search terms its form gives it now "
                                                "(applications stored before search terms existed are found after it)")
    reindex.add_argument("--after", default="", metavar="ID",
                         help="start after this submission id (the last one a progress line showed)")
    reindex.add_argument("--batch", type=int, default=1000, help="submissions between progress lines (default 1000)")
    reindex.set_defaults(run=_search_reindex)
    from .reference.cli import add_commands as add_reference_commands
    add_reference_commands(commands)
    from .transfer import add_commands as add_transfer_commands
    add_transfer_commands(commands)
    from .issue.keys_cli import add_commands as add_key_commands
    add_key_commands(commands)
    from .variants.cli import add_commands as add_variant_commands
    add_variant_commands(commands)
    args = parser.parse_args(argv)
    from .i18n import run_command
    return run_command(args.run, args)  # what the command says reads in the commands' locale


if __name__ == "__main__":
    sys.exit(main())
